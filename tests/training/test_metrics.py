from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from training.metrics import (
    choose_thresholds,
    coco_map,
    confusion_matrix,
    map_by_view,
    parcel_scores,
    parcel_truth,
    pd_pfa,
)

CATS = [{"id": 1, "name": "firearm"}, {"id": 2, "name": "knife"}, {"id": 3, "name": "phone"}]


def _gt() -> dict[str, Any]:
    images = [{"id": i, "ooi_id": f"P{i}", "width": 100, "height": 100} for i in range(1, 5)]
    anns = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "area": 400, "iscrowd": 0},
        {"id": 2, "image_id": 2, "category_id": 2, "bbox": [50, 50, 10, 30], "area": 300, "iscrowd": 0},
        {"id": 3, "image_id": 3, "category_id": 3, "bbox": [5, 5, 30, 30], "area": 900, "iscrowd": 0},
    ]
    return {"images": images, "annotations": anns, "categories": CATS}


def _det(iid: int, cid: int, box: list[float], score: float) -> dict[str, Any]:
    return {"image_id": iid, "category_id": cid, "bbox": box, "score": score}


def test_perfect_and_shifted_detections() -> None:
    gt = _gt()
    perfect = [_det(a["image_id"], a["category_id"], a["bbox"], 0.9) for a in gt["annotations"]]
    m = coco_map(gt, perfect)
    assert m["mAP50"] == pytest.approx(1.0) and m["mAP50_95"] == pytest.approx(1.0)
    shifted = [{**d, "bbox": [d["bbox"][0] + d["bbox"][2] * 0.6, *d["bbox"][1:]]} for d in perfect]
    assert coco_map(gt, shifted)["mAP50"] == pytest.approx(0.0)
    half = perfect[:1] + shifted[1:]
    m = coco_map(gt, half)
    assert m["per_category"]["firearm"]["AP50"] == pytest.approx(1.0)
    assert m["per_category"]["knife"]["AP50"] == pytest.approx(0.0)
    assert m["mAP50"] == pytest.approx(1 / 3)


def test_parcel_pd_pfa_and_thresholds() -> None:
    gt = _gt()
    dets = [_det(1, 1, [10, 10, 20, 20], 0.8), _det(2, 2, [0, 0, 5, 5], 0.4), _det(4, 1, [0, 0, 5, 5], 0.5)]
    truth, scores = parcel_truth(gt), parcel_scores(gt, dets)
    assert truth["P4"] == set() and scores["P2"] == {"knife": 0.4}
    r = pd_pfa(truth, scores, ["firearm", "knife"], {"firearm": 0.6, "knife": 0.3})
    assert r["Pd"] == 1.0 and r["Pfa"] == 0.0 and r["n_positive"] == 2 and r["n_negative"] == 2
    r = pd_pfa(truth, scores, ["firearm", "knife"], {"firearm": 0.45, "knife": 0.5})
    assert r["Pd"] == 0.5 and r["Pfa"] == 0.5
    assert r["false_alarms_by"] == {"firearm": 1, "knife": 0} and r["false_alarms_alone"] == {"firearm": 1, "knife": 0}
    both = parcel_scores(gt, [*dets, _det(4, 2, [0, 0, 5, 5], 0.6)])  # the clean parcel P4 also scores a knife
    r = pd_pfa(truth, both, ["firearm", "knife"], {"firearm": 0.45, "knife": 0.5})
    assert r["Pfa"] == 0.5 and r["false_alarms_by"] == {"firearm": 1, "knife": 1}
    assert r["false_alarms_alone"] == {"firearm": 0, "knife": 0}
    assert r["positive_by"] == {"firearm": 1, "knife": 1} and r["pd_by"] == {"firearm": 1.0, "knife": 0.0}
    # the knife parcel P2 alarmed by a firearm box only: the group detects it, the knife threshold did not
    mixed = parcel_scores(gt, [*dets, _det(2, 1, [0, 0, 5, 5], 0.9)])
    r = pd_pfa(truth, mixed, ["firearm", "knife"], {"firearm": 0.45, "knife": 0.5})
    assert r["Pd"] == 1.0 and r["pd_by"] == {"firearm": 1.0, "knife": 0.0}
    thr = choose_thresholds(truth, scores, ["firearm", "knife", "phone"], {"firearm": 0.95, "knife": 0.95})
    assert thr["firearm"] == pytest.approx(0.8, abs=1e-3) and thr["knife"] == pytest.approx(0.4, abs=1e-3)
    assert thr["phone"] == 0.3


def test_confusion_matrix_counts() -> None:
    gt = _gt()
    dets = [_det(1, 2, [10, 10, 20, 20], 0.9), _det(2, 2, [50, 50, 10, 30], 0.9), _det(4, 3, [0, 0, 9, 9], 0.9)]
    m = confusion_matrix(gt, dets, {1: 0.3, 2: 0.3, 3: 0.3})
    assert m.shape == (4, 4)
    assert m[0, 1] == 1 and m[1, 1] == 1 and m[2, 3] == 1 and m[3, 2] == 1
    assert int(np.sum(m)) == 4


