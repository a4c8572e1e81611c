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


def test_plan_epochs_follows_the_median_recent_pace_within_bounds() -> None:
    from training.loop import plan_epochs

    # 10 epochs done in 1000 s of a 2000 s budget at ~100 s each: 10 more fit
    assert plan_epochs(10, 1000.0, 2000.0, [100.0, 100.0, 100.0], 40) == 20
    # one slow epoch among three does not change the plan
    assert plan_epochs(10, 1000.0, 2000.0, [100.0, 130.0, 100.0], 40) == 20
    assert plan_epochs(10, 1000.0, 2000.0, [100.0, 100.0, 100.0], 15) == 15  # capped by the recipe's epochs
    assert plan_epochs(10, 2500.0, 2000.0, [100.0], 40) == 10  # over budget: stop after this epoch


def test_views_of_an_index_are_repeated_on_top_of_rare_categories() -> None:
    views = [_view(i, [0]) for i in range(5)] + [_view(i, [7]) for i in range(5, 100)]
    for v in views[::2]:
        v.view = 1  # every other view is a side view
    s = RepeatFactorSampler(views, 0.2, seed=0, view_repeat={1: 2.0})
    assert s.factors.tolist()[:5] == [4.0, 2.0, 4.0, 2.0, 4.0]  # rare category x side view
    assert s.factors[5] == 1.0 and s.factors[6] == 2.0
    only_views = RepeatFactorSampler(views, None, seed=0, view_repeat={1: 2.0})
    assert set(only_views.factors.tolist()) == {1.0, 2.0} and len(only_views) == 150
