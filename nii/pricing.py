"""Reference unit values and unit masses per taxonomy category (configs/reference_prices.yaml).

Used by the cross-check (undervaluation, weight plausibility), the tax estimate (revenue at risk) and the
simulator (values and masses of generated items).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from nii.errors import ConfigError
from nii.resources import config_path, read_yaml
from nii.taxonomy import Taxonomy, load_taxonomy


@dataclass(frozen=True)
class ReferencePrice:
    """Reference figures for one unit of a category.

    min_eur / typical_eur / max_eur: value of one unit in EUR (min <= typical <= max).
    mass_min_kg / mass_max_kg: gross mass of one unit in kg, packaging included.
    source: where the figures come from.
    """

    category: str
    min_eur: float
    typical_eur: float
    max_eur: float
    mass_min_kg: float
    mass_max_kg: float
    source: str

    @property
    def mass_typical_kg(self) -> float:
        """The middle of the unit mass range, kg."""
        return 0.5 * (self.mass_min_kg + self.mass_max_kg)


def _pair_or_triple(value: object, n: int, where: str) -> tuple[float, ...]:
    if not isinstance(value, list | tuple) or len(value) != n:
        raise ConfigError(f"{where}: expected a list of {n} numbers, got {value!r}")
    try:
        out = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: expected numbers, got {value!r}") from None
    if any(v < 0 for v in out) or list(out) != sorted(out):
        raise ConfigError(f"{where}: expected non-negative numbers in increasing order, got {value!r}")
    return out


def parse_reference_prices(
    data: object, source: str = "<reference_prices>", taxonomy: Taxonomy | None = None
) -> dict[str, ReferencePrice]:
    """Builds the category -> :class:`ReferencePrice` map from the parsed YAML; raises ConfigError on bad entries.

    Every category of the taxonomy must have an entry, and every entry must name a taxonomy category.
    """
    taxonomy = taxonomy or load_taxonomy()
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise ConfigError(f"{source}: expected a mapping with a 'categories' mapping")
    if data.get("currency", "EUR") != "EUR":
        raise ConfigError(f"{source}: currency {data.get('currency')!r}; expected 'EUR'")
    out: dict[str, ReferencePrice] = {}
    for name, entry in data["categories"].items():
        where = f"{source}: categories.{name}"
        if name not in taxonomy:
            raise ConfigError(f"{where}: not a taxonomy category; expected one of {', '.join(taxonomy.names)}")
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a mapping with value_eur, mass_kg, source")
        lo, typ, hi = _pair_or_triple(entry.get("value_eur"), 3, f"{where}.value_eur")
        mlo, mhi = _pair_or_triple(entry.get("mass_kg"), 2, f"{where}.mass_kg")
        src = entry.get("source")
        if not isinstance(src, str) or not src.strip():
            raise ConfigError(f"{where}.source: expected a non-empty text naming where the figures come from")
        out[name] = ReferencePrice(name, lo, typ, hi, mlo, mhi, src.strip())
    missing = [n for n in taxonomy.names if n not in out]
    if missing:
        raise ConfigError(f"{source}: no reference prices for categories {', '.join(missing)}")
    return out


def load_reference_prices(path: Path | None = None) -> Mapping[str, ReferencePrice]:
    """Loads configs/reference_prices.yaml (or ``path``) as category name -> :class:`ReferencePrice`."""
    if path is None:
        return _default_prices()
    return parse_reference_prices(read_yaml(path), str(path))


@functools.cache
def _default_prices() -> Mapping[str, ReferencePrice]:
    return load_reference_prices(config_path("reference_prices.yaml"))
