from __future__ import annotations

import copy
from collections import Counter

import pytest

from nii.crosscheck import Alert
from nii.declarations import check_parcel
from nii.declarations.models import Parcel
from nii.errors import ConfigError
from nii.risk import RISK_RULES, RiskInput, TraderProfile, assess_risk, load_risk_engine, parse_risk_config
from tests.nii.declarations.test_io import PARCEL

CLEAN = Parcel.model_validate(PARCEL)


def alert(type_: str, severity: str, category: str | None = None) -> Alert:
    return Alert(type_, category, severity, "test")


def test_clean_parcel_is_green_with_an_audited_draw() -> None:
    engine = load_risk_engine()
    inp = RiskInput("LX1", CLEAN, findings=check_parcel(CLEAN, 0))
    r = assess_risk(inp)
    assert r.score == 0.0
    assert r.lane in ("green", "red") and (r.lane == "red") == r.randomly_selected
    assert any("random selection" in x and "seed 20250101" in x for x in r.reasons)
    assert r.random_draw == engine.random_draw("LX1")  # deterministic


def test_prohibited_item_is_red_even_for_aeo() -> None:
    inp = RiskInput("X", CLEAN, alerts=[alert("prohibited_item", "critical", "knife")], trader=TraderProfile("AEOF"))
    r = assess_risk(inp)
    assert r.lane == "red"
    assert any("prohibited_item knife" in x for x in r.reasons)


def test_aeo_lowers_and_seizures_raise() -> None:
    alerts = [alert("vague_description", "low")]
    base = assess_risk(RiskInput("A", CLEAN, alerts=alerts)).score
    aeo = assess_risk(RiskInput("A", CLEAN, alerts=alerts, trader=TraderProfile("AEOS"))).score
    bad = assess_risk(RiskInput("A", CLEAN, alerts=alerts, trader=TraderProfile("none", seizures=2))).score
    assert aeo < base < bad


@pytest.mark.parametrize(
    ("alerts", "lane"),
    [
        ([("vague_description", "low")], "yellow"),
        ([("undervaluation", "medium")], "yellow"),
        ([("quantity_mismatch", "low")], "yellow"),
        ([("declared_not_found", "medium")], "red"),
        ([("undeclared_goods", "high")], "red"),
    ],
)
def test_lanes_of_single_alerts(alerts: list[tuple[str, str]], lane: str) -> None:
    engine = parse_risk_config({**_shipped(), "random_selection": {"rate": 0.0}})
    r = engine.assess(RiskInput("A", CLEAN, alerts=[alert(t, s) for t, s in alerts]))
    assert r.lane == lane


def test_control_regime_watchlist_and_route() -> None:
    p = copy.deepcopy(PARCEL)
    p["items"] = [{"description": "Hunting rifle", "hs6": "930330", "quantity": 1}]
    p["consignor"]["name"] = "ACME  Export ltd"  # type: ignore[index]
    parcel = Parcel.model_validate(p)
    cfg = _shipped()
    cfg["random_selection"] = {"rate": 0.0}
    for spec in cfg["rules"]:
        if spec["rule"] == "watchlist_parties":
            spec["entries"] = [{"name": "Acme Export Ltd", "reason": "seizure 2024-117"}]
        if spec["rule"] == "routes":
            spec["routes"] = [{"origin": "CN", "destination": "NL", "score": 0.3, "reason": "test"}]
    r = parse_risk_config(cfg).assess(RiskInput("A", parcel))
    assert r.lane == "red"
    text = " | ".join(r.reasons)
    assert "prohibited_or_licensed" in text and "watch list: seizure 2024-117" in text and "route CN -> NL" in text


def test_random_rate_is_met_and_seeded() -> None:
    engine = parse_risk_config({**_shipped(), "random_selection": {"rate": 0.1, "seed": 7, "lane": "yellow"}})
    lanes = Counter(engine.assess(RiskInput(f"P{i}", CLEAN)).lane for i in range(2000))
    assert 0.08 < lanes["yellow"] / 2000 < 0.12
    other = parse_risk_config({**_shipped(), "random_selection": {"rate": 0.1, "seed": 8}})
    picks7 = {i for i in range(200) if engine.assess(RiskInput(f"P{i}", CLEAN)).randomly_selected}
    picks8 = {i for i in range(200) if other.assess(RiskInput(f"P{i}", CLEAN)).randomly_selected}
    assert picks7 != picks8


def test_value_above_de_minimis_is_blue() -> None:
    engine = parse_risk_config({**_shipped(), "random_selection": {"rate": 0.0}})
    p = copy.deepcopy(PARCEL)
    p["items"][0]["value"] = {"amount": 300, "currency": "USD"}  # type: ignore[index]
    r = engine.assess(RiskInput("A", Parcel.model_validate(p)))
    assert r.lane == "blue" and any("duty due" in x for x in r.reasons)


def test_no_declaration_raises_risk() -> None:
    engine = parse_risk_config({**_shipped(), "random_selection": {"rate": 0.0}})
    assert engine.assess(RiskInput("A", None)).lane == "yellow"


def test_rules_are_chosen_by_name() -> None:
    assert {"alerts", "hs_control_regimes", "watchlist_parties", "routes", "declaration_quality"} <= set(
        RISK_RULES.names()
    )
    with pytest.raises(ConfigError, match="unknown risk rule 'astrology'"):
        parse_risk_config({"rules": [{"rule": "astrology"}]})
    with pytest.raises(ConfigError, match="lane"):
        parse_risk_config({"lanes": {"purple": 0.5}})


def _shipped() -> dict[str, object]:
    import yaml

    from nii.resources import config_path

    with open(config_path("risk.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)  # type: ignore[no-any-return]
