"""Several simulator outputs evaluated (or calibrated) as one set: training.evaluate.merge_predictions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nii.errors import ConfigError
from training.evaluate import merge_predictions, summarise

KW: dict[str, Any] = {"group": ["knife"], "target_pd": {"knife": 0.95}, "default_threshold": 0.3}


def _part(oois: str, knife_id: int, scores: dict[str, float]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One folder: a view per OOI, a knife in the upper-case ones; detections scored per OOI at the knife's box.
    Categories numbered differently per folder (``knife_id``), as COCO files may be."""
    cats = [{"id": knife_id, "name": "knife"}, {"id": 3 - knife_id, "name": "phone"}]
    images = [{"id": i, "ooi_id": o, "view": 0, "width": 100, "height": 100} for i, o in enumerate(oois, start=1)]
    anns = [
        {"id": i, "image_id": i, "category_id": knife_id, "bbox": [10, 10, 30, 20], "area": 600, "iscrowd": 0}
        for i, o in enumerate(oois, start=1)
        if o.isupper()
    ]
    dets = [
        {"image_id": i, "category_id": knife_id, "score": scores[o], "bbox": [10, 10, 30, 20]}
        for i, o in enumerate(oois, start=1)
        if o in scores
    ]
    return {"images": images, "annotations": anns, "categories": cats}, dets


def test_merged_folders_are_one_set() -> None:
    a = _part("ABc", 1, {"A": 0.9, "B": 0.6, "c": 0.5})
    b = _part("Dde", 2, {"D": 0.8, "d": 0.7, "e": 0.2})
    gt, dets = merge_predictions([(Path("a"), *a), (Path("b"), *b)])
    assert [im["id"] for im in gt["images"]] == [1, 2, 3, 4, 5, 6]
    assert len({x["id"] for x in gt["annotations"]}) == 3
    knife = next(c["id"] for c in gt["categories"] if c["name"] == "knife")
    assert {d["category_id"] for d in dets} == {knife} and {a["category_id"] for a in gt["annotations"]} == {knife}
    m = summarise(gt, dets, ["knife", "phone"], **KW)
    # every knife ranked above the clean parcels but d (0.7): Pd 1 needs threshold 0.6, so c (0.5) passes and d alarms
    assert m["n_parcels"] == 6 and m["prohibited"]["Pd"] == 1.0
    assert m["prohibited"]["Pfa"] == pytest.approx(1 / 3)
    # folder b alone: the same detections through its own ids
    alone = summarise(b[0], b[1], ["knife", "phone"], **KW)
    assert alone["n_parcels"] == 3 and alone["per_category"]["knife"]["n_gt"] == 1


def test_the_same_parcels_twice_or_other_categories_are_refused() -> None:
    a = _part("ABc", 1, {"A": 0.9})
    with pytest.raises(ConfigError, match="count twice"):
        merge_predictions([(Path("a"), *a), (Path("a2"), *_part("Ax", 1, {}))])
    other = _part("Dd", 1, {})
    other[0]["categories"] = [{"id": 1, "name": "knife"}]
    with pytest.raises(ConfigError, match="categories differ"):
        merge_predictions([(Path("a"), *a), (Path("b"), *other)])
    with pytest.raises(ConfigError):
        merge_predictions([])
