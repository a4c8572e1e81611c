from __future__ import annotations

import numpy as np
import pytest

from nii.errors import NIIError
from nii.physics.materials import (
    MATERIALS,
    effective_z,
    formula_from_mass_fractions,
    linear_attenuation,
    mass_attenuation,
)

# design.md sanity values, cm^2/g at 40 / 100 keV (NIST XCOM)
REFERENCE = {
    "water": (0.268, 0.171),
    "aluminium": (0.568, 0.170),
    "iron": (3.63, 0.372),
    "lead": (14.36, 5.55),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_mass_attenuation_matches_reference(name: str) -> None:
    got = mass_attenuation(name, [40.0, 100.0])
    np.testing.assert_allclose(got, REFERENCE[name], rtol=0.03)


def test_every_material_has_positive_decreasing_attenuation_in_the_compton_range() -> None:
    energies = np.array([120.0, 140.0, 160.0])  # above every K-edge in the registry (W 69.5, Pb 88, Au 81 keV)
    for name in MATERIALS:
        mu = mass_attenuation(name, energies)
        assert np.all(mu > 0), name
        assert np.all(np.diff(mu) < 0), name


def test_lead_k_edge_is_resolved() -> None:
    below, above = mass_attenuation("lead", [87.5, 88.5])
    assert above > 3 * below


def test_linear_attenuation_scales_with_density() -> None:
    np.testing.assert_allclose(linear_attenuation("iron", [60.0]), mass_attenuation("iron", [60.0]) * 7.874)


def test_effective_z_of_known_materials() -> None:
    assert effective_z("water") == pytest.approx(7.42, abs=0.05)
    assert effective_z("aluminium") == pytest.approx(13.0)
    assert effective_z("polyethylene") < effective_z("water") < 10 < effective_z("glass") < 18 < effective_z("iron")


def test_mixture_formula_keeps_mass_fractions() -> None:
    formula = formula_from_mass_fractions({"H2O": 0.5, "C2H6O": 0.5})
    # mu/rho of a mixture is the mass-weighted sum of its components' (Bragg additivity)
    import xraydb

    e = np.array([30e3, 80e3])
    mix = xraydb.material_mu(formula, e, 1.0)
    parts = 0.5 * xraydb.material_mu("H2O", e, 1.0) + 0.5 * xraydb.material_mu("C2H6O", e, 1.0)
    np.testing.assert_allclose(mix, parts, rtol=1e-3)


def test_unknown_material_and_bad_energies_raise_typed_errors() -> None:
    with pytest.raises(NIIError, match="unknown material 'unobtainium'"):
        mass_attenuation("unobtainium", [50.0])
    with pytest.raises(NIIError, match="1-1000 keV"):
        mass_attenuation("water", [0.1])
    with pytest.raises(NIIError, match="mass fractions"):
        formula_from_mass_fractions({"H2O": -1.0})


def test_results_are_cached_and_read_only() -> None:
    a = mass_attenuation("copper", [50.0, 60.0])
    b = mass_attenuation("copper", np.array([50.0, 60.0]))
    assert a is b
    with pytest.raises(ValueError):
        a[0] = 1.0
