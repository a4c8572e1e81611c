"""The built-in risk rules, registered by name in :data:`nii.risk.RISK_RULES` (configs/risk.yaml ``rules``).

Each factory takes the rule's parameters from the YAML and returns ``rule(inp: RiskInput) -> list[Hit]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nii.currency import UnknownCurrencyError, load_currency_rates
from nii.declarations.models import Parcel, Party
from nii.describe.text import normalize
from nii.hs import load_control_regimes
from nii.risk import LANES, RISK_RULES, Hit, RiskInput, Rule


def _lane_or_none(value: object) -> str | None:
    if value is None:
        return None
    if value not in LANES:
        raise ValueError(f"lane {value!r}; expected one of {LANES}")
    return str(value)


def _score(value: object) -> float:
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"score {value!r}; expected a number in [0, 1]")
    return float(value)


@RISK_RULES.register("alerts")
def alerts_rule(params: Mapping[str, Any]) -> Rule:
    """Cross-check alerts: weight of the alert type x factor of its severity; some severities force a lane."""
    weights = {str(k): _score(v) for k, v in (params.get("weights") or {}).items()}
    factors = {str(k): _score(v) for k, v in (params.get("severity_factors") or {}).items()}
    min_lanes = {str(k): _lane_or_none(v) for k, v in (params.get("min_lane_by_severity") or {}).items()}
    type_lanes = {str(k): _lane_or_none(v) for k, v in (params.get("min_lane_by_type") or {}).items()}

    def rule(inp: RiskInput) -> list[Hit]:
        out = []
        for a in inp.alerts:
            c = weights.get(a.type, 0.5) * factors.get(a.severity, 1.0)
            what = f"{a.type}" + (f" {a.category}" if a.category else "")
            lanes = [x for x in (min_lanes.get(a.severity), type_lanes.get(a.type)) if x]
            lane = max(lanes, key=LANES.index) if lanes else None
            out.append(Hit(c, f"{what} ({a.severity}): {a.detail}", lane))
        return out

    return rule


@RISK_RULES.register("hs_control_regimes")
def hs_control_regimes_rule(params: Mapping[str, Any]) -> Rule:
    """Declared HS codes under a control regime of nii/data/hs/hs_control_regimes.csv (once per regime)."""
    regimes: dict[str, tuple[float, str | None]] = {}
    for name, spec in (params.get("regimes") or {}).items():
        regimes[str(name)] = (_score(spec.get("score", 0.0)), _lane_or_none(spec.get("lane")))
    table = sorted(load_control_regimes(), key=lambda r: -len(r.hs_prefix))

    def rule(inp: RiskInput) -> list[Hit]:
        lines: dict[str, list[str]] = {}
        for item in inp.parcel.items if inp.parcel else []:
            if not item.hs6:
                continue
            match = next((r for r in table if item.hs6.startswith(r.hs_prefix)), None)
            if match is not None and match.regime in regimes:
                lines.setdefault(match.regime, []).append(f"HS {item.hs6} {item.description!r} ({match.category})")
        out = []
        for regime, found in lines.items():
            score, lane = regimes[regime]
            out.append(Hit(score, f"{regime}: {'; '.join(found)}", lane))
        return out

    return rule


def _parties(parcel: Parcel) -> list[tuple[str, Party]]:
    return [
        (role, p)
        for role, p in (("consignor", parcel.consignor), ("consignee", parcel.consignee), ("seller", parcel.seller))
        if p is not None
    ]


@RISK_RULES.register("watchlist_parties")
def watchlist_rule(params: Mapping[str, Any]) -> Rule:
    """Consignor, consignee or seller on the watch list (by normalised name or by EORI)."""
    score = _score(params.get("score", 0.9))
    lane = _lane_or_none(params.get("lane"))
    names: dict[str, str] = {}
    eoris: dict[str, str] = {}
    for e in params.get("entries") or []:
        reason = str(e.get("reason", "watch list"))
        if e.get("name"):
            names[" ".join(normalize(str(e["name"])).split())] = reason
        if e.get("eori"):
            eoris[str(e["eori"]).upper()] = reason

    def rule(inp: RiskInput) -> list[Hit]:
        out = []
        for role, party in _parties(inp.parcel) if inp.parcel else []:
            for name in (party.name, party.business_name):
                key = " ".join(normalize(name).split()) if name else None
                if key and key in names:
                    out.append(Hit(score, f"{role} {name!r} is on the watch list: {names[key]}", lane))
            if party.eori and party.eori.upper() in eoris:
                out.append(
                    Hit(score, f"{role} EORI {party.eori} is on the watch list: {eoris[party.eori.upper()]}", lane)
                )
        return out

    return rule


def _origins(parcel: Parcel) -> set[str]:
    out = {it.country_of_origin for it in parcel.items if it.country_of_origin}
    if parcel.consignor and parcel.consignor.address and parcel.consignor.address.country:
        out.add(parcel.consignor.address.country)
    return out


def _destination(parcel: Parcel) -> str | None:
    c = parcel.consignee
    return c.address.country if c and c.address and c.address.country else None


@RISK_RULES.register("origin_countries")
def origin_countries_rule(params: Mapping[str, Any]) -> Rule:
    """Contribution by origin country (consignor address or item origin)."""
    countries = {str(k): _score(v) for k, v in (params.get("countries") or {}).items()}

    def rule(inp: RiskInput) -> list[Hit]:
        if inp.parcel is None:
            return []
        return [
            Hit(countries[c], f"origin {c} is a risk origin") for c in sorted(_origins(inp.parcel)) if c in countries
        ]

    return rule


@RISK_RULES.register("routes")
def routes_rule(params: Mapping[str, Any]) -> Rule:
    """Origin -> destination country pairs ("*" matches any)."""
    routes = [
        (
            str(r.get("origin", "*")),
            str(r.get("destination", "*")),
            _score(r.get("score", 0.3)),
            str(r.get("reason", "")),
        )
        for r in params.get("routes") or []
    ]

    def rule(inp: RiskInput) -> list[Hit]:
        if inp.parcel is None:
            return []
        dest = _destination(inp.parcel)
        out = []
        for origin in sorted(_origins(inp.parcel)):
            for o, d, s, why in routes:
                if o in ("*", origin) and d in ("*", dest):
                    out.append(Hit(s, f"route {origin} -> {dest}: {why or 'risk route'}"))
        return out

    return rule


@RISK_RULES.register("declaration_quality")
def declaration_quality_rule(params: Mapping[str, Any]) -> Rule:
    """ICS2-style findings of the declaration, and parcels with no advance data at all."""
    per_reject = _score(params.get("per_reject", 0.08))
    per_warning = _score(params.get("per_warning", 0.02))
    cap = _score(params.get("max", 0.3))
    missing = _score(params.get("no_declaration", 0.5))

    def rule(inp: RiskInput) -> list[Hit]:
        if inp.parcel is None:
            return [Hit(missing, "no advance declaration for this parcel")]
        rejects = sum(f.severity == "reject" for f in inp.findings)
        warnings = sum(f.severity == "warning" for f in inp.findings)
        c = min(cap, per_reject * rejects + per_warning * warnings)
        if c <= 0:
            return []
        codes = sorted({f.code for f in inp.findings if f.severity in ("reject", "warning")})
        return [Hit(c, f"declaration quality: {rejects} reject and {warnings} warning finding(s) ({', '.join(codes)})")]

    return rule


@RISK_RULES.register("declared_value")
def declared_value_rule(params: Mapping[str, Any]) -> Rule:
    """Parcels declared above a value (EUR) owe duty: at least the given lane (post-clearance audit)."""
    above = float(params.get("above_eur", 150.0))
    lane = _lane_or_none(params.get("lane", "blue"))
    score = _score(params.get("score", 0.0))
    rates = load_currency_rates()

    def rule(inp: RiskInput) -> list[Hit]:
        p = inp.parcel
        if p is None:
            return []
        money = p.intrinsic_value or p.total_value
        try:
            if money is not None:
                value = rates.to_eur(money.amount, money.currency)
            else:
                value = sum(rates.to_eur(it.value.amount, it.value.currency) for it in p.items if it.value)
        except UnknownCurrencyError as exc:
            return [Hit(score, f"declared value not converted: {exc}")]
        if value <= above:
            return []
        return [Hit(score, f"declared value {value:.2f} EUR > {above:g} EUR: duty due", lane)]

    return rule
