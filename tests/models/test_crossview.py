from __future__ import annotations

import numpy as np
import pytest

from models.crossview import CrossView, alignment_key, confirm
from nii.errors import ModelError

CV = CrossView(unconfirmed=0.5, min_overlap=0.7)


def test_a_detection_no_other_view_sees_at_its_columns_loses_score() -> None:
    # a knife at columns 100-200 in both views; a phone in view 0 only; a knife in view 0 at other columns
    out = confirm(
        [0, 1, 0, 0],
        ["knife", "knife", "phone", "knife"],
        [0.4, 0.6, 0.8, 0.5],
        [(100, 200), (105, 205), (100, 200), (400, 450)],
        CV,
    )
    np.testing.assert_allclose(out, [0.4 * (0.5 + 0.5 * 0.6), 0.6 * (0.5 + 0.5 * 0.4), 0.8 * 0.5, 0.5 * 0.5])


@pytest.mark.parametrize(
    "views, categories, columns",
    [
        ([0, 1], ["knife", "firearm"], [(100, 200), (100, 200)]),  # another category does not confirm
        ([0, 1], ["knife", "knife"], [(100, 200), (150, 250)]),  # overlap 1/3 < 0.7
    ],
)
def test_what_does_not_confirm(views: list[int], categories: list[str], columns: list[tuple[float, float]]) -> None:
    np.testing.assert_allclose(confirm(views, categories, [0.4, 0.6], columns, CV), [0.2, 0.3])


def test_the_same_view_does_not_confirm_factor_one_changes_nothing_and_settings_from_a_checkpoint() -> None:
    # the other view saw nothing: both detections of view 0 are unconfirmed (the same view does not confirm)
    np.testing.assert_allclose(confirm([0, 0], ["k", "k"], [0.4, 0.6], [(0, 10), (0, 10)], CV), [0.2, 0.3])
    assert confirm([], [], [], [], CV).tolist() == []
    assert confirm([0, 1], ["k", "j"], [0.4, 0.6], [(0, 10), (0, 10)], CrossView(1.0)).tolist() == [0.4, 0.6]
    assert CrossView.from_dict(None) is None and CrossView.from_dict({"unconfirmed": 1, "min_overlap": 0.5}) is None
    assert CrossView.from_dict(CV.to_dict()) == CV
    for bad in (
        {"unconfirmed": 0.3},
        {"unconfirmed": "x", "min_overlap": 0.5},
        [0.3, 0.5],
        {"unconfirmed": 1.5, "min_overlap": 0.5},
        {"unconfirmed": 0.5, "min_overlap": 0},
    ):
        with pytest.raises(ModelError, match="cross"):
            CrossView.from_dict(bad)


def test_alignment_key() -> None:
    assert alignment_key(789, (0.886, 0.889)) == alignment_key(789, [0.9, 0.8891])
    assert alignment_key(789, (0.886, 0.889)) != alignment_key(790, (0.886, 0.889))
    assert alignment_key(789, None) != alignment_key(789, (1.0, 1.0)) == alignment_key(789, 1.0)
