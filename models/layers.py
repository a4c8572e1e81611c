"""Small building blocks of the project's own detector: conv-BN-ReLU, residual and CSP blocks, the backbone and
the top-down neck. Plain 3x3 convolutions on purpose: on a CPU (oneDNN) they use the cores better per FLOP than
depthwise ones at these widths."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.nn import functional as F  # noqa: N812


class ConvBNAct(nn.Sequential):
    """k x k convolution (padding k // 2), batch norm, ReLU."""

    def __init__(self, c_in: int, c_out: int, k: int = 3, stride: int = 1) -> None:
        super().__init__(
            nn.Conv2d(c_in, c_out, k, stride, k // 2, bias=False),
            nn.BatchNorm2d(c_out),
            nn.ReLU(inplace=True),
        )


class ResBlock(nn.Module):
    """Two 3x3 convolutions with an identity shortcut."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = ConvBNAct(c, c)
        self.conv2 = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x + self.conv2(self.conv1(x)))

    def identity_init(self) -> None:
        """Zero the last batch norm's scale and shift: the block then passes its (non-negative, post-ReLU) input
        through unchanged, so a block added to a trained network does not change what the network computes."""
        bn = self.conv2[1]
        assert isinstance(bn, nn.BatchNorm2d)
        nn.init.zeros_(bn.weight)
        nn.init.zeros_(bn.bias)


class CSPStage(nn.Module):
    """A downsampling convolution (stride 2), then a cross-stage-partial block: half the channels go through
    ``depth`` residual blocks, the other half skip them; a 1x1 convolution fuses both."""

    def __init__(self, c_in: int, c_out: int, depth: int) -> None:
        super().__init__()
        half = c_out // 2
        self.down = ConvBNAct(c_in, c_out, 3, 2)
        self.split_a = ConvBNAct(c_out, half, 1)
        self.split_b = ConvBNAct(c_out, half, 1)
        self.blocks = nn.Sequential(*[ResBlock(half) for _ in range(depth)])
        self.fuse = ConvBNAct(2 * half, c_out, 1)

    def forward(self, x: Tensor) -> Tensor:
        x = self.down(x)
        return self.fuse(torch.cat([self.blocks(self.split_a(x)), self.split_b(x)], dim=1))


class Backbone(nn.Module):
    """Stem (stride 2) then one CSP stage per width: outputs at strides 4, 8, 16, 32 for four stages."""

    def __init__(self, in_channels: int, stem: int, widths: Sequence[int], depths: Sequence[int]) -> None:
        super().__init__()
        if len(widths) != len(depths):
            raise ValueError(f"widths and depths differ in length: {list(widths)} vs {list(depths)}")
        self.stem = ConvBNAct(in_channels, stem, 3, 2)
        chans = [stem, *widths]
        self.stages = nn.ModuleList(CSPStage(chans[i], chans[i + 1], depths[i]) for i in range(len(widths)))

    def forward(self, x: Tensor) -> list[Tensor]:
        x = self.stem(x)
        outs = []
        for stage in self.stages:
            x = stage(x)
            outs.append(x)
        return outs


class TopDownNeck(nn.Module):
    """FPN-style top-down path ending at the finest backbone level (stride 4): 1x1 laterals, nearest upsampling
    and a 3x3 smoothing convolution per level. Returns one map of ``channels`` at the finest stride."""

    def __init__(self, in_channels: Sequence[int], channels: int) -> None:
        super().__init__()
        self.laterals = nn.ModuleList(ConvBNAct(c, channels, 1) for c in in_channels)
        self.smooth = nn.ModuleList(ConvBNAct(channels, channels, 3) for _ in in_channels[:-1])

    def forward(self, feats: list[Tensor]) -> Tensor:
        x = self.laterals[-1](feats[-1])
        for i in range(len(feats) - 2, -1, -1):
            lat = self.laterals[i](feats[i])
            x = F.interpolate(x, size=lat.shape[-2:], mode="nearest") + lat
            x = self.smooth[i](x)
        return x


@dataclass(frozen=True)
class Growth:
    """What ``load_grown`` added: residual blocks that start as identities, and widened tensors (names)."""

    blocks: list[str]
    widened: list[str]


def load_grown(model: nn.Module, state: Mapping[str, Tensor], widenable: Sequence[str] = ()) -> Growth:
    """Load ``state`` from a smaller network of the same design into ``model``, so that the grown network computes
    exactly what the smaller one did and training starts from there.

    Two kinds of growth:
    - deeper: residual blocks ``state`` lacks start as identities (ResBlock.identity_init);
    - wider, only for the tensors under ``widenable`` name prefixes (parts whose channels meet only through
      convolutions, batch norms and additions, e.g. nii_det's neck and head): a larger tensor gets the old weights
      in its leading slice; new output channels keep their fresh initialisation and the weights from new input
      channels start at zero, so no old channel sees a new one until training moves them.

    Raises ValueError (with the keys) for anything else that differs: a smaller or otherwise shaped tensor, a wider
    tensor outside ``widenable``, weights ``model`` has no place for.
    """
    own = model.state_dict()
    adapted: dict[str, Tensor] = {}
    widened: list[str] = []
    for key, old in state.items():
        cur = own.get(key)
        if cur is None or cur.shape == old.shape:
            adapted[key] = old
            continue
        if not key.startswith(tuple(widenable)):
            raise ValueError(
                f"weights differ beyond added residual blocks: {key} is {tuple(old.shape)} in the checkpoint, "
                f"{tuple(cur.shape)} in the model"
            )
        adapted[key] = _widened(key, old, cur)
        widened.append(key)
    result = model.load_state_dict(adapted, strict=False)
    new = [
        name
        for name, mod in model.named_modules()
        if isinstance(mod, ResBlock) and not any(k.startswith(name + ".") for k in state)
    ]
    covered = tuple(n + "." for n in new)
    stray = [k for k in result.missing_keys if not k.startswith(covered)]
    if result.unexpected_keys or stray:
        raise ValueError(
            f"weights differ beyond added residual blocks: missing {stray[:6]}, unexpected "
            f"{list(result.unexpected_keys)[:6]}"
        )
    for name in new:
        module = model.get_submodule(name)
        assert isinstance(module, ResBlock)
        module.identity_init()
    return Growth(new, widened)


def _widened(key: str, old: Tensor, cur: Tensor) -> Tensor:
    """``cur`` (a fresh tensor of the wider model) with ``old`` in its leading slice; for weights of two or more
    dimensions ([out, in, ...]) the columns of new inputs are zero."""
    if (
        old.dim() != cur.dim()
        or any(o > c for o, c in zip(old.shape, cur.shape, strict=True))
        or (old.shape[2:] != cur.shape[2:])
    ):
        raise ValueError(
            f"weights differ beyond a widening: {key} is {tuple(old.shape)} in the checkpoint, {tuple(cur.shape)} "
            "in the model"
        )
    out = cur.detach().clone()
    if out.dim() >= 2:
        out[:, old.shape[1] :] = 0
    out[tuple(slice(0, n) for n in old.shape)] = old
    return out
