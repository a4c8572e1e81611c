from __future__ import annotations

import pytest

from nii.errors import ConfigError
from nii.pricing import load_reference_prices, parse_reference_prices
from nii.taxonomy import load_taxonomy


def test_every_category_has_ordered_prices_and_source() -> None:
    prices = load_reference_prices()
    assert set(prices) == set(load_taxonomy().names)
    for p in prices.values():
        assert 0 < p.min_eur <= p.typical_eur <= p.max_eur
        assert 0 < p.mass_min_kg <= p.mass_typical_kg <= p.mass_max_kg
        assert p.source


def test_bad_entries_are_refused() -> None:
    with pytest.raises(ConfigError, match="increasing"):
        parse_reference_prices(
            {"categories": {"phone": {"value_eur": [5, 1, 9], "mass_kg": [0.1, 0.2], "source": "x"}}}
        )
    with pytest.raises(ConfigError, match="not a taxonomy category"):
        parse_reference_prices({"categories": {"spaceship": {}}})
    with pytest.raises(ConfigError, match="no reference prices"):
        parse_reference_prices(
            {"categories": {"phone": {"value_eur": [1, 2, 3], "mass_kg": [0.1, 0.2], "source": "x"}}}
        )
