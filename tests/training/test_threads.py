from __future__ import annotations

import torch

from training.threads import ThreadTuner


def test_tuner_follows_the_faster_setting() -> None:
    before = torch.get_num_threads()
    try:
        tuner = ThreadTuner(2, probe=3, exploit=4)
        cost = {1: 1.0, 2: 4.0}  # an oversubscribed machine: one thread is faster
        for _ in range(6):
            n = tuner.before()
            assert torch.get_num_threads() == n
            tuner.after(cost[n])
        assert tuner.best == 1
        for _ in range(4):
            assert tuner.before() == 1
            tuner.after(1.0)
        cost = {1: 3.0, 2: 1.0}  # the machine became idle: probing again picks two threads
        for _ in range(6):
            tuner.after(cost[tuner.before()])
        assert tuner.best == 2
    finally:
        torch.set_num_threads(before)
