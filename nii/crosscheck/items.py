"""Declared items mapped to taxonomy categories (design.md: through the description; where it names none,
through the HS6 code), with unit values in EUR."""

from __future__ import annotations

from dataclasses import dataclass

from nii.currency import CurrencyRates, UnknownCurrencyError
from nii.declarations.models import Item, Parcel
from nii.describe.classifier import Classification, DescriptionClassifier
from nii.taxonomy import Taxonomy


@dataclass(frozen=True)
class DeclaredItem:
    """One declared line as the cross-check sees it.

    category: from the description, else from the HS6 code, else None (``category_source`` says which).
    hs_category: the category of the declared HS6 code alone (None when it maps to none).
    quantity: declared units (1 when not declared). unit_value_eur: declared value per unit in EUR, None when no
    value is declared; ``value_problem`` says why a declared value could not be converted.
    """

    index: int
    line_no: int
    description: str
    hs6: str | None
    classification: Classification
    category: str | None
    category_source: str | None
    hs_category: str | None
    quantity: float
    quantity_declared: bool
    unit_value_eur: float | None
    value_problem: str | None = None
    vague_reasons: tuple[str, ...] = ()

    @property
    def vague(self) -> bool:
        return self.classification.vague

    def to_evidence(self) -> dict[str, object]:
        return {
            "line_no": self.line_no,
            "description": self.description,
            "hs6": self.hs6,
            "quantity": self.quantity,
            "category": self.category,
        }


def _unit_value(item: Item, quantity: float, rates: CurrencyRates) -> tuple[float | None, str | None]:
    try:
        if item.unit_price is not None:
            return rates.to_eur(item.unit_price.amount, item.unit_price.currency), None
        if item.value is not None:
            return rates.to_eur(item.value.amount, item.value.currency) / max(quantity, 1.0), None
    except UnknownCurrencyError as exc:
        return None, str(exc)
    return None, None


def map_items(
    parcel: Parcel, *, classifier: DescriptionClassifier, taxonomy: Taxonomy, rates: CurrencyRates
) -> list[DeclaredItem]:
    """The parcel's items with their categories and unit values."""
    out: list[DeclaredItem] = []
    for i, item in enumerate(parcel.items):
        c = classifier.classify(item.description)
        hs_cat = taxonomy.category_for_hs(item.hs6) if item.hs6 else None
        if c.category is not None:
            category, source = c.category, "description"
        elif hs_cat is not None:
            category, source = hs_cat, "hs6"
        else:
            category, source = None, None
        qty_declared = item.quantity is not None and item.quantity > 0
        quantity = float(item.quantity) if qty_declared and item.quantity is not None else 1.0
        unit, problem = _unit_value(item, quantity, rates)
        out.append(
            DeclaredItem(
                index=i,
                line_no=item.line_no or i + 1,
                description=item.description,
                hs6=item.hs6,
                classification=c,
                category=category,
                category_source=source,
                hs_category=hs_cat,
                quantity=quantity,
                quantity_declared=qty_declared,
                unit_value_eur=unit,
                value_problem=problem,
                vague_reasons=tuple(classifier.vague.reasons(item.description)) if c.vague else (),
            )
        )
    return out
