"""models.layers.load_grown: a deeper nii_det starts from a shallower checkpoint and computes the same thing."""

from __future__ import annotations

import pytest
import torch

from models import build_model
from models.layers import load_grown

SMALL = {"num_classes": 16, "stem": 8, "widths": [16, 16, 24, 24], "neck_channels": 16, "head_channels": 16}


def _trained_like(depths: list[int]) -> torch.nn.Module:
    """A small nii_det whose batch-norm statistics and scales are not the defaults (as after training)."""
    torch.manual_seed(0)
    model = build_model("nii_det", depths=depths, **SMALL)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            torch.nn.init.uniform_(m.weight, 0.5, 1.5)
            torch.nn.init.uniform_(m.bias, -0.2, 0.2)
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 2.0)
    return model.eval()


def test_grown_network_computes_what_the_small_one_did_and_then_trains() -> None:
    small = _trained_like([1, 1, 1, 1])
    big = build_model("nii_det", depths=[1, 2, 3, 2], **SMALL)
    added = load_grown(big, small.state_dict())
    assert added == [
        "backbone.stages.1.blocks.1",
        "backbone.stages.2.blocks.1",
        "backbone.stages.2.blocks.2",
        "backbone.stages.3.blocks.1",
    ]
    big.eval()
    x = torch.rand(2, 3, 96, 96)
    with torch.no_grad():
        for a, b in zip(small.forward_raw(x), big.forward_raw(x), strict=True):
            assert torch.allclose(a, b, atol=1e-6)
    # the added blocks are not dead: a training step moves their last scale away from zero
    big.train()
    heat, ltrb = big.forward_raw(x)
    (heat.sigmoid().mean() + ltrb.mean()).backward()
    gamma = big.get_submodule("backbone.stages.2.blocks.2").conv2[1].weight
    assert gamma.grad is not None and gamma.grad.abs().sum() > 0


@pytest.mark.parametrize(
    "other",
    [
        {"widths": [16, 16, 24, 32]},  # another width: not a growth
        {"head_channels": 8},
    ],
)
def test_growth_refuses_weights_that_differ_otherwise(other: dict[str, object]) -> None:
    small = _trained_like([1, 1, 1, 1])
    big = build_model("nii_det", **{**SMALL, "depths": [1, 2, 2, 2], **other})
    with pytest.raises(ValueError, match="differ beyond added residual blocks"):
        load_grown(big, small.state_dict())


def test_growth_refuses_a_deeper_checkpoint_into_a_shallower_model() -> None:
    deep = _trained_like([1, 2, 2, 2])
    shallow = build_model("nii_det", depths=[1, 1, 1, 1], **SMALL)
    with pytest.raises(ValueError, match="unexpected"):
        load_grown(shallow, deep.state_dict())
