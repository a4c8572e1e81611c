"""The taxonomy of parcel contents shared by the detector and the declaration side (configs/taxonomy.yaml)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from nii.errors import ConfigError
from nii.resources import config_path, read_yaml

GROUPS = ("prohibited", "excise", "currency", "dangerous_goods", "goods")
TDR_CATEGORIES = ("EXPLOSIVE", "PI", "CONTRABAND", "ANOMALY", "LAPTOP", "PHARMACEUTICAL", "OTHER")


@dataclass(frozen=True)
class Category:
    """One taxonomy category: its name, group, HS 2022 prefixes, DICOS TDR threat category and unit."""

    name: str
    group: str
    hs_prefixes: tuple[str, ...]
    tdr_category: str
    unit: str

    @property
    def prohibited(self) -> bool:
        return self.group == "prohibited"


@dataclass(frozen=True)
class Taxonomy:
    """Categories in class order (index i = detector class i)."""

    categories: tuple[Category, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.categories]

    def __getitem__(self, name: str) -> Category:
        for c in self.categories:
            if c.name == name:
                return c
        raise KeyError(f"unknown category {name!r}; expected one of: {', '.join(self.names)}")

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.categories)

    def __len__(self) -> int:
        return len(self.categories)

    def index(self, name: str) -> int:
        return self.names.index(self[name].name)

    def in_group(self, group: str) -> list[str]:
        return [c.name for c in self.categories if c.group == group]

    def category_for_hs(self, code: str) -> str | None:
        """The category whose HS prefix is the longest match of ``code`` (2-6 digits), or None."""
        best: tuple[int, str] | None = None
        for c in self.categories:
            for p in c.hs_prefixes:
                if code.startswith(p) and (best is None or len(p) > best[0]):
                    best = (len(p), c.name)
        return best[1] if best else None


def parse_taxonomy(data: object, source: str = "<taxonomy>") -> Taxonomy:
    """Builds a :class:`Taxonomy` from the parsed YAML mapping; raises ConfigError naming the bad entry."""
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise ConfigError(f"{source}: expected a mapping with a 'categories' list")
    cats: list[Category] = []
    for i, entry in enumerate(data["categories"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ConfigError(f"{source}: categories[{i}] needs a 'name'")
        group = entry.get("group")
        if group not in GROUPS:
            raise ConfigError(f"{source}: categories[{i}] group {group!r}; expected one of {GROUPS}")
        tdr = entry.get("tdr_category", "OTHER")
        if tdr not in TDR_CATEGORIES:
            raise ConfigError(f"{source}: categories[{i}] tdr_category {tdr!r}; expected one of {TDR_CATEGORIES}")
        cats.append(
            Category(
                name=entry["name"],
                group=group,
                hs_prefixes=tuple(str(h) for h in entry.get("hs", [])),
                tdr_category=tdr,
                unit=str(entry.get("unit", "")),
            )
        )
    names = [c.name for c in cats]
    if len(set(names)) != len(names):
        raise ConfigError(f"{source}: duplicate category names")
    return Taxonomy(tuple(cats))


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Loads configs/taxonomy.yaml (or ``path``)."""
    if path is None:
        return _default_taxonomy()
    return parse_taxonomy(read_yaml(path), str(path))


@functools.cache
def _default_taxonomy() -> Taxonomy:
    return load_taxonomy(config_path("taxonomy.yaml"))
