"""Conversion of declared values to EUR with the rate table configs/currency_rates.yaml."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from nii.errors import ConfigError
from nii.resources import config_path, read_yaml


class UnknownCurrencyError(ConfigError):
    """A value is declared in a currency the rate table does not hold."""


@dataclass(frozen=True)
class CurrencyRates:
    """EUR per unit of each ISO 4217 currency; ``source`` and ``as_of`` say where the figures come from."""

    eur_per_unit: Mapping[str, float]
    source: str
    as_of: str

    def to_eur(self, amount: float, currency: str) -> float:
        """``amount`` of ``currency`` in EUR; raises UnknownCurrencyError for a currency not in the table."""
        try:
            return amount * self.eur_per_unit[currency]
        except KeyError:
            raise UnknownCurrencyError(
                f"no exchange rate for {currency!r}; expected one of {', '.join(sorted(self.eur_per_unit))} "
                "(configs/currency_rates.yaml)"
            ) from None


def parse_currency_rates(data: object, source: str = "<currency_rates>") -> CurrencyRates:
    if not isinstance(data, dict) or not isinstance(data.get("eur_per_unit"), dict):
        raise ConfigError(f"{source}: expected a mapping with 'eur_per_unit'")
    if data.get("base", "EUR") != "EUR":
        raise ConfigError(f"{source}: base {data.get('base')!r}; expected 'EUR'")
    rates: dict[str, float] = {}
    for code, rate in data["eur_per_unit"].items():
        if not (isinstance(code, str) and len(code) == 3 and code.isupper()):
            raise ConfigError(f"{source}: currency {code!r}; expected an ISO 4217 code like 'USD'")
        if not isinstance(rate, int | float) or rate <= 0:
            raise ConfigError(f"{source}: rate of {code} is {rate!r}; expected a positive number")
        rates[code] = float(rate)
    if rates.get("EUR") != 1.0:
        raise ConfigError(f"{source}: EUR must be 1.0")
    return CurrencyRates(rates, str(data.get("source", "")), str(data.get("as_of", "")))


def load_currency_rates(path: Path | None = None) -> CurrencyRates:
    """Loads configs/currency_rates.yaml (or ``path``)."""
    if path is None:
        return _default_rates()
    return parse_currency_rates(read_yaml(path), str(path))


@functools.cache
def _default_rates() -> CurrencyRates:
    return load_currency_rates(config_path("currency_rates.yaml"))
