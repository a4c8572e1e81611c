"""Verdicts: one parcel's scan (and declaration, if known) through detection, physics, cross-check, tax and risk
into the verdict JSON of design.md (keys ooi_id, scan_uid, model, detections, materials, alerts, items, tax, risk,
timing_ms; ``items`` and ``tax`` only when a declaration is known; extra keys: checks_skipped,
declaration_findings)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nii.crosscheck.engine import CrossChecker
from nii.declarations.checks import Finding, check_parcel
from nii.declarations.models import Parcel
from nii.detection import Detection, Detector, load_default_detector
from nii.risk import RiskEngine, RiskInput, TraderProfile, load_risk_engine
from nii.scan import Scan
from nii.tax import TaxConfig, estimate_tax, load_tax_config

log = logging.getLogger("nii.inspection")

EXTERNAL_MODEL = {"name": "external", "version": "n/a"}


@dataclass(frozen=True)
class PhysicsResult:
    """Material shares of the non-background area (None for single-energy scans) and the X-ray mass estimate, kg."""

    fractions: Mapping[str, float] | None
    estimated_mass_kg: float | None

    def to_json(self) -> dict[str, float | None]:
        f = self.fractions or {}
        out: dict[str, float | None] = {
            k: (round(f[k], 4) if k in f else None) for k in ("organic", "inorganic", "metal")
        }
        out["estimated_mass_kg"] = None if self.estimated_mass_kg is None else round(self.estimated_mass_kg, 3)
        return out


def physics(scan: Scan) -> PhysicsResult:
    """Material fractions and mass estimate of a scan (nii.imaging; None values for single-energy scans)."""
    from nii.imaging.mass import estimate_mass_kg
    from nii.imaging.materials import material_fractions

    return PhysicsResult(material_fractions(scan), estimate_mass_kg(scan))


def model_info(detector: Detector | None) -> dict[str, str]:
    if detector is None:
        return dict(EXTERNAL_MODEL)
    return {"name": str(detector.name), "version": str(detector.version)}


def detect(scan: Scan, detector: Detector) -> tuple[list[Detection], float]:
    """Detections of a scan and the time it took, ms."""
    t0 = time.perf_counter()
    dets = detector.detect(scan)
    return dets, (time.perf_counter() - t0) * 1000.0


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000.0, 2)


class Inspector:
    """Holds the detector, cross-checker, risk engine and tax rules for many parcels."""

    def __init__(
        self,
        *,
        detector: Detector | None = None,
        checker: CrossChecker | None = None,
        risk_engine: RiskEngine | None = None,
        tax_config: TaxConfig | None = None,
        compute_physics: bool = True,
    ) -> None:
        self.detector = detector
        self.checker = checker or CrossChecker()
        self.risk_engine = risk_engine or load_risk_engine()
        self.tax_config = tax_config or load_tax_config()
        self.compute_physics = compute_physics

    def inspect(
        self,
        scan: Scan,
        *,
        detections: Sequence[Detection] | None = None,
        declaration: Parcel | None = None,
        findings: Sequence[Finding] | None = None,
        trader: TraderProfile | None = None,
        physics_result: PhysicsResult | None = None,
        read_ms: float | None = None,
    ) -> dict[str, object]:
        """The verdict of one parcel. detections: given directly (no detector is run); else the inspector's
        detector (the default detector when none was given) runs. findings: the declaration's ICS2-style
        findings (computed when None). trader: defaults to the declaration's AEO status without history."""
        t_total = time.perf_counter()
        timing: dict[str, float] = {}
        if read_ms is not None:
            timing["read"] = round(read_ms, 2)
        detector: Detector | None = None
        if detections is None:
            if self.detector is None:
                self.detector = load_default_detector()
            detector = self.detector
            dets, ms = detect(scan, detector)
            timing["detect"] = round(ms, 2)
        else:
            dets = list(detections)
        t = time.perf_counter()
        phys = physics_result or (physics(scan) if self.compute_physics else PhysicsResult(None, None))
        timing["materials"] = _ms(t)

        t = time.perf_counter()
        result = self.checker.check(
            dets, declaration, estimated_mass_kg=phys.estimated_mass_kg, materials=phys.fractions
        )
        if declaration is not None and findings is None:
            findings = check_parcel(declaration, 0)
        if trader is None and declaration is not None:
            trader = TraderProfile(aeo_status=declaration.aeo_status())
        risk = self.risk_engine.assess(
            RiskInput(scan.ooi_id, declaration, alerts=result.alerts, findings=findings or (), trader=trader)
        )
        verdict: dict[str, object] = {
            "ooi_id": scan.ooi_id,
            "scan_uid": scan.scan_uid,
            "model": model_info(detector),
            "detections": [d.to_json() for d in dets],
            "materials": phys.to_json(),
            "alerts": [a.to_json() for a in result.alerts],
        }
        if declaration is not None:
            verdict["items"] = [i.to_json() for i in result.items]
            tax = estimate_tax(
                declaration,
                result.declared_items,
                result.alerts,
                config=self.tax_config,
                rates=self.checker.rates,
                prices=self.checker.prices,
            )
            verdict["tax"] = tax.to_json()
        verdict["risk"] = risk.to_json()
        timing["crosscheck"] = _ms(t)
        timing["total"] = round(_ms(t_total) + (read_ms or 0.0), 2)
        verdict["timing_ms"] = timing
        verdict["checks_skipped"] = list(result.skipped)
        if declaration is not None:
            verdict["declaration_findings"] = [f.to_json() for f in findings or ()]
        return verdict


def inspect_scan(
    scan: Scan,
    *,
    detector: Detector | None = None,
    detections: Sequence[Detection] | None = None,
    declaration: Parcel | None = None,
    trader: TraderProfile | None = None,
    read_ms: float | None = None,
    compute_physics: bool = True,
) -> dict[str, object]:
    """The verdict JSON of one parcel (design.md). Give ``detections`` directly, or a ``detector`` (else the
    default detector of the ``nii.detectors`` entry point is loaded)."""
    inspector = Inspector(detector=detector, compute_physics=compute_physics)
    return inspector.inspect(scan, detections=detections, declaration=declaration, trader=trader, read_ms=read_ms)
