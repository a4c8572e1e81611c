"""DICOS DX (written by the project's writer) and hand-made DICOM DX / CR / SC through nii.io."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from pydicom.uid import JPEGLosslessSV1, RLELossless

from nii.dicos import sop, write_dx
from nii.dicos.encoding import max_round_trip_error
from nii.errors import InvalidScanError, ValidationMode
from nii.io import NotAnImageError, read_instance, read_scans
from tests.nii.helpers import make_scan
from tests.nii.io.helpers import PYDICOM_TEST_FILES, hand_dataset, to_bytes


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.mark.parametrize("transfer_syntax", [None, str(JPEGLosslessSV1), str(RLELossless)])
@pytest.mark.parametrize("presentation", [False, True])
def test_dicos_dx_round_trip(
    tmp_path: Path, rng: np.random.Generator, transfer_syntax: str | None, presentation: bool
) -> None:
    scan = make_scan(rng, views=2)
    write_dx(scan, tmp_path, transfer_syntax=transfer_syntax, presentation=presentation)
    (back,) = read_scans([tmp_path], mode=ValidationMode.RAISE)
    assert (back.ooi_id, back.scan_uid, back.source_format) == (scan.ooi_id, scan.scan_uid, "dicos-dx")
    assert (back.machine_id, back.machine_location, back.kvp) == ("BELT-07", "Leipzig parcel hub", 160.0)
    assert (back.ooi_id_type, back.ooi_id_authority, back.acquired_at) == ("BARCODE", "UPU S10", scan.acquired_at)
    assert back.dual_energy and len(back.views) == 2
    for v_back, v_orig in zip(back.views, scan.views, strict=True):
        assert v_back.pixel_spacing_mm == pytest.approx((0.8, 1.2))
        for energy in ("high", "low"):
            err = np.abs(v_back.energies[energy] - v_orig.energies[energy])
            assert np.all(err <= max_round_trip_error(v_orig.energies[energy]))
    assert back.metadata["pixel_spacing_source"] == ["PixelSpacing", "PixelSpacing"]
    assert "warnings" not in back.metadata


def test_single_energy_dicos_dx(tmp_path: Path, rng: np.random.Generator) -> None:
    scan = make_scan(rng, views=1, dual_energy=False)
    write_dx(scan, tmp_path)
    (back,) = read_scans([tmp_path])
    assert not back.dual_energy and sorted(back.views[0].energies) == ["intensity"]


def _dx(pixels: np.ndarray, **attrs: object) -> bytes:
    return to_bytes(hand_dataset(pixels, **attrs))


def test_lin_full_scale_of_bits_stored() -> None:
    pixels = np.array([[4095, 2048], [1, 0]], dtype=np.uint16)
    inst = read_instance(_dx(pixels, BitsStored=12, HighBit=11))
    expected = -np.log(np.maximum(pixels, 1) / 4095.0)
    np.testing.assert_allclose(inst.image, expected, rtol=1e-6, atol=1e-6)
    assert inst.source_format == "dicom-dx" and inst.energy == "intensity"


def test_bits_stored_masks_unused_high_bits() -> None:
    clean = np.array([[4095, 100]], dtype=np.uint16)
    dirty = clean | np.uint16(0xF000)  # overlay / garbage in the 4 unused bits
    a = read_instance(_dx(clean, BitsStored=12, HighBit=11)).image
    b = read_instance(_dx(dirty, BitsStored=12, HighBit=11)).image
    np.testing.assert_array_equal(a, b)


def test_monochrome1_is_inverted_without_sign() -> None:
    pixels = np.array([[0, 65535 - 1000]], dtype=np.uint16)
    m2 = read_instance(_dx(65535 - pixels, PixelIntensityRelationshipSign=None)).image
    m1 = read_instance(_dx(pixels, PhotometricInterpretation="MONOCHROME1", PixelIntensityRelationshipSign=None))
    np.testing.assert_allclose(m1.image, m2, atol=1e-6)
    assert m1.image[0, 0] == 0.0  # stored 0 is air in MONOCHROME1


def test_sign_minus_one_inverts() -> None:
    pixels = np.array([[0, 30000]], dtype=np.uint16)
    inst = read_instance(_dx(pixels, PixelIntensityRelationshipSign=-1))
    np.testing.assert_allclose(inst.image, [[0.0, -math.log(35535 / 65535)]], rtol=1e-6)


def test_log_relationship_scaled_so_air_is_zero() -> None:
    # LOG, Sign +1: value grows with log(intensity); full scale (4095) = air
    pixels = np.array([[4095, 0, 2048]], dtype=np.uint16)
    inst = read_instance(_dx(pixels, BitsStored=12, HighBit=11, PixelIntensityRelationship="LOG"))
    full = 4095.0
    np.testing.assert_allclose(inst.image, [[0.0, math.log(full), (full - 2048) / full * math.log(full)]], rtol=1e-5)
    # Sign -1: value grows with attenuation; 0 = air
    inv = read_instance(
        _dx(pixels, BitsStored=12, HighBit=11, PixelIntensityRelationship="LOG", PixelIntensityRelationshipSign=-1)
    )
    np.testing.assert_allclose(inv.image, [[math.log(full), 0.0, 2048 / full * math.log(full)]], rtol=1e-5)


def test_rescale_slope_intercept_applied() -> None:
    # stored p, v = 2p + 100; rescaled range [100, 2*4095 + 100]; LIN transmission t = v - 100 = 2p
    pixels = np.array([[4095, 1000]], dtype=np.uint16)
    inst = read_instance(_dx(pixels, BitsStored=12, HighBit=11, RescaleSlope="2", RescaleIntercept="100"))
    np.testing.assert_allclose(inst.image, [[0.0, -math.log(2000 / 8190)]], rtol=1e-6)


def test_signed_pixels() -> None:
    pixels = np.array([[-2048, 2047]], dtype=np.int16)
    inst = read_instance(_dx(pixels, BitsStored=12, HighBit=11))
    np.testing.assert_allclose(inst.image, [[-math.log(1 / 4095), 0.0]], rtol=1e-6)


def test_dicos_slope_not_one_is_lenient_or_strict() -> None:
    pixels = np.full((4, 4), 30000, dtype=np.uint16)
    data = to_bytes(
        hand_dataset(
            pixels,
            sop_class=sop.DICOS_DX_PROCESSING,
            dicos=True,
            RescaleSlope="2",
            ImageType=["ORIGINAL", "HIGH ENERGY"],
        )
    )
    warned = read_instance(data, mode=ValidationMode.WARN)
    assert any("Rescale Slope 2" in w for w in warned.warnings)
    assert read_instance(data, mode=ValidationMode.IGNORE).energy == "high"
    with pytest.raises(InvalidScanError, match=r"non-conformant: Rescale Slope 2.*DICOS requires 1 / 0"):
        read_instance(data, mode=ValidationMode.RAISE)


@pytest.mark.parametrize(
    ("attrs", "dicos_version", "message"),
    [
        ({"ImageType": None}, True, "Image Type is missing"),
        ({"ImageType": ["ORIGINAL", "HIGH ENERGY"]}, False, "DICOS Version is missing"),
        (
            {"ImageType": ["ORIGINAL", "LOW ENERGY"], "PixelIntensityRelationship": None},
            True,
            "Pixel Intensity Relationship is missing",
        ),
    ],
)
def test_dicos_nonconformances(attrs: dict[str, object], dicos_version: bool, message: str) -> None:
    ds = hand_dataset(
        np.full((3, 3), 100, dtype=np.uint16), sop_class=sop.DICOS_DX_PROCESSING, dicos=dicos_version, **attrs
    )
    data = to_bytes(ds)
    inst = read_instance(data, mode=ValidationMode.WARN)
    assert any(message in w for w in inst.warnings)
    with pytest.raises(InvalidScanError, match=message):
        read_instance(data, mode=ValidationMode.RAISE)


def test_material_image_type_is_not_an_image() -> None:
    ds = hand_dataset(
        np.zeros((3, 3), dtype=np.uint16),
        sop_class=sop.DICOS_DX_PROCESSING,
        dicos=True,
        ImageType=["ORIGINAL", "Z_EFFECTIVE"],
    )
    with pytest.raises(NotAnImageError, match="Z_EFFECTIVE"):
        read_instance(to_bytes(ds))


@pytest.mark.parametrize(
    ("sop_class", "fmt"),
    [(sop.DICOM_CR, "dicom-cr"), (sop.DICOM_SC, "dicom-sc"), (sop.DICOM_DX_PRESENTATION, "dicom-dx")],
)
def test_dicom_single_energy_classes(sop_class: str, fmt: str) -> None:
    pixels = np.array([[255, 127], [0, 255]], dtype=np.uint8)
    ds = hand_dataset(pixels, sop_class=sop_class, PixelIntensityRelationship=None, PixelIntensityRelationshipSign=None)
    inst = read_instance(to_bytes(ds), mode=ValidationMode.WARN)
    assert inst.source_format == fmt and inst.energy == "intensity"
    np.testing.assert_allclose(inst.image, -np.log(np.maximum(pixels, 1) / 255.0), rtol=1e-6, atol=1e-7)
    # CR and SC need no relationship; a DX image must say it
    assert bool(inst.warnings) == (fmt == "dicom-dx")


def test_colour_secondary_capture_rle_becomes_luminance() -> None:
    inst = read_instance(PYDICOM_TEST_FILES / "SC_rgb_rle.dcm", mode=ValidationMode.WARN)
    assert inst.source_format == "dicom-sc" and inst.image.shape == (100, 100)
    assert any("material information is lost" in w for w in inst.warnings)
    assert np.all(inst.image >= 0) and np.ptp(inst.image) > 0


@pytest.mark.parametrize(
    ("attrs", "station", "spacing", "source"),
    [
        ({"PixelSpacing": [0.5, 0.6], "ImagerPixelSpacing": [0.7, 0.7]}, None, (0.5, 0.6), "PixelSpacing"),
        ({"ImagerPixelSpacing": [0.7, 0.9]}, None, (0.7, 0.9), "ImagerPixelSpacing"),
        ({}, "CONFIGURED-1", (2.0, 0.5), "scanners.yaml:CONFIGURED-1"),
        ({}, "OTHER", (1.0, 1.0), "fallback"),
    ],
)
def test_pixel_spacing_sources(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    attrs: dict[str, object],
    station: str | None,
    spacing: tuple[float, float],
    source: str,
) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "scanners.yaml").write_text("scanners:\n  CONFIGURED-1: {pixel_spacing_mm: [2.0, 0.5]}\n")
    monkeypatch.setenv("NII_CONFIGS_DIR", str(configs))
    ds = hand_dataset(np.zeros((2, 2), dtype=np.uint16), StationName=station, **attrs)
    inst = read_instance(to_bytes(ds))
    assert inst.pixel_spacing_mm == pytest.approx(spacing) and inst.spacing_source == source


def test_configured_default_spacing_is_known_and_the_fallback_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    monkeypatch.setenv("NII_CONFIGS_DIR", str(configs))
    path = tmp_path / "noscale.dcm"
    path.write_bytes(to_bytes(hand_dataset(np.zeros((4, 4), dtype=np.uint16), StationName="ANY")))
    (configs / "scanners.yaml").write_text("default_pixel_spacing_mm: [1.2, 1.3]\n")
    (scan,) = read_scans([path])
    assert scan.views[0].pixel_spacing_mm == pytest.approx((1.2, 1.3))
    assert scan.metadata["pixel_spacing_source"] == ["default"] and scan.spacing_unknown() == [False]
    (configs / "scanners.yaml").write_text("scanners: {}\n")
    (scan,) = read_scans([path])
    assert scan.views[0].pixel_spacing_mm == pytest.approx((1.0, 1.0))
    assert scan.metadata["pixel_spacing_source"] == ["fallback"] and scan.spacing_unknown() == [True]
