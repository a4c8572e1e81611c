"""Declarations: schema-valid manifests, S10 numbers, HS codes that exist, injected mismatches recorded with the
alerts an ideal cross-check should raise, and the lane rule."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from collections import Counter

import jsonschema
import numpy as np
import pytest

from datasets.sim.composer import ParcelLayout, compose
from datasets.sim.config import ALERT_TYPES, DeclarationConfig, ParcelConfig
from datasets.sim.declarations import build_declaration
from datasets.sim.descriptions import DECOYS, DRINK_HS, GARMENT_HS, HS_BY_CATEGORY, TOOL_HS, VAGUE_NAMING, VAGUE_TERMS
from datasets.sim.expected import expected_alerts, expected_lane, vague_terms
from datasets.sim.parties import is_valid_s10, s10_check_digit, s10_number
from nii.describe.lexicon import read_vague_terms
from nii.resources import data_path
from nii.taxonomy import load_taxonomy

WHEN = dt.datetime(2026, 1, 12, tzinfo=dt.UTC)


def _schema() -> dict[str, object]:
    return json.loads(data_path("parcel_manifest.schema.json").read_text(encoding="utf-8"))


def _layout(seed: int, **parcel: object) -> ParcelLayout:
    cfg = dataclasses.replace(ParcelConfig(), **parcel)  # type: ignore[arg-type]
    return compose(np.random.default_rng(seed), cfg, 700.0, 500.0)


def _check(layout: ParcelLayout, decl_cfg: DeclarationConfig, seed: int) -> tuple[list[str], list[dict[str, object]]]:
    decl = build_declaration(layout, "LX000000015CN", np.random.default_rng(seed), decl_cfg, "CN", WHEN)
    present = Counter(str(layout.placed[i].obj.category) for i in layout.annotated)
    alerts = expected_alerts(
        present,
        decl,
        layout.true_mass_kg(),
        weight_tolerance=decl_cfg.weight_tolerance,
        undervaluation_factor=decl_cfg.undervaluation_factor,
    )
    return decl.injected, alerts  # type: ignore[return-value]


def test_s10_numbers() -> None:
    assert s10_check_digit("47312482") == 9  # UPU S10 worked example: RR 47312482 9 GB
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = s10_number(rng, "CN")
        assert is_valid_s10(n) and n.endswith("CN") and len(n) == 13
    assert is_valid_s10("RR473124829GB") and not is_valid_s10("RR473124828GB")


def test_all_hs_codes_exist_in_the_nomenclature() -> None:
    with open(data_path("hs/harmonized-system.csv"), encoding="utf-8") as f:
        codes = {row["hscode"] for row in csv.DictReader(f)}
    used = {c for cs in HS_BY_CATEGORY.values() for c in cs} | set(GARMENT_HS.values()) | set(DRINK_HS.values())
    used |= set(TOOL_HS.values()) | {hs for options in DECOYS.values() for _, hs, _, _ in options}
    from datasets.sim.objects import KINDS

    rng = np.random.default_rng(0)
    used |= {str(k.build(rng).attributes["hs6"]) for _, k in KINDS.items() if k.group == "clutter"}
    missing = sorted(used - codes)
    assert not missing, f"HS codes not in HS 2022: {missing}"


def test_hs_codes_of_categories_map_back_to_their_category() -> None:
    tax = load_taxonomy()
    for cat, codes in HS_BY_CATEGORY.items():
        for code in codes:
            assert tax.category_for_hs(code) == cat, (cat, code)
    for mapping, cat in ((GARMENT_HS, "clothing"), (DRINK_HS, "bottle"), (TOOL_HS, "tool")):
        for code in mapping.values():
            assert tax.category_for_hs(code) == cat, (cat, code)


def test_manifest_entries_validate_against_the_schema() -> None:
    schema = _schema()
    parcels = []
    for seed in range(8):
        layout = _layout(seed)
        decl = build_declaration(
            layout, f"LX0000000{seed}5CN", np.random.default_rng(seed), DeclarationConfig(), "CN", WHEN
        )
        parcels.append(decl.parcel)
    manifest = {"manifest_id": "T", "source_format": "express_manifest", "parcels": parcels}
    jsonschema.validate(manifest, schema)
    bad = json.loads(json.dumps(manifest))
    bad["parcels"][0]["items"][0]["hs6"] = "12345"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_honest_declarations_raise_no_alerts() -> None:
    clean = DeclarationConfig(rates={}, gross_mass_noise=0.02)
    for seed in range(12):
        injected, alerts = _check(_layout(seed, threat_share=0.0), clean, seed)
        assert injected == []
        assert alerts == [], f"seed {seed}: {alerts}"


@pytest.mark.parametrize("kind", [t for t in ALERT_TYPES if t != "prohibited_item"])
def test_each_injected_mismatch_is_recorded_and_expected(kind: str) -> None:
    cfg = DeclarationConfig(rates={kind: 1.0}, gross_mass_noise=0.0)
    seen = 0
    for seed in range(10):
        injected, alerts = _check(_layout(seed, threat_share=0.0), cfg, seed)
        if kind in injected:
            seen += 1
            assert kind in {a["type"] for a in alerts}, f"seed {seed}: injected {kind}, expected {alerts}"
    assert seen >= 5


def test_threats_give_prohibited_item_and_red_lane() -> None:
    cfg = DeclarationConfig(rates={})
    for seed in range(6):
        layout = _layout(seed, threat_share=1.0)
        _, alerts = _check(layout, cfg, seed)
        cats = {str(layout.placed[i].obj.category) for i in layout.annotated}
        prohibited = {c for c in cats if load_taxonomy()[c].prohibited}
        assert prohibited
        assert {a["category"] for a in alerts if a["type"] == "prohibited_item"} == prohibited
        assert expected_lane(alerts, 10.0) == "red"  # type: ignore[arg-type]


def test_lane_rule() -> None:
    assert expected_lane([], 20.0) == "green"
    assert expected_lane([], 400.0) == "blue"
    assert expected_lane([{"type": "vague_description", "category": None}], 20.0) == "yellow"
    assert expected_lane([{"type": "weight_mismatch", "category": None}], 20.0) == "red"


def test_vague_terms_read_the_shipped_list_as_the_cross_check_does() -> None:
    terms = vague_terms()
    assert {t.lower() for t in read_vague_terms()} <= terms
    assert {"equipment", "eqp", "unknown", "gift"} <= terms  # "Equipment, EQP" is two spellings; party, own terms
    assert "equipment, eqp" not in terms


def test_the_simulators_vague_wording_is_refused_by_the_classifier() -> None:
    # The answer key must not invent vague terms: every wording the simulator injects as vague is one that the
    # product's classifier (ICS2 list + character rules) refuses too, e.g. not "books" or "tobacco".
    from nii.describe import classify_description

    for text in (*VAGUE_TERMS, *VAGUE_NAMING.values()):
        assert classify_description(text).vague, text
