from __future__ import annotations

import numpy as np
import pytest

from nii.dicos.encoding import (
    FULL_SCALE,
    MAX_ATTENUATION,
    MIN_PIXEL,
    attenuation_to_pixels,
    max_round_trip_error,
    pixels_to_attenuation,
)
from nii.errors import InvalidScanError


def test_documented_constants() -> None:
    assert FULL_SCALE == 65535 and MIN_PIXEL == 1
    assert pytest.approx(np.log(65535)) == MAX_ATTENUATION


def test_round_trip_within_bound_and_monotone(rng: np.random.Generator) -> None:
    a = np.sort(rng.uniform(0, MAX_ATTENUATION, size=(1, 20000))).astype(np.float32)
    p = attenuation_to_pixels(a)
    assert p.dtype == np.uint16
    assert np.all(np.diff(p.astype(np.int64)) <= 0)  # more attenuation, less transmitted intensity
    back = pixels_to_attenuation(p)
    assert back.dtype == np.float32
    assert np.all(np.abs(back - a) <= max_round_trip_error(a))
    low = a < 1.8
    assert np.abs(back - a)[low].max() < 1e-4


def test_clamps_and_decoder_edges() -> None:
    p = attenuation_to_pixels(np.array([[-1.0, 0.0, MAX_ATTENUATION, 1e6]]))
    np.testing.assert_array_equal(p, [[65535, 65535, 1, 1]])
    a = pixels_to_attenuation(np.array([[0, 1, 65535, 70000]]))
    np.testing.assert_allclose(a, [[MAX_ATTENUATION, MAX_ATTENUATION, 0.0, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(pixels_to_attenuation(np.array([[4095]]), full_scale=4095), [[0.0]])


def test_refuses_bad_images() -> None:
    with pytest.raises(InvalidScanError, match="non-finite"):
        attenuation_to_pixels(np.array([[0.0, np.inf]]))
    with pytest.raises(InvalidScanError, match="2-D"):
        attenuation_to_pixels(np.zeros(3))
    with pytest.raises(InvalidScanError, match="full_scale"):
        pixels_to_attenuation(np.zeros((1, 1)), full_scale=0)
