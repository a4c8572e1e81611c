"""Ground truth for the cross-check: the alerts an ideal cross-check should raise for a simulated parcel (it sees
the true contents) and the lane that follows.

Rules (documented in docs/simulator.md):

- a line maps to the category its description names, else to the category of its HS6 code (taxonomy prefixes);
- ``prohibited_item`` for every prohibited category present;
- per non-prohibited category: present and not declared -> ``undeclared_goods``; declared and not present ->
  ``declared_not_found``; both with different counts -> ``quantity_mismatch``;
- ``weight_mismatch`` when |declared - true gross mass| > max(tolerance x true, 0.3 kg);
- ``undervaluation`` when a line's unit value (EUR) is below factor x the reference minimum of its category
  (banknotes, whose declared value is their face value, are not checked);
- ``vague_description`` for a line whose description is a vague term (the EU ICS2 list shipped in
  nii/data/vague_description_terms.csv, plus the simulator's own vague terms);
- ``hs_description_mismatch`` when the description names one category and the HS6 code maps to another.

Lane: ``red`` when anything the image contradicts needs the parcel opened (prohibited_item, undeclared_goods,
declared_not_found, quantity_mismatch, weight_mismatch); ``yellow`` when only the papers are wrong
(undervaluation, vague_description, hs_description_mismatch); otherwise ``blue`` when the declared value exceeds
EUR 150 (duties due: release with post-clearance audit) and ``green`` below.
"""

from __future__ import annotations

import functools
from collections import Counter

from datasets.sim.declarations import Declaration
from datasets.sim.descriptions import VAGUE_NAMING, VAGUE_TERMS
from nii.currency import load_currency_rates
from nii.pricing import load_reference_prices
from nii.taxonomy import load_taxonomy

RED_TYPES = frozenset(
    {"prohibited_item", "undeclared_goods", "declared_not_found", "quantity_mismatch", "weight_mismatch"}
)
YELLOW_TYPES = frozenset({"undervaluation", "vague_description", "hs_description_mismatch"})
DE_MINIMIS_EUR = 150.0
WEIGHT_ABS_KG = 0.3
SKIP_UNDERVALUATION = frozenset({"banknotes"})


@functools.cache
def vague_terms() -> frozenset[str]:
    """Lower-case descriptions refused when used alone: the shipped list (goods and party terms, read as nii reads
    it, so "Equipment, EQP" gives both spellings) and the simulator's own vague wording."""
    # imported here: nii.describe pulls in the description classifier, which the simulator does not otherwise need
    from nii.describe.lexicon import read_party_vague_terms, read_vague_terms

    shipped = [*read_vague_terms(), *read_party_vague_terms()]
    return frozenset(t.lower() for t in (*shipped, *VAGUE_TERMS, *VAGUE_NAMING.values()))


def line_category(description_category: str | None, hs6: str) -> str | None:
    return description_category or load_taxonomy().category_for_hs(hs6)


def expected_alerts(
    present: Counter[str],
    decl: Declaration,
    true_gross_kg: float,
    *,
    weight_tolerance: float,
    undervaluation_factor: float,
) -> list[dict[str, str | None]]:
    """Sorted [{type, category}] an ideal cross-check raises. present: category -> number of units in the parcel."""
    tax = load_taxonomy()
    prices = load_reference_prices()
    rates = load_currency_rates()
    out: set[tuple[str, str | None]] = set()
    for cat in present:
        if tax[cat].prohibited:
            out.add(("prohibited_item", cat))
    declared: Counter[str] = Counter()
    for ln in decl.lines:
        mapped = line_category(ln.category, ln.hs6)
        if mapped is not None and not tax[mapped].prohibited:
            declared[mapped] += ln.quantity
        if ln.vague or ln.description.strip().lower() in vague_terms():
            out.add(("vague_description", mapped))
        hs_mapped = tax.category_for_hs(ln.hs6)
        if ln.category is not None and hs_mapped is not None and hs_mapped != ln.category:
            out.add(("hs_description_mismatch", ln.category))
        if mapped is not None and mapped not in SKIP_UNDERVALUATION and not tax[mapped].prohibited and ln.quantity > 0:
            unit_eur = rates.to_eur(ln.value_eur, "EUR") / ln.quantity
            if unit_eur < undervaluation_factor * prices[mapped].min_eur:
                out.add(("undervaluation", mapped))
    for cat in set(present) | set(declared):
        if tax[cat].prohibited:
            continue
        n, q = present.get(cat, 0), declared.get(cat, 0)
        if n and not q:
            out.add(("undeclared_goods", cat))
        elif q and not n:
            out.add(("declared_not_found", cat))
        elif n != q:
            out.add(("quantity_mismatch", cat))
    if abs(decl.gross_mass_kg - true_gross_kg) > max(weight_tolerance * true_gross_kg, WEIGHT_ABS_KG):
        out.add(("weight_mismatch", None))
    return [{"type": t, "category": c} for t, c in sorted(out, key=lambda x: (x[0], x[1] or ""))]


def expected_lane(alerts: list[dict[str, str | None]], declared_value_eur: float) -> str:
    types = {a["type"] for a in alerts}
    if types & RED_TYPES:
        return "red"
    if types & YELLOW_TYPES:
        return "yellow"
    return "blue" if declared_value_eur > DE_MINIMIS_EUR else "green"
