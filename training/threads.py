"""Picks the number of intra-op threads while training, for machines shared with other jobs.

On an oversubscribed CPU, OpenMP threads wait for each other and 2 threads can be several times slower than 1
(measured here: 4.3 s vs 15.8 s per batch of 16 with the machine's load at 6 on 2 cores), while on an idle machine
2 threads win. The tuner times ``probe`` iterations at each candidate count, keeps the fastest for ``exploit``
iterations, then probes again, so a long run follows the machine's load.
"""

from __future__ import annotations

import logging
import statistics

import torch

log = logging.getLogger(__name__)


class ThreadTuner:
    """Call ``before()`` ahead of an iteration and ``after(seconds)`` with its duration."""

    def __init__(self, max_threads: int, *, probe: int = 6, exploit: int = 120) -> None:
        if max_threads < 1:
            raise ValueError(f"max_threads must be >= 1, got {max_threads}")
        self.candidates = sorted({1, max_threads})
        self.probe, self.exploit = probe, exploit
        self.best = self.candidates[-1]
        self._queue: list[int] = []
        self._times: dict[int, list[float]] = {}
        self._left = 0
        self._current = self.best
        self._start_probe()

    def _start_probe(self) -> None:
        self._times = {c: [] for c in self.candidates}
        self._queue = [c for c in self.candidates for _ in range(self.probe)]

    def before(self) -> int:
        """Sets and returns the thread count for the next iteration."""
        n = self._queue[0] if self._queue else self.best
        if n != torch.get_num_threads():
            torch.set_num_threads(n)
        self._current = n
        return n

    def after(self, seconds: float) -> None:
        if self._queue:
            self._queue.pop(0)
            self._times[self._current].append(seconds)
            if not self._queue:
                med = {c: statistics.median(t[1:] or t) for c, t in self._times.items() if t}  # first one warms up
                self.best = min(med, key=lambda c: med[c])
                self._left = self.exploit
                log.info("threads: %s s/iteration -> using %d", {c: round(v, 2) for c, v in med.items()}, self.best)
            return
        self._left -= 1
        if self._left <= 0 and len(self.candidates) > 1:
            self._start_probe()
