"""DICOS Threat Detection Report (TDR): writing a scan's detections, and reading them back.

One potential threat object (PTO) per :class:`nii.detection.Detection`, in ThreatSequence (4010,1011):

- PotentialThreatObjectID = index of the detection (0-based).
- PTORepresentationSequence > one item: ReferencedInstanceSequence = the DX image of the detection's view
  (its high-energy or intensity instance, see :func:`nii.dicos.dx.instance_uid`), ThreatROIVoxelSequence >
  ThreatROIBase ``[x1, y1, 0]`` and ThreatROIExtents ``[x2 - x1, y2 - y1, 1]`` (pixels, columns then rows,
  origin top left), BoundingPolygon (the box's four corners, z = 0), PTOLocationDescription ``view V``.
- ATDAssessmentSequence > one item: ThreatCategory = the taxonomy category's ``tdr_category``,
  ThreatCategoryDescription = the NII category name, ATDAbilityAssessment ``NO_INTERFERENCE``,
  ATDAssessmentProbability = the detection score, ATDAssessmentFlag:

  ==================================================  =============
  category group                                      flag
  ==================================================  =============
  prohibited, score >= its threshold                  HIGH_THREAT
  prohibited below threshold, excise, currency,       THREAT
  dangerous goods
  goods                                               NO_THREAT
  ==================================================  =============

- PTO processing start / end time and duration (the Stratovan toolkit requires them).

Report level: AlarmDecision ``ALARM`` when any PTO is HIGH_THREAT or THREAT (or as the caller decides, e.g.
from the risk lane), else ``CLEAR``; NumberOfTotalObjects, NumberOfAlarmObjects; TDRType; the algorithm (model
name and version); same Scan UID (StudyInstanceUID) and OOI ID (PatientID) as the scan's images.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.uid import UID, generate_uid

from nii.detection import Detection
from nii.dicos import sop
from nii.dicos.common import base_dataset, dicos_datetime, write_dataset
from nii.dicos.dictionary import ensure_dicos_dictionary
from nii.dicos.dx import instance_uid
from nii.errors import InvalidScanError, NIIError, UnsupportedScanError
from nii.scan import Scan
from nii.taxonomy import Taxonomy, load_taxonomy

TDR_TYPES = ("MACHINE", "GROUND TRUTH", "AGGREGATE", "UNDEFINED")
"""TDR types NII writes. OPERATOR needs an Operator Identification Sequence and MOD_AGGREGATE an
originating TDR type per PTO, which NII does not produce yet."""
ALARM_FLAGS = frozenset({"HIGH_THREAT", "THREAT"})
DEFAULT_THRESHOLD = 0.5
TAG_IMAGE_SCALE_REPRESENTATION = 0x40101075
_VIEW_RE = re.compile(r"\bview (\d+)\b")


def assessment_flag(category: str, score: float, taxonomy: Taxonomy, threshold: float = DEFAULT_THRESHOLD) -> str:
    """The ATDAssessmentFlag for one detection (see the table in the module docstring)."""
    group = taxonomy[category].group
    if group == "goods":
        return "NO_THREAT"
    if group == "prohibited" and score >= threshold:
        return "HIGH_THREAT"
    return "THREAT"


def tdr_dataset(
    scan: Scan,
    detections: Sequence[Detection],
    *,
    taxonomy: Taxonomy | None = None,
    tdr_type: str = "MACHINE",
    thresholds: float | Mapping[str, float] = DEFAULT_THRESHOLD,
    alarm: bool | None = None,
    algorithm: tuple[str, str] = ("NII", "unknown"),
    processing_ms: float = 0.0,
    referenced_sop_class: str = sop.DICOS_DX_PROCESSING,
    instance_number: int = 1,
    created: dt.datetime | None = None,
) -> Dataset:
    """The TDR of ``detections`` on ``scan`` as a pydicom Dataset (Explicit VR Little Endian file meta).

    thresholds: score from which a prohibited detection is HIGH_THREAT, one value or per category name.
    alarm: the AlarmDecision; None derives it from the flags. algorithm: (name, version) of the detector.
    processing_ms: detection time, written as each PTO's and the report's processing time (ms).
    referenced_sop_class: SOP class of the referenced images (the DX class NII writes by default).
    Raises NIIError for a detection whose category, score, box or view cannot be written.
    """
    ensure_dicos_dictionary()
    tax = taxonomy or load_taxonomy()
    if tdr_type not in TDR_TYPES:
        raise NIIError(f"TDR type {tdr_type!r} is not written by NII; expected one of {TDR_TYPES}")
    if not (np.isfinite(processing_ms) and processing_ms >= 0):
        raise NIIError(f"processing_ms must be a finite number >= 0, got {processing_ms}")
    end = created or dt.datetime.now(dt.UTC)
    start = end - dt.timedelta(milliseconds=processing_ms)
    when = scan.acquired_at or end
    uid = str(generate_uid(entropy_srcs=[scan.scan_uid, "tdr", tdr_type, str(instance_number), end.isoformat()]))
    ds = base_dataset(scan, sop_class=sop.DICOS_TDR, sop_instance=uid, modality="TDR", when=when, created=end)
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=[scan.scan_uid, "tdr-series", tdr_type])
    ds.SeriesNumber = 2
    ds.InstanceNumber = instance_number
    ds.ContentDate, ds.ContentTime = end.strftime("%Y%m%d"), end.strftime("%H%M%S.%f")
    ds.FrameOfReferenceUID = generate_uid(entropy_srcs=[scan.scan_uid, "frame-of-reference"])
    ds.PositionReferenceIndicator = ""

    threats: list[Dataset] = []
    referenced: dict[str, Dataset] = {}
    for i, det in enumerate(detections):
        threshold = (
            thresholds if isinstance(thresholds, int | float) else thresholds.get(det.category, DEFAULT_THRESHOLD)
        )
        item, ref = _threat_item(i, det, scan, tax, threshold, referenced_sop_class, start, end, processing_ms)
        threats.append(item)
        referenced.setdefault(ref.ReferencedSOPInstanceUID, ref)
    flags = [t.ATDAssessmentSequence[0].ATDAssessmentFlag for t in threats]
    n_alarm = sum(f in ALARM_FLAGS for f in flags)
    ds.ReferencedStudySequence = [_copy_ref(r) for r in referenced.values()]  # where the toolkit lists them
    ds.ThreatSequence = threats
    ds.AbortFlag = "SUCCESS"
    ds.TDRType = tdr_type
    ds.ThreatDetectionAlgorithmAndVersion = [algorithm[0][:64], algorithm[1][:64]]
    ds.AlarmDecisionTime = dicos_datetime(end)
    ds.AlarmDecision = "ALARM" if (alarm if alarm is not None else n_alarm > 0) else "CLEAR"
    ds.NumberOfTotalObjects = len(threats)
    ds.NumberOfAlarmObjects = n_alarm
    ds.TotalProcessingTime = float(processing_ms)
    # PTO coordinates are image pixels: scale 1. The toolkit reads this element as FD (pydicom's dictionary: DS)
    # and refuses a value <= 0.
    ds.add_new(TAG_IMAGE_SCALE_REPRESENTATION, "FD", 1.0)
    ds.AdditionalScreeningPerformed = "NO"
    return ds


def write_tdr(
    scan: Scan,
    detections: Sequence[Detection],
    path: str | os.PathLike[str],
    *,
    taxonomy: Taxonomy | None = None,
    tdr_type: str = "MACHINE",
    thresholds: float | Mapping[str, float] = DEFAULT_THRESHOLD,
    alarm: bool | None = None,
    algorithm: tuple[str, str] = ("NII", "unknown"),
    processing_ms: float = 0.0,
) -> Path:
    """Writes the TDR of ``detections`` on ``scan`` to ``path`` (parent folders created); returns the path.

    Keywords as for :func:`tdr_dataset`. No partial file is left on failure.
    """
    ds = tdr_dataset(
        scan,
        detections,
        taxonomy=taxonomy,
        tdr_type=tdr_type,
        thresholds=thresholds,
        alarm=alarm,
        algorithm=algorithm,
        processing_ms=processing_ms,
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_dataset(ds, out)
    return out


def read_tdr(source: str | os.PathLike[str] | Dataset, *, scan: Scan | None = None) -> list[Detection]:
    """The detections of a DICOS TDR, one per PTO representation that has a 2-D ROI, in file order.

    category: ThreatCategoryDescription (the NII category name NII writes), else ThreatCategory lower-cased;
    score: ATDAssessmentProbability (0 when absent), rounded to 6 decimals; box: [x1, y1, x2, y2] pixels from
    ThreatROIBase/Extents, rounded to 3 decimals (the values are float32);
    view: the view of ``scan`` whose image the PTO references, else ``view V`` in PTOLocationDescription, else 0.
    Raises UnsupportedScanError for a dataset that is not a TDR, InvalidScanError for a malformed one.
    """
    ensure_dicos_dictionary()
    ds = source if isinstance(source, Dataset) else pydicom.dcmread(os.fspath(source))
    sop_class = ds.get("SOPClassUID", "")
    if sop_class != sop.DICOS_TDR:
        raise UnsupportedScanError(f"not a DICOS TDR: SOP class {sop_class!r}, expected {sop.DICOS_TDR}")
    views = _views_by_instance(scan) if scan is not None else {}
    out: list[Detection] = []
    for n, threat in enumerate(ds.get("ThreatSequence", [])):
        assessments = threat.get("ATDAssessmentSequence", [])
        category, score = "unknown", 0.0
        if assessments:
            a = assessments[0]
            description = str(a.get("ThreatCategoryDescription", "") or "").strip()
            category = description or str(a.get("ThreatCategory", "unknown")).strip().lower()
            score = round(float(a.get("ATDAssessmentProbability", 0.0)), 6)  # FL: float32 precision
        for rep in threat.get("PTORepresentationSequence", []):
            rois = rep.get("ThreatROIVoxelSequence", [])
            if not rois or "ThreatROIBase" not in rois[0] or "ThreatROIExtents" not in rois[0]:
                continue
            base, ext = rois[0].ThreatROIBase, rois[0].ThreatROIExtents
            if len(base) < 2 or len(ext) < 2:
                raise InvalidScanError(f"PTO {n}: ThreatROIBase {list(base)} / Extents {list(ext)} need x and y")
            x1, y1, w, h = float(base[0]), float(base[1]), float(ext[0]), float(ext[1])
            box = (round(x1, 3), round(y1, 3), round(x1 + w, 3), round(y1 + h, 3))  # FL: float32 precision
            out.append(Detection(category, score, box, _view_of(rep, views)))
    return out


def _threat_item(
    index: int,
    det: Detection,
    scan: Scan,
    tax: Taxonomy,
    threshold: float,
    referenced_sop_class: str,
    start: dt.datetime,
    end: dt.datetime,
    processing_ms: float,
) -> tuple[Dataset, Dataset]:
    """One ThreatSequence item and the reference to the image it lies on."""
    if det.category not in tax:
        raise NIIError(f"detection {index}: unknown category {det.category!r}; expected one of {tax.names}")
    if not (0.0 <= det.score <= 1.0):
        raise NIIError(f"detection {index}: score {det.score} outside [0, 1]")
    if not 0 <= det.view < len(scan.views):
        raise NIIError(f"detection {index}: view {det.view}, but the scan has {len(scan.views)} view(s)")
    x1, y1, x2, y2 = (float(v) for v in det.box)
    if not (np.isfinite([x1, y1, x2, y2]).all() and x2 >= x1 and y2 >= y1):
        raise NIIError(f"detection {index}: box {det.box}; expected finite [x1, y1, x2, y2] with x2 >= x1, y2 >= y1")
    view = scan.views[det.view]
    energy = "high" if view.dual_energy else "intensity"
    ref = Dataset()
    ref.ReferencedSOPClassUID = UID(referenced_sop_class)
    ref.ReferencedSOPInstanceUID = UID(instance_uid(scan, det.view, energy))

    roi = Dataset()
    roi.ThreatROIBase = [x1, y1, 0.0]
    roi.ThreatROIExtents = [x2 - x1, y2 - y1, 1.0]
    roi.ThreatROIBitmap = b""
    rep = Dataset()
    rep.ReferencedInstanceSequence = [_copy_ref(ref)]
    rep.ThreatROIVoxelSequence = [roi]
    rep.BoundingPolygon = [x1, y1, 0.0, x2, y1, 0.0, x2, y2, 0.0, x1, y2, 0.0]
    rep.PTOLocationDescription = f"view {det.view}"

    assessment = Dataset()
    assessment.ThreatCategory = tax[det.category].tdr_category
    assessment.ThreatCategoryDescription = det.category
    assessment.ATDAbilityAssessment = "NO_INTERFERENCE"
    assessment.ATDAssessmentFlag = assessment_flag(det.category, float(det.score), tax, threshold)
    assessment.ATDAssessmentProbability = float(det.score)

    item = Dataset()
    item.PotentialThreatObjectID = index
    item.PTORepresentationSequence = [rep]
    item.ATDAssessmentSequence = [assessment]
    item.PTOProcessingStartTime = dicos_datetime(start)
    item.PTOProcessingEndTime = dicos_datetime(end)
    item.PTOTotalProcessingTime = float(processing_ms)
    return item, ref


def _copy_ref(ref: Dataset) -> Dataset:
    out = Dataset()
    out.ReferencedSOPClassUID = ref.ReferencedSOPClassUID
    out.ReferencedSOPInstanceUID = ref.ReferencedSOPInstanceUID
    return out


def _views_by_instance(scan: Scan) -> dict[str, int]:
    """SOP Instance UID -> view index, for recorded and derived instance UIDs of every view and energy."""
    out: dict[str, int] = {}
    for view in scan.views:
        for energy in view.energies:
            out[instance_uid(scan, view.index, energy)] = view.index
            if energy in view.instance_uids:
                out[view.instance_uids[energy]] = view.index
    return out


def _view_of(rep: Dataset, views: Mapping[str, int]) -> int:
    for ref in rep.get("ReferencedInstanceSequence", []):
        uid = str(ref.get("ReferencedSOPInstanceUID", ""))
        if uid in views:
            return views[uid]
    match = _VIEW_RE.search(str(rep.get("PTOLocationDescription", "")))
    return int(match.group(1)) if match else 0
