"""Detection metrics: COCO mAP (faster-coco-eval, the pycocotools algorithm), parcel-level Pd / Pfa for a group of
categories, operating thresholds for a target Pd, and a detection confusion matrix.

Inputs share one frame: ``gt`` is a COCO dict (images, annotations with bbox [x, y, w, h] pixels, categories with
ids = index + 1); ``dets`` a list of {image_id, category_id, bbox [x, y, w, h], score}. A parcel groups the images
(views) that share ``ooi_id``.
"""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from faster_coco_eval import COCO, COCOeval_faster

logging.getLogger("faster_coco_eval").setLevel(logging.WARNING)


def coco_map(gt: dict[str, Any], dets: list[dict[str, Any]]) -> dict[str, Any]:
    """``mAP50``, ``mAP50_95`` overall, ``per_category`` {name: {AP50, AP50_95, n_gt}} and ``pr50`` {name:
    {recall, precision}} (101-point interpolated precision at IoU 0.5). AP of a category without ground truth is
    omitted (COCO convention)."""
    names = {int(c["id"]): str(c["name"]) for c in gt["categories"]}
    n_gt: dict[int, int] = defaultdict(int)
    for a in gt["annotations"]:
        n_gt[int(a["category_id"])] += 1
    empty = {"mAP50": 0.0, "mAP50_95": 0.0, "per_category": {}, "pr50": {}}
    if not gt["annotations"]:
        return empty
    gt_api = COCO(copy.deepcopy(gt))
    if not dets:
        return {**empty, "per_category": {names[c]: {"AP50": 0.0, "AP50_95": 0.0, "n_gt": n} for c, n in n_gt.items()}}
    dt_api = gt_api.loadRes(copy.deepcopy(dets))
    ev = COCOeval_faster(gt_api, dt_api, iouType="bbox")
    ev.params.maxDets = [1, 10, 100]
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    prec = np.asarray(ev.eval["precision"])  # [T iou, R recall, K cat, A area, M maxdets]
    cat_ids = list(ev.params.catIds)
    recall_pts = np.asarray(ev.params.recThrs)
    per: dict[str, dict[str, float]] = {}
    pr: dict[str, dict[str, list[float]]] = {}
    ap50_all, ap_all = [], []
    for k, cid in enumerate(cat_ids):
        if n_gt.get(int(cid), 0) == 0:
            continue
        p = prec[:, :, k, 0, -1]
        p50 = p[0]
        ap50 = float(np.mean(np.where(p50 > -1, p50, 0)))
        ap = float(np.mean(np.where(p > -1, p, 0)))
        per[names[int(cid)]] = {"AP50": ap50, "AP50_95": ap, "n_gt": int(n_gt[int(cid)])}
        pr[names[int(cid)]] = {"recall": recall_pts.tolist(), "precision": np.clip(p50, 0, 1).tolist()}
        ap50_all.append(ap50)
        ap_all.append(ap)
    return {
        "mAP50": float(np.mean(ap50_all)) if ap50_all else 0.0,
        "mAP50_95": float(np.mean(ap_all)) if ap_all else 0.0,
        "per_category": per,
        "pr50": pr,
    }


