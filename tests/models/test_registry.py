from __future__ import annotations

import math

import pytest
import torch

from models import build_model, list_models
from nii.errors import ModelError

SMALL = {"frcnn_mbv3": {"min_size": 128, "max_size": 160}}


def _targets() -> list[dict[str, torch.Tensor]]:
    return [
        {"boxes": torch.tensor([[8.0, 10.0, 60.0, 30.0], [70.0, 20.0, 76.0, 110.0]]), "labels": torch.tensor([1, 6])},
        {"boxes": torch.zeros(0, 4), "labels": torch.zeros(0, dtype=torch.long)},
    ]


@pytest.mark.parametrize("name", list_models())
def test_every_model_builds_trains_and_predicts(name: str) -> None:
    torch.manual_seed(0)
    model = build_model(name, num_classes=16, **SMALL.get(name, {}))
    images = torch.randn(2, 3, 128, 128)
    model.train()
    losses = model.losses(images, _targets())
    total = sum(losses.values())
    assert isinstance(total, torch.Tensor) and math.isfinite(float(total.detach()))
    total.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())
    model.eval()
    with torch.no_grad():
        preds = model.predict(images, score_threshold=0.0, max_detections=20)
    assert len(preds) == 2
    for p in preds:
        n = p["boxes"].shape[0]
        assert p["boxes"].shape == (n, 4) and p["scores"].shape == (n,) and p["labels"].shape == (n,)
        assert n <= 20
        assert p["labels"].dtype == torch.int64
        if n:
            assert int(p["labels"].min()) >= 0 and int(p["labels"].max()) < 16
            assert bool((p["boxes"][:, 2] >= p["boxes"][:, 0]).all() and (p["boxes"][:, 3] >= p["boxes"][:, 1]).all())


@pytest.mark.parametrize("name", list_models())
def test_wrong_channel_count_is_refused(name: str) -> None:
    model = build_model(name, num_classes=3, **SMALL.get(name, {})).eval()
    with pytest.raises(ValueError, match="expected images"):
        model.predict(torch.randn(1, 1, 64, 64))


def test_unknown_model_and_key() -> None:
    with pytest.raises(ModelError, match="unknown model"):
        build_model("resnet9000", num_classes=3)
    with pytest.raises(ModelError, match="unknown config keys"):
        build_model("nii_det", num_classes=3, depth=7)


def test_nii_det_learns_a_box() -> None:
    """A few steps on one image drive the heatmap peak onto the object: the loss can fail if targets are wrong."""
    torch.manual_seed(0)
    model = build_model("nii_det", num_classes=2, stem=8, widths=(16, 16, 16, 16), depths=(1, 1, 1, 1))
    img = torch.zeros(1, 3, 64, 64)
    img[:, :, 16:32, 8:48] = 3.0
    tgt = [{"boxes": torch.tensor([[8.0, 16.0, 48.0, 32.0]]), "labels": torch.tensor([1])}]
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    first = None
    for _ in range(60):
        loss = sum(model.losses(img, tgt).values())
        assert isinstance(loss, torch.Tensor)
        first = first if first is not None else float(loss.detach())
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss.detach()) < first * 0.5
    model.eval()
    with torch.no_grad():
        pred = model.predict(img, score_threshold=0.0, max_detections=1)[0]
    assert int(pred["labels"][0]) == 1
    box = pred["boxes"][0].tolist()
    assert abs(box[0] - 8) < 8 and abs(box[2] - 48) < 8 and abs(box[1] - 16) < 6 and abs(box[3] - 32) < 6
