from __future__ import annotations

import logging
import time

import numpy as np
import pytest

from nii.errors import NIIError
from nii.physics.detector import DEFAULT_DETECTOR, SingleEnergyDetector
from nii.physics.forward import attenuation_images, transmission_table
from nii.physics.materials import MATERIALS, mass_attenuation

log = logging.getLogger(__name__)
RHO_T = np.geomspace(0.02, 150.0, 400)  # g/cm^2


def _ratio_at(material: str, high_targets: np.ndarray) -> np.ndarray:
    """R = low/high of `material` at the thickness where its high-energy attenuation equals each target."""
    low, high = transmission_table(material, RHO_T)
    return np.interp(high_targets, high, low / high)


def test_thin_limit_equals_spectrum_weighted_attenuation() -> None:
    energies, w_low, w_high = DEFAULT_DETECTOR.response()
    rho_t = 1e-3
    low, high = transmission_table("water", [rho_t])
    mu = mass_attenuation("water", energies)
    assert low[0] == pytest.approx(float(w_low @ mu) * rho_t, rel=1e-2)
    assert high[0] == pytest.approx(float(w_high @ mu) * rho_t, rel=1e-2)


def test_attenuation_lies_between_monochromatic_bounds() -> None:
    energies, _, _ = DEFAULT_DETECTOR.response()
    for name in ("water", "aluminium", "iron"):
        mu = mass_attenuation(name, energies)
        low, high = transmission_table(name, [1.0, 5.0])
        for rho_t, a in zip([1.0, 5.0], np.concatenate([low, high]).reshape(2, 2).T):
            assert np.all(a >= mu.min() * rho_t - 1e-4)
            assert np.all(a <= mu.max() * rho_t)


def test_transmission_ordering_at_equal_areal_density() -> None:
    names = ["polyethylene", "water", "aluminium", "iron", "copper", "lead"]
    lows, highs = zip(*(transmission_table(n, [2.0]) for n in names))
    highs_a = np.concatenate(highs)
    lows_a = np.concatenate(lows)
    # water, polyethylene and aluminium are close at high energy (Compton), metals are far above
    assert highs_a[3] > 1.5 * highs_a[2] and highs_a[5] > highs_a[4] > highs_a[3]
    assert np.all(lows_a > highs_a)  # the low-energy layer always attenuates more
    assert np.all(np.diff(lows_a[1:]) > 0)


def test_ratio_orders_organic_inorganic_metal_at_equal_high_attenuation() -> None:
    targets = np.array([0.2, 0.5, 1.0, 2.0, 3.0])
    r = {n: _ratio_at(n, targets) for n in ("polyethylene", "water", "pom", "glass", "aluminium", "iron", "copper")}
    for organic in ("polyethylene", "water", "pom"):
        for inorganic in ("glass", "aluminium"):
            assert np.all(r[organic] < r[inorganic]), (organic, inorganic)
            for metal in ("iron", "copper"):
                assert np.all(r[inorganic] < r[metal]), (inorganic, metal)


def test_beam_hardening_in_thick_steel() -> None:
    thickness_cm = np.array([0.1, 0.5, 1.0, 2.0, 3.0])
    rho = MATERIALS.get("steel").density_g_cm3
    low, high = transmission_table("steel", thickness_cm * rho)
    for img in (low, high):
        mu_eff = img / thickness_cm  # 1/cm
        assert np.all(np.diff(mu_eff) < 0)
    assert high[0] / thickness_cm[0] > 1.3 * high[-1] / thickness_cm[-1]


def test_images_keep_shape_zero_background_and_dtype() -> None:
    water = np.zeros((4, 5), dtype=np.float32)
    steel = np.zeros((4, 5), dtype=np.float32)
    water[1:3, 1:3] = 10.0
    steel[2, 2:4] = 2.0
    low, high = attenuation_images({"water": water, "steel": steel})
    assert low.shape == high.shape == (4, 5) and low.dtype == np.float32
    assert np.all(low[(water == 0) & (steel == 0)] == 0)
    both = low[2, 2]
    assert both > low[1, 1] and both > low[2, 3]
    # compositing: materials on one ray attenuate less than the sum of their separate images (beam hardening)
    sep = attenuation_images({"water": water[2:3, 2:3]})[0] + attenuation_images({"steel": steel[2:3, 2:3]})[0]
    assert both < sep[0, 0]