def map_by_view(gt: dict[str, Any], dets: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """:func:`coco_map` of each view index separately ({"0": ..., "1": ...}; images without ``view`` are view 0),
    {} when every image is view 0. A dual-view scanner's (and the simulator's) view 0 is the top view, view 1 the
    side view, where objects are seen edge-on and behind the whole width of the parcel."""
    views: dict[int, set[int]] = defaultdict(set)
    for im in gt["images"]:
        views[int(im.get("view", 0))].add(int(im["id"]))
    if set(views) <= {0}:
        return {}
    out = {}
    for v, ids in sorted(views.items()):
        sub = {
            **gt,
            "images": [im for im in gt["images"] if int(im["id"]) in ids],
            "annotations": [a for a in gt["annotations"] if int(a["image_id"]) in ids],
        }
        m = coco_map(sub, [d for d in dets if int(d["image_id"]) in ids])
        out[str(v)] = {
            "mAP50": m["mAP50"],
            "mAP50_95": m["mAP50_95"],
            "n_images": len(ids),
            "AP50": {c: p["AP50"] for c, p in m["per_category"].items()},
        }
    return out


def parcel_truth(gt: dict[str, Any]) -> dict[str, set[str]]:
    """ooi_id -> set of category names present in any of its views (every parcel listed, empty set if clean)."""
    names = {int(c["id"]): str(c["name"]) for c in gt["categories"]}
    img_parcel = {int(im["id"]): str(im.get("ooi_id", im["id"])) for im in gt["images"]}
    out: dict[str, set[str]] = {p: set() for p in img_parcel.values()}
    for a in gt["annotations"]:
        out[img_parcel[int(a["image_id"])]].add(names[int(a["category_id"])])
    return out


def parcel_scores(gt: dict[str, Any], dets: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """ooi_id -> {category: highest score of any detection of that category in the parcel's views}."""
    names = {int(c["id"]): str(c["name"]) for c in gt["categories"]}
    img_parcel = {int(im["id"]): str(im.get("ooi_id", im["id"])) for im in gt["images"]}
    out: dict[str, dict[str, float]] = {p: {} for p in img_parcel.values()}
    for d in dets:
        p, c = img_parcel[int(d["image_id"])], names[int(d["category_id"])]
        out[p][c] = max(out[p].get(c, 0.0), float(d["score"]))
    return out


def pd_pfa(
    truth: Mapping[str, set[str]],
    scores: Mapping[str, Mapping[str, float]],
    group: Sequence[str],
    thresholds: Mapping[str, float],
) -> dict[str, Any]:
    """Parcel-level probability of detection and false-alarm rate for ``group``.

    A parcel alarms when any category of the group scores at least its threshold. Pd = alarmed parcels among those
    holding a group item; Pfa = alarmed parcels among those holding none. Counts are returned too, and what raises
    the false alarms: ``false_alarms_by`` {category: clean parcels where it reaches its threshold} and
    ``false_alarms_alone`` {category: clean parcels where it is the only one that does}; and each category's own
    Pd, what its threshold is chosen for: ``pd_by`` {category: share of the parcels holding it where it reaches its
    threshold} over ``positive_by`` {category: those parcels} (a parcel another category alarms counts for the
    group's Pd, not for this one's).
    """
    pos = [p for p, cats in truth.items() if cats & set(group)]
    neg = [p for p, cats in truth.items() if not cats & set(group)]

    def triggers(p: str) -> list[str]:
        s = scores.get(p, {})
        return [c for c in group if s.get(c, 0.0) >= thresholds[c]]

    tp = sum(bool(triggers(p)) for p in pos)
    raised = [triggers(p) for p in neg]
    holding = {c: [p for p, cats in truth.items() if c in cats] for c in group}
    return {
        "Pd": tp / len(pos) if pos else float("nan"),
        "Pfa": sum(bool(t) for t in raised) / len(neg) if neg else float("nan"),
        "n_positive": len(pos),
        "n_negative": len(neg),
        "false_alarms_by": {c: sum(c in t for t in raised) for c in group},
        "false_alarms_alone": {c: sum(t == [c] for t in raised) for c in group},
        "positive_by": {c: len(ps) for c, ps in holding.items()},
        "pd_by": {
            c: sum(scores.get(p, {}).get(c, 0.0) >= thresholds[c] for p in ps) / len(ps) if ps else float("nan")
            for c, ps in holding.items()
        },
    }


def background_false_alarms(
    gt: dict[str, Any],
    dets: Iterable[Mapping[str, Any]],
    group: Sequence[str],
    thresholds: Mapping[str, float],
    located: Mapping[tuple[str, int], Sequence[tuple[str, Sequence[float]]]],
    *,
    min_cover: float = 0.3,
) -> dict[str, dict[str, int]]:
    """What the group's detections at their threshold that match no annotated box (IoU < 0.1 with each box of
    their image) lie on: per category, {kind of the located unannotated object covering most of the box (at least
    ``min_cover`` of it), else ``nothing located``: count}. located: (ooi_id, view) -> [(kind, [x1, y1, x2, y2])]
    in image pixels (the simulator's ``clutter_objects``)."""
    names = {int(c["id"]): str(c["name"]) for c in gt["categories"]}
    images = {int(im["id"]): (str(im.get("ooi_id", im["id"])), int(im.get("view", 0))) for im in gt["images"]}
    boxes: dict[int, list[list[float]]] = {}
    for a in gt["annotations"]:
        boxes.setdefault(int(a["image_id"]), []).append(_xyxy(a["bbox"]))
    out: dict[str, dict[str, int]] = {c: {} for c in group}
    for d in dets:
        c = names[int(d["category_id"])]
        if c not in out or float(d["score"]) < thresholds[c]:
            continue
        box = _xyxy(d["bbox"])
        if any(_iou(box, g) >= 0.1 for g in boxes.get(int(d["image_id"]), [])):
            continue
        area = max((box[2] - box[0]) * (box[3] - box[1]), 1e-9)
        best, under = min_cover, "nothing located"
        for kind, ob in located.get(images[int(d["image_id"])], []):
            if (cover := _intersection(box, ob) / area) >= best:
                best, under = cover, kind
        out[c][under] = out[c].get(under, 0) + 1
    return out


def choose_thresholds(
    truth: Mapping[str, set[str]],
    scores: Mapping[str, Mapping[str, float]],
    categories: Sequence[str],
    target_pd: Mapping[str, float],
    *,
    default: float = 0.3,
    floor: float = 0.05,
    ceiling: float = 0.9,
    fit_others: bool = False,
) -> dict[str, float]:
    """Per category, the highest score threshold whose parcel-level Pd for that category reaches its target.

    Categories without a target get, with ``fit_others``, the threshold of the best parcel-level F1 (is the
    category in the parcel?), which is what the cross-check's undeclared / not-found alerts ask of a detection;
    otherwise, or without positive parcels, ``default``. Thresholds stay within [``floor``, ``ceiling``]. Pd of
    category c: parcels holding c in which a c detection scores >= the threshold.
    """
    out: dict[str, float] = {}
    for c in categories:
        pos = [scores.get(p, {}).get(c, 0.0) for p, cats in truth.items() if c in cats]
        if not pos or (c not in target_pd and not fit_others):
            out[c] = default
            continue
        if c not in target_pd:
            neg = [scores.get(p, {}).get(c, 0.0) for p, cats in truth.items() if c not in cats]
            out[c] = best_f1_threshold(np.asarray(pos), np.asarray(neg), floor, ceiling)
            continue
        s = np.sort(np.asarray(pos))[::-1]
        k = int(np.ceil(target_pd[c] * len(s))) - 1  # the k-th best positive must pass
        out[c] = float(max(floor, min(ceiling, s[min(k, len(s) - 1)] - 1e-6)))
    return out


def best_f1_threshold(pos: np.ndarray, neg: np.ndarray, floor: float, ceiling: float) -> float:
    """The threshold in [floor, ceiling] with the best F1 of "score >= threshold" over positive and negative
    scores (ties: the highest); candidates are the scores themselves (just below each) and the bounds."""
    cands = np.unique(np.clip(np.concatenate([pos, neg]) - 1e-6, floor, ceiling))
    tp = (pos[None, :] >= cands[:, None]).sum(1)
    fp = (neg[None, :] >= cands[:, None]).sum(1)
    f1 = 2 * tp / np.maximum(2 * tp + fp + (len(pos) - tp), 1)
    best = np.flatnonzero(f1 == f1.max())[-1]
    return float(cands[best])


def confusion_matrix(
    gt: dict[str, Any], dets: Sequence[Mapping[str, Any]], thresholds: Mapping[int, float], iou: float = 0.5
) -> np.ndarray:
    """int [K + 1, K + 1]: rows true category (last = background: false detections), columns predicted (last =
    missed). Detections above their category threshold are matched greedily by score to any ground truth box
    with IoU >= ``iou``, regardless of category."""
    cats = sorted(int(c["id"]) for c in gt["categories"])
    pos = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    m = np.zeros((k + 1, k + 1), np.int64)
    gts: dict[int, list[tuple[list[float], int]]] = defaultdict(list)
    for a in gt["annotations"]:
        gts[int(a["image_id"])].append((_xyxy(a["bbox"]), int(a["category_id"])))
    dts: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for d in dets:
        if float(d["score"]) >= thresholds.get(int(d["category_id"]), 0.3):
            dts[int(d["image_id"])].append(d)
    for im in gt["images"]:
        iid = int(im["id"])
        g = gts.get(iid, [])
        used = [False] * len(g)
        for d in sorted(dts.get(iid, []), key=lambda d: -float(d["score"])):
            box = _xyxy(d["bbox"])
            best, bj = iou, -1
            for j, (gb, _) in enumerate(g):
                if not used[j]:
                    v = _iou(box, gb)
                    if v >= best:
                        best, bj = v, j
            if bj >= 0:
                used[bj] = True
                m[pos[g[bj][1]], pos[int(d["category_id"])]] += 1
            else:
                m[k, pos[int(d["category_id"])]] += 1
        for j, (_, c) in enumerate(g):
            if not used[j]:
                m[pos[c], k] += 1
    return m


def _xyxy(b: Sequence[float]) -> list[float]:
    return [float(b[0]), float(b[1]), float(b[0]) + float(b[2]), float(b[1]) + float(b[3])]


def _intersection(a: Sequence[float], b: Sequence[float]) -> float:
    """Area shared by two [x1, y1, x2, y2] boxes."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _iou(a: Sequence[float], b: Sequence[float]) -> float:
    inter = _intersection(a, b)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
