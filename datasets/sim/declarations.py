"""The declaration of a simulated parcel (one parcel entry of a manifest, nii/data/parcel_manifest.schema.json)
and the injection of mismatches.

Honest declaration: one line per distinct goods object (quantity = number of identical units), most clutter
items as further lines, the gross mass with a few percent of noise and values within the reference price range.
Prohibited items are never declared truthfully: they travel undeclared or under a benign decoy line.
Injected mismatches (each at its configured rate, only where it applies): a goods line dropped
(undeclared_goods), a line added for goods that are not there (declared_not_found), a quantity changed, the gross
mass far off, a value far below the reference minimum, a vague description, an HS code of another category.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from datasets.sim.composer import ParcelLayout
from datasets.sim.config import DeclarationConfig
from datasets.sim.descriptions import HS_BY_CATEGORY, VAGUE_NAMING, VAGUE_TERMS, decoy, describe
from datasets.sim.geometry import SimObject
from datasets.sim.parties import DESTINATIONS, PLATFORMS, choose, company, person
from nii.currency import load_currency_rates
from nii.pricing import load_reference_prices
from nii.taxonomy import load_taxonomy

NOT_DECLARED_CLUTTER = frozenset({"documents"})


@dataclass
class Line:
    """One declared item. category: what the description names (None: names nothing). covers: the category of the
    goods the line really stands for (None for clutter and decoys)."""

    description: str
    hs6: str
    category: str | None
    quantity: int
    net_mass_kg: float
    value_eur: float
    origin: str
    covers: str | None = None
    vague: bool = False
    """The generator wrote a vague description (a decoy like "Metal parts", or an injected "gift")."""


@dataclass
class Declaration:
    """A parcel's declared data: lines, gross mass, currency, and the mismatches that were injected."""

    lines: list[Line]
    gross_mass_kg: float
    currency: str
    injected: list[str] = field(default_factory=list)
    parcel: dict[str, object] = field(default_factory=dict)


def _goods_groups(layout: ParcelLayout) -> list[tuple[SimObject, int]]:
    """Distinct annotated objects and how many identical units of each the parcel holds."""
    counts: dict[int, tuple[SimObject, int]] = {}
    for i in layout.annotated:
        obj = layout.placed[i].obj
        o, n = counts.get(id(obj), (obj, 0))
        counts[id(obj)] = (o, n + 1)
    return list(counts.values())


def _other_category_hs(category: str, rng: np.random.Generator) -> str:
    others = [c for c in HS_BY_CATEGORY if c != category and not load_taxonomy()[c].prohibited]
    c = others[int(rng.integers(len(others)))]
    codes = HS_BY_CATEGORY[c]
    return codes[int(rng.integers(len(codes)))]


def honest_lines(layout: ParcelLayout, rng: np.random.Generator, origin: str, cfg: DeclarationConfig) -> list[Line]:
    """The lines a truthful sender would file (prohibited items under a decoy or left out)."""
    tax = load_taxonomy()
    lines: list[Line] = []
    for obj, n in _goods_groups(layout):
        assert obj.category is not None
        mass = round(obj.mass_kg() * n, 3)
        if tax[obj.category].prohibited:
            if rng.random() < cfg.threat_declared_as_benign_share:
                text, hs, named, vague = decoy(obj.category, rng)
                lines.append(Line(text, hs, named, 1, mass, round(float(rng.uniform(3, 40)), 2), origin, None, vague))
            continue
        text, hs, named = describe(obj, rng)
        lines.append(Line(text, hs, named, n, mass, round(obj.value_eur * n, 2), origin, obj.category))
    for p in layout.placed:
        obj = p.obj
        if p.role == "item" and obj.category is None and obj.kind not in NOT_DECLARED_CLUTTER and rng.random() < 0.6:
            text, hs, _ = describe(obj, rng)
            if tax.category_for_hs(hs) is not None:
                continue  # e.g. lipstick (3304) or coins (7118): HS headings the taxonomy counts as another category
            lines.append(Line(text, hs, None, 1, round(obj.mass_kg(), 3), obj.value_eur, origin, None))
    return lines


