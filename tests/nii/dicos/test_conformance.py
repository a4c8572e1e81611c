"""Conformance against the Stratovan DICOS toolkit (PyPI ``pydicos``, Linux x86-64 / Windows, CPython 3.11).

Both directions: the toolkit reads what NII writes (DX in every transfer syntax NII writes, TDR), and NII reads
what the toolkit writes (its default transfer syntax, JPEG Lossless SV1). The toolkit-written files are made
here, at test time; nothing binary is committed. Skipped where ``pydicos`` cannot be imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest
from pydicom.uid import JPEGLosslessSV1, RLELossless

from nii.detection import Detection
from nii.dicos import ensure_dicos_dictionary, read_tdr, write_dx, write_tdr
from nii.dicos.encoding import pixels_to_attenuation
from nii.io import read_scans
from tests.nii.helpers import make_scan, write_toolkit_dx

pytestmark = pytest.mark.conformance
pytest.importorskip("pydicos", reason="the Stratovan DICOS toolkit (pip install pydicos) is not installed here")
pd: Any = pytest.importorskip("pyDICOS", reason="pydicos is installed but its native module does not load")


def _toolkit_read(cls: Any, path: Path) -> tuple[Any, str]:
    obj = cls()
    log = pd.ErrorLog()
    ok = obj.Read(pd.Filename(str(path)), log, None)
    text = log.GetErrorLog().Get().strip()
    assert ok and log.NumErrors() == 0, f"toolkit refused {path.name}: {text}"
    return obj, text


@pytest.mark.parametrize("transfer_syntax", [None, str(JPEGLosslessSV1), str(RLELossless)])
def test_toolkit_reads_our_dx(tmp_path: Path, rng: np.random.Generator, transfer_syntax: str | None) -> None:
    ensure_dicos_dictionary()
    scan = make_scan(rng, views=2)
    scan.views[1].pixel_spacing_mm = None
    for path in write_dx(scan, tmp_path, transfer_syntax=transfer_syntax):
        dx, _ = _toolkit_read(pd.DX, path)
        ours = pydicom.dcmread(path)
        theirs = np.array(dx.GetXRayData().GetUnsigned16(), copy=True)
        np.testing.assert_array_equal(theirs, ours.pixel_array)
        # The toolkit validates on writing: what it writes back keeps our identity and energy.
        log = pd.ErrorLog()
        out = tmp_path / f"rewritten_{path.stem}.dcs"  # the toolkit writes only *.dcs
        assert dx.Write(pd.Filename(str(out)), log, pd.CT.TRANSFER_SYNTAX.enumLittleEndianExplicit), (
            log.GetErrorLog().Get()
        )
        back = pydicom.dcmread(out)
        for keyword in ("ImageType", "PatientID", "StudyInstanceUID", "SOPInstanceUID", "AcquisitionNumber"):
            assert back[keyword].value == ours[keyword].value, keyword


def test_toolkit_reads_our_tdr(tmp_path: Path, rng: np.random.Generator) -> None:
    scan = make_scan(rng)
    detections = [
        Detection("knife", 0.93, (3.0, 4.0, 20.0, 30.0), 0),
        Detection("phone", 0.6, (1.5, 2.0, 10.0, 12.0), 1),
        Detection("cigarettes", 0.3, (0.0, 0.0, 5.0, 5.0), 0),
    ]
    tdr, _ = _toolkit_read(pd.TDR, write_tdr(scan, detections, tmp_path / "tdr.dcm", processing_ms=12.0))
    assert tdr.GetNumPTOs() == 3
    assert tdr.GetOOIID().Get() == scan.ooi_id
    assert tdr.GetScanInstanceUID().Get() == scan.scan_uid
    assert tdr.GetAlarmDecision() == pd.ALARM_DECISION.enumAlarm
    assert tdr.GetTDRType() == pd.TDR_TYPE.enumMachine
    ids = pd.Array1DS_UINT16()
    tdr.GetPTOIds(ids)
    flags = [pd.ASSESSMENT_FLAG.enumHighThreat, pd.ASSESSMENT_FLAG.enumNoThreat, pd.ASSESSMENT_FLAG.enumThreat]
    for i, det, flag in zip(range(ids.GetSize()), detections, flags, strict=True):
        base, extent = pd.Point3Dfloat(), pd.Point3Dfloat()
        tdr.GetThreatRegionOfInterest(ids[i], base, extent, pd.Bitmap(), 0)
        x1, y1, x2, y2 = det.box
        assert (base.x, base.y, extent.x, extent.y) == (x1, y1, x2 - x1, y2 - y1)
        assert tdr.GetPTOAssessmentFlag(ids[i], 0) == flag
        assert tdr.GetPTOAssessmentDescription(ids[i], 0).Get() == det.category
        assert tdr.GetPTOAssessmentProbability(ids[i], 0) == pytest.approx(det.score, abs=1e-6)
    clear, _ = _toolkit_read(pd.TDR, write_tdr(scan, [], tmp_path / "clear.dcm"))
    assert clear.GetNumPTOs() == 0 and clear.GetAlarmDecision() == pd.ALARM_DECISION.enumClear


@pytest.fixture(scope="module")
def toolkit_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A DX (the toolkit's default transfer syntax, JPEG Lossless SV1) and a TDR written by the toolkit."""
    folder = tmp_path_factory.mktemp("toolkit")
    rng = np.random.default_rng(7)
    pixels = rng.integers(1, 65536, size=(40, 56), dtype=np.uint16)
    pixels[:, :4] = 65535
    dx_path = write_toolkit_dx(pd, pixels, folder / "toolkit_dx.dcs")

    tdr = pd.TDR()
    tdr.SetOOIID(pd.DcsLongString("TK0001"))
    tdr.SetScanInstanceUID(pd.DcsUniqueIdentifier("1.2.826.0.1.3680043.8.498.1"))
    tdr.SetTDRType(pd.TDR_TYPE.enumMachine)
    tdr.SetOOIType(pd.OBJECT_OF_INSPECTION_TYPE.enumTypeBaggage)
    tdr.SetAlarmDecision(pd.ALARM_DECISION.enumAlarm)
    tdr.AddPotentialThreatObject(5, pd.TDR.ThreatType.enumThreatTypeBaggage)
    tdr.SetThreatRegionOfInterest(5, pd.Point3Dfloat(10, 20, 0), pd.Point3Dfloat(30, 40, 1), pd.Bitmap(), 0)
    tdr.AddPTOAssessment(
        5,
        pd.ASSESSMENT_FLAG.enumHighThreat,
        pd.THREAT_CATEGORY.enumProhibitedItem,
        pd.ABILITY_ASSESSMENT.enumNoInterference,
        pd.DcsLongText("knife"),
        0.875,
    )
    tdr.AddReferencedInstance(
        5, pd.DcsUniqueIdentifier("1.2.840.10008.5.1.4.1.1.501.2.2"), pd.DcsUniqueIdentifier("1.2.3.4.5"), 0
    )
    start = pd.DcsDateTime(pd.DcsDate(2024, 5, 1), pd.DcsTime(12, 0, 0, 0))
    end = pd.DcsDateTime(pd.DcsDate(2024, 5, 1), pd.DcsTime(12, 0, 1, 0))
    tdr.SetPTOProcessingTime(5, start, end, 1000.0)
    log = pd.ErrorLog()
    tdr_path = folder / "toolkit_tdr.dcs"
    assert tdr.Write(pd.Filename(str(tdr_path)), log), log.GetErrorLog().Get()
    return {"dx": dx_path, "pixels": pixels, "tdr": tdr_path}


def test_we_read_toolkit_dx(toolkit_files: dict[str, Any]) -> None:
    ensure_dicos_dictionary()
    path, pixels = toolkit_files["dx"], toolkit_files["pixels"]
    ds = pydicom.dcmread(path)
    assert ds.file_meta.TransferSyntaxUID == JPEGLosslessSV1  # the toolkit's default
    np.testing.assert_array_equal(ds.pixel_array, pixels)  # decoded by pylibjpeg-libjpeg
    assert (ds.PixelIntensityRelationship, int(ds.BitsStored)) == ("LIN", 16)
    expected = pixels_to_attenuation(pixels)
    (scan,) = read_scans([path])
    (view,) = scan.views
    assert not view.dual_energy and view.pixel_spacing_mm is not None  # the toolkit writes no spacing: default
    np.testing.assert_allclose(view.attenuation, expected, atol=1e-5)


def test_we_read_toolkit_tdr(toolkit_files: dict[str, Any]) -> None:
    (det,) = read_tdr(toolkit_files["tdr"])
    assert det == Detection("knife", 0.875, (10.0, 20.0, 40.0, 60.0), 0)
