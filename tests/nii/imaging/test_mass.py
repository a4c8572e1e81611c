from __future__ import annotations

import numpy as np
import pytest

from nii.imaging.accuracy import mass_accuracy
from nii.imaging.mass import basis_decomposition, estimate_mass, estimate_mass_kg
from nii.physics.detector import SingleEnergyDetector
from nii.physics.phantom import Phantom
from nii.scan import Scan, View


def _scan(view: View) -> Scan:
    return Scan("LX1", "1.2.3", [view])


@pytest.mark.parametrize(
    ("material", "thickness_mm"),
    [("water", 50.0), ("cotton", 20.0), ("polyethylene", 30.0), ("aluminium", 10.0), ("glass", 6.0),
     ("steel", 3.0), ("steel", 8.0), ("copper", 2.0)],
)  # fmt: skip
def test_slab_mass_within_6_percent(material: str, thickness_mm: float) -> None:
    ph = Phantom((150, 150), pixel_spacing_mm=1.0)
    ph.box(material, thickness_mm, (25, 125), (25, 125))
    est = estimate_mass_kg(_scan(ph.view(rng=np.random.default_rng(4))))
    assert est == pytest.approx(ph.mass_kg(), rel=0.06)


def test_overlapping_mixture_mass() -> None:
    ph = Phantom((200, 200), pixel_spacing_mm=1.0)
    ph.box("cardboard", 10.0, (5, 195), (5, 195))
    ph.box("cotton", 30.0, (20, 180), (20, 180))
    ph.box("aluminium", 4.0, (50, 120), (40, 100))
    ph.box("steel", 2.0, (90, 170), (80, 160))
    ph.cylinder("ethanol_40", 150.0, 25.0, (30, 170))
    est = estimate_mass_kg(_scan(ph.view(rng=np.random.default_rng(5))))
    assert est == pytest.approx(ph.mass_kg(), rel=0.06)


def test_random_parcels_mean_error() -> None:
    trials = mass_accuracy(np.random.default_rng(6), n_parcels=8)
    errors = np.array([t.relative_error for t in trials])
    assert np.abs(errors).mean() < 0.05
    assert np.abs(errors).max() < 0.12


def test_mass_scales_with_pixel_area() -> None:
    ph = Phantom((50, 50), pixel_spacing_mm=2.0)
    ph.box("water", 20.0, (10, 40), (10, 40))
    est = estimate_mass_kg(_scan(ph.view()))
    assert est == pytest.approx(30 * 30 * 0.2 * 0.2 * 2.0 / 1000, rel=0.03)


def test_no_spacing_gives_none_and_single_energy_is_flagged() -> None:
    ph = Phantom((30, 30))
    ph.box("water", 50.0, (5, 25), (5, 25))
    v = ph.view()
    assert estimate_mass_kg(_scan(View(dict(v.energies), None))) is None
    single_view = ph.view(SingleEnergyDetector())
    single = _scan(View({"intensity": single_view.high.copy()}, (1.0, 1.0)))
    assert estimate_mass_kg(single) is None
    est = estimate_mass(single)
    assert est is not None and est.method == "water_equivalent"
    assert est.mass_kg == pytest.approx(ph.mass_kg(), rel=0.02)  # exact for water, wrong for anything else
    ph.box("steel", 5.0, (5, 25), (5, 25))
    metal = estimate_mass(_scan(View({"intensity": ph.view(SingleEnergyDetector()).high}, (1.0, 1.0))))
    assert metal is not None and metal.mass_kg > 1.5 * ph.mass_kg()  # why single-energy mass is not trusted


def test_saturated_fraction_reported() -> None:
    ph = Phantom((40, 40))
    ph.box("water", 10.0, (0, 40), (0, 40))
    ph.box("lead", 20.0, (0, 20), (0, 40))
    est = estimate_mass(_scan(ph.view(rng=np.random.default_rng(0))))
    assert est is not None and est.saturated_fraction == pytest.approx(0.5, abs=0.05)


def test_basis_decomposition_of_basis_materials() -> None:
    ph = Phantom((40, 80))
    ph.box("water", 30.0, (5, 35), (5, 35))  # 3 g/cm^2
    ph.box("aluminium", 5.0, (5, 35), (45, 75))  # 1.35 g/cm^2
    water, alu = basis_decomposition(ph.view())
    assert water[20, 20] == pytest.approx(3.0, rel=0.03) and abs(alu[20, 20]) < 0.05
    assert alu[20, 60] == pytest.approx(1.35, rel=0.03) and abs(water[20, 60]) < 0.05
    assert water[0, 0] == 0.0 and alu[0, 0] == 0.0
