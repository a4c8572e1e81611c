"""Exponential moving average of the weights (Polyak averaging), as detectors are usually trained (YOLO, DETR
variants): validation, checkpoints and the shipped model use the average, which is smoother than the last
step's weights and usually a few mAP points better on a short schedule.

The decay ramps up, ``decay * (1 - exp(-updates / ramp))``, so the early average follows the fast-changing
weights instead of being dragged back to the random initialisation. Buffers (batch-norm statistics) are copied,
not averaged.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import torch
from torch import nn


class ModelEMA:
    """An averaged copy of ``model`` (same class, eval mode, no gradients)."""

    def __init__(self, model: nn.Module, decay: float, *, ramp: int = 1000) -> None:
        if not 0.0 < decay < 1.0:
            raise ValueError(f"EMA decay must be in (0, 1), got {decay}")
        self.module = copy.deepcopy(model).eval()
        for p in self.module.parameters():
            p.requires_grad_(False)
        self.decay, self.ramp, self.updates = decay, ramp, 0
        self._params = {n for n, _ in self.module.named_parameters()}

    def current_decay(self) -> float:
        return self.decay * (1.0 - math.exp(-self.updates / self.ramp))

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        self.updates += 1
        d = self.current_decay()
        src = model.state_dict()
        for name, avg in self.module.state_dict().items():
            cur = src[name].detach()
            if name in self._params:
                avg.mul_(d).add_(cur.to(avg.dtype), alpha=1.0 - d)
            else:
                avg.copy_(cur)

    def state_dict(self) -> dict[str, Any]:
        return {"module": self.module.state_dict(), "updates": self.updates, "decay": self.decay, "ramp": self.ramp}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.module.load_state_dict(state["module"])
        self.updates = int(state["updates"])
