from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import ExplicitVRLittleEndian, JPEGLosslessSV1, RLELossless

from nii.dicos import dx as dx_module
from nii.dicos import sop
from nii.dicos.dictionary import TAG_META_DICOS_VERSION, ensure_dicos_dictionary
from nii.dicos.dx import ENERGY_BY_IMAGE_TYPE, dx_datasets, instance_uid, write_dx
from nii.dicos.encoding import MAX_ATTENUATION, max_round_trip_error, pixels_to_attenuation
from nii.errors import InvalidScanError
from nii.scan import Scan, View
from tests.nii.helpers import make_scan


def _read_views(paths: list[Path]) -> dict[tuple[int, str], tuple[np.ndarray, pydicom.Dataset]]:
    """(view index, energy) -> (decoded float32 attenuation [rows, cols], dataset), read with pydicom alone."""
    ensure_dicos_dictionary()
    out = {}
    for path in paths:
        ds = pydicom.dcmread(path)
        energy = ENERGY_BY_IMAGE_TYPE[ds.ImageType[1]]
        out[(int(ds.AcquisitionNumber) - 1, energy)] = (pixels_to_attenuation(ds.pixel_array), ds)
    return out


@pytest.mark.parametrize("transfer_syntax", [None, str(JPEGLosslessSV1), str(RLELossless)])
@pytest.mark.parametrize("dual_energy", [True, False])
def test_round_trip_pixels_and_layout(
    tmp_path: Path, rng: np.random.Generator, transfer_syntax: str | None, dual_energy: bool
) -> None:
    scan = make_scan(rng, dual_energy=dual_energy, views=2)
    paths = write_dx(scan, tmp_path, transfer_syntax=transfer_syntax)
    energies = ("high", "low") if dual_energy else ("intensity",)
    assert len(paths) == 2 * len(energies)
    got = _read_views(paths)
    assert set(got) == {(v, e) for v in range(2) for e in energies}
    for (v, energy), (att, ds) in got.items():
        original = scan.views[v].energies[energy]
        assert att.shape == original.shape
        expected = np.clip(original, 0, MAX_ATTENUATION)
        assert np.all(np.abs(att - expected) <= max_round_trip_error(original))
        assert ds.file_meta.TransferSyntaxUID == (transfer_syntax or ExplicitVRLittleEndian)
        assert ds.SOPInstanceUID == instance_uid(scan, v, energy)
    numbers = sorted(int(ds.InstanceNumber) for _, ds in got.values())
    assert numbers == list(range(1, len(paths) + 1))


def test_scan_level_attributes(tmp_path: Path, rng: np.random.Generator) -> None:
    scan = make_scan(rng)
    paths = write_dx(scan, tmp_path)
    series = set()
    for path in paths:
        ds = pydicom.dcmread(path)
        assert ds.file_meta[TAG_META_DICOS_VERSION].value == "V03"
        assert ds.file_meta.MediaStorageSOPClassUID == sop.DICOS_DX_PROCESSING == ds.SOPClassUID
        assert ds.StudyInstanceUID == scan.scan_uid
        assert ds.PatientID == scan.ooi_id
        assert ds.TypeOfPatientID == "BARCODE"
        assert ds.IssuerOfPatientID == "UPU S10"
        assert ds.InstitutionName == "Leipzig parcel hub"
        assert ds.StationName == "BELT-07"
        assert float(ds.KVP) == 160.0
        assert ds.AcquisitionDateTime.startswith("20240501123015.250000")
        assert ds.PresentationIntentType == "FOR PROCESSING"
        assert (ds.RescaleSlope, ds.RescaleIntercept) == (1, 0)
        assert (ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation) == (16, 16, 15, 0)
        assert ds.PhotometricInterpretation == "MONOCHROME2"
        assert (ds.PixelIntensityRelationship, ds.PixelIntensityRelationshipSign) == ("LIN", 1)
        assert [float(v) for v in ds.PixelSpacing] == [0.8, 1.2] == [float(v) for v in ds.ImagerPixelSpacing]
        series.add(ds.SeriesInstanceUID)
    assert len(series) == 1


def test_without_spacing_and_presentation_class(tmp_path: Path, rng: np.random.Generator) -> None:
    scan = make_scan(rng, spacing=None, views=1)
    for ds in dx_datasets(scan, presentation=True):
        assert "PixelSpacing" not in ds and "ImagerPixelSpacing" not in ds
        assert ds.SOPClassUID == sop.DICOS_DX_PRESENTATION
        assert ds.PresentationIntentType == "FOR PRESENTATION"


