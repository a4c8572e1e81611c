from __future__ import annotations

import copy

import pytest

from nii.declarations import check_description, check_manifest, validate_manifest
from tests.nii.declarations.test_io import PARCEL, manifest


@pytest.mark.parametrize(
    ("text", "code", "severity"),
    [
        ("Gifts", "vague_description", "reject"),
        ("spare parts", "vague_description", "reject"),
        ("123456", "digits_only", "reject"),
        ("!!!", "punctuation_only", "reject"),
        ("aaaaa", "repeated_characters", "reject"),
        ("gift box with scented candles", "vague_term", "refine"),
    ],
)
def test_description_rules(text: str, code: str, severity: str) -> None:
    findings = check_description(text, "p")
    assert [(f.code, f.severity) for f in findings] == [(code, severity)]


def test_precise_description_passes() -> None:
    assert check_description("Men's cotton T-shirt", "p") == []


def test_manifest_findings_have_paths() -> None:
    p = copy.deepcopy(PARCEL)
    p["house_ref"] = "B2"
    p["items"] = [
        {"description": "Smartphone", "hs6": "851719", "quantity": 1, "value": {"amount": 1, "currency": "EUR"}},
        {"description": "Phone case silicone", "value": {"amount": 0, "currency": "EUR"}},
    ]
    p["category_of_item"] = "gift"
    p["platform"] = {"name": "MegaShop", "order_id": "42"}
    p["consignee"] = {"name": "Unknown", "address": {"country": "NL"}}
    del p["gross_mass_kg"]
    m = validate_manifest(manifest(PARCEL, p, PARCEL))
    got = {(f.path, f.code) for f in check_manifest(m)}
    assert ("parcels[1].items[0].hs6", "unknown_hs6") in got
    assert ("parcels[1].items[0].value.amount", "suspicious_value") in got
    assert ("parcels[1].items[1].value.amount", "suspicious_value") in got
    assert ("parcels[1].items[1].hs6", "missing_field") in got
    assert ("parcels[1].items[1].quantity", "missing_field") in got
    assert ("parcels[1].category_of_item", "gift_on_platform_sale") in got
    assert ("parcels[1].consignee.name", "vague_party") in got
    assert ("parcels[1].consignee.address.city", "missing_field") in got
    assert ("parcels[1].gross_mass_kg", "missing_field") in got
    assert ("parcels[2].house_ref", "duplicate_house_ref") in got
    assert not any(path.startswith("parcels[0]") for path, _ in got)
