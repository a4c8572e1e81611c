"""What the ``nii bench`` commands share: best-of-N timing, the load average, and the printed report."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Mapping


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Seconds of the fastest of ``repeats`` calls of ``fn`` (wall clock; the least disturbed run on a shared
    machine). Raises ValueError when ``repeats`` < 1."""
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def load_average_1min() -> float:
    """The 1-minute load average (runnable processes), to read a timing from a shared machine by."""
    return round(os.getloadavg()[0], 2)


def report(
    result: Mapping[str, object],
    *,
    as_json: bool,
    indent: int | None = None,
    key_width: int = 20,
    text: str | None = None,
    verdict: str | None = None,
) -> None:
    """Prints a bench's figures to stdout: one JSON object (``indent`` as in json.dumps) when ``as_json``, else
    ``text`` or, without it, one ``key: value`` line per figure with keys right-aligned to ``key_width``;
    in text mode ``verdict`` (the headline figure against its goal) follows on stderr."""
    if as_json:
        print(json.dumps(result, indent=indent))
        return
    if text is not None:
        print(text)
    else:
        for key, value in result.items():
            print(f"{key:>{key_width}}: {value}")
    if verdict is not None:
        print(verdict, file=sys.stderr)
