"""The cross-check: what the X-ray shows (detections, materials, mass) against what was declared.

Each alert type of design.md is one check registered by name in :data:`nii.crosscheck.rules.CHECKS`; the engine
builds the shared context (detected counts, declared items mapped to categories) and runs them in order.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from nii.crosscheck.config import CrossCheckConfig, load_crosscheck_config
from nii.crosscheck.items import DeclaredItem, map_items
from nii.currency import CurrencyRates, load_currency_rates
from nii.declarations.models import Parcel
from nii.describe.classifier import DescriptionClassifier, default_classifier
from nii.detection import Detection
from nii.pricing import ReferencePrice, load_reference_prices
from nii.taxonomy import Taxonomy, load_taxonomy

ITEM_STATUSES = ("matched", "not_found", "quantity_mismatch", "unmapped")


@dataclass(frozen=True)
class Alert:
    """One finding of the cross-check. evidence: JSON-ready facts a person can check (boxes, declared lines,
    reference figures)."""

    type: str
    category: str | None
    severity: str
    detail: str
    evidence: Mapping[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "type": self.type,
            "category": self.category,
            "severity": self.severity,
            "detail": self.detail,
            "evidence": dict(self.evidence),
        }


@dataclass(frozen=True)
class ItemStatus:
    """The verdict's ``items`` entry of one declared line."""

    line_no: int
    description: str
    category: str | None
    declared_quantity: float
    detected_count: int
    status: str

    def to_json(self) -> dict[str, object]:
        qty = self.declared_quantity
        return {
            "line_no": self.line_no,
            "description": self.description,
            "category": self.category,
            "declared_quantity": int(qty) if float(qty).is_integer() else qty,
            "detected_count": self.detected_count,
            "status": self.status,
        }


@dataclass
class CheckContext:
    """Everything a check may look at. detected: category -> count (the largest count over views)."""

    detections: list[Detection]
    detected: dict[str, int]
    parcel: Parcel | None
    items: list[DeclaredItem]
    attributed: dict[int, str]  # item index -> detected category attributed to that vague, unmapped item
    estimated_mass_kg: float | None
    materials: Mapping[str, float] | None
    taxonomy: Taxonomy
    prices: Mapping[str, ReferencePrice]
    rates: CurrencyRates
    config: CrossCheckConfig
    skipped: list[dict[str, str]] = field(default_factory=list)

    def declared_categories(self) -> dict[str, list[DeclaredItem]]:
        out: dict[str, list[DeclaredItem]] = {}
        for it in self.items:
            if it.category is not None:
                out.setdefault(it.category, []).append(it)
        return out

    def boxes(self, category: str) -> list[dict[str, object]]:
        return [d.to_json() for d in self.detections if d.category == category]

    def skip(self, check: str, reason: str) -> None:
        self.skipped.append({"check": check, "reason": reason})


@dataclass
class CrossCheckResult:
    """Alerts, per-item statuses and the checks that could not run (with the reason)."""

    alerts: list[Alert]
    items: list[ItemStatus]
    skipped: list[dict[str, str]]
    detected: dict[str, int]
    declared_items: list[DeclaredItem]

    def alert_types(self) -> set[str]:
        return {a.type for a in self.alerts}


def count_detections(detections: Sequence[Detection], min_score: float) -> dict[str, int]:
    """category -> number of objects: detections scoring >= min_score, counted per view, the largest view count."""
    per_view: Counter[tuple[str, int]] = Counter((d.category, d.view) for d in detections if d.score >= min_score)
    out: dict[str, int] = {}
    for (cat, _view), n in per_view.items():
        out[cat] = max(out.get(cat, 0), n)
    return out


