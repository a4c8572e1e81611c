from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pydicom.encaps import encapsulate
from pydicom.pixels import get_decoder
from pydicom.uid import JPEGLosslessSV1

from nii.dicos.jpeg_lossless import encode_jpeg_lossless_sv1
from nii.errors import InvalidScanError


def _decode(stream: bytes, shape: tuple[int, int], dtype: np.dtype, precision: int) -> np.ndarray:
    """Decodes with pydicom's JPEG Lossless decoder (pylibjpeg-libjpeg), an independent implementation."""
    arr, _ = get_decoder(JPEGLosslessSV1).as_array(
        encapsulate([stream]),
        rows=shape[0],
        columns=shape[1],
        samples_per_pixel=1,
        bits_allocated=dtype.itemsize * 8,
        bits_stored=precision,
        pixel_representation=0,
        photometric_interpretation="MONOCHROME2",
        number_of_frames=1,
    )
    return arr.reshape(shape)


def _round_trip(img: np.ndarray, precision: int | None = None) -> np.ndarray:
    p = precision or img.dtype.itemsize * 8
    return _decode(encode_jpeg_lossless_sv1(img, precision=precision), img.shape, img.dtype, p)


@pytest.mark.parametrize(
    "img",
    [
        np.zeros((5, 7), np.uint16),
        np.full((5, 7), 65535, np.uint16),
        np.array([[0, 32768, 0, 32768, 65535, 32767, 1]], np.uint16),  # differences of +-32768 (category 16)
        np.array([[7]], np.uint16),
        np.tile(np.array([[0, 65535], [65535, 0]], np.uint16), (8, 8)),
    ],
    ids=["zeros", "full", "category16", "one-pixel", "checker"],
)
def test_edge_images_are_lossless(img: np.ndarray) -> None:
    np.testing.assert_array_equal(_round_trip(img), img)


def test_random_and_smooth_images(rng: np.random.Generator) -> None:
    noise = rng.integers(0, 65536, (64, 33), dtype=np.uint16)
    np.testing.assert_array_equal(_round_trip(noise), noise)
    yy, xx = np.mgrid[:300, :200]
    smooth = (30000 + 20000 * np.sin(xx / 50) * np.cos(yy / 70) + rng.normal(0, 50, xx.shape)).astype(np.uint16)
    stream = encode_jpeg_lossless_sv1(smooth)
    np.testing.assert_array_equal(_decode(stream, smooth.shape, smooth.dtype, 16), smooth)
    assert len(stream) < smooth.nbytes * 0.75  # it compresses a smooth image
    bytes8 = rng.integers(0, 256, (20, 21), dtype=np.uint8)
    np.testing.assert_array_equal(_round_trip(bytes8), bytes8)
    twelve = rng.integers(0, 4096, (20, 20), dtype=np.uint16)
    np.testing.assert_array_equal(_round_trip(twelve, 12), twelve)


@pytest.mark.filterwarnings("ignore:The number of bytes of compressed pixel data matches")
@settings(max_examples=40, deadline=None)
@given(arrays(np.uint16, st.tuples(st.integers(1, 12), st.integers(1, 12))))
def test_any_uint16_image_is_lossless(img: np.ndarray) -> None:
    np.testing.assert_array_equal(_round_trip(img), img)


def test_refuses_what_it_cannot_encode() -> None:
    with pytest.raises(InvalidScanError, match="2-D"):
        encode_jpeg_lossless_sv1(np.zeros((2, 2, 2), np.uint16))
    with pytest.raises(InvalidScanError, match="uint8 or uint16"):
        encode_jpeg_lossless_sv1(np.zeros((2, 2), np.float32))
    with pytest.raises(InvalidScanError, match="12-bit"):
        encode_jpeg_lossless_sv1(np.full((2, 2), 5000, np.uint16), precision=12)
