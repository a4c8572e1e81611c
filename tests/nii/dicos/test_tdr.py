from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from nii.detection import Detection
from nii.dicos import read_tdr, sop, tdr_dataset, write_dx, write_tdr
from nii.dicos.dictionary import TAG_META_DICOS_VERSION
from nii.dicos.dx import instance_uid
from nii.dicos.tdr import assessment_flag
from nii.errors import NIIError, UnsupportedScanError
from nii.taxonomy import load_taxonomy
from tests.nii.helpers import make_scan

DETECTIONS = [
    Detection("knife", 0.93, (3.0, 4.0, 20.0, 30.0), 0),
    Detection("phone", 0.6, (1.5, 2.25, 10.0, 12.0), 1),
    Detection("cigarettes", 0.3, (0.0, 0.0, 5.0, 5.0), 0),
    Detection("firearm", 0.2, (7.0, 8.0, 9.0, 10.0), 1),
]


def test_round_trip(tmp_path: Path, rng: np.random.Generator) -> None:
    scan = make_scan(rng)
    path = write_tdr(scan, DETECTIONS, tmp_path / "out" / "tdr.dcm", algorithm=("nii_det", "1.2"), processing_ms=40.5)
    assert path.is_file()
    assert read_tdr(path, scan=scan) == DETECTIONS
    assert read_tdr(path) == DETECTIONS  # views from PTOLocationDescription without the scan
    ds = pydicom.dcmread(path)
    assert ds.file_meta[TAG_META_DICOS_VERSION].value == "V03"
    assert ds.SOPClassUID == sop.DICOS_TDR
    assert ds.StudyInstanceUID == scan.scan_uid
    assert ds.PatientID == scan.ooi_id
    assert ds.TDRType == "MACHINE"
    assert ds.NumberOfTotalObjects == 4
    assert ds.NumberOfAlarmObjects == 3  # knife HIGH_THREAT, cigarettes + weak firearm THREAT, phone NO_THREAT
    assert ds.AlarmDecision == "ALARM"
    assert list(ds.ThreatDetectionAlgorithmAndVersion) == ["nii_det", "1.2"]
    flags = [t.ATDAssessmentSequence[0].ATDAssessmentFlag for t in ds.ThreatSequence]
    assert flags == ["HIGH_THREAT", "NO_THREAT", "THREAT", "THREAT"]
    cats = [t.ATDAssessmentSequence[0].ThreatCategory for t in ds.ThreatSequence]
    assert cats == ["PI", "OTHER", "CONTRABAND", "PI"]
    knife = ds.ThreatSequence[0].PTORepresentationSequence[0]
    assert list(knife.ThreatROIVoxelSequence[0].ThreatROIBase) == [3.0, 4.0, 0.0]
    assert list(knife.ThreatROIVoxelSequence[0].ThreatROIExtents) == [17.0, 26.0, 1.0]
    assert list(knife.BoundingPolygon) == [3, 4, 0, 20, 4, 0, 20, 30, 0, 3, 30, 0]
    assert knife.ReferencedInstanceSequence[0].ReferencedSOPInstanceUID == instance_uid(scan, 0, "high")


def test_references_match_the_written_images(tmp_path: Path, rng: np.random.Generator) -> None:
    scan = make_scan(rng, dual_energy=False)
    images = {pydicom.dcmread(p).SOPInstanceUID: p for p in write_dx(scan, tmp_path)}
    ds = tdr_dataset(scan, DETECTIONS[:2])
    refs = [t.PTORepresentationSequence[0].ReferencedInstanceSequence[0] for t in ds.ThreatSequence]
    for ref, det in zip(refs, DETECTIONS[:2], strict=True):
        image = pydicom.dcmread(images[ref.ReferencedSOPInstanceUID])
        assert ref.ReferencedSOPClassUID == image.SOPClassUID
        assert int(image.AcquisitionNumber) - 1 == det.view


def test_clear_report_and_overrides(rng: np.random.Generator) -> None:
    scan = make_scan(rng)
    ds = tdr_dataset(scan, [])
    assert (ds.AlarmDecision, ds.NumberOfTotalObjects, ds.NumberOfAlarmObjects) == ("CLEAR", 0, 0)
    assert read_tdr(ds) == []
    goods = [Detection("laptop", 0.99, (0, 0, 4, 4), 0)]
    assert tdr_dataset(scan, goods).AlarmDecision == "CLEAR"
    assert tdr_dataset(scan, goods, alarm=True).AlarmDecision == "ALARM"
    high = tdr_dataset(scan, [Detection("knife", 0.7, (0, 0, 4, 4), 0)], thresholds={"knife": 0.8})
    assert high.ThreatSequence[0].ATDAssessmentSequence[0].ATDAssessmentFlag == "THREAT"
    assert tdr_dataset(scan, [], tdr_type="GROUND TRUTH").TDRType == "GROUND TRUTH"


def test_assessment_flag_table() -> None:
    tax = load_taxonomy()
    assert assessment_flag("narcotics_packet", 0.5, tax) == "HIGH_THREAT"
    assert assessment_flag("narcotics_packet", 0.49, tax) == "THREAT"
    assert assessment_flag("banknotes", 0.99, tax) == "THREAT"
    assert assessment_flag("lithium_battery", 0.99, tax) == "THREAT"
    assert assessment_flag("book", 0.99, tax) == "NO_THREAT"


@pytest.mark.parametrize(
    ("detection", "message"),
    [
        (Detection("spoon", 0.5, (0, 0, 1, 1), 0), "unknown category"),
        (Detection("knife", 1.5, (0, 0, 1, 1), 0), "score"),
        (Detection("knife", 0.5, (0, 0, 1, 1), 2), "view 2"),
        (Detection("knife", 0.5, (5, 0, 1, 1), 0), "box"),
    ],
)
def test_bad_detections_are_refused(
    tmp_path: Path, rng: np.random.Generator, detection: Detection, message: str
) -> None:
    with pytest.raises(NIIError, match=message):
        write_tdr(make_scan(rng), [detection], tmp_path / "tdr.dcm")
    assert not (tmp_path / "tdr.dcm").exists()


def test_refusals(tmp_path: Path, rng: np.random.Generator) -> None:
    scan = make_scan(rng, views=1)
    with pytest.raises(NIIError, match="TDR type"):
        tdr_dataset(scan, [], tdr_type="OPERATOR")
    (image,) = write_dx(make_scan(rng, views=1, dual_energy=False), tmp_path)
    with pytest.raises(UnsupportedScanError, match="not a DICOS TDR"):
        read_tdr(image)
