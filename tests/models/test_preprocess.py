from __future__ import annotations

import numpy as np
import pytest

from models.preprocess import InputSpec, energies_to_channels, preprocess_view, view_energies
from nii.errors import ModelError
from nii.scan import View


def _view(dual: bool, spacing: tuple[float, float] = (1.0, 0.5)) -> View:
    high = np.zeros((100, 200), np.float32)
    high[20:40, 50:150] = 1.0
    e = {"high": high, "low": high * 2.0} if dual else {"intensity": high}
    return View(energies=e, pixel_spacing_mm=spacing)


def test_resamples_to_mm_per_px_and_pads() -> None:
    spec = InputSpec(mm_per_px=2.0, pad_to=32)
    chans, (sx, sy) = preprocess_view(_view(True), spec)
    assert (sx, sy) == (0.25, 0.5)
    assert chans.shape == (3, 64, 64)  # 100 rows * 0.5 = 50 -> 64; 200 cols * 0.25 = 50 -> 64
    raw = view_energies(_view(True), spec)
    assert raw.shape == (50, 50, 2)
    assert raw[15, 25, 0] == pytest.approx(1.0, abs=1e-3)


def test_ratio_channel_carries_material_and_single_energy_is_neutral() -> None:
    spec = InputSpec(mean=(0, 0, 0), std=(1, 1, 1), ratio_neutral=1.0)
    dual = energies_to_channels(view_energies(_view(True), spec), spec, dual=True)
    single = energies_to_channels(view_energies(_view(False), spec), spec, dual=False)
    assert dual[2].max() == pytest.approx(2.0, abs=1e-3)  # low / high inside the object
    assert np.all(single[2] == 1.0)
    np.testing.assert_allclose(single[0], single[1])
    np.testing.assert_allclose(dual[0], single[0])


def test_bad_spec_is_refused() -> None:
    with pytest.raises(ModelError, match="mm_per_px"):
        InputSpec(mm_per_px=0.0)
    with pytest.raises(ModelError, match="unknown keys"):
        InputSpec.from_dict({"mm_per_pixel": 2.0})
    with pytest.raises(ModelError, match="std"):
        InputSpec(std=(1.0, 0.0, 1.0))
