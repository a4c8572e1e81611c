"""The inference wrapper: a thread-safe, batchable :class:`TorchDetector` implementing nii.detection.Detector,
rebuilt entirely from a checkpoint (architecture, weights, preprocessing, category names, thresholds).

Boxes come back in the original view's pixel coordinates [x1, y1, x2, y2]. ``load_shipped_detector`` is the
``nii.detectors`` entry point ``default``: the checkpoint named by its argument, else ``NII_MODEL_PATH``, else the
champion of the on-disk model registry (models.store), else the model shipped in models/weights/.

A view whose pixel spacing is not known (``Scan.spacing_unknown``: a PNG or JPEG export, a screenshot, a DICOS file
without the attribute from a scanner that configs/scanners.yaml does not list) cannot be brought to the model's
mm/pixel from its header. The detector then tries each spacing of ``spacing_search`` and keeps the detections of
the one it is most confident at (the mean of its three best scores): the network sees objects at the size it was
trained on only near the right spacing. The choice leans to the coarsest candidate (larger objects score higher),
so the grid spans parcel scanners' spacings and no more; docs/detector.md has the measurements. It costs one pass
per candidate, for such views only.

The views of one parcel confirm each other's detections where the checkpoint says how (models.crossview: a
detection no other view sees at the same belt columns keeps only part of its score). That assumes the views'
columns are the same belt positions; for a scanner whose views are laid out otherwise, ``NII_CROSS_VIEW=off`` turns
it off in the default detector.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from models.backends import BACKENDS, make_runner
from models.checkpoint import Checkpoint, load_checkpoint
from models.crossview import CrossView, alignment_key, confirm
from models.preprocess import pad_channels, preprocess_view
from nii.detection import Detection
from nii.errors import ModelError
from nii.scan import Scan, View

log = logging.getLogger(__name__)
SHIPPED = Path(__file__).resolve().parent / "weights" / "nii_det.pt"
# spacings (mm/pixel) tried for a view without one: a geometric grid over parcel scanners' 0.7-1.6 mm
SPACING_SEARCH_MM = (0.7, 0.85, 1.0, 1.2, 1.4)
CROSS_VIEW_OFF = ("off", "0", "false", "no")


class TorchDetector:
    """Detections for scans from one checkpoint.

    backend: ``auto`` (the faster backend recorded in the checkpoint's ``extra['inference_backend']``, else
    eager), ``eager``, ``torchscript`` or ``onnx``; any backend that fails to build falls back to eager.
    threads: torch / ONNX Runtime intra-op threads (None: leave torch's setting).
    spacing_search: spacings (mm/pixel) tried for a view without pixel spacing (see the module docstring); empty:
    the checkpoint's ``default_spacing_mm`` stands in.
    cross_view: ``auto`` (the checkpoint's ``extra['cross_view']``, else none), a CrossView, or None (views do not
    confirm each other).
    """

    def __init__(
        self,
        ckpt: Checkpoint,
        *,
        backend: str = "auto",
        threads: int | None = None,
        max_detections: int = 100,
        spacing_search: Sequence[float] = SPACING_SEARCH_MM,
        cross_view: CrossView | str | None = "auto",
    ) -> None:
        if any(not (0.01 <= float(s) <= 50) for s in spacing_search):
            raise ModelError(f"spacing_search {list(spacing_search)} out of range; expected spacings of 0.01-50 mm")
        self.spacing_search = tuple(float(s) for s in spacing_search)
        self.ckpt = ckpt
        self.name = f"{ckpt.arch}"
        self.version = ckpt.version
        self.categories = list(ckpt.categories)
        self.spec = ckpt.input
        self.max_detections = max_detections
        self.thresholds = np.array([ckpt.threshold(c) for c in self.categories], np.float32)
        if cross_view == "auto":
            cross_view = CrossView.from_dict(ckpt.extra.get("cross_view"))
        elif isinstance(cross_view, str):
            raise ModelError(f"cross_view {cross_view!r}; expected 'auto', a CrossView or None")
        self.cross_view = cross_view
        if threads:
            torch.set_num_threads(threads)
        self.model = ckpt.build()
        if backend == "auto":
            backend = str(ckpt.extra.get("inference_backend", "eager"))
        if backend not in BACKENDS:
            raise ModelError(f"unknown inference backend {backend!r}; expected auto or one of {BACKENDS}")
        self.backend = backend if self.model.exportable else "eager"
        try:
            self._run = make_runner(self.model, self.backend, threads=threads)
        except Exception as exc:  # exporters fail in many ways; eager always works
            log.warning("backend %s unavailable (%s); using eager", self.backend, exc)
            self.backend = "eager"
            self._run = make_runner(self.model, "eager")
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TorchDetector({self.name} {self.version}, backend={self.backend})"

    def detect(self, scan: Scan) -> list[Detection]:
        """Detections above each category's operating threshold, all views."""
        return self.detect_batch([scan])[0]

    def detect_all(self, scan: Scan, min_score: float = 0.01) -> list[Detection]:
        """Every detection scoring at least ``min_score`` (for evaluation: PR curves, threshold choice)."""
        return self.detect_batch([scan], min_score=min_score)[0]

    def detect_batch(self, scans: Sequence[Scan], *, min_score: float | None = None) -> list[list[Detection]]:
        """Per scan its detections, every view of ``scans`` in one forward pass (padded to a common size); views
        without pixel spacing in one more pass per spacing of ``spacing_search``."""
        views = [(si, view) for si, scan in enumerate(scans) for view in scan.views]
        guessed = [g for scan in scans for g in scan.spacing_unknown()]
        unknown = [k for k in range(len(views)) if guessed[k] and self.spacing_search]
        known = sorted(set(range(len(views))) - set(unknown))
        found: dict[int, list[Detection]] = dict(zip(known, self._detect_views([views[k][1] for k in known])))
        if unknown:
            trials = [
                self._detect_views([replace(views[k][1], pixel_spacing_mm=(s, s)) for k in unknown])
                for s in self.spacing_search
            ]
            for j, k in enumerate(unknown):
                best = max(range(len(trials)), key=lambda t: _confidence(trials[t][j]))
                log.debug("view %d, spacing unknown: %.2f mm fits best", views[k][1].index, self.spacing_search[best])
                found[k] = trials[best][j]
        if self.cross_view is not None:
            _confirm_views(views, found, self.cross_view)
        floor = (
            dict(zip(self.categories, self.thresholds.tolist()))
            if min_score is None
            else dict.fromkeys(self.categories, min_score)
        )
        out: list[list[Detection]] = [[] for _ in scans]
        for k, (si, _view) in enumerate(views):
            out[si].extend(d for d in found[k] if d.score >= floor[d.category])
        return out

    def _detect_views(self, views: Sequence[View]) -> list[list[Detection]]:
        """Every detection scoring at least 0.01 of each view (boxes in its pixels), in one forward pass."""
        if not views:
            return []
        items = [preprocess_view(view, self.spec) for view in views]
        h = max(chans.shape[1] for chans, _scale in items)
        w = max(chans.shape[2] for chans, _scale in items)
        batch = torch.from_numpy(np.stack([pad_channels(chans, self.spec, (h, w)) for chans, _scale in items]))
        with self._lock:
            if self.model.exportable:
                preds = self.model.decode(self._run(batch), score_threshold=0.01, max_detections=self.max_detections)
            else:
                with torch.inference_mode():
                    preds = self.model.predict(batch, score_threshold=0.01, max_detections=self.max_detections)
        out: list[list[Detection]] = []
        for view, (_chans, (sx, sy)), p in zip(views, items, preds):
            rows, cols = view.shape
            # model input pixels -> the view's own pixels, clipped to the view (all boxes at once)
            boxes = p["boxes"].numpy().astype(np.float64) / np.array([sx, sy, sx, sy])
            boxes = np.clip(boxes, 0.0, np.array([cols, rows, cols, rows], np.float64))
            out.append(
                [
                    Detection(self.categories[int(lab)], float(s), (b[0], b[1], b[2], b[3]), view.index)
                    for b, s, lab in zip(boxes.tolist(), p["scores"].numpy().tolist(), p["labels"].tolist())
                ]
            )
        return out


def _confirm_views(views: Sequence[tuple[int, View]], found: dict[int, list[Detection]], cv: CrossView) -> None:
    """Rescores in place the detections of each parcel's aligned views (models.crossview)."""
    groups: dict[tuple[int, tuple[int, float | None]], list[int]] = {}
    for k, (si, view) in enumerate(views):
        groups.setdefault((si, alignment_key(view.shape[1], view.pixel_spacing_mm)), []).append(k)
    for ks in groups.values():
        if len(ks) < 2:
            continue
        dets = [(k, d) for k in ks for d in found[k]]
        scores = confirm(
            [d.view for _k, d in dets],
            [d.category for _k, d in dets],
            [d.score for _k, d in dets],
            [(d.box[0], d.box[2]) for _k, d in dets],
            cv,
        )
        for k in ks:
            found[k] = []
        for (k, d), s in zip(dets, scores.tolist()):
            found[k].append(replace(d, score=float(s)) if s != d.score else d)


def _confidence(dets: Sequence[Detection], k: int = 3) -> float:
    """Mean of the ``k`` best scores (missing ones count 0): how sure the model is of a view at one scale."""
    best = sorted((d.score for d in dets), reverse=True)[:k]
    return float(sum(best)) / k


def load_detector(path: str | os.PathLike[str], **kwargs: object) -> TorchDetector:
    """A TorchDetector from a checkpoint file (kwargs go to TorchDetector)."""
    return TorchDetector(load_checkpoint(path), **kwargs)  # type: ignore[arg-type]


def resolve_model_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Which checkpoint the default detector uses (see the module docstring)."""
    if path:
        return Path(path)
    env = os.environ.get("NII_MODEL_PATH")
    if env:
        return Path(env)
    from models.store import ModelStore

    champion = ModelStore().champion_path()
    if champion is not None:
        return champion
    if not SHIPPED.is_file():
        raise ModelError(f"no shipped model at {SHIPPED}; train one (nii train) or set NII_MODEL_PATH")
    return SHIPPED


def load_shipped_detector(path: str | os.PathLike[str] | None = None) -> TorchDetector:
    """The ``nii.detectors`` ``default`` entry point: the detector nii inspect / nii detect use. ``NII_CROSS_VIEW``
    ``off`` (or ``0``, ``false``, ``no``): views do not confirm each other's detections; unset or ``auto``: as the
    checkpoint says."""
    setting = os.environ.get("NII_CROSS_VIEW", "auto").strip().lower()
    if setting not in (*CROSS_VIEW_OFF, "", "auto"):
        raise ModelError(f"NII_CROSS_VIEW={setting!r}; expected auto or off")
    return load_detector(resolve_model_path(path), cross_view=None if setting in CROSS_VIEW_OFF else "auto")
