"""Alert quality of the cross-check on a simulated dataset (``nii synth`` output: manifest.json,
ground_truth.jsonl with expected_alerts, scans/<ooi_id>/).

Alerts are compared as (type, category) pairs per parcel: precision, recall and F1 per alert type, and the
share of clean parcels (no expected alert) that get any alert; lanes are compared with the expected lanes.
Detections come from the ground-truth objects (score 1) or from a detector run on the scans; the mass from the
ground truth, the X-ray estimate (nii.imaging.mass on the scans) or nowhere (the weight check is then skipped).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nii.alerts import ALERT_TYPES
from nii.crosscheck.config import CrossCheckConfig, QuantityTolerance, load_crosscheck_config
from nii.crosscheck.engine import CrossChecker
from nii.declarations.checks import check_parcel
from nii.declarations.io import read_manifest
from nii.detection import Detection, Detector
from nii.errors import NIIError
from nii.risk import RiskEngine, RiskInput, TraderProfile, load_risk_engine

MASS_SOURCES = ("truth", "xray", "none")


@dataclass
class TypeScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class AlertEvaluation:
    """Scores of one run. examples: a few wrong parcels per alert type for inspection."""

    parcels: int = 0
    clean_parcels: int = 0
    clean_with_alert: int = 0
    per_type: dict[str, TypeScore] = field(default_factory=lambda: {t: TypeScore() for t in ALERT_TYPES})
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    missing_declarations: int = 0
    errors: list[str] = field(default_factory=list)
    lanes: dict[str, dict[str, int]] = field(default_factory=dict)  # expected lane -> our lane -> parcels

    @property
    def clean_alert_rate(self) -> float:
        return self.clean_with_alert / self.clean_parcels if self.clean_parcels else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "parcels": self.parcels,
            "clean_parcels": self.clean_parcels,
            "clean_with_alert": self.clean_with_alert,
            "clean_alert_rate": round(self.clean_alert_rate, 4),
            "per_type": {t: s.to_json() for t, s in self.per_type.items()},
            "missing_declarations": self.missing_declarations,
            "errors": self.errors,
            "lanes": self.lanes,
            "lane_agreement": round(self.lane_agreement, 4),
        }

    @property
    def lane_agreement(self) -> float:
        total = sum(n for row in self.lanes.values() for n in row.values())
        return sum(row.get(lane, 0) for lane, row in self.lanes.items()) / total if total else 0.0


def exact_counts(config: CrossCheckConfig) -> CrossCheckConfig:
    """``config`` with no tolerance on counts: for ground-truth detections, which see every object."""
    return replace(config, quantity={}, quantity_default=QuantityTolerance(fewer=0.0, more=0))


def read_ground_truth(path: Path) -> Iterator[dict[str, Any]]:
    """The lines of ground_truth.jsonl."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise NIIError(f"{path} line {n}: {exc.msg}") from None


def truth_detections(record: dict[str, Any]) -> list[Detection]:
    """Ground-truth objects as detections of score 1 (box [x1, y1, x2, y2] of view ``view``)."""
    out = []
    for o in record.get("objects", []):
        if o.get("category"):
            x1, y1, x2, y2 = (float(v) for v in o["box"])
            out.append(Detection(str(o["category"]), 1.0, (x1, y1, x2, y2), int(o.get("view", 0))))
    return out


def _pairs(alerts: list[dict[str, Any]]) -> set[tuple[str, str | None]]:
    return {(str(a["type"]), a.get("category")) for a in alerts}


