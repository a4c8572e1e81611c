"""A simple on-disk model registry under ``$NII_DATA_DIR/models`` (default ``./data/models``).

Layout: ``<id>.pt`` checkpoints (id = ``<arch>-<version>-<first 8 hex of the file's SHA-256>``) and
``registry.json`` = {"champion": id | null, "history": [previous champions, oldest first], "models": {id: meta}}.
With no champion set, the model shipped in models/weights/ is the champion. Writes are atomic (temp + rename).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from models.checkpoint import file_sha256, load_checkpoint
from nii.errors import ModelError


def data_dir() -> Path:
    return Path(os.environ.get("NII_DATA_DIR", "data"))


class ModelStore:
    """Registered checkpoints and the champion pointer (see the module docstring)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else data_dir() / "models"

    @property
    def index_path(self) -> Path:
        return self.root / "registry.json"

    def _read(self) -> dict[str, Any]:
        if not self.index_path.is_file():
            return {"champion": None, "history": [], "models": {}}
        try:
            with open(self.index_path, encoding="utf-8") as f:
                data: dict[str, Any] = json.load(f)
        except json.JSONDecodeError as exc:
            raise ModelError(f"model registry {self.index_path} is corrupt: {exc}") from exc
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.index_path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
        os.replace(tmp, self.index_path)

    def add(self, path: str | os.PathLike[str]) -> str:
        """Validates and copies a checkpoint into the registry; returns its id (idempotent)."""
        ck = load_checkpoint(path)
        mid = f"{ck.arch}-{ck.version}-{file_sha256(path)[:8]}"
        data = self._read()
        dest = self.root / f"{mid}.pt"
        if not dest.is_file():
            self.root.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest.with_suffix(".tmp"))
            os.replace(dest.with_suffix(".tmp"), dest)
        brief = {k: ck.metrics.get(k) for k in ("mAP50", "mAP50_95", "evaluated_on") if k in ck.metrics}
        data["models"][mid] = {
            "arch": ck.arch,
            "version": ck.version,
            "source": str(path),
            "metrics": brief,
            "created": ck.created,
        }
        self._write(data)
        return mid

    def promote(self, ref: str) -> str:
        """Makes ``ref`` (a registered id, or a checkpoint path, added first) the champion; returns its id."""
        data = self._read()
        mid = ref if ref in data["models"] else self.add(ref) if Path(ref).is_file() else None
        if mid is None:
            raise ModelError(f"{ref!r} is neither a registered model id nor a checkpoint file")
        data = self._read()
        if data["champion"] and data["champion"] != mid:
            data["history"].append(data["champion"])
        data["champion"] = mid
        self._write(data)
        return mid

    def rollback(self) -> str | None:
        """Restores the previous champion (None = back to the shipped model); returns the new champion."""
        data = self._read()
        if data["champion"] is None:
            raise ModelError("nothing to roll back: the shipped model is already the champion")
        data["champion"] = data["history"].pop() if data["history"] else None
        self._write(data)
        return str(data["champion"]) if data["champion"] else None

    def champion(self) -> str | None:
        c = self._read()["champion"]
        return str(c) if c else None

    def champion_path(self) -> Path | None:
        c = self.champion()
        if c is None:
            return None
        path = self.root / f"{c}.pt"
        if not path.is_file():
            raise ModelError(f"champion {c} is registered but {path} is missing")
        return path

    def list(self) -> dict[str, dict[str, Any]]:
        models: dict[str, dict[str, Any]] = self._read()["models"]
        return models
