"""CT volumes (multi-frame DICOS CT and one-slice-per-file DICOM CT) and their top-view projection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from nii.dicos import sop
from nii.errors import InvalidScanError, ValidationMode
from nii.io import ct_volume, read_instance, read_scans
from nii.io.ct import DICOM_CT, MU_WATER_PER_CM
from tests.nii.io.helpers import hand_dataset, to_bytes, write


def _phantom(rng: np.random.Generator, z: int = 6, y: int = 10, x: int = 8) -> np.ndarray:
    """HU volume [z, y, x]: air (-1000) with a water block and a denser insert, int16."""
    hu = np.full((z, y, x), -1000, dtype=np.int16)
    hu[1:5, 2:8, 2:6] = 0
    hu[2:4, 4:6, 3:5] = int(rng.integers(500, 1500))
    return hu


def _expected_top_view(hu: np.ndarray, dy_mm: float) -> np.ndarray:
    mu = np.maximum(MU_WATER_PER_CM * (1 + hu.astype(np.float64) / 1000), 0)
    return mu.sum(axis=1) * dy_mm / 10


def test_multiframe_dicos_ct_projection(tmp_path: Path) -> None:
    hu = _phantom(np.random.default_rng(1))
    ds = hand_dataset(
        hu,
        sop_class=sop.DICOS_CT,
        dicos=True,
        Modality="CT",
        RescaleSlope="1",
        RescaleIntercept="0",
        RescaleType="HU",
        PixelSpacing=[2.0, 1.5],
        SpacingBetweenSlices="3.0",
        ImageType=["ORIGINAL", "PRIMARY"],
        PixelIntensityRelationship=None,
        PixelIntensityRelationshipSign=None,
    )
    (scan,) = read_scans([write(ds, tmp_path / "ct.dcm")])
    assert scan.source_format == "dicos-ct" and not scan.dual_energy
    (view,) = scan.views
    assert view.shape == (6, 8)  # [z (slices along the belt), x (across)]
    assert view.pixel_spacing_mm == pytest.approx((3.0, 1.5))
    np.testing.assert_allclose(view.attenuation, _expected_top_view(hu, 2.0), rtol=1e-5, atol=1e-6)
    assert scan.metadata["ct"][0]["volume_shape"] == [6, 10, 8]


def test_slice_per_file_ct_ordered_by_position(tmp_path: Path) -> None:
    hu = _phantom(np.random.default_rng(2))
    study, series = generate_uid(), generate_uid()
    order = [3, 0, 5, 1, 4, 2]  # written shuffled; instance numbers deliberately wrong
    for k, z in enumerate(order):
        ds = hand_dataset(
            hu[z],
            sop_class=DICOM_CT,
            study_uid=study,
            Modality="CT",
            RescaleSlope="1",
            RescaleIntercept="-1024",
            PixelSpacing=[1.0, 1.0],
            SliceThickness="2.5",
            ImagePositionPatient=[0, 0, 2.5 * z],
            ImageOrientationPatient=[1, 0, 0, 0, 1, 0],
            InstanceNumber=k + 1,
            SeriesInstanceUID=series,
        )
        ds.PixelData = (hu[z].astype(np.int32) + 1024).astype("<i2").tobytes()
        write(ds, tmp_path / f"slice{k}.dcm")
    (scan,) = read_scans([tmp_path])
    (view,) = scan.views
    assert scan.source_format == "dicom-ct"
    assert view.pixel_spacing_mm == pytest.approx((2.5, 1.0))
    np.testing.assert_allclose(view.attenuation, _expected_top_view(hu, 1.0), rtol=1e-5, atol=1e-6)


def test_linear_attenuation_rescale_type() -> None:
    mu_per_mm = np.array([[[0, 10], [20, 30]]], dtype=np.uint16)
    ds = hand_dataset(
        mu_per_mm, sop_class=sop.DICOS_CT, dicos=True, RescaleSlope="1", RescaleIntercept="0", RescaleType="1/MM"
    )
    inst = read_instance(to_bytes(ds))
    assert inst.kind == "ct" and inst.image.shape == (1, 2, 2)
    np.testing.assert_allclose(inst.image[0], mu_per_mm[0] * 10.0)


def test_ct_volume_stacks_slices(tmp_path: Path) -> None:
    hu = _phantom(np.random.default_rng(3), z=3)
    study = generate_uid()
    insts = []
    for z in (2, 0, 1):
        ds = hand_dataset(
            hu[z],
            sop_class=DICOM_CT,
            study_uid=study,
            PixelSpacing=[1.0, 1.0],
            ImagePositionPatient=[0, 0, 4.0 * z],
            ImageOrientationPatient=[1, 0, 0, 0, 1, 0],
        )
        insts.append(read_instance(to_bytes(ds)))
    vol = ct_volume(insts)
    assert vol.mu.shape == (3, 10, 8) and vol.spacing_mm == pytest.approx((4.0, 1.0, 1.0))
    np.testing.assert_allclose(vol.mu, np.maximum(MU_WATER_PER_CM * (1 + hu / 1000.0), 0), rtol=1e-5, atol=1e-6)


def test_ct_slices_of_different_size_are_refused(tmp_path: Path) -> None:
    study, series = generate_uid(), generate_uid()
    for k, shape in enumerate([(4, 4), (4, 5)]):
        ds = hand_dataset(
            np.zeros(shape, dtype=np.int16),
            sop_class=DICOM_CT,
            study_uid=study,
            SeriesInstanceUID=series,
            InstanceNumber=k + 1,
        )
        write(ds, tmp_path / f"s{k}.dcm")
    with pytest.raises(InvalidScanError, match="differ in size"):
        read_scans([tmp_path])


def test_enhanced_functional_groups_spacing() -> None:
    hu = np.zeros((2, 3, 3), dtype=np.int16)
    measures = Dataset()
    measures.PixelSpacing = [0.4, 0.5]
    measures.SliceThickness = "1.25"
    shared = Dataset()
    shared.PixelMeasuresSequence = [measures]
    ds = hand_dataset(hu, sop_class=sop.DICOS_CT, dicos=True, SharedFunctionalGroupsSequence=[shared])
    inst = read_instance(to_bytes(ds))
    assert inst.pixel_spacing_mm == pytest.approx((0.4, 0.5)) and inst.spacing_source == "PixelSpacing"
    assert inst.geometry is not None and inst.geometry.spacing_mm == pytest.approx(1.25)


def test_ct_unused_high_bits_and_signed_12_bit() -> None:
    clean = np.array([[[100, 2000]]], dtype=np.uint16)
    a = read_instance(
        to_bytes(hand_dataset(clean, sop_class=DICOM_CT, BitsStored=12, HighBit=11, RescaleIntercept="-1024"))
    ).image
    b = read_instance(
        to_bytes(
            hand_dataset(
                clean | np.uint16(0xF000), sop_class=DICOM_CT, BitsStored=12, HighBit=11, RescaleIntercept="-1024"
            )
        )
    ).image
    np.testing.assert_array_equal(a, b)
    # signed 12-bit -1000 stored in 16 bits with garbage above bit 11: sign-extended to -1000 HU = air
    raw = np.array([[[(-1000) & 0x0FFF | 0x5000, 0]]], dtype=np.uint16).view(np.int16)
    c = read_instance(to_bytes(hand_dataset(raw, sop_class=DICOM_CT, BitsStored=12, HighBit=11))).image
    np.testing.assert_allclose(c, [[[0.0, MU_WATER_PER_CM]]], atol=1e-6)


def test_mu_image_without_unit_reads_as_modified_hounsfield() -> None:
    mhu = np.array([[[0, 1000, 2000]]], dtype=np.uint16)  # air, water, twice water
    ds = hand_dataset(
        mhu, sop_class=sop.DICOS_CT, dicos=True, ImageType=["ORIGINAL", "MU", "VOLUME", "NONE"], RescaleType="unknown"
    )
    inst = read_instance(to_bytes(ds))
    np.testing.assert_allclose(inst.image, [[[0.0, MU_WATER_PER_CM, 2 * MU_WATER_PER_CM]]], rtol=1e-6)
    assert any("modified Hounsfield" in w for w in inst.warnings)
    with pytest.raises(InvalidScanError, match="MU"):
        read_instance(to_bytes(ds), mode=ValidationMode.RAISE)
