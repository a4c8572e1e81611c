"""Legacy image exports: 16-bit TIFF / PNG, 8-bit JPEG / PNG, colour pseudo-colour exports."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image

from nii.io import read_instance, read_scan_bytes, read_scans


def _png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def test_16bit_png_brightness_is_transmission(tmp_path: Path) -> None:
    arr = np.array([[65535, 0], [32767, 1000]], dtype=np.uint16)
    path = tmp_path / "LX777.png"
    path.write_bytes(_png(arr))
    (scan,) = read_scans([path])
    assert scan.ooi_id == "LX777" and scan.source_format == "image"
    expected = -np.log((arr.astype(np.float64) + 1) / 65536)
    np.testing.assert_allclose(scan.views[0].attenuation, expected, rtol=1e-6, atol=1e-7)
    assert scan.views[0].attenuation[0, 0] == 0.0
    assert scan.metadata["pixel_spacing_source"] == ["fallback"] and scan.spacing_unknown() == [True]


def test_16bit_tiff(tmp_path: Path) -> None:
    arr = np.array([[65535, 100]], dtype=np.uint16)
    tifffile.imwrite(tmp_path / "x.tif", arr)
    inst = read_instance(tmp_path / "x.tif")
    np.testing.assert_allclose(inst.image, -np.log((arr + 1.0) / 65536), rtol=1e-6)


def test_8bit_jpeg_and_caller_ooi_id(tmp_path: Path) -> None:
    arr = np.full((16, 16), 200, dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=95)
    (tmp_path / "scan.jpg").write_bytes(buf.getvalue())
    (scan,) = read_scans([tmp_path], ooi_id="CALLER-1")
    assert scan.ooi_id == "CALLER-1"
    np.testing.assert_allclose(scan.views[0].attenuation, -np.log(201 / 256), atol=0.02)


def test_colour_export_becomes_luminance_with_warning() -> None:
    rgb = np.zeros((4, 4, 3), dtype=np.uint8)
    rgb[..., 0] = 255  # pure red: luma 0.299 * 255
    inst = read_instance(_png(rgb), ooi_id="C1")
    np.testing.assert_allclose(inst.image, -np.log((0.299 * 255 + 1) / 256), rtol=1e-5)
    assert any("material information is lost" in w for w in inst.warnings)


def test_uploaded_images_need_ooi_id() -> None:
    blobs = [_png(np.full((5, 5), 255, dtype=np.uint8)), _png(np.full((5, 5), 10, dtype=np.uint8))]
    scan = read_scan_bytes(blobs, ooi_id="UP-1")
    assert scan.ooi_id == "UP-1" and len(scan.views) == 2
    with pytest.raises(Exception, match="OOI ID"):
        read_scan_bytes(blobs)
