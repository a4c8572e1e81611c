"""Behaviour of the description classifier on hand-picked cases (the measured accuracy is in test_eval.py)."""

from __future__ import annotations

import pytest

from nii.describe import classify_description
from nii.describe.lexicon import load_lexicon, parse_lexicon
from nii.errors import ConfigError
from nii.hs import load_hs


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Apple iPhone 12 mini 64GB", "phone"),
        ("smartphone case", None),  # an accessory of a category is not that category
        ("cover for Samsung tablet", None),
        ("iPhone 12 with case and charger", "phone"),  # the main phrase is before "with"
        ("Damenstiefel", "shoes"),  # German compound: the head is the last part
        ("lap top", "laptop"),
        ("screwdrievr set", "tool"),  # typo
        ("bottle of rum", "bottle"),
        ("box of cigars", "cigarettes"),
        ("ceramic flower pot", None),
        ("nothing", None),
    ],
)
def test_category(text: str, category: str | None) -> None:
    assert classify_description(text).category == category


@pytest.mark.parametrize(
    ("text", "vague"),
    [("present", True), ("used clothes", True), ("Adidas", True), ("laptop spare parts", True), ("wool scarf", False)],
)
def test_vague(text: str, vague: bool) -> None:
    assert classify_description(text).vague is vague


def test_json_shape_and_hs_suggestion() -> None:
    r = classify_description("single malt scotch whisky 70cl").to_json()
    assert set(r) == {"text", "category", "hs6", "confidence", "vague"}
    assert r["category"] == "bottle" and r["hs6"] == "220830"
    assert 0.0 < float(r["confidence"]) <= 1.0  # type: ignore[arg-type]


def test_hs_fallback_for_goods_outside_the_vocabulary() -> None:
    r = classify_description("extra virgin olive oil")
    assert r.category is None and r.hs6 is not None and r.hs6.startswith("1509")


def test_every_vocabulary_hs6_exists_in_hs2022() -> None:
    hs = load_hs()
    lex = load_lexicon()
    codes = {e.hs6 for entries in lex.by_first.values() for e in entries if e.hs6} | set(lex.default_hs6.values())
    assert codes
    assert sorted(c for c in codes if not hs.is_subheading(c)) == []


def test_bad_vocabulary_is_refused() -> None:
    with pytest.raises(ConfigError, match="not a taxonomy category"):
        parse_lexicon({"categories": {"spaceship": {"hs6": "880000"}}})
    with pytest.raises(ConfigError, match="6 digits"):
        parse_lexicon({"categories": {"phone": {"hs6": "8517", "terms": {}}}})
