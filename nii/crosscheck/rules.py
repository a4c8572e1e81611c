"""The checks of the cross-check, one per alert type of design.md, registered by name in :data:`CHECKS`.

Each check is ``check(ctx: CheckContext) -> list[Alert]`` and may record in ``ctx.skip`` why it could not run.
"""

from __future__ import annotations

from collections.abc import Callable

from nii.crosscheck.engine import Alert, CheckContext
from nii.registry import Registry

Check = Callable[[CheckContext], list[Alert]]
CHECKS: Registry[Check] = Registry("cross-check")
CENT = 0.01  # EUR: values converted from other currencies may land a fraction of a cent below a reference figure


@CHECKS.register("prohibited_item")
def prohibited_item(ctx: CheckContext) -> list[Alert]:
    """A detected object of a prohibited category, declared or not."""
    out = []
    declared = ctx.declared_categories()
    for cat, n in sorted(ctx.detected.items()):
        if not ctx.taxonomy[cat].prohibited:
            continue
        lines = [it.to_evidence() for it in declared.get(cat, [])]
        detail = f"{n} {cat} detected" + (" (declared)" if lines else " (not declared)")
        evidence = {"detections": ctx.boxes(cat), "detected_count": n, "declared_items": lines}
        out.append(Alert("prohibited_item", cat, ctx.config.severity_of("prohibited_item"), detail, evidence))
    return out


@CHECKS.register("undeclared_goods")
def undeclared_goods(ctx: CheckContext) -> list[Alert]:
    """A detected category that no declared item maps to (only when a declaration is known)."""
    if ctx.parcel is None:
        ctx.skip("undeclared_goods", "no declaration")
        return []
    declared = ctx.declared_categories()
    attributed = set(ctx.attributed.values())
    out = []
    for cat, n in sorted(ctx.detected.items()):
        group = ctx.taxonomy[cat].group
        if cat in declared or cat in attributed:
            continue
        if group == "prohibited" and not ctx.config.undeclared_includes_prohibited:
            continue
        evidence = {
            "detections": ctx.boxes(cat),
            "detected_count": n,
            "declared_items": [it.to_evidence() for it in ctx.items],
        }
        detail = f"{n} {cat} detected; no declared item is {cat}"
        out.append(Alert("undeclared_goods", cat, ctx.config.severity_of("undeclared_goods", group), detail, evidence))
    return out


@CHECKS.register("declared_not_found")
def declared_not_found(ctx: CheckContext) -> list[Alert]:
    """A declared category with no detection."""
    out = []
    for cat, items in sorted(ctx.declared_categories().items()):
        if ctx.detected.get(cat, 0) > 0:
            continue
        qty = sum(it.quantity for it in items)
        detail = f"{qty:g} {cat} declared; none detected"
        evidence = {"declared_items": [it.to_evidence() for it in items], "detected_count": 0}
        out.append(Alert("declared_not_found", cat, ctx.config.severity_of("declared_not_found"), detail, evidence))
    return out


@CHECKS.register("quantity_mismatch")
def quantity_mismatch(ctx: CheckContext) -> list[Alert]:
    """Detected count outside the category's tolerance around the declared quantity (configs/crosscheck.yaml)."""
    out = []
    for cat, items in sorted(ctx.declared_categories().items()):
        n = ctx.detected.get(cat, 0)
        qty = sum(it.quantity for it in items)
        tol = ctx.config.tolerance(cat)
        if n == 0 or tol.accepts(qty, n):
            continue
        detail = f"{qty:g} {cat} declared, {n} detected"
        evidence = {
            "declared_quantity": qty,
            "detected_count": n,
            "tolerance": {"fewer": "all" if tol.any_count else tol.fewer, "more": tol.more},
            "declared_items": [it.to_evidence() for it in items],
            "detections": ctx.boxes(cat),
        }
        out.append(Alert("quantity_mismatch", cat, ctx.config.severity_of("quantity_mismatch"), detail, evidence))
    return out


