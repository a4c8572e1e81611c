from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from nii.scan import Scan
from nii.taxonomy import load_taxonomy
from tests.training.synthetic import make_dataset

SCANS: dict[str, Scan] = {}


@pytest.fixture
def synth_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, int, int], Path]:
    """Makes a simulator-like folder (annotations.json + config.json); scans are served from memory through
    training.data.read_parcels, so these tests do not depend on the DICOS reader."""
    import training.data as td

    def reader(data_dir: Path, folders: list[str]) -> dict[str, Scan]:
        return {f: SCANS[f"{data_dir}/{f}"] for f in folders}

    monkeypatch.setattr(td, "read_parcels", reader)
    monkeypatch.setattr("training.evaluate.read_parcels", reader)

    def make(name: str, n: int, seed: int) -> Path:
        d = tmp_path / name
        d.mkdir()
        scans, coco = make_dataset(n, seed, load_taxonomy().names)
        for folder, scan in scans.items():
            SCANS[f"{d}/{folder}"] = scan
        (d / "annotations.json").write_text(json.dumps(coco))
        (d / "config.json").write_text(json.dumps({"seed": seed, "parcels": n}))
        return d

    return make