def evaluate_alerts(
    dataset: str | Path,
    *,
    checker: CrossChecker | None = None,
    mass_source: str = "truth",
    detector: Detector | None = None,
    limit: int | None = None,
    max_examples: int = 5,
    risk_engine: RiskEngine | None = None,
) -> AlertEvaluation:
    """Scores the cross-check on a simulated dataset folder. detector: None = ground-truth detections."""
    if mass_source not in MASS_SOURCES:
        raise ValueError(f"mass_source {mass_source!r}; expected one of {MASS_SOURCES}")
    root = Path(dataset)
    manifest = read_manifest(root / "manifest.json")
    by_ref = manifest.by_ref()
    checker = checker or CrossChecker()
    risk = risk_engine or load_risk_engine()
    ev = AlertEvaluation()
    for i, rec in enumerate(read_ground_truth(root / "ground_truth.jsonl")):
        if limit is not None and i >= limit:
            break
        ooi = str(rec["ooi_id"])
        parcel = by_ref.get(ooi)
        if parcel is None:
            ev.missing_declarations += 1
        try:
            detections, mass = _observations(root, rec, detector, mass_source)
        except NIIError as exc:
            ev.errors.append(f"{ooi}: {exc}")
            continue
        result = checker.check(detections, parcel, estimated_mass_kg=mass)
        predicted = {(a.type, a.category) for a in result.alerts}
        if rec.get("expected_lane"):
            findings = check_parcel(parcel, 0) if parcel is not None else ()
            trader = TraderProfile(parcel.aeo_status()) if parcel is not None else None
            lane = risk.assess(RiskInput(ooi, parcel, result.alerts, findings, trader)).lane
            row = ev.lanes.setdefault(str(rec["expected_lane"]), {})
            row[lane] = row.get(lane, 0) + 1
        expected = _pairs(rec.get("expected_alerts", []))
        ev.parcels += 1
        if not expected:
            ev.clean_parcels += 1
            ev.clean_with_alert += bool(predicted)
        for t in ALERT_TYPES:
            p = {x for x in predicted if x[0] == t}
            e = {x for x in expected if x[0] == t}
            s = ev.per_type[t]
            s.tp += len(p & e)
            s.fp += len(p - e)
            s.fn += len(e - p)
            if p != e and len(ev.examples.setdefault(t, [])) < max_examples:
                ev.examples[t].append(
                    {
                        "ooi_id": ooi,
                        "predicted": sorted(map(str, p)),
                        "expected": sorted(map(str, e)),
                        "items": [(it.description, it.hs6, it.category, it.quantity) for it in result.declared_items],
                        "detected": result.detected,
                    }
                )
    return ev


def _observations(
    root: Path, rec: dict[str, Any], detector: Detector | None, mass_source: str
) -> tuple[list[Detection], float | None]:
    scan = None
    if detector is not None or mass_source == "xray":
        from nii.io import read_scans

        scans = read_scans([root / "scans" / str(rec["ooi_id"])])
        if len(scans) != 1:
            raise NIIError(f"expected one scan under scans/{rec['ooi_id']}, found {len(scans)}")
        scan = scans[0]
    detections = detector.detect(scan) if detector is not None and scan is not None else truth_detections(rec)
    if mass_source == "truth":
        mass = rec.get("true_mass_kg")
        return detections, None if mass is None else float(mass)
    if mass_source == "xray" and scan is not None:
        from nii.imaging.mass import estimate_mass_kg

        return detections, estimate_mass_kg(scan)
    return detections, None


def main(argv: list[str] | None = None) -> int:
    """``python -m nii.crosscheck.evaluate DATASET [--model [PATH]] [--mass truth|xray|none] [--limit N]``."""
    import argparse
    import sys

    p = argparse.ArgumentParser(prog="python -m nii.crosscheck.evaluate", description=__doc__)
    p.add_argument("dataset", help="a folder written by nii synth")
    p.add_argument("--mass", choices=MASS_SOURCES, default="truth", help="mass given to the weight check")
    p.add_argument("--limit", type=int, default=None, help="only the first N parcels")
    p.add_argument("--examples", action="store_true", help="also print a few wrong parcels per alert type")
    p.add_argument(
        "--exact-counts",
        action="store_true",
        help="no occlusion tolerance in quantity checks (ground-truth detections see every object)",
    )
    p.add_argument(
        "--model",
        nargs="?",
        const="",
        default=None,
        metavar="PATH",
        help="detections from a detector run on the scans: the checkpoint PATH, or the default detector when "
        "PATH is left out (without --model: the ground-truth objects)",
    )
    args = p.parse_args(argv)
    detector = None
    if args.model is not None:
        from nii.detection import load_default_detector

        detector = load_default_detector(args.model or None)
    checker = CrossChecker(config=exact_counts(load_crosscheck_config())) if args.exact_counts else None
    ev = evaluate_alerts(args.dataset, checker=checker, detector=detector, mass_source=args.mass, limit=args.limit)
    out = ev.to_json()
    model = {"name": detector.name, "version": detector.version} if detector is not None else "ground_truth"
    out["settings"] = {"mass": args.mass, "exact_counts": args.exact_counts, "detections": model}
    if args.examples:
        out["examples"] = ev.examples
    json.dump(out, sys.stdout, indent=1, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