@CHECKS.register("weight_mismatch")
def weight_mismatch(ctx: CheckContext) -> list[Alert]:
    """The X-ray mass estimate against the declared gross mass."""
    if ctx.parcel is None:
        ctx.skip("weight_mismatch", "no declaration")
        return []
    if ctx.estimated_mass_kg is None:
        ctx.skip("weight_mismatch", "no X-ray mass estimate (single-energy scan, no pixel spacing, or not computed)")
        return []
    declared = ctx.parcel.gross_mass_kg
    if declared is None:
        ctx.skip("weight_mismatch", "no declared gross mass")
        return []
    est = ctx.estimated_mass_kg
    share = ctx.config.weight_over_tolerance if est > declared else ctx.config.weight_under_tolerance
    tol = max(ctx.config.weight_absolute_tolerance_kg, share * declared)
    if abs(est - declared) <= tol:
        return []
    evidence: dict[str, object] = {
        "estimated_mass_kg": round(est, 3),
        "declared_gross_mass_kg": declared,
        "tolerance_kg": round(tol, 3),
    }
    if ctx.materials is not None:
        evidence["materials"] = {k: round(v, 3) for k, v in ctx.materials.items()}
    detail = f"X-ray mass estimate {est:.2f} kg vs declared {declared:g} kg (tolerance {tol:.2f} kg)"
    return [Alert("weight_mismatch", None, ctx.config.severity_of("weight_mismatch"), detail, evidence)]


@CHECKS.register("undervaluation")
def undervaluation(ctx: CheckContext) -> list[Alert]:
    """A declared unit value below the reference minimum of its category (configs/reference_prices.yaml)."""
    out = []
    cfg = ctx.config
    for it in ctx.items:
        if it.value_problem:
            ctx.skip("undervaluation", f"line {it.line_no}: {it.value_problem}")
            continue
        if it.category is None or it.unit_value_eur is None or it.category in cfg.undervaluation_skip:
            continue
        ref = ctx.prices[it.category]
        if it.unit_value_eur >= cfg.undervaluation_ratio_of_min * ref.min_eur - CENT:  # conversion rounding
            continue
        high = it.unit_value_eur < cfg.undervaluation_high_ratio_of_min * ref.min_eur
        severity = "high" if high else cfg.severity_of("undervaluation")
        detail = (
            f"line {it.line_no}: {it.unit_value_eur:.2f} EUR per {it.category} declared; "
            f"reference minimum {ref.min_eur:g}, typical {ref.typical_eur:g} EUR"
        )
        evidence = {
            "line_no": it.line_no,
            "description": it.description,
            "declared_unit_value_eur": round(it.unit_value_eur, 2),
            "quantity": it.quantity,
            "reference_eur": {"min": ref.min_eur, "typical": ref.typical_eur, "max": ref.max_eur},
            "reference_source": ref.source,
            "currency_rates": ctx.rates.source,
        }
        out.append(Alert("undervaluation", it.category, severity, detail, evidence))
    return out


@CHECKS.register("vague_description")
def vague_description(ctx: CheckContext) -> list[Alert]:
    """A description that alone would be refused (ICS2 vague terms, character rules)."""
    out = []
    for it in ctx.items:
        if not it.vague:
            continue
        detail = f"line {it.line_no}: {it.description!r} is not an acceptable goods description"
        evidence = {
            "line_no": it.line_no,
            "description": it.description,
            "hs6": it.hs6,
            "reasons": list(it.vague_reasons),
            "names_category": it.classification.category,
        }
        out.append(
            Alert("vague_description", it.category, ctx.config.severity_of("vague_description"), detail, evidence)
        )
    return out


@CHECKS.register("hs_description_mismatch")
def hs_description_mismatch(ctx: CheckContext) -> list[Alert]:
    """The HS6 code maps to one category and the description names another."""
    out = []
    for it in ctx.items:
        desc_cat = it.classification.category
        if desc_cat is None or it.hs_category is None or desc_cat == it.hs_category:
            continue
        detail = f"line {it.line_no}: description names {desc_cat}, HS6 {it.hs6} is {it.hs_category}"
        evidence = {
            "line_no": it.line_no,
            "description": it.description,
            "description_category": desc_cat,
            "hs6": it.hs6,
            "hs6_category": it.hs_category,
            "suggested_hs6": it.classification.hs6,
        }
        sev = ctx.config.severity_of("hs_description_mismatch")
        out.append(Alert("hs_description_mismatch", desc_cat, sev, detail, evidence))
    return out
