"""The real file path: parcels written as DICOS by nii.dicos, read back by nii.io.read_scans into the cache, and
``nii bench detect`` on them. Skipped until the reader (nii.io.read_scans) is installed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models import build_model
from models.checkpoint import from_model, save_checkpoint
from models.preprocess import InputSpec
from nii.taxonomy import load_taxonomy
from tests.training.synthetic import make_dataset
from training.data import build_cache

nii_io = pytest.importorskip("nii.io")
if not hasattr(nii_io, "read_scans"):
    pytest.skip("nii.io.read_scans not available yet", allow_module_level=True)


def _write(tmp_path: Path, n: int) -> Path:
    from nii.dicos import write_dx

    cats = load_taxonomy().names
    scans, coco = make_dataset(n, 7, cats)
    for img in coco["images"]:
        folder = str(Path(img["file_name"]).parent)
        paths = write_dx(scans[folder], tmp_path / folder)
        img["file_name"] = str(paths[0].relative_to(tmp_path))
    (tmp_path / "annotations.json").write_text(json.dumps(coco))
    return tmp_path


def test_cache_from_dicos_matches_annotations(tmp_path: Path) -> None:
    data = _write(tmp_path / "data", 4)
    spec = InputSpec(mm_per_px=3.0)
    views = build_cache(data, tmp_path / "cache", spec, load_taxonomy().names)
    coco = json.loads((data / "annotations.json").read_text())
    assert len(views) == len(coco["images"])
    for v in views:
        arr = np.load(tmp_path / "cache" / v.file)
        assert arr.shape[-1] == 2 and v.scale == pytest.approx((0.5, 0.5))
        n = sum(1 for a in coco["annotations"] if a["image_id"] == v.image_id)
        assert len(v.boxes) == n
        for x1, y1, x2, y2 in v.boxes:  # objects are drawn with attenuation >= 0.7 over the parcel's 0.15
            assert arr[int(y1) + 1 : int(y2) - 1, int(x1) + 1 : int(x2) - 1, 0].astype(np.float32).mean() > 0.5
    again = build_cache(data, tmp_path / "cache", spec, load_taxonomy().names)
    assert [v.file for v in again] == [v.file for v in views]


def test_bench_detect_runs_both_detectors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nii.cli import main

    data = _write(tmp_path / "data", 3)
    cats = load_taxonomy().names
    cfg = {"num_classes": len(cats), "stem": 8, "widths": [16, 16, 16, 16], "depths": [1, 1, 1, 1]}
    ck = from_model(
        build_model("nii_det", **cfg),
        arch="nii_det",
        arch_config=cfg,
        categories=cats,
        input=InputSpec(mm_per_px=3.0),
        version="t",
    )
    model = save_checkpoint(ck, tmp_path / "m.pt")
    assert main(["bench", "detect", "--data", str(data), "--model", str(model), "--parcels", "3", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["parcels"] == 3 and res["ours"]["name"] == "nii_det" and res["baseline"]["name"] == "frcnn_mbv3"
    assert res["latency_ratio"] > 0 and res["ours"]["median_ms"] > 0
