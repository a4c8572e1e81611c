from __future__ import annotations

import numpy as np
import pytest

from nii.errors import ConfigError
from nii.io.pixels import brightness_to_attenuation
from tests.training.synthetic import make_scan
from training.stress import STRESSES, compose


def _scan():  # type: ignore[no-untyped-def]
    scan, _ = make_scan(np.random.default_rng(3), "S1", spacing=1.2)
    return scan


def test_single_energy_and_export8_drop_the_material_channel() -> None:
    scan = _scan()
    high = scan.views[0].high.copy()
    se = STRESSES["single_energy"](scan)
    assert not se.dual_energy and np.array_equal(se.views[0].attenuation, high)
    ex = STRESSES["export8"](scan)
    grey = np.clip(np.rint(255.0 * np.exp(-high.astype(np.float64))), 0, 255)
    np.testing.assert_allclose(ex.views[0].attenuation, brightness_to_attenuation(grey, 255.0), atol=1e-5)
    assert ex.views[0].pixel_spacing_mm == scan.views[0].pixel_spacing_mm
    assert scan.dual_energy  # the original is untouched


def test_blur_low_dose_and_no_spacing() -> None:
    scan = _scan()
    b = STRESSES["blur"](scan).views[0]
    assert b.shape == scan.views[0].shape and b.dual_energy
    assert float(np.abs(np.diff(b.high, axis=1)).mean()) < float(np.abs(np.diff(scan.views[0].high, axis=1)).mean())
    a1, a2 = STRESSES["low_dose"](scan).views[0].high, STRESSES["low_dose"](scan).views[0].high
    assert np.array_equal(a1, a2) and not np.array_equal(a1, scan.views[0].high)  # seeded by the OOI ID
    read = STRESSES["no_spacing"](scan)  # as nii.io reads a file without spacing from an unlisted scanner
    assert read.views[0].pixel_spacing_mm == (1.0, 1.0) and read.spacing_unknown() == [True] * len(read.views)
    assert scan.spacing_unknown() == [False] * len(scan.views)


def test_compose_applies_in_order_and_names_unknown_stresses() -> None:
    assert compose([]) is None
    fn = compose(["export8", "no_spacing"])
    assert fn is not None
    out = fn(_scan())
    assert not out.dual_energy and out.spacing_unknown()[0]
    assert compose(["no_spacing", "export8"])(_scan()).spacing_unknown()[0]  # type: ignore[misc]
    with pytest.raises(ConfigError, match="unknown stress fog"):
        compose(["fog"])


def test_display_is_a_single_energy_rendering_at_the_display_contrast() -> None:
    scan = _scan()
    d = STRESSES["display"](scan).views[0]
    assert not d.dual_energy and d.shape == scan.views[0].shape
    assert d.pixel_spacing_mm == scan.views[0].pixel_spacing_mm
    high = scan.views[0].high
    parcel = high > 0.3
    assert float(np.median(np.abs(d.attenuation[high < 0.01]))) < 0.01  # air stays air (tinted only near edges)
    assert not np.allclose(d.attenuation[parcel], high[parcel], atol=0.05)  # 0.4 A plus the hue's darkness
    assert np.corrcoef(d.attenuation[parcel], high[parcel])[0, 1] > 0.5
