from __future__ import annotations

import pytest

from nii.errors import ConfigError
from nii.taxonomy import load_taxonomy, parse_taxonomy

# fmt: off
DESIGN_NAMES = [
    "firearm", "knife", "ammunition", "narcotics_packet", "cigarettes", "banknotes", "lithium_battery", "phone",
    "laptop", "watch", "shoes", "clothing", "book", "bottle", "toy", "tool",
]
# fmt: on


def test_taxonomy_holds_the_design_names_in_order() -> None:
    tax = load_taxonomy()
    assert tax.names[: len(DESIGN_NAMES)] == DESIGN_NAMES
    assert tax.in_group("prohibited") == ["firearm", "knife", "ammunition", "narcotics_packet"]


def test_hs_prefix_lookup_takes_the_longest_match() -> None:
    tax = load_taxonomy()
    assert tax.category_for_hs("851713") == "phone"
    assert tax.category_for_hs("640399") == "shoes"
    assert tax.category_for_hs("930200") == "firearm"
    assert tax.category_for_hs("010121") is None


def test_bad_taxonomy_is_refused_with_the_entry_named() -> None:
    with pytest.raises(ConfigError, match=r"categories\[0\] group"):
        parse_taxonomy({"categories": [{"name": "x", "group": "nonsense"}]})
    with pytest.raises(ConfigError, match="duplicate"):
        parse_taxonomy({"categories": [{"name": "x", "group": "goods"}, {"name": "x", "group": "goods"}]})
