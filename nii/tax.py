"""Duty and VAT estimate per parcel and revenue at risk for undervaluation alerts (configs/tax.yaml).

Intrinsic value = the declared intrinsic value, else the sum of item values, else the total value (EUR).
Duty = sum over items of rate(HS prefix) x item value, unless the intrinsic value is within the duty de minimis
(items of excluded HS prefixes -- alcohol, perfume, tobacco -- pay duty in any case). VAT = rate x (intrinsic
value + duty + declared transport and insurance costs) above the VAT de minimis. Revenue at risk = the tax on the
corrected values minus the tax on the declared values, where each undervalued item is corrected to the reference
typical unit value of its category.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from nii.crosscheck.engine import Alert
from nii.crosscheck.items import DeclaredItem
from nii.currency import CurrencyRates, UnknownCurrencyError, load_currency_rates
from nii.declarations.models import Money, Parcel
from nii.errors import ConfigError
from nii.pricing import ReferencePrice, load_reference_prices
from nii.resources import config_path, read_yaml


@dataclass(frozen=True)
class TaxConfig:
    vat_rate: float = 0.21
    country: str = "NL"
    duty_de_minimis_eur: float = 150.0
    vat_de_minimis_eur: float = 0.0
    de_minimis_excluded: tuple[str, ...] = ("22", "24", "3303")
    default_duty_rate: float = 0.035
    duty_rates: Mapping[str, float] | None = None

    def duty_rate(self, hs: str | None) -> float:
        """Ad valorem duty rate of an HS code (longest matching prefix), the default rate when none matches."""
        if hs and self.duty_rates:
            for n in range(len(hs), 1, -1):
                rate = self.duty_rates.get(hs[:n])
                if rate is not None:
                    return rate
        return self.default_duty_rate

    def excluded_from_de_minimis(self, hs: str | None) -> bool:
        return bool(hs) and any(hs.startswith(p) for p in self.de_minimis_excluded)  # type: ignore[union-attr]


@dataclass(frozen=True)
class TaxEstimate:
    """Amounts in EUR, rounded to cents."""

    duty: float
    vat: float
    revenue_at_risk: float
    intrinsic_value: float
    duty_de_minimis_applied: bool
    ioss: bool
    currency: str = "EUR"

    def to_json(self) -> dict[str, object]:
        return {
            "currency": self.currency,
            "duty": self.duty,
            "vat": self.vat,
            "revenue_at_risk": self.revenue_at_risk,
            "intrinsic_value": self.intrinsic_value,
            "duty_de_minimis_applied": self.duty_de_minimis_applied,
            "ioss": self.ioss,
        }


def parse_tax_config(data: object, source: str = "<tax>") -> TaxConfig:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping")
    if data.get("currency", "EUR") != "EUR":
        raise ConfigError(f"{source}: currency {data.get('currency')!r}; expected 'EUR'")
    rates = data.get("duty_rates") or {}
    for prefix, rate in rates.items():
        if not str(prefix).isdigit() or not isinstance(rate, int | float) or not 0 <= rate <= 5:
            raise ConfigError(f"{source}: duty_rates {prefix!r}: {rate!r}; expected HS digits -> a rate in [0, 5]")
    vat = data.get("vat_rate", 0.21)
    if not isinstance(vat, int | float) or not 0 <= vat < 1:
        raise ConfigError(f"{source}: vat_rate {vat!r}; expected a share in [0, 1)")
    return TaxConfig(
        vat_rate=float(vat),
        country=str(data.get("country", "")),
        duty_de_minimis_eur=float(data.get("duty_de_minimis_eur", 150.0)),
        vat_de_minimis_eur=float(data.get("vat_de_minimis_eur", 0.0)),
        de_minimis_excluded=tuple(str(p) for p in data.get("de_minimis_excluded", ())),
        default_duty_rate=float(data.get("default_duty_rate", 0.035)),
        duty_rates={str(k): float(v) for k, v in rates.items()},
    )


def load_tax_config(path: Path | None = None) -> TaxConfig:
    """Loads configs/tax.yaml (or ``path``)."""
    if path is None:
        return _default_tax_config()
    return parse_tax_config(read_yaml(path), str(path))


@functools.cache
def _default_tax_config() -> TaxConfig:
    return load_tax_config(config_path("tax.yaml"))


def _eur(money: Money | None, rates: CurrencyRates) -> float | None:
    if money is None:
        return None
    try:
        return rates.to_eur(money.amount, money.currency)
    except UnknownCurrencyError:
        return None


def _lines(items: Iterable[DeclaredItem]) -> list[tuple[str | None, float]]:
    """(HS code used for the duty rate, value in EUR) per item with a value."""
    out = []
    for it in items:
        if it.unit_value_eur is not None:
            out.append((it.hs6 or it.classification.hs6, it.unit_value_eur * it.quantity))
    return out


def _tax(
    lines: Sequence[tuple[str | None, float]], intrinsic: float, extra_costs: float, cfg: TaxConfig
) -> tuple[float, float, bool]:
    de_minimis = intrinsic <= cfg.duty_de_minimis_eur
    duty = sum(cfg.duty_rate(hs) * v for hs, v in lines if not de_minimis or cfg.excluded_from_de_minimis(hs))
    vat = cfg.vat_rate * (intrinsic + duty + extra_costs) if intrinsic > cfg.vat_de_minimis_eur else 0.0
    return duty, vat, de_minimis


def estimate_tax(
    parcel: Parcel,
    items: Sequence[DeclaredItem],
    alerts: Sequence[Alert] = (),
    *,
    config: TaxConfig | None = None,
    rates: CurrencyRates | None = None,
    prices: Mapping[str, ReferencePrice] | None = None,
) -> TaxEstimate:
    """Duty and VAT of one parcel from its mapped items (nii.crosscheck) and revenue at risk of its
    undervaluation alerts."""
    cfg = config or load_tax_config()
    rates = rates or load_currency_rates()
    prices = prices or load_reference_prices()
    lines = _lines(items)
    item_sum = sum(v for _, v in lines)
    declared_intrinsic = _eur(parcel.intrinsic_value, rates)
    total = _eur(parcel.total_value, rates)
    intrinsic = declared_intrinsic if declared_intrinsic is not None else (item_sum if lines else (total or 0.0))
    extra = sum(v for v in (_eur(parcel.transport_insurance_costs, rates),) if v is not None)
    duty, vat, de_minimis = _tax(lines, intrinsic, extra, cfg)

    undervalued = {a.evidence.get("line_no") for a in alerts if a.type == "undervaluation"}
    at_risk = 0.0
    if undervalued:
        corrected_items = [
            replace(it, unit_value_eur=max(it.unit_value_eur or 0.0, prices[it.category].typical_eur))
            if it.line_no in undervalued and it.category is not None and it.category in prices
            else it
            for it in items
        ]
        new_lines = _lines(corrected_items)
        new_intrinsic = intrinsic + sum(v for _, v in new_lines) - item_sum
        new_duty, new_vat, _ = _tax(new_lines, new_intrinsic, extra, cfg)
        at_risk = max(0.0, new_duty + new_vat - duty - vat)
    return TaxEstimate(
        duty=round(duty, 2),
        vat=round(vat, 2),
        revenue_at_risk=round(at_risk, 2),
        intrinsic_value=round(intrinsic, 2),
        duty_de_minimis_applied=de_minimis,
        ioss=bool(parcel.ioss_number),
    )