def inject(
    lines: list[Line], gross_kg: float, rng: np.random.Generator, cfg: DeclarationConfig, present: set[str]
) -> tuple[list[Line], float, list[str]]:
    """Applies mismatches at their rates; returns (lines, declared gross mass, injected types)."""
    prices = load_reference_prices()
    tax = load_taxonomy()
    injected: list[str] = []
    rates = cfg.rates

    def goods_lines() -> list[int]:
        return [i for i, ln in enumerate(lines) if ln.covers is not None and ln.category == ln.covers]

    alone = [i for i in goods_lines() if sum(ln.covers == lines[i].covers for ln in lines) == 1]
    if rng.random() < rates.get("undeclared_goods", 0) and alone:  # the only line of its category goes missing
        i = alone[int(rng.integers(len(alone)))]
        lines = lines[:i] + lines[i + 1 :]
        injected.append("undeclared_goods")
    if rng.random() < rates.get("declared_not_found", 0):
        absent = [c for c in HS_BY_CATEGORY if c not in present and not tax[c].prohibited]
        if absent:
            c = absent[int(rng.integers(len(absent)))]
            ref = prices[c]
            from datasets.sim.objects import kinds_of

            ghost = kinds_of(c)[0].build(np.random.default_rng(int(rng.integers(2**31))))
            text, hs, named = describe(ghost, rng)
            lines.append(
                Line(
                    text,
                    hs,
                    named,
                    1,
                    round(float(rng.uniform(ref.mass_min_kg, ref.mass_max_kg)), 3),
                    round(float(rng.uniform(ref.min_eur, ref.typical_eur * 1.5)), 2),
                    lines[0].origin if lines else "CN",
                    None,
                )
            )
            injected.append("declared_not_found")
    if rng.random() < rates.get("quantity_mismatch", 0) and goods_lines():
        i = goods_lines()[int(rng.integers(len(goods_lines())))]
        q = lines[i].quantity
        new_q = q + int(rng.integers(1, 3)) if q == 1 or rng.random() < 0.5 else max(1, q - int(rng.integers(1, q)))
        if new_q != q:
            lines[i].value_eur = round(lines[i].value_eur / q * new_q, 2)
            lines[i].quantity = new_q
            injected.append("quantity_mismatch")
    if rng.random() < rates.get("undervaluation", 0):
        cands = [i for i in goods_lines() if lines[i].covers not in ("banknotes",)]
        if cands:
            i = cands[int(rng.integers(len(cands)))]
            unit = prices[str(lines[i].covers)].min_eur * rng.uniform(0.05, 0.4)
            lines[i].value_eur = round(unit * lines[i].quantity, 2)
            injected.append("undervaluation")
    if rng.random() < rates.get("vague_description", 0) and lines:
        i = int(rng.integers(len(lines)))
        ln = lines[i]
        ln.vague = True
        if ln.category is not None and ln.category in VAGUE_NAMING and rng.random() < 0.4:
            ln.description = VAGUE_NAMING[ln.category]  # names its category, still refused as a description
            ln.category = ln.category if ln.description in ("clothes", "shoes", "toys", "tools", "bottles") else None
        else:
            ln.description = VAGUE_TERMS[int(rng.integers(len(VAGUE_TERMS)))]
            ln.category = None
        injected.append("vague_description")
    if rng.random() < rates.get("hs_description_mismatch", 0):
        cands = [i for i in goods_lines()]
        if cands:
            i = cands[int(rng.integers(len(cands)))]
            lines[i].hs6 = _other_category_hs(str(lines[i].category), rng)
            injected.append("hs_description_mismatch")
    declared_gross = gross_kg * (1 + rng.normal(0, cfg.gross_mass_noise))
    if rng.random() < rates.get("weight_mismatch", 0):
        factor = rng.uniform(0.25, 0.5) if rng.random() < 0.6 else rng.uniform(1.8, 3.0)
        declared_gross = gross_kg * factor
        if abs(declared_gross - gross_kg) < 0.45:  # light parcels: far off in absolute terms too
            declared_gross = gross_kg + 0.45
        injected.append("weight_mismatch")
    if not lines:  # a manifest entry needs at least one item: a sender writes something
        lines.append(Line(VAGUE_TERMS[0], "392690", None, 1, round(gross_kg * 0.8, 3), 10.0, "CN", None))
    return lines, round(max(0.01, declared_gross), 2), injected


def build_declaration(
    layout: ParcelLayout, ooi_id: str, rng: np.random.Generator, cfg: DeclarationConfig, origin: str, when: dt.datetime
) -> Declaration:
    """The parcel's declaration (a schema-valid parcel entry in ``Declaration.parcel``)."""
    present = {layout.placed[i].obj.category for i in layout.annotated}
    lines = honest_lines(layout, rng, origin, cfg)
    lines, gross, injected = inject(lines, layout.true_mass_kg(), rng, cfg, {c for c in present if c})
    currency = choose(rng, cfg.currencies)
    rates = load_currency_rates()
    per_eur = 1.0 / rates.eur_per_unit[currency]
    dest = choose(rng, DESTINATIONS)
    b2c = rng.random() < 0.85
    aeo = "AEOF" if rng.random() < cfg.aeo_share else "none"
    seller = company(rng, origin, aeo) if b2c else person(rng, origin)
    items = []
    for n, ln in enumerate(lines, start=1):
        item: dict[str, object] = {
            "line_no": n,
            "description": ln.description,
            "hs6": ln.hs6,
            "quantity": ln.quantity,
            "quantity_unit": "PCE",
            "net_mass_kg": round(ln.net_mass_kg, 3),
            "value": {"amount": round(ln.value_eur * per_eur, 2), "currency": currency},
            "country_of_origin": ln.origin,
        }
        if ln.covers == "lithium_battery" or ln.hs6 in ("850760", "850650"):
            item["dangerous_goods"] = {"un_number": "UN3480", "lithium_config": "standalone"}
        items.append(item)
    total = round(sum(ln.value_eur * per_eur for ln in lines), 2)
    platform = choose(rng, {k: v[1] for k, v in PLATFORMS.items()}) if b2c else None
    parcel: dict[str, object] = {
        "house_ref": ooi_id,
        "tracking_no": ooi_id,
        "consignor": seller,
        "consignee": person(rng, dest),
        "number_of_packages": 1,
        "type_of_packages": {"box": "BX", "mailer": "EN", "polybag": "BG"}[layout.container],
        "gross_mass_kg": gross,
        "total_value": {"amount": total, "currency": currency},
        "category_of_item": (
            "sale_of_goods" if b2c else str(rng.choice(["gift", "gift", "returned_goods", "commercial_sample"]))
        ),
        "items": items,
    }
    if b2c and platform is not None:
        parcel["seller"] = seller
        parcel["platform"] = {
            "name": platform,
            "url": PLATFORMS[platform][0],
            "seller_id": f"S{int(rng.integers(10**6, 10**7))}",
            "order_id": f"{int(rng.integers(10**11, 10**12))}",
            "order_time": (when - dt.timedelta(days=int(rng.integers(3, 20)))).isoformat(),
        }
        if rates.to_eur(total, currency) <= 150 and rng.random() < 0.7:
            parcel["ioss_number"] = f"IM{int(rng.integers(10**9, 10**10)):010d}"
    return Declaration(lines, gross, currency, injected, parcel)
