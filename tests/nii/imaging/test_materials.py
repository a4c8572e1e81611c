from __future__ import annotations

import numpy as np
import pytest

from nii.errors import NIIError
from nii.imaging.accuracy import expected_class, material_map_accuracy, thickness_for_attenuation
from nii.imaging.materials import (
    BACKGROUND,
    INORGANIC,
    METAL,
    ORGANIC,
    material_fractions,
    material_map,
    zeff_map,
)
from nii.physics.phantom import Phantom
from nii.scan import Scan, View


def test_expected_classes_of_screening_materials() -> None:
    assert expected_class("cotton") == ORGANIC
    assert expected_class("cocaine_hcl") == ORGANIC
    assert expected_class("glass") == INORGANIC
    assert expected_class("aluminium") == INORGANIC
    assert expected_class("steel") == METAL


def test_material_map_classifies_slabs_over_a_range_of_thicknesses() -> None:
    rng = np.random.default_rng(3)
    materials = {
        ORGANIC: ("polyethylene", "cotton", "sugar", "water", "heroin"),
        INORGANIC: ("glass", "aluminium", "pvc", "salt"),
        METAL: ("steel", "copper", "brass", "titanium"),
    }
    results = material_map_accuracy(rng, high_levels=(0.1, 0.3, 1.0, 2.0, 4.0), materials=materials)
    assert len(results) == 13
    for r in results:
        assert min(r.correct) >= 0.95, (r.material, r.correct)


def test_background_and_opaque_pixels() -> None:
    ph = Phantom((60, 60))
    ph.box("lead", 20.0, (20, 40), (20, 40))
    view = ph.view(rng=np.random.default_rng(0))
    classes = material_map(view)
    assert classes[5, 5] == BACKGROUND
    assert np.all(classes[24:36, 24:36] == METAL)  # opaque: no ratio, called metal
    assert np.isnan(zeff_map(view)[30, 30])


def test_zeff_map_values() -> None:
    ph = Phantom((40, 80))
    ph.box("water", thickness_for_attenuation("water", 1.0), (5, 35), (5, 35))
    ph.box("iron", thickness_for_attenuation("iron", 1.0), (5, 35), (45, 75))
    z = zeff_map(ph.view(rng=np.random.default_rng(1)))
    assert np.median(z[10:30, 10:30]) == pytest.approx(7.42, abs=0.3)
    assert np.median(z[10:30, 50:70]) == pytest.approx(26.0, abs=1.0)
    assert z[0, 0] == 0.0


def test_material_fractions_match_areas() -> None:
    ph = Phantom((100, 100))
    ph.box("cotton", 30.0, (0, 50), (0, 100))  # 5000 px organic
    ph.box("aluminium", 5.0, (60, 80), (0, 50))  # 1000 px inorganic
    ph.box("steel", 3.0, (60, 80), (50, 100))  # 1000 px metal
    scan = Scan("LX1", "1.2.3", [ph.view(rng=np.random.default_rng(2))])
    fr = material_fractions(scan)
    assert fr is not None
    assert sum(fr.values()) == pytest.approx(1.0)
    # blur widens every object by a pixel or two, and a metal's blurred rim reads as inorganic (as on real
    # scanners: the rim is thinner than the metal but carries its hardened ratio)
    assert fr["organic"] == pytest.approx(5 / 7, abs=0.03)
    assert fr["inorganic"] == pytest.approx(1 / 7, abs=0.04)
    assert fr["metal"] == pytest.approx(1 / 7, abs=0.02)


def test_empty_parcel_has_zero_fractions() -> None:
    scan = Scan("LX1", "1.2.3", [Phantom((20, 20)).view()])
    assert material_fractions(scan) == {"organic": 0.0, "inorganic": 0.0, "metal": 0.0}


def test_single_energy_has_no_material_information() -> None:
    view = View({"intensity": np.ones((10, 10), dtype=np.float32)})
    with pytest.raises(NIIError, match="no material information"):
        material_map(view)
    assert material_fractions(Scan("LX1", "1.2.3", [view])) is None