def test_single_energy_detector_gives_identical_layers() -> None:
    low, high = attenuation_images({"water": np.full(3, 5.0)}, SingleEnergyDetector())
    np.testing.assert_array_equal(low, high)


def test_very_dense_pixels_stay_finite() -> None:
    low, high = transmission_table("tungsten", [500.0])
    assert np.isfinite(low).all() and np.isfinite(high).all() and high[0] <= 30.0


@pytest.mark.parametrize(
    "areal",
    [{}, {"water": np.ones(3), "iron": np.ones(4)}, {"water": -np.ones(3)}, {"water": np.array([np.nan])}],
)
def test_bad_input_raises(areal: dict[str, np.ndarray]) -> None:
    with pytest.raises(NIIError):
        attenuation_images(areal)


def test_unknown_material_raises() -> None:
    with pytest.raises(NIIError, match="unknown material"):
        attenuation_images({"vibranium": np.ones(2)})


def test_full_size_image_speed_smoke() -> None:
    rng = np.random.default_rng(0)
    names = ["water", "polyethylene", "cotton", "cardboard", "aluminium", "steel", "copper", "glass"]
    areal = {}
    for n in names:
        a = np.zeros((1000, 700), dtype=np.float32)
        m = rng.random((1000, 700)) < 0.4
        a[m] = rng.random(int(m.sum()), dtype=np.float32) * 3.0
        areal[n] = a
    attenuation_images(areal)
    t0 = time.perf_counter()
    low, high = attenuation_images(areal)
    log.info("forward model 1000x700, 8 materials: %.3f s", time.perf_counter() - t0)
    assert np.isfinite(low).all() and np.isfinite(high).all()


def test_sparse_and_dense_images_agree() -> None:
    rng = np.random.default_rng(3)
    dense = {"water": rng.random((20, 20), dtype=np.float32) + 0.1, "iron": rng.random((20, 20), dtype=np.float32)}
    sparse = {k: np.zeros((100, 100), dtype=np.float32) for k in dense}
    for k in dense:
        sparse[k][:20, :20] = dense[k]  # 4 % of the image holds material: the subset path
    d_low, d_high = attenuation_images(dense)
    s_low, s_high = attenuation_images(sparse)
    np.testing.assert_array_equal(d_low, s_low[:20, :20])
    np.testing.assert_array_equal(d_high, s_high[:20, :20])
    assert not s_low[20:, :].any()


@pytest.mark.parametrize(
    ("material", "areal"),
    [("water", [1.0, 10.0, 30.0]), ("aluminium", [0.27, 2.7, 8.0]), ("iron", [0.79, 3.9, 7.9])],
)
def test_binned_model_matches_fine_spectrum_integration(material: str, areal: list[float]) -> None:
    """Transmission of water, aluminium and iron at both layers: the 5 keV-bin forward model against direct
    integration over spekpy's 0.5 keV spectrum and xraydb attenuation (binning error < 0.5 %)."""
    from nii.physics.detector import _layer_absorption, _layer_transmission, tube_spectrum

    d = DEFAULT_DETECTOR
    k, flu = tube_spectrum(d.kvp, d.anode_angle_deg, d.filtration_mm_al)
    keep = k >= d.min_energy_kev
    k, flu = k[keep], flu[keep]
    front = _layer_absorption(d.front_material, d.front_mm, k)
    back = (1 - front) * _layer_transmission(d.filter_material, d.filter_mm, k)
    back = back * _layer_absorption(d.back_material, d.back_mm, k)
    mu = mass_attenuation(material, k)
    rho_t = np.array(areal)
    for w, got in zip((flu * k * front, flu * k * back), transmission_table(material, rho_t)):
        expected = -np.log(np.exp(-np.outer(rho_t, mu)) @ (w / w.sum()))
        np.testing.assert_allclose(got, expected, rtol=5e-3)
