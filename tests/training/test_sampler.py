from __future__ import annotations

from collections import Counter

from training.data import CachedView, RepeatFactorSampler


def _view(i: int, labels: list[int]) -> CachedView:
    return CachedView(i, f"{i}.npy", f"P{i}", 0, True, [[0, 0, 1, 1]] * len(labels), labels, (1.0, 1.0), (1, 1))


def test_rare_categories_are_repeated_and_epochs_differ() -> None:
    views = [_view(i, [0]) for i in range(5)] + [_view(i, [7]) for i in range(5, 100)]  # category 0 in 5 %
    s = RepeatFactorSampler(views, 0.2, seed=0)
    assert all(abs(f - 2.0) < 1e-9 for f in s.factors[:5]) and all(f == 1.0 for f in s.factors[5:])
    counts = Counter(s.indices())
    assert all(counts[i] == 2 for i in range(5)) and all(counts[i] == 1 for i in range(5, 100))
    assert len(s) == 105
    first = s.indices()
    s.set_epoch(1)
    assert s.indices() != first and sorted(s.indices()) == sorted(first)