def test_other_categories_get_their_best_f1_threshold() -> None:
    from training.metrics import best_f1_threshold

    truth = {f"P{i}": ({"phone"} if i < 4 else set()) for i in range(10)}
    # phones score 0.9, 0.8, 0.7, 0.2; clean parcels up to 0.6: F1 is best keeping the top three (threshold 0.7)
    scores = {"P0": {"phone": 0.9}, "P1": {"phone": 0.8}, "P2": {"phone": 0.7}, "P3": {"phone": 0.2}}
    scores.update({f"P{i}": {"phone": 0.1 * (i - 3)} for i in range(4, 10)})
    thr = choose_thresholds(truth, scores, ["phone"], {}, fit_others=True)
    assert thr["phone"] == pytest.approx(0.7, abs=1e-3)
    assert choose_thresholds(truth, scores, ["phone"], {})["phone"] == 0.3  # off: the default
    assert best_f1_threshold(np.array([0.01]), np.array([]), 0.05, 0.9) == pytest.approx(0.05)  # floor holds


def test_map_by_view_splits_top_and_side_views() -> None:
    gt = _gt()
    assert map_by_view(gt, []) == {}  # one view per parcel: nothing to split
    gt["images"][1]["view"] = 1  # image 2 (the knife) is a side view
    dets = [_det(a["image_id"], a["category_id"], a["bbox"], 0.9) for a in gt["annotations"]]
    dets[1]["bbox"] = [90, 90, 5, 5]  # the side view's knife is missed
    by = map_by_view(gt, dets)
    assert set(by) == {"0", "1"} and by["0"]["n_images"] == 3 and by["1"]["n_images"] == 1
    assert by["0"]["mAP50"] == pytest.approx(1.0) and by["0"]["AP50"] == {"firearm": 1.0, "phone": 1.0}
    assert by["1"]["mAP50"] == pytest.approx(0.0) and by["1"]["AP50"] == {"knife": 0.0}

    from training.report import view_line

    line = view_line({"by_view": by})
    assert line is not None and "view 0 (top) mAP50 1.000 over 3 images, firearm 1.000" in line
    assert "view 1 (side) mAP50 0.000 over 1 images, knife 0.000" in line
    assert view_line({}) is None


def test_background_false_alarms_by_what_lies_under_them() -> None:
    from training.metrics import background_false_alarms

    gt = _gt()  # image 2 (parcel P2) holds a knife at [50, 50, 60, 80]; P4 holds nothing annotated
    located = {("P4", 0): [("umbrella", [0, 0, 40, 10]), ("belt", [0, 0, 12, 12])], ("P2", 0): [("pens", [0, 0, 5, 5])]}
    dets = [
        _det(2, 2, [50, 50, 10, 30], 0.9),  # the annotated knife: not a background alarm
        _det(4, 2, [0, 0, 30, 8], 0.8),  # mostly on the umbrella
        _det(4, 2, [0, 0, 10, 12], 0.7),  # all on the belt, 83 % on the umbrella: the belt covers more
        _det(4, 2, [60, 60, 10, 10], 0.6),  # on nothing located
        _det(4, 2, [0, 0, 30, 8], 0.2),  # below the knife threshold
        _det(2, 1, [0, 0, 5, 5], 0.9),  # a firearm box on the pens of P2
    ]
    out = background_false_alarms(gt, dets, ["firearm", "knife"], {"firearm": 0.5, "knife": 0.5}, located)
    assert out == {"firearm": {"pens": 1}, "knife": {"umbrella": 1, "belt": 1, "nothing located": 1}}
    assert background_false_alarms(gt, dets, ["knife"], {"knife": 0.5}, {}) == {"knife": {"nothing located": 3}}


def test_located_clutter_is_read_from_the_ground_truth(tmp_path: Path) -> None:
    from nii.errors import ConfigError
    from training.evaluate import clutter_objects

    assert clutter_objects(tmp_path) == {}  # no ground_truth.jsonl: other data sources
    rec = {"ooi_id": "P1", "clutter_objects": [{"kind": "belt", "box": [1, 2, 30, 40], "view": 1}]}
    (tmp_path / "ground_truth.jsonl").write_text(json.dumps(rec) + "\n" + json.dumps({"ooi_id": "P2"}) + "\n")
    assert clutter_objects(tmp_path) == {("P1", 1): [("belt", [1.0, 2.0, 30.0, 40.0])]}
    (tmp_path / "ground_truth.jsonl").write_text('{"ooi_id": "P1", "clutter_objects": [{"kind": "belt"}]}\n')
    with pytest.raises(ConfigError, match=r"ground_truth.jsonl:1"):
        clutter_objects(tmp_path)
