"""models.layers.load_grown: a deeper or wider nii_det starts from a smaller checkpoint and computes the same thing."""

from __future__ import annotations

import pytest
import torch

from models import build_model
from models.layers import load_grown
from models.nii_det import NIIDet

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


def _same_outputs_then_one_step(small: torch.nn.Module, grown: torch.nn.Module) -> None:
    """The grown network (eval) computes what the small one does; then one training step's gradients are taken."""
    grown.eval()
    x = torch.rand(2, 3, 96, 96)
    with torch.no_grad():
        for a, b in zip(small.forward_raw(x), grown.forward_raw(x), strict=True):
            assert torch.allclose(a, b, atol=1e-6)
    grown.train()
    heat, ltrb = grown.forward_raw(x)
    (heat.sigmoid().mean() + ltrb.mean()).backward()


def test_grown_network_computes_what_the_small_one_did_and_then_trains() -> None:
    small = _trained_like([1, 1, 1, 1])
    big = build_model("nii_det", depths=[1, 2, 3, 2], **SMALL)
    growth = load_grown(big, small.state_dict())
    assert growth.widened == []
    assert growth.blocks == [
        "backbone.stages.1.blocks.1",
        "backbone.stages.2.blocks.1",
        "backbone.stages.2.blocks.2",
        "backbone.stages.3.blocks.1",
    ]
    _same_outputs_then_one_step(small, big)
    # the added blocks are not dead: a training step moves their last scale away from zero
    gamma = big.get_submodule("backbone.stages.2.blocks.2").conv2[1].weight
    assert gamma.grad is not None and gamma.grad.abs().sum() > 0


def test_a_wider_neck_and_head_compute_what_the_narrow_ones_did_and_then_train() -> None:
    small = _trained_like([1, 1, 1, 1])
    wide = build_model("nii_det", **{**SMALL, "depths": [1, 2, 1, 1], "neck_channels": 24, "head_channels": 32})
    growth = load_grown(wide, small.state_dict(), NIIDet.widenable)
    assert growth.blocks == ["backbone.stages.1.blocks.1"]
    assert "neck.smooth.0.0.weight" in growth.widened and "head.heatmap.2.weight" in growth.widened
    assert not [k for k in growth.widened if k.startswith("backbone.")]
    _same_outputs_then_one_step(small, wide)
    # the new channels are not dead: the first step reaches the weights that read them
    w = wide.get_submodule("head.heatmap.2").weight
    assert w.grad is not None and w.grad[:, 16:].abs().sum() > 0


def test_widening_without_zeroed_inputs_would_change_the_output() -> None:
    """The check above can fail: the same widening with the new inputs' weights left random changes the output."""
    small = _trained_like([1, 1, 1, 1])
    wide = build_model("nii_det", **{**SMALL, "depths": [1, 1, 1, 1], "head_channels": 32})
    fresh = wide.get_submodule("head.heatmap.2").weight.detach().clone()
    load_grown(wide, small.state_dict(), NIIDet.widenable)
    with torch.no_grad():
        wide.get_submodule("head.heatmap.2").weight[:, 16:] = fresh[:, 16:]
    wide.eval()
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        assert not torch.allclose(small.forward_raw(x)[0], wide.forward_raw(x)[0], atol=1e-3)


@pytest.mark.parametrize(
    ("other", "widenable"),
    [
        ({"widths": [16, 16, 24, 32]}, NIIDet.widenable),  # a wider backbone: its CSP concatenations would mix
        ({"head_channels": 32}, ()),  # wider, but the model names nothing widenable
        ({"head_channels": 8}, NIIDet.widenable),  # narrower: not a growth
    ],
)
def test_growth_refuses_weights_that_differ_otherwise(other: dict[str, object], widenable: tuple[str, ...]) -> None:
    small = _trained_like([1, 1, 1, 1])
    big = build_model("nii_det", **{**SMALL, "depths": [1, 2, 2, 2], **other})
    with pytest.raises(ValueError, match="differ beyond a"):
        load_grown(big, small.state_dict(), widenable)


def test_growth_refuses_a_deeper_checkpoint_into_a_shallower_model() -> None:
    deep = _trained_like([1, 2, 2, 2])
    shallow = build_model("nii_det", depths=[1, 1, 1, 1], **SMALL)
    with pytest.raises(ValueError, match="unexpected"):
        load_grown(shallow, deep.state_dict())
