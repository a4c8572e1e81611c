from __future__ import annotations

from typing import Any

from training.evaluate import choose_cross_view, rescore_cross_view

KW: dict[str, Any] = {"group": ["knife"], "target_pd": {"knife": 0.95}, "default_threshold": 0.3}


def _gt() -> dict[str, Any]:
    """Parcels A-D seen from two views (images 1-8), E-F from one (9-10); a knife in each view of A-C and E."""
    views = [(p, v) for p in "ABCD" for v in (0, 1)] + [("E", 0), ("F", 0)]
    images = [
        {"id": i, "ooi_id": p, "view": v, "width": 300, "height": 200, "pixel_spacing_mm": [1.0, 1.0]}
        for i, (p, v) in enumerate(views, start=1)
    ]
    knives = [1, 2, 3, 4, 5, 6, 9]
    anns = [
        {"id": i, "image_id": i, "category_id": 1, "bbox": [10, 20, 40, 30], "area": 1200, "iscrowd": 0} for i in knives
    ]
    return {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "knife"}]}


def _det(image_id: int, score: float, x: float) -> dict[str, Any]:
    return {"image_id": image_id, "category_id": 1, "score": score, "bbox": [x, 20, 40, 30]}


def test_confirmation_is_chosen_where_it_removes_false_alarms() -> None:
    gt = _gt()
    # the knives score 0.8-0.9 in both views of A-C and 0.7 in E; a knife lookalike scores 0.8 in the top view of
    # the clean parcel D only (the side view does not see a knife there), another 0.45 in the clean parcel F
    dets = [_det(i, s, 10) for i, s in zip([1, 2, 3, 4, 5, 6, 9], [0.9, 0.8, 0.8, 0.9, 0.85, 0.85, 0.7])]
    dets += [_det(7, 0.8, 150), _det(10, 0.45, 150)]
    cv, grid = choose_cross_view(gt, dets, ["knife"], **KW)
    assert grid[0]["unconfirmed"] == 1 and len(grid) == 11
    assert grid[0]["Pfa"] == 0.5  # threshold 0.7 (E) for Pd 1: D (0.8) alarms, F (0.45) does not
    assert cv is not None and 0.8 * cv.unconfirmed < 0.7  # D must fall under E
    chosen = next(g for g in grid if g["unconfirmed"] == cv.unconfirmed and g["min_overlap"] == cv.min_overlap)
    assert chosen["Pfa"] == 0.0 and chosen["Pd"] == 1.0
    out = rescore_cross_view(gt, dets, cv)
    assert out[0]["score"] == 0.9 * (cv.unconfirmed + (1 - cv.unconfirmed) * 0.8)  # confirmed by the side view
    assert [d["score"] for d in out[6:]] == [0.7, 0.8 * cv.unconfirmed, 0.45]  # single-view parcels keep theirs
    assert dets[7]["score"] == 0.8  # the input is not changed


def test_no_confirmation_where_it_does_not_help() -> None:
    gt = _gt()
    dets = [_det(i, 0.9, 10) for i in [1, 2, 3, 4, 5, 6, 9]]  # already perfect
    cv, grid = choose_cross_view(gt, dets, ["knife"], **KW)
    assert cv is None and grid[0]["Pfa"] == 0.0
