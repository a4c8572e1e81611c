"""Cross-view confirmation for dual-view (and multi-view) line scanners.

A line scanner builds every view of a parcel from the same belt travel: the image columns of its views are the same
positions along the belt (the simulator's views, and the usual export of dual-view parcel scanners). An object seen
in one view therefore lies at the same columns in the other; its rows (across the belt, or the height) differ. A
detection that no other view confirms, with a detection of the same category over nearly the same columns, is less
likely right than one the other view sees too: its score is scaled down,

    score * (unconfirmed + (1 - unconfirmed) * support),

support being the best score of such a detection in the other views (0 where there is none, 1 at most). A detection
both views see strongly keeps nearly its score; a single-view scanner's parcels score as before. What this buys is
fewer false alarms: a lookalike that resembles a knife from above rarely resembles one from the side as well. An
object the other view truly hides (a blade seen edge-on) still gets the weak support of whatever the other view
makes of it. Views are confirmed against each other only where they are aligned: the same number of columns at the
same column spacing. ``unconfirmed`` and ``min_overlap`` are chosen on validation data when a checkpoint is
calibrated (``nii evaluate --calibrate``: the setting of fewest false alarms at the target Pd that keeps mAP50) and
stored in its ``extra['cross_view']``; a checkpoint without them does not confirm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nii.errors import ModelError


@dataclass(frozen=True)
class CrossView:
    """unconfirmed: the factor on the score of a detection no other view confirms (1: off); min_overlap: least
    overlap (intersection over union) of two detections' column intervals for one to confirm the other."""

    unconfirmed: float = 0.7
    min_overlap: float = 0.7

    def __post_init__(self) -> None:
        if not 0.0 <= self.unconfirmed <= 1.0:
            raise ModelError(f"cross-view unconfirmed factor {self.unconfirmed} out of range; expected 0-1")
        if not 0.0 < self.min_overlap <= 1.0:
            raise ModelError(f"cross-view min_overlap {self.min_overlap} out of range; expected above 0, at most 1")

    def to_dict(self) -> dict[str, float]:
        return {"unconfirmed": self.unconfirmed, "min_overlap": self.min_overlap}

    @classmethod
    def from_dict(cls, raw: Any) -> CrossView | None:
        """The setting a checkpoint stores (None: absent, or a factor of 1)."""
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            raise ModelError(f"checkpoint extra['cross_view'] is {type(raw).__name__}; expected a mapping")
        try:
            cv = cls(unconfirmed=float(raw["unconfirmed"]), min_overlap=float(raw["min_overlap"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(
                f"checkpoint extra['cross_view'] {dict(raw)} is not unconfirmed + min_overlap: {exc}"
            ) from exc
        return cv if cv.unconfirmed < 1 else None


def alignment_key(cols: int, spacing_mm: float | Sequence[float] | None) -> tuple[int, float | None]:
    """Views with equal keys share their columns (belt positions): column count and column spacing (spacing_mm:
    (row, column) spacing, or one number for square pixels, or None where unknown)."""
    if spacing_mm is None:
        return int(cols), None
    col = spacing_mm if isinstance(spacing_mm, (int, float)) else spacing_mm[1]
    return int(cols), round(float(col), 2)


def confirm(
    views: Sequence[int],
    categories: Sequence[str],
    scores: Sequence[float],
    columns: Sequence[tuple[float, float]],
    cv: CrossView,
) -> np.ndarray:
    """New scores for the detections of one parcel's two or more aligned views (the caller knows the views; one
    of them may have no detections): detection i is in view ``views[i]``, of ``categories[i]``, scored
    ``scores[i]``, over columns ``columns[i]`` (x1, x2)."""
    s = np.asarray(scores, np.float64)
    out = s.copy()
    if cv.unconfirmed >= 1 or not len(s):
        return out
    view = np.asarray(views, np.int64)
    cat = np.asarray(categories)
    x = np.asarray(columns, np.float64).reshape(-1, 2)
    for c in np.unique(cat):
        idx = np.flatnonzero(cat == c)
        x1, x2 = x[idx, 0], x[idx, 1]
        inter = np.clip(np.minimum(x2[:, None], x2[None, :]) - np.maximum(x1[:, None], x1[None, :]), 0.0, None)
        union = (x2 - x1)[:, None] + (x2 - x1)[None, :] - inter
        overlap = inter / np.maximum(union, 1e-9)
        other = view[idx][:, None] != view[idx][None, :]
        support = np.where(other & (overlap >= cv.min_overlap), s[idx][None, :], 0.0).max(axis=1)
        out[idx] = s[idx] * (cv.unconfirmed + (1.0 - cv.unconfirmed) * np.minimum(support, 1.0))
    return out