@pytest.mark.parametrize("transfer_syntax", [None, str(JPEGLosslessSV1), str(RLELossless)])
def test_uint16_edge_values(tmp_path: Path, transfer_syntax: str | None) -> None:
    """Air, below-air noise, the clamp and beyond it all land on the documented pixel values."""
    att = np.array(
        [[0.0, -0.5, 1e-9, MAX_ATTENUATION], [MAX_ATTENUATION + 3, 50.0, 5.0, 0.5]], dtype=np.float32
    ).repeat(3, axis=0)
    scan = Scan(ooi_id="EDGE1", scan_uid="1.2.3.4.5", views=[View({"intensity": att})])
    (path,) = write_dx(scan, tmp_path, transfer_syntax=transfer_syntax)
    pixels = pydicom.dcmread(path).pixel_array
    assert pixels.dtype == np.uint16
    np.testing.assert_array_equal(pixels[0, :3], [65535, 65535, 65535])
    assert pixels[0, 3] == 1 and pixels[3, 0] == 1 and pixels[3, 1] == 1
    assert pixels.min() >= 1
    decoded = pixels_to_attenuation(pixels)
    assert np.isfinite(decoded).all()
    assert decoded.max() == pytest.approx(MAX_ATTENUATION, rel=1e-6)


def test_recorded_instance_uids_are_reused(tmp_path: Path, rng: np.random.Generator) -> None:
    scan = make_scan(rng, views=1)
    scan.views[0].instance_uids = {"high": "1.2.3.4.100", "low": "1.2.3.4.101"}
    got = {ds.ImageType[1]: ds.SOPInstanceUID for ds in dx_datasets(scan)}
    assert got == {"HIGH ENERGY": "1.2.3.4.100", "LOW ENERGY": "1.2.3.4.101"}
    other = make_scan(np.random.default_rng(1), views=1)
    assert instance_uid(other, 0, "high") == instance_uid(other, 0, "high") != instance_uid(other, 0, "low")


def test_file_names_and_prefix(tmp_path: Path, rng: np.random.Generator) -> None:
    scan = make_scan(rng, views=1, ooi_id="LX 12/34")
    assert [p.name for p in write_dx(scan, tmp_path)] == ["LX_12_34_view0_high.dcm", "LX_12_34_view0_low.dcm"]
    assert [p.name for p in write_dx(scan, tmp_path / "sub", prefix="p")] == ["p_view0_high.dcm", "p_view0_low.dcm"]


def test_bad_input_is_refused(tmp_path: Path, rng: np.random.Generator) -> None:
    scan = make_scan(rng, views=1)
    with pytest.raises(InvalidScanError, match="transfer syntax"):
        write_dx(scan, tmp_path, transfer_syntax="1.2.840.10008.1.2.4.50")
    with pytest.raises(InvalidScanError, match="OOI ID"):
        write_dx(make_scan(rng, views=1, ooi_id="x" * 65), tmp_path)
    scan.ooi_id_type = "PASSPORT"
    with pytest.raises(InvalidScanError, match="OOI ID type"):
        dx_datasets(scan)
    nan_scan = Scan(ooi_id="N", scan_uid="1.2.3", views=[View({"intensity": np.full((2, 2), np.nan)})])
    with pytest.raises(InvalidScanError, match="non-finite"):
        write_dx(nan_scan, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failure_midway_leaves_nothing(
    tmp_path: Path, rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = dx_module.write_dataset

    def flaky(ds: pydicom.Dataset, path: Path) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError("disk full")
        real(ds, path)

    monkeypatch.setattr(dx_module, "write_dataset", flaky)
    with pytest.raises(OSError, match="disk full"):
        write_dx(make_scan(rng, views=2), tmp_path)
    assert len(calls) == 3
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("transfer_syntax", [None, str(JPEGLosslessSV1)])
def test_project_reader_round_trip(tmp_path: Path, rng: np.random.Generator, transfer_syntax: str | None) -> None:
    """What write_dx writes, nii.io.read_scans (engineer A's reader) gives back as the same scan."""
    io = pytest.importorskip("nii.io", reason="nii.io (the project's scan reader) is not there yet")
    scan = make_scan(rng, views=2)
    scan.views[1].pixel_spacing_mm = None
    single = make_scan(rng, views=1, dual_energy=False, ooi_id="SINGLE1")
    write_dx(scan, tmp_path, transfer_syntax=transfer_syntax)
    write_dx(single, tmp_path, transfer_syntax=transfer_syntax)
    got = {s.ooi_id: s for s in io.read_scans([tmp_path])}
    assert set(got) == {scan.ooi_id, single.ooi_id}
    for original in (scan, single):
        back = got[original.ooi_id]
        assert back.scan_uid == original.scan_uid
        assert (back.machine_id, back.machine_location, back.kvp) == ("BELT-07", "Leipzig parcel hub", 160.0)
        assert back.acquired_at == original.acquired_at
        assert len(back.views) == len(original.views)
        for v_back, v_orig in zip(back.views, original.views, strict=True):
            assert sorted(v_back.energies) == sorted(v_orig.energies)
            if v_orig.pixel_spacing_mm is not None:
                assert v_back.pixel_spacing_mm == pytest.approx(v_orig.pixel_spacing_mm)
            for energy, img in v_orig.energies.items():
                assert v_back.instance_uids[energy] == instance_uid(original, v_orig.index, energy)
                assert np.all(np.abs(v_back.energies[energy] - img) <= max_round_trip_error(img))
