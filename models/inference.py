"""The inference wrapper: a thread-safe, batchable :class:`TorchDetector` implementing nii.detection.Detector,
rebuilt entirely from a checkpoint (architecture, weights, preprocessing, category names, thresholds).

Boxes come back in the original view's pixel coordinates [x1, y1, x2, y2]. ``load_shipped_detector`` is the
``nii.detectors`` entry point ``default``: the checkpoint named by its argument, else ``NII_MODEL_PATH``, else the
champion of the on-disk model registry (models.store), else the model shipped in models/weights/.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from models.backends import BACKENDS, make_runner
from models.checkpoint import Checkpoint, load_checkpoint
from models.preprocess import pad_channels, preprocess_view
from nii.detection import Detection
from nii.errors import ModelError
from nii.scan import Scan

log = logging.getLogger(__name__)
SHIPPED = Path(__file__).resolve().parent / "weights" / "nii_det.pt"


class TorchDetector:
    """Detections for scans from one checkpoint.

    backend: ``auto`` (the faster backend recorded in the checkpoint's ``extra['inference_backend']``, else
    eager), ``eager``, ``torchscript`` or ``onnx``; any backend that fails to build falls back to eager.
    threads: torch / ONNX Runtime intra-op threads (None: leave torch's setting).
    """

    def __init__(
        self, ckpt: Checkpoint, *, backend: str = "auto", threads: int | None = None, max_detections: int = 100
    ) -> None:
        self.ckpt = ckpt
        self.name = f"{ckpt.arch}"
        self.version = ckpt.version
        self.categories = list(ckpt.categories)
        self.spec = ckpt.input
        self.max_detections = max_detections
        self.thresholds = np.array([ckpt.threshold(c) for c in self.categories], np.float32)
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
        """One forward pass over every view of ``scans`` (padded to a common size); per scan its detections."""
        items = []
        for si, scan in enumerate(scans):
            for view in scan.views:
                chans, scale = preprocess_view(view, self.spec)
                items.append((si, view.index, chans, scale, view.shape))
        out: list[list[Detection]] = [[] for _ in scans]
        if not items:
            return out
        h = max(it[2].shape[1] for it in items)
        w = max(it[2].shape[2] for it in items)
        batch = torch.from_numpy(np.stack([pad_channels(it[2], self.spec, (h, w)) for it in items]))
        with self._lock:
            if self.model.exportable:
                preds = self.model.decode(self._run(batch), score_threshold=0.01, max_detections=self.max_detections)
            else:
                with torch.inference_mode():
                    preds = self.model.predict(batch, score_threshold=0.01, max_detections=self.max_detections)
        for (si, vi, _chans, (sx, sy), (rows, cols)), p in zip(items, preds):
            boxes = p["boxes"].numpy().astype(np.float64)
            scores = p["scores"].numpy()
            labels = p["labels"].numpy()
            keep = scores >= (self.thresholds[labels] if min_score is None else min_score)
            for b, s, lab in zip(boxes[keep], scores[keep], labels[keep]):
                x1, x2 = (float(np.clip(v / sx, 0, cols)) for v in (b[0], b[2]))
                y1, y2 = (float(np.clip(v / sy, 0, rows)) for v in (b[1], b[3]))
                out[si].append(Detection(self.categories[int(lab)], float(s), (x1, y1, x2, y2), vi))
        return out


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
    """The ``nii.detectors`` ``default`` entry point: the detector nii inspect / nii detect use."""
    return load_detector(resolve_model_path(path))
