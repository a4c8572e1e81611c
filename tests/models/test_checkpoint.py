from __future__ import annotations

from pathlib import Path

import pytest
import torch

from models import build_model
from models.checkpoint import Checkpoint, from_model, load_checkpoint, save_checkpoint
from models.preprocess import InputSpec
from nii.errors import ModelError

CFG = {"num_classes": 3, "stem": 8, "widths": [16, 16, 16, 16], "depths": [1, 1, 1, 1]}


def _ckpt() -> Checkpoint:
    model = build_model("nii_det", **CFG)
    return from_model(
        model,
        arch="nii_det",
        arch_config=CFG,
        categories=["firearm", "knife", "phone"],
        input=InputSpec(mm_per_px=1.5, mean=(1.0, 2.0, 1.0), std=(1.0, 1.0, 0.5)),
        version="0.0.1",
        thresholds={"knife": 0.2},
        metrics={"mAP50": 0.5},
    )


def test_round_trip_rebuilds_the_same_network(tmp_path: Path) -> None:
    ck = _ckpt()
    path = save_checkpoint(ck, tmp_path / "m.pt")
    back = load_checkpoint(path)
    assert back.categories == ["firearm", "knife", "phone"]
    assert back.input.mm_per_px == 1.5 and back.input.mean == (1.0, 2.0, 1.0)
    assert back.threshold("knife") == 0.2 and back.threshold("firearm", 0.5) == 0.5
    x = torch.randn(1, 3, 64, 64)
    a, b = ck.build(), back.build()
    with torch.no_grad():
        assert torch.allclose(a.forward_raw(x)[0], b.forward_raw(x)[0])
    assert back.describe()["parameters"] > 0


def test_corrupt_and_foreign_files_raise_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"this is not a checkpoint")
    with pytest.raises(ModelError, match="corrupt"):
        load_checkpoint(bad)
    foreign = tmp_path / "foreign.pt"
    torch.save({"model": {}}, foreign)
    with pytest.raises(ModelError, match="not an NII detector"):
        load_checkpoint(foreign)
    with pytest.raises(ModelError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pt")
    good = save_checkpoint(_ckpt(), tmp_path / "good.pt")
    truncated = tmp_path / "trunc.pt"
    truncated.write_bytes(good.read_bytes()[:1000])
    with pytest.raises(ModelError):
        load_checkpoint(truncated)


def test_weights_that_do_not_fit_are_refused(tmp_path: Path) -> None:
    ck = _ckpt()
    ck.arch_config = {**CFG, "stem": 16}
    with pytest.raises(ModelError, match="do not fit"):
        load_checkpoint(save_checkpoint(ck, tmp_path / "m.pt")).build()
    ck2 = _ckpt()
    ck2.categories = ["firearm", "knife"]
    with pytest.raises(ModelError, match="classes"):
        load_checkpoint(save_checkpoint(ck2, tmp_path / "m2.pt")).build()