class CrossChecker:
    """Runs the registered checks; built once and reused for many parcels (holds the classifier and tables)."""

    def __init__(
        self,
        *,
        taxonomy: Taxonomy | None = None,
        classifier: DescriptionClassifier | None = None,
        prices: Mapping[str, ReferencePrice] | None = None,
        rates: CurrencyRates | None = None,
        config: CrossCheckConfig | None = None,
        checks: Sequence[str] | None = None,
    ) -> None:
        from nii.crosscheck.rules import CHECKS

        self.taxonomy = taxonomy or load_taxonomy()
        self.classifier = classifier or default_classifier()
        self.prices = prices or load_reference_prices()
        self.rates = rates or load_currency_rates()
        self.config = config or load_crosscheck_config()
        self.checks = [(name, CHECKS.get(name)) for name in (checks or CHECKS.names())]

    def check(
        self,
        detections: Sequence[Detection],
        declaration: Parcel | None = None,
        *,
        estimated_mass_kg: float | None = None,
        materials: Mapping[str, float] | None = None,
    ) -> CrossCheckResult:
        """Cross-checks one parcel. detections: of any view; declaration: the parcel's declaration or None."""
        for d in detections:
            if d.category not in self.taxonomy:
                raise ValueError(f"detection category {d.category!r} is not in the taxonomy")
        counted = [d for d in detections if d.score >= self.config.min_detection_score]
        detected = count_detections(counted, 0.0)
        items = (
            map_items(declaration, classifier=self.classifier, taxonomy=self.taxonomy, rates=self.rates)
            if declaration is not None
            else []
        )
        ctx = CheckContext(
            detections=counted,
            detected=detected,
            parcel=declaration,
            items=items,
            attributed=self._attribute(detected, items),
            estimated_mass_kg=estimated_mass_kg,
            materials=materials,
            taxonomy=self.taxonomy,
            prices=self.prices,
            rates=self.rates,
            config=self.config,
        )
        alerts: list[Alert] = []
        for _name, check in self.checks:
            alerts.extend(check(ctx))
        return CrossCheckResult(alerts, self._statuses(ctx), ctx.skipped, detected, items)

    def _attribute(self, detected: Mapping[str, int], items: list[DeclaredItem]) -> dict[int, str]:
        """Detected categories no item names, attributed one each to items whose description names nothing."""
        if not self.config.attribute_to_vague_items:
            return {}
        declared = {it.category for it in items if it.category}
        free = [it.index for it in items if it.category is None and it.vague]
        undeclared = [c for c in detected if c not in declared and not self.taxonomy[c].prohibited]
        return dict(zip(free, undeclared))

    def _statuses(self, ctx: CheckContext) -> list[ItemStatus]:
        out: list[ItemStatus] = []
        remaining = dict(ctx.detected)
        by_cat = ctx.declared_categories()
        for it in ctx.items:
            if it.category is None:
                cat = ctx.attributed.get(it.index)
                n = ctx.detected.get(cat, 0) if cat else 0
                out.append(ItemStatus(it.line_no, it.description, None, it.quantity, n, "unmapped"))
                continue
            group = by_cat[it.category]
            last = it is group[-1]
            have = remaining.get(it.category, 0)
            n = have if last else min(have, round(it.quantity))
            remaining[it.category] = have - n
            total = ctx.detected.get(it.category, 0)
            if total == 0:
                status = "not_found"
            elif not ctx.config.tolerance(it.category).accepts(sum(x.quantity for x in group), total):
                status = "quantity_mismatch"
            else:
                status = "matched"
            out.append(ItemStatus(it.line_no, it.description, it.category, it.quantity, n, status))
        return out


def crosscheck(
    detections: Sequence[Detection],
    declaration: Parcel | None = None,
    *,
    estimated_mass_kg: float | None = None,
    materials: Mapping[str, float] | None = None,
    checker: CrossChecker | None = None,
) -> CrossCheckResult:
    """Cross-checks one parcel with the shipped configuration (or ``checker``)."""
    return (checker or _default_checker()).check(
        detections, declaration, estimated_mass_kg=estimated_mass_kg, materials=materials
    )


@functools.cache
def _default_checker() -> CrossChecker:
    return CrossChecker()
