from __future__ import annotations

import pytest
import torch
from torch import nn

from training.ema import ModelEMA


def test_ema_averages_parameters_and_copies_buffers() -> None:
    model = nn.Sequential(nn.Linear(2, 2, bias=False), nn.BatchNorm1d(2))
    ema = ModelEMA(model, 0.5, ramp=1)
    with torch.no_grad():
        model[0].weight.fill_(1.0)
        model[1].running_mean.fill_(3.0)
    start = ema.module[0].weight.clone()
    ema.update(model)
    d = 0.5 * (1 - torch.exp(torch.tensor(-1.0)))
    assert torch.allclose(ema.module[0].weight, start * d + (1 - d))
    assert torch.equal(ema.module[1].running_mean, torch.full((2,), 3.0))
    assert not ema.module[0].weight.requires_grad


def test_ema_state_round_trip_and_bad_decay() -> None:
    model = nn.Linear(3, 1)
    ema = ModelEMA(model, 0.99)
    ema.update(model)
    other = ModelEMA(model, 0.99)
    other.load_state_dict(ema.state_dict())
    assert other.updates == 1
    with pytest.raises(ValueError, match="decay"):
        ModelEMA(model, 1.0)
