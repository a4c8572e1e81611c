"""The alert evaluation on a hand-made dataset folder (mechanics); the simulator batch is in test_evaluate_sim.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nii.crosscheck.evaluate import evaluate_alerts, main
from tests.nii.declarations.test_io import PARCEL


def write_dataset(root: Path) -> None:
    p1 = json.loads(json.dumps(PARCEL))  # a clean parcel: one T-shirt line, 0.6 kg
    p2 = json.loads(json.dumps(PARCEL))
    p2["house_ref"] = "B2"
    manifest = {"manifest_id": "T", "source_format": "other", "parcels": [p1, p2]}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shirt = {"category": "clothing", "box": [10, 10, 50, 40], "view": 0}
    phone = {"category": "phone", "box": [60, 10, 80, 50], "view": 0}
    gt = [
        {"ooi_id": "LX123456789CN", "objects": [shirt], "true_mass_kg": 0.62, "expected_alerts": []},
        {  # a phone nobody declared; the ground truth also (wrongly, for the test) expects a weight alert
            "ooi_id": "B2",
            "objects": [shirt, phone],
            "true_mass_kg": 0.8,
            "expected_alerts": [
                {"type": "undeclared_goods", "category": "phone"},
                {"type": "weight_mismatch", "category": None},
            ],
        },
    ]
    (root / "ground_truth.jsonl").write_text("\n".join(json.dumps(g) for g in gt) + "\n", encoding="utf-8")


def test_scores_per_type_and_clean_rate(tmp_path: Path) -> None:
    write_dataset(tmp_path)
    ev = evaluate_alerts(tmp_path)
    assert ev.parcels == 2 and ev.clean_parcels == 1 and ev.clean_with_alert == 0
    und = ev.per_type["undeclared_goods"]
    assert (und.tp, und.fp, und.fn, und.f1) == (1, 0, 0, 1.0)
    w = ev.per_type["weight_mismatch"]
    assert (w.tp, w.fp, w.fn) == (0, 0, 1) and w.recall == 0.0
    assert ev.examples["weight_mismatch"][0]["ooi_id"] == "B2"


def test_module_entry_point_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_dataset(tmp_path)
    assert main([str(tmp_path), "--mass", "none"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["parcels"] == 2 and out["per_type"]["undeclared_goods"]["f1"] == 1.0
    with pytest.raises(ValueError, match="mass_source"):
        evaluate_alerts(tmp_path, mass_source="guess")
