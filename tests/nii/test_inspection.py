"""Verdicts from scans made in the test with a detector that reports known boxes (tests only)."""

from __future__ import annotations

import numpy as np

from nii.declarations.models import Parcel
from nii.detection import Detection
from nii.inspection import inspect_scan
from nii.scan import Scan, View

DESIGN_KEYS = ["ooi_id", "scan_uid", "model", "detections", "materials", "alerts", "items", "tax", "risk", "timing_ms"]


class BoxDetector:
    """Reports the boxes it was given for each OOI ID (a stand-in for a trained model)."""

    name = "known-boxes"
    version = "1"

    def __init__(self, boxes: dict[str, list[Detection]]) -> None:
        self.boxes = boxes

    def detect(self, scan: Scan) -> list[Detection]:
        return list(self.boxes.get(scan.ooi_id, []))


def make_scan(ooi_id: str, *, dual: bool = True, seed: int = 0) -> Scan:
    """A parcel phantom: a box of organic-like material with a denser block inside (attenuation images)."""
    rng = np.random.default_rng(seed)
    high = np.zeros((96, 128), np.float32)
    high[20:80, 20:110] = 0.6
    high[40:60, 50:70] += 1.5
    high += rng.normal(0, 0.01, high.shape).astype(np.float32).clip(0)
    energies = {"high": high, "low": high * 1.4} if dual else {"intensity": high}
    return Scan(ooi_id, f"1.2.826.0.1.3680043.10.1.{seed}", [View(energies, (1.0, 1.0))])


def declaration(ooi_id: str, description: str = "Smartphone Samsung", hs6: str = "851713") -> Parcel:
    return Parcel.model_validate(
        {
            "house_ref": ooi_id,
            "gross_mass_kg": 0.4,
            "consignor": {"name": "Shop", "address": {"city": "Shenzhen", "country": "CN"}},
            "consignee": {"name": "Jan", "address": {"city": "Utrecht", "country": "NL"}, "aeo_status": "none"},
            "items": [
                {"description": description, "hs6": hs6, "quantity": 1, "value": {"amount": 250, "currency": "EUR"}}
            ],
        }
    )


PHONE = Detection("phone", 0.95, (50.0, 40.0, 70.0, 60.0), 0)
KNIFE = Detection("knife", 0.91, (25.0, 25.0, 45.0, 30.0), 0)


def test_verdict_has_the_design_keys_in_order() -> None:
    v = inspect_scan(make_scan("LX1"), detector=BoxDetector({"LX1": [PHONE]}), declaration=declaration("LX1"))
    assert [k for k in v if k in DESIGN_KEYS] == DESIGN_KEYS
    assert v["model"] == {"name": "known-boxes", "version": "1"}
    assert v["detections"] == [{"category": "phone", "score": 0.95, "box": [50.0, 40.0, 70.0, 60.0], "view": 0}]
    assert set(v["materials"]) == {"organic", "inorganic", "metal", "estimated_mass_kg"}  # type: ignore[arg-type]
    assert v["items"] == [  # the phone is found
        {
            "line_no": 1,
            "description": "Smartphone Samsung",
            "category": "phone",
            "declared_quantity": 1,
            "detected_count": 1,
            "status": "matched",
        }
    ]
    tax = v["tax"]
    assert isinstance(tax, dict) and tax["currency"] == "EUR" and tax["vat"] > 0
    risk = v["risk"]
    assert isinstance(risk, dict) and risk["lane"] in ("green", "blue", "yellow", "red") and risk["reasons"]
    timing = v["timing_ms"]
    assert isinstance(timing, dict) and {"detect", "total"} <= set(timing)


def test_without_declaration_prohibited_still_fires_and_no_items() -> None:
    v = inspect_scan(make_scan("LX2"), detections=[KNIFE, PHONE], compute_physics=False)
    assert "items" not in v and "tax" not in v
    assert [(a["type"], a["category"]) for a in v["alerts"]] == [("prohibited_item", "knife")]  # type: ignore[index,union-attr]
    assert v["risk"]["lane"] == "red"  # type: ignore[index]
    assert v["model"] == {"name": "external", "version": "n/a"}


def test_single_energy_scan_skips_weight_with_reason() -> None:
    v = inspect_scan(make_scan("LX3", dual=False), detections=[PHONE], declaration=declaration("LX3"))
    assert v["materials"] == {"organic": None, "inorganic": None, "metal": None, "estimated_mass_kg": None}
    assert any(s["check"] == "weight_mismatch" for s in v["checks_skipped"])  # type: ignore[union-attr,index]


def test_undeclared_and_mismatch_alerts_reach_the_verdict() -> None:
    decl = declaration("LX4", description="Men's cotton T-shirt", hs6="851713")
    v = inspect_scan(make_scan("LX4"), detections=[PHONE], declaration=decl, compute_physics=False)
    got = sorted((a["type"], a["category"]) for a in v["alerts"])  # type: ignore[index,union-attr]
    assert got == [
        ("declared_not_found", "clothing"),
        ("hs_description_mismatch", "clothing"),
        ("undeclared_goods", "phone"),
    ]
    assert v["items"][0]["status"] == "not_found"  # type: ignore[index]
