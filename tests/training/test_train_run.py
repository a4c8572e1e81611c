from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from models.checkpoint import load_checkpoint, save_checkpoint
from models.inference import TorchDetector
from nii.taxonomy import load_taxonomy
from tests.training.synthetic import make_scan
from training.config import parse_config
from training.finish import finish
from training.loop import Run
from training.report import model_card

TINY_MODEL = {"stem": 8, "widths": [16, 16, 24, 24], "depths": [1, 1, 1, 1], "neck_channels": 16, "head_channels": 16}


def _cfg(train: Path, val: Path, cache: Path, epochs: int) -> dict[str, object]:
    return {
        "name": "tiny",
        "model": {"arch": "nii_det", "config": TINY_MODEL},
        "data": {"train": str(train), "val": str(val), "cache": str(cache), "mm_per_px": 3.0},
        "train": {
            "epochs": epochs,
            "batch_size": 4,
            "crop": [96, 96],
            "workers": 0,
            "warmup_iters": 2,
            "lr": 3e-3,
            "threads": 1,
        },
        "eval": {"sheet_images": 4},
    }


def test_run_writes_every_artefact_and_resumes(synth_dir: Callable[[str, int, int], Path], tmp_path: Path) -> None:
    train, val = synth_dir("train", 16, 1), synth_dir("val", 6, 2)
    out = tmp_path / "run"
    cfg = parse_config(_cfg(train, val, tmp_path / "cache", 2))
    run = Run(cfg, out, progress=False)
    run.fit()
    model_path = finish(run)
    for name in (
        "config.yaml",
        "results.csv",
        "epoch_001.pt",
        "epoch_002.pt",
        "last.pt",
        "best.pt",
        "state.pt",
        "curves.png",
        "pr_curves.png",
        "confusion_matrix.png",
        "ap_table.md",
        "val_predictions.png",
        "MODEL_CARD.md",
        "model_card.json",
        "model.pt",
        "val_metrics.json",
    ):
        assert (out / name).is_file(), name
    with open(out / "results.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert all(np.isfinite(float(r["train/loss_heatmap"])) for r in rows)
    ck = load_checkpoint(model_path)
    assert ck.categories == load_taxonomy().names
    assert ck.input.mm_per_px == 3.0 and set(ck.thresholds) == set(ck.categories)
    assert ck.dataset["train_hash"] and "mAP50" in ck.metrics

    cfg3 = parse_config(_cfg(train, val, tmp_path / "cache", 3))
    resumed = Run(cfg3, out, resume=True, progress=False)
    assert resumed.epoch == 2
    resumed.fit()
    with open(out / "results.csv") as f:
        assert [r["epoch"] for r in csv.DictReader(f)] == ["1", "2", "3"]


def test_detector_returns_boxes_in_original_pixels(synth_dir: Callable[[str, int, int], Path], tmp_path: Path) -> None:
    train, train2, val = synth_dir("train", 8, 3), synth_dir("train2", 4, 13), synth_dir("val", 4, 4)
    cfg = _cfg(train, val, tmp_path / "cache", 1)
    cfg["data"] = {**cfg["data"], "train": [str(train), str(train2)]}  # type: ignore[dict-item]
    cfg["train"] = {**cfg["train"], "repeat_threshold": 0.5}  # type: ignore[dict-item]
    run = Run(parse_config(cfg), tmp_path / "run", progress=False)
    assert len(run.train_views) == 12 and len({v.image_id for v in run.train_views}) == 12
    run.fit()
    det = TorchDetector(load_checkpoint(finish(run)), backend="eager")
    scan, _ = make_scan(np.random.default_rng(0), "X1")
    found = det.detect_all(scan, min_score=0.0)
    rows, cols = scan.views[0].shape
    assert found, "with min_score 0 the top-k peaks come back"
    for d in found:
        x1, y1, x2, y2 = d.box
        assert 0 <= x1 <= x2 <= cols and 0 <= y1 <= y2 <= rows and d.view == 0
        assert d.category in load_taxonomy().names


def test_resume_without_state_fails(tmp_path: Path, synth_dir: Callable[[str, int, int], Path]) -> None:
    from training.loop import TrainingError

    train, val = synth_dir("train", 6, 5), synth_dir("val", 3, 6)
    with pytest.raises(TrainingError, match="cannot resume"):
        Run(parse_config(_cfg(train, val, tmp_path / "cache", 1)), tmp_path / "empty", resume=True, progress=False)


@pytest.mark.slow
def test_pipeline_learns_the_toy_scenes(synth_dir: Callable[[str, int, int], Path], tmp_path: Path) -> None:
    """End to end on easy scenes: a few epochs must reach a high validation mAP50 (fails if targets, decoding,
    augmentation geometry or the metric are wrong)."""
    train, val = synth_dir("train", 120, 11), synth_dir("val", 30, 12)
    cfg = _cfg(train, val, tmp_path / "cache", 5)
    cfg["model"] = {"arch": "nii_det", "config": {"stem": 16, "widths": [24, 48, 64, 96], "depths": [1, 1, 1, 1]}}
    cfg["train"] = {
        **cfg["train"],
        "crop": [160, 160],
        "batch_size": 8,
        "lr": 2e-3,
        "warmup_iters": 10,  # type: ignore[dict-item]
        "threads": 2,
    }
    cfg["data"] = {**cfg["data"], "mm_per_px": 2.0}  # type: ignore[dict-item]
    run = Run(parse_config(cfg), tmp_path / "run", progress=False)
    run.fit()
    metrics, _ = run.validate()
    assert metrics["mAP50"] > 0.6, metrics["per_category"]


@pytest.mark.parametrize("arch", ["frcnn_mbv3"])
def test_other_registered_models_train_in_the_loop(
    arch: str, synth_dir: Callable[[str, int, int], Path], tmp_path: Path
) -> None:
    train, val = synth_dir("train", 8, 21), synth_dir("val", 3, 22)
    cfg = _cfg(train, val, tmp_path / "cache", 1)
    cfg["model"] = {"arch": arch, "config": {"min_size": 96, "max_size": 128}}
    cfg["train"] = {**cfg["train"], "max_iters_per_epoch": 1}  # type: ignore[dict-item]
    run = Run(parse_config(cfg), tmp_path / "run", progress=False)
    run.fit()
    ck = load_checkpoint(finish(run))
    assert ck.arch == arch and ck.arch_config["min_size"] == 96


def test_nii_evaluate_end_to_end(
    synth_dir: Callable[[str, int, int], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from nii.cli import main

    train, val = synth_dir("train", 8, 31), synth_dir("val", 4, 32)
    model = finish_tiny(train, val, tmp_path)
    out = tmp_path / "eval"
    calibrated = tmp_path / "calibrated.pt"
    ck = load_checkpoint(model)
    ck.metrics["thresholds"] = {c: 0.77 for c in ck.categories}  # stale validation thresholds, to be replaced
    save_checkpoint(ck, model)
    assert (
        main(["evaluate", "--model", str(model), "--data", str(val), "--out", str(out), "--calibrate", str(calibrated)])
        == 0
    )
    text = capsys.readouterr().out
    assert "mAP50" in text and "prohibited: Pd" in text
    m = json.loads((out / "metrics.json").read_text())
    assert m["n_parcels"] == 4 and 0.0 <= m["mAP50"] <= 1.0
    for name in ("ap_table.md", "pr_curves.png", "confusion_matrix.png"):
        assert (out / name).is_file()
    cal = load_checkpoint(calibrated)
    assert cal.metrics["calibration"]["n_parcels"] == 4
    # cross-view confirmation tried on the validation detections, kept only where it raised mAP50
    grid = m["cross_view_grid"]
    assert grid[0]["unconfirmed"] == 1 and len(grid) == 11 and "Cross-view confirmation:" in text
    assert cal.extra.get("cross_view") == m["cross_view"]
    # calibrated again without it: thresholds for unconfirmed scores, so no stale setting may stay in the copy
    cal.extra["cross_view"] = {"unconfirmed": 0.5, "min_overlap": 0.7}
    save_checkpoint(cal, calibrated)
    again = tmp_path / "again.pt"
    assert (
        main(["evaluate", "--model", str(calibrated), "--data", str(val), "--calibrate", str(again), "--no-cross-view"])
        == 0
    )
    assert "cross_view" not in load_checkpoint(again).extra
    assert "Cross-view confirmation: none." in capsys.readouterr().out
    # its own validation set: the validation metrics (the card's first table) follow the new thresholds
    assert cal.metrics["thresholds"] == cal.thresholds == m["thresholds"]
    assert main(["evaluate", "--model", str(model), "--data", str(val), "--record"]) == 0
    assert load_checkpoint(model).metrics["test"]["n_images"] == 4
    assert (model.parent / "MODEL_CARD.md").is_file()
    stressed = ["evaluate", "--model", str(model), "--data", str(val), "--stress", "export8", "--stress", "blur"]
    assert main([*stressed, "--record"]) == 0
    ck = load_checkpoint(model)
    assert ck.metrics["stress"]["export8+blur"]["stress"] == ["export8", "blur"] and "test" in ck.metrics
    assert "| export8+blur | 4 |" in (model.parent / "MODEL_CARD.md").read_text()
    assert main(["evaluate", "--model", str(model), "--data", str(val), "--stress", "fog"]) == 1
    assert "unknown stress fog" in capsys.readouterr().err
    # calibrated on two folders as one set: the card shows the operating thresholds and where they were chosen
    both = tmp_path / "both.pt"
    two = ["evaluate", "--model", str(model), "--data", str(val), "--data", str(train)]
    assert main([*two, "--calibrate", str(both), "--out", str(tmp_path / "both"), "--version", "9.9.1"]) == 0
    assert load_checkpoint(both).version == "9.9.1" and load_checkpoint(model).version != "9.9.1"
    assert main([*two, "--version", "9.9.2"]) == 1 and "--calibrate" in capsys.readouterr().err
    mb = json.loads((tmp_path / "both" / "metrics.json").read_text())
    assert mb["n_parcels"] == 12 and mb["data"] == [str(val), str(train)]
    card = model_card(load_checkpoint(both), tmp_path / "both", title="two")[0].read_text()
    assert f"## Operating thresholds (`nii evaluate --calibrate` on {val} + {train}, 12 parcels)" in card
    assert main(["evaluate", "--model", str(model), "--data", str(val), "--data", str(val)]) == 1
    assert "count twice" in capsys.readouterr().err


def finish_tiny(train: Path, val: Path, tmp_path: Path) -> Path:
    run = Run(parse_config(_cfg(train, val, tmp_path / "cache", 1)), tmp_path / "run", progress=False)
    run.fit()
    return finish(run)


def test_non_finite_loss_stops_training(
    synth_dir: Callable[[str, int, int], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    from training.loop import TrainingError

    train, val = synth_dir("train", 8, 41), synth_dir("val", 3, 42)
    run = Run(parse_config(_cfg(train, val, tmp_path / "cache", 1)), tmp_path / "run", progress=False)

    def nan_losses(images: torch.Tensor, targets: object) -> dict[str, torch.Tensor]:
        return {"loss_heatmap": images.sum() * float("nan")}

    monkeypatch.setattr(run.model, "losses", nan_losses)
    with pytest.raises(TrainingError, match="non-finite"):
        run.fit()
    assert not (tmp_path / "run" / "last.pt").exists()


def test_ema_and_bf16_run_saves_the_average_and_resumes_the_raw_weights(
    synth_dir: Callable[[str, int, int], Path], tmp_path: Path
) -> None:
    import torch

    train, val = synth_dir("train", 8, 31), synth_dir("val", 3, 32)
    cfg = _cfg(train, val, tmp_path / "cache", 1)
    cfg["train"] = {**cfg["train"], "ema_decay": 0.9, "bf16_cpu": True}  # type: ignore[dict-item]
    out = tmp_path / "run"
    run = Run(parse_config(cfg), out, progress=False)
    assert run.ema is not None and run.eval_model is run.ema.module
    run.fit()
    assert run.ema.updates == run.iteration > 0
    last = load_checkpoint(out / "last.pt").state_dict
    avg, raw = run.ema.module.state_dict(), run.model.state_dict()
    name = next(n for n, _ in run.model.named_parameters())
    assert torch.equal(last[name], avg[name]) and not torch.equal(avg[name], raw[name])
    cfg2 = {**cfg, "train": {**cfg["train"], "epochs": 2}}  # type: ignore[dict-item]
    resumed = Run(parse_config(cfg2), out, resume=True, progress=False)
    assert torch.equal(resumed.model.state_dict()[name], raw[name])
    assert resumed.ema is not None and resumed.ema.updates == run.ema.updates
    assert torch.equal(resumed.ema.module.state_dict()[name], avg[name])


def test_init_from_starts_at_a_checkpoint_and_refuses_a_foreign_one(
    synth_dir: Callable[[str, int, int], Path], tmp_path: Path
) -> None:
    import torch

    from training.loop import TrainingError

    train, val = synth_dir("train", 6, 33), synth_dir("val", 3, 34)
    first = Run(parse_config(_cfg(train, val, tmp_path / "cache", 1)), tmp_path / "a", progress=False)
    first.fit()
    cfg = _cfg(train, val, tmp_path / "cache", 1)
    cfg["model"] = {**cfg["model"], "init_from": str(tmp_path / "a" / "last.pt")}  # type: ignore[dict-item]
    second = Run(parse_config(cfg), tmp_path / "b", progress=False)
    for k, v in first.model.state_dict().items():
        assert torch.equal(second.model.state_dict()[k], v), k
    start = str(tmp_path / "a" / "last.pt")
    cfg["model"] = {"arch": "nii_det", "config": {**TINY_MODEL, "head_channels": 8}, "init_from": start}
    with pytest.raises(TrainingError, match="do not fit"):
        Run(parse_config(cfg), tmp_path / "c", progress=False)
    # a deeper and wider recipe grows the checkpoint (new residual blocks as identities, new channels unseen) and
    # says so in its checkpoint
    config = {**TINY_MODEL, "depths": [1, 1, 2, 2], "neck_channels": 24}
    cfg["model"] = {"arch": "nii_det", "config": config, "init_from": start}
    grown = Run(parse_config(cfg), tmp_path / "d", progress=False)
    x = torch.rand(1, 3, 64, 64)
    small = load_checkpoint(start).build().eval()
    grown.model.eval()
    with torch.no_grad():
        for a, b in zip(small.forward_raw(x), grown.model.forward_raw(x), strict=True):
            assert torch.allclose(a, b, atol=1e-5)
    grown.fit()
    last = load_checkpoint(tmp_path / "d" / "last.pt")
    assert last.arch_config["depths"] == [1, 1, 2, 2]
    grown_info = last.extra["grown"]
    assert grown_info["from"] == {"depths": [1, 1, 1, 1], "neck_channels": 16}
    assert grown_info["to"] == {"depths": [1, 1, 2, 2], "neck_channels": 24}
    assert grown_info["blocks_added"] == 2 and grown_info["tensors_widened"] > 0
    card_md, _ = model_card(last, tmp_path / "d", title="grown")
    said = "Grown from the starting weights: depths [1, 1, 1, 1] -> [1, 1, 2, 2], neck_channels 16 -> 24 (2 residual"
    assert said in card_md.read_text()


def test_threat_projection_and_display_exports_in_training(
    synth_dir: Callable[[str, int, int], Path], tmp_path: Path
) -> None:
    train, val = synth_dir("train", 6, 1), synth_dir("val", 3, 2)
    cfg = _cfg(train, val, tmp_path / "cache", 1)
    cfg["train"] = {
        **cfg["train"],  # type: ignore[dict-item]
        "tip_p": 1.0,
        "tip_categories": ["knife"],
        "tip_bank": 2,
        "max_iters_per_epoch": 2,
        "display_p": 0.5,  # and half of the crops become display exports
    }
    run = Run(parse_config(cfg), tmp_path / "run", progress=False)
    assert list((tmp_path / "cache").glob("tip_*.npz"))
    knife = load_taxonomy().names.index("knife")
    plain = sum(v.labels.count(knife) for v in run.train_views)
    seen = sum(int((run.train_ds[i][1]["labels"] == knife).sum()) for i in range(len(run.train_views)))
    assert seen > plain  # every view got one (a few may be cropped away)
    run.fit()
    assert (tmp_path / "run" / "last.pt").is_file()
