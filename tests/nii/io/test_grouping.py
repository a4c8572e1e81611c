"""Grouping instances into parcels, pairing energies per view, skipping non-image DICOS objects."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from pydicom.uid import generate_uid

from nii.detection import Detection
from nii.dicos import sop, write_dx, write_tdr
from nii.errors import InvalidScanError, ValidationMode
from nii.io import read_scan_bytes, read_scans
from tests.nii.helpers import make_scan
from tests.nii.io.helpers import hand_dataset, to_bytes, write


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(11)


def test_shuffled_files_of_several_parcels(tmp_path: Path, rng: np.random.Generator) -> None:
    scans = [make_scan(rng, views=2, ooi_id=f"P{k}") for k in range(3)] + [
        make_scan(rng, views=1, dual_energy=False, ooi_id="P3")
    ]
    staging = tmp_path / "staging"
    written = [p for s in scans for p in write_dx(s, staging / s.ooi_id)]
    mixed = tmp_path / "mixed"
    (mixed / "deeper").mkdir(parents=True)
    for k, idx in enumerate(rng.permutation(len(written))):
        target = mixed / ("deeper" if k % 2 else "") / f"f{k:03d}"  # no extension, no hint in the name
        shutil.copy(written[idx], target)
    (mixed / "notes.txt").write_text("not a scan")
    got = {s.ooi_id: s for s in read_scans([mixed])}
    assert set(got) == {"P0", "P1", "P2", "P3"}
    for original in scans:
        back = got[original.ooi_id]
        assert back.scan_uid == original.scan_uid and len(back.views) == len(original.views)
        for v_back, v_orig in zip(back.views, original.views, strict=True):
            assert v_back.shape == v_orig.shape  # view order kept (view i has i rows fewer)
            assert sorted(v_back.energies) == sorted(v_orig.energies)
            np.testing.assert_allclose(v_back.high, v_orig.high, atol=2e-3)


def test_tdr_in_folder_is_skipped(tmp_path: Path, rng: np.random.Generator) -> None:
    scan = make_scan(rng, views=1)
    write_dx(scan, tmp_path)
    write_tdr(scan, [Detection("knife", 0.9, (1.0, 2.0, 10.0, 12.0), 0)], tmp_path / "report.dcm")
    (back,) = read_scans([tmp_path])
    assert len(back.views) == 1 and back.dual_energy
    assert any("Threat Detection Report" in s for s in back.metadata["skipped"])  # type: ignore[union-attr]


def _vendor_pair(
    study: str, energy_keyword: str | None, view: str | None, size: tuple[int, int], **attrs: object
) -> bytes:
    image_type = ["ORIGINAL", energy_keyword] if energy_keyword else ["ORIGINAL", "PRIMARY"]
    ds = hand_dataset(
        np.full(size, 40000, dtype=np.uint16),
        sop_class=sop.DICOS_DX_PROCESSING,
        dicos=True,
        study_uid=study,
        ImageType=image_type,
        ViewPosition=view,
        AcquisitionNumber=None,
        **attrs,
    )
    return to_bytes(ds)


def test_pairing_by_view_position_fallback() -> None:
    study = generate_uid()
    blobs = [
        _vendor_pair(study, "LOW ENERGY", "SIDE", (5, 6)),
        _vendor_pair(study, "HIGH ENERGY", "TOP", (5, 6)),
        _vendor_pair(study, "HIGH ENERGY", "SIDE", (5, 6)),
        _vendor_pair(study, "LOW ENERGY", "TOP", (5, 6)),
    ]
    scan = read_scan_bytes(blobs)
    assert len(scan.views) == 2 and scan.dual_energy
    assert scan.views[0].instance_uids.keys() == {"high", "low"}


def test_pairing_by_image_size_fallback() -> None:
    study = generate_uid()
    blobs = [_vendor_pair(study, e, None, s) for e in ("HIGH ENERGY", "LOW ENERGY") for s in ((4, 4), (6, 6))]
    scan = read_scan_bytes(blobs)
    assert sorted(v.shape for v in scan.views) == [(4, 4), (6, 6)]


def test_energy_images_of_different_sizes_are_refused() -> None:
    study = generate_uid()
    blobs = [_vendor_pair(study, "HIGH ENERGY", "TOP", (4, 4)), _vendor_pair(study, "LOW ENERGY", "TOP", (4, 5))]
    with pytest.raises(InvalidScanError, match=r"differ in size \(instance 1: 4 x 4, instance 2: 4 x 5\)"):
        read_scan_bytes(blobs)


def test_unpairable_energies_are_refused() -> None:
    study = generate_uid()
    blobs = [_vendor_pair(study, "HIGH ENERGY", "TOP", (4, 4)), _vendor_pair(study, "HIGH ENERGY", "TOP", (4, 4))]
    with pytest.raises(InvalidScanError, match="cannot pair energies"):
        read_scan_bytes(blobs)


def test_read_scan_bytes_refuses_two_parcels(rng: np.random.Generator, tmp_path: Path) -> None:
    paths = write_dx(make_scan(rng, views=1, ooi_id="A"), tmp_path) + write_dx(
        make_scan(rng, views=1, ooi_id="B"), tmp_path
    )
    with pytest.raises(InvalidScanError, match="belong to 2 scans"):
        read_scan_bytes([p.read_bytes() for p in paths])
    scan = read_scan_bytes([p.read_bytes() for p in paths[:2]])
    assert scan.ooi_id == "A" and scan.dual_energy


def test_only_reports_uploaded() -> None:
    with pytest.raises(InvalidScanError, match="no instances"):
        read_scan_bytes([])


def test_conflicting_ooi_ids_are_a_nonconformance() -> None:
    study = generate_uid()
    blobs = [
        _vendor_pair(study, "HIGH ENERGY", "TOP", (4, 4), PatientID="X1"),
        _vendor_pair(study, "LOW ENERGY", "TOP", (4, 4), PatientID="X2"),
    ]
    scan = read_scan_bytes(blobs, mode=ValidationMode.WARN)
    assert scan.ooi_id == "X1"
    with pytest.raises(InvalidScanError, match="different OOI IDs"):
        read_scan_bytes(blobs, mode=ValidationMode.RAISE)


def test_missing_patient_id_uses_caller_ooi_id(tmp_path: Path) -> None:
    ds = hand_dataset(np.zeros((3, 3), dtype=np.uint16), PatientID=None)
    (scan,) = read_scans([write(ds, tmp_path / "a.dcm")], ooi_id="GIVEN")
    assert scan.ooi_id == "GIVEN"


def test_duplicate_instances_are_read_once(tmp_path: Path, rng: np.random.Generator) -> None:
    paths = write_dx(make_scan(rng, views=1), tmp_path)
    (scan,) = read_scans([tmp_path, *paths])
    assert len(scan.views) == 1


def test_missing_path() -> None:
    with pytest.raises(InvalidScanError, match="no such file or folder"):
        read_scans(["/nonexistent/nii/path"])
