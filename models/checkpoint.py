"""The self-describing checkpoint: one ``torch.save`` file holding the weights and everything needed to use them.

Keys (format ``nii-detector`` version 1): ``arch`` and ``arch_config`` (``build_model(arch, **arch_config)``),
``categories`` (class names in order), ``input`` (models.preprocess.InputSpec: channels, mm/pixel, normalisation),
``thresholds`` (per-category operating score), ``train_config``, ``dataset`` (path, hash, sizes), ``metrics``,
``version``, ``created``, ``state_dict``. Loaded with ``weights_only=True``: plain containers and tensors only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from models.base import DetectorModel
from models.preprocess import InputSpec
from models.registry import build_model
from nii.errors import ModelError

FORMAT = "nii-detector"
FORMAT_VERSION = 1
REQUIRED = ("format", "format_version", "arch", "arch_config", "categories", "input", "state_dict", "version")


@dataclass
class Checkpoint:
    """A detector and its description; ``build()`` returns the network with the weights loaded (eval mode)."""

    arch: str
    arch_config: dict[str, Any]
    categories: list[str]
    input: InputSpec
    state_dict: dict[str, torch.Tensor]
    version: str
    thresholds: dict[str, float] = field(default_factory=dict)
    train_config: dict[str, Any] = field(default_factory=dict)
    dataset: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def build(self) -> DetectorModel:
        try:
            model = build_model(self.arch, **self.arch_config)
        except (TypeError, ValueError) as exc:
            raise ModelError(f"cannot build {self.arch!r} from the checkpoint's config: {exc}") from exc
        if model.num_classes != len(self.categories):
            raise ModelError(f"model has {model.num_classes} classes but the checkpoint names {len(self.categories)}")
        try:
            model.load_state_dict(self.state_dict)
        except RuntimeError as exc:
            raise ModelError(f"weights do not fit architecture {self.arch!r}: {str(exc)[:400]}") from exc
        return model.eval()

    def threshold(self, category: str, default: float = 0.3) -> float:
        return float(self.thresholds.get(category, default))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "arch": self.arch,
            "arch_config": self.arch_config,
            "categories": list(self.categories),
            "input": self.input.to_dict(),
            "thresholds": {k: float(v) for k, v in self.thresholds.items()},
            "train_config": self.train_config,
            "dataset": self.dataset,
            "metrics": self.metrics,
            "version": self.version,
            "created": self.created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "extra": self.extra,
            "state_dict": {k: v.detach().cpu() for k, v in self.state_dict.items()},
        }

    def describe(self) -> dict[str, Any]:
        """The checkpoint's metadata without the weights (for model cards and ``nii models list``)."""
        d = self.to_dict()
        d.pop("state_dict")
        d["parameters"] = int(sum(v.numel() for v in self.state_dict.values() if v.is_floating_point()))
        return d


def from_model(model: DetectorModel, *, arch: str, arch_config: dict[str, Any], **meta: Any) -> Checkpoint:
    """A Checkpoint of ``model``'s current weights with the given metadata (see Checkpoint's fields)."""
    # contiguous: a model trained in channels_last memory format saves ordinary tensors
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    return Checkpoint(arch=arch, arch_config=dict(arch_config), state_dict=state, **meta)


def save_checkpoint(ckpt: Checkpoint, path: str | os.PathLike[str]) -> Path:
    """Writes atomically (temporary file + rename), so a crash never leaves half a checkpoint."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(ckpt.to_dict(), tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Reads and validates a checkpoint; ModelError saying what is wrong for a missing, corrupt or foreign file."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"checkpoint {path} does not exist")
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch.load fails in many ways on foreign bytes; all mean "not a checkpoint"
        raise ModelError(f"checkpoint {path} is corrupt or not a torch file: {str(exc)[:300]}") from exc
    return parse_checkpoint(raw, str(path))


def parse_checkpoint(raw: object, source: str = "<checkpoint>") -> Checkpoint:
    """Validates the loaded mapping (see the module docstring) and returns a Checkpoint."""
    if not isinstance(raw, dict):
        raise ModelError(f"{source}: expected a checkpoint mapping, got {type(raw).__name__}")
    if raw.get("format") != FORMAT:
        got = raw.get("format")
        raise ModelError(f"{source}: format {got!r}; expected {FORMAT!r} (not an NII detector checkpoint)")
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise ModelError(f"{source}: missing keys {missing}")
    if raw["format_version"] != FORMAT_VERSION:
        raise ModelError(f"{source}: format_version {raw['format_version']!r}; this code reads {FORMAT_VERSION}")
    cats = raw["categories"]
    if not isinstance(cats, list) or not cats or not all(isinstance(c, str) for c in cats):
        raise ModelError(f"{source}: categories must be a non-empty list of names, got {cats!r:.100}")
    if len(set(cats)) != len(cats):
        raise ModelError(f"{source}: duplicate category names")
    sd = raw["state_dict"]
    if not isinstance(sd, dict) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise ModelError(f"{source}: state_dict must map names to tensors")
    thresholds = raw.get("thresholds") or {}
    unknown = sorted(set(thresholds) - set(cats))
    if unknown:
        raise ModelError(f"{source}: thresholds for unknown categories {unknown}")
    if not isinstance(raw["input"], dict) or not isinstance(raw["arch_config"], dict):
        raise ModelError(f"{source}: 'input' and 'arch_config' must be mappings")
    return Checkpoint(
        arch=str(raw["arch"]),
        arch_config=dict(raw["arch_config"]),
        categories=list(cats),
        input=InputSpec.from_dict(raw["input"]),
        state_dict=sd,
        version=str(raw["version"]),
        thresholds={k: float(v) for k, v in thresholds.items()},
        train_config=dict(raw.get("train_config") or {}),
        dataset=dict(raw.get("dataset") or {}),
        metrics=dict(raw.get("metrics") or {}),
        created=str(raw.get("created", "")),
        extra=dict(raw.get("extra") or {}),
    )


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def checkpoint_bytes(ckpt: Checkpoint) -> bytes:
    """The serialised checkpoint (for hashing / uploads)."""
    buf = io.BytesIO()
    torch.save(ckpt.to_dict(), buf)
    return buf.getvalue()
