"""Detections and the detector protocol that ``nii`` uses without importing ``models``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from nii.errors import ModelError
from nii.scan import Scan


@dataclass(frozen=True)
class Detection:
    """One detected object.

    box: pixel coordinates [x1, y1, x2, y2] of view ``view`` (columns then rows, origin top left).
    """

    category: str
    score: float
    box: tuple[float, float, float, float]
    view: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "category": self.category,
            "score": round(float(self.score), 4),
            "box": [round(float(v), 1) for v in self.box],
            "view": self.view,
        }


@runtime_checkable
class Detector(Protocol):
    """What the domain needs of a detector: a name, a version and detections for a scan."""

    name: str
    version: str

    def detect(self, scan: Scan) -> list[Detection]: ...


def load_default_detector(path: str | os.PathLike[str] | None = None) -> Detector:
    """The detector registered under the ``nii.detectors`` entry point ``default`` (the shipped model).

    path: a checkpoint the entry point should load instead of the shipped one (``nii inspect --model PATH``).
    """
    eps = entry_points(group="nii.detectors")
    matches = [ep for ep in eps if ep.name == "default"]
    if not matches:
        raise ModelError("no default detector is installed (entry point group 'nii.detectors', name 'default')")
    loader = matches[0].load()
    detector = loader(path) if path is not None else loader()
    if not isinstance(detector, Detector):
        raise ModelError(f"default detector loader returned {type(detector).__name__}, not a Detector")
    return detector
