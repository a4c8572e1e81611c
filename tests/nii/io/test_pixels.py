"""The fast stored value -> attenuation paths (lookup table for 8/16-bit, float32 for wider integers) against the
float64 reference and the project encoding."""

from __future__ import annotations

import numpy as np
import pytest

from nii.dicos.encoding import attenuation_to_pixels, pixels_to_attenuation
from nii.io.pixels import PixelTransform, brightness_to_attenuation, to_attenuation


@pytest.mark.parametrize(
    "transform",
    [
        PixelTransform(16, False, 1.0, 0.0, True, "LIN"),
        PixelTransform(16, False, 1.0, 0.0, False, "LIN"),
        PixelTransform(12, False, 2.0, 100.0, True, "LIN"),
        PixelTransform(12, False, -0.5, 3000.0, True, "LOG"),
        PixelTransform(14, False, 1.0, 0.0, False, "LOG"),
        PixelTransform(16, True, 1.0, 0.0, True, "LIN"),
        PixelTransform(8, False, 1.0, 0.0, True, "LIN"),
        PixelTransform(12, True, 1.0, 0.0, True, "LIN"),
        PixelTransform(8, True, 1.0, 0.0, False, "LOG"),
    ],
)
def test_fast_path_matches_reference_on_every_value(transform: PixelTransform) -> None:
    lo, hi = transform.stored_range()
    narrow = transform.bits_stored <= 8
    dtype = (np.int8 if narrow else np.int16) if transform.signed else (np.uint8 if narrow else np.uint16)
    values = np.arange(lo, hi + 1).astype(dtype)
    fast = to_attenuation(values, transform)
    assert fast.dtype == np.float32 and np.all(fast >= 0)
    np.testing.assert_allclose(fast, transform.apply(values), rtol=0, atol=5e-6)


@pytest.mark.parametrize(
    "transform", [PixelTransform(20, False, 1.0, 0.0, True, "LIN"), PixelTransform(24, False, 0.5, 10.0, False, "LOG")]
)
def test_wide_integers_match_reference(transform: PixelTransform) -> None:
    values = np.random.default_rng(1).integers(0, 1 << transform.bits_stored, size=5000).astype(np.uint32)
    values[:2] = (0, (1 << transform.bits_stored) - 1)
    fast = to_attenuation(values, transform)
    assert fast.dtype == np.float32 and np.all(fast >= 0)
    np.testing.assert_allclose(fast, transform.apply(values), rtol=0, atol=5e-6)


def test_byte_order_does_not_matter() -> None:
    t = PixelTransform(16, True, 1.0, 0.0, True, "LIN")
    values = np.arange(-32768, 32768, 8, dtype=np.int16).reshape(-1, 4)
    np.testing.assert_array_equal(to_attenuation(values.astype(">i2"), t), to_attenuation(values, t))


def test_project_encoding_is_inverted() -> None:
    a = np.random.default_rng(0).uniform(0, 11, size=(50, 40)).astype(np.float32)
    pixels = attenuation_to_pixels(a)
    read = to_attenuation(pixels, PixelTransform(16, False, 1.0, 0.0, True, "LIN"))
    np.testing.assert_allclose(read, pixels_to_attenuation(pixels), atol=5e-6)


def test_unused_high_bits_are_masked() -> None:
    t = PixelTransform(10, False, 1.0, 0.0, True, "LIN")
    clean = np.array([1023, 5], dtype=np.uint16)
    np.testing.assert_array_equal(to_attenuation(clean | np.uint16(0xFC00), t), to_attenuation(clean, t))


def test_brightness_white_is_air_black_is_finite() -> None:
    a = brightness_to_attenuation(np.array([255, 0], dtype=np.uint8), 255.0)
    assert a[0] == 0.0 and a[1] == pytest.approx(np.log(256))
