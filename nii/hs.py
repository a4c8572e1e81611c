"""The HS 2022 nomenclature shipped under nii/data/hs (ODC-PDDL-1.0; see nii/data/hs/README.md) and the map of HS
prefixes to control regimes (nii/data/hs/hs_control_regimes.csv)."""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from dataclasses import dataclass

from nii.errors import ConfigError
from nii.resources import data_path


@dataclass(frozen=True)
class HSCode:
    """One HS 2022 code: ``code`` of 2 (chapter), 4 (heading) or 6 (subheading) digits with its description."""

    code: str
    description: str
    section: str
    parent: str | None

    @property
    def level(self) -> int:
        return len(self.code)


@dataclass(frozen=True)
class ControlRegime:
    """HS prefix under control: ``regime`` e.g. ``prohibited``, ``restricted``, ``excise_revenue``."""

    hs_prefix: str
    category: str
    regime: str
    xray_hint: str


@dataclass(frozen=True)
class HSNomenclature:
    """The HS 2022 codes by code (chapters, headings and subheadings)."""

    codes: Mapping[str, HSCode]

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def is_subheading(self, code: str) -> bool:
        """True when ``code`` is an existing 6-digit HS 2022 subheading."""
        c = self.codes.get(code)
        return c is not None and c.level == 6

    def description(self, code: str) -> str | None:
        c = self.codes.get(code)
        return c.description if c else None

    def subheadings(self) -> list[HSCode]:
        return [c for c in self.codes.values() if c.level == 6]


@functools.cache
def load_hs() -> HSNomenclature:
    """Loads nii/data/hs/harmonized-system.csv (HS 2022: 97 chapters, 1,229 headings, 5,613 subheadings)."""
    path = data_path("hs/harmonized-system.csv")
    codes: dict[str, HSCode] = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            code = (row.get("hscode") or "").strip()
            if not code.isdigit() or len(code) not in (2, 4, 6) or row.get("section") == "TOTAL":
                continue  # UN Comtrade's TOTAL / 9999 "not specified" rows are not HS codes
            parent = row.get("parent") or None
            codes[code] = HSCode(code, row.get("description", ""), row.get("section", ""), parent)
    if len(codes) < 5000:
        raise ConfigError(f"{path}: only {len(codes)} HS codes read; the file looks truncated")
    return HSNomenclature(codes)


@functools.cache
def load_control_regimes() -> tuple[ControlRegime, ...]:
    """Loads nii/data/hs/hs_control_regimes.csv: HS prefixes that customs targets in parcels, with their regime."""
    path = data_path("hs/hs_control_regimes.csv")
    out: list[ControlRegime] = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for i, row in enumerate(csv.DictReader(f), start=2):
            prefix = (row.get("hs_prefix") or "").strip()
            if not prefix.isdigit():
                raise ConfigError(f"{path} line {i}: hs_prefix {prefix!r} is not digits")
            out.append(
                ControlRegime(
                    prefix, row.get("category", ""), row.get("control_regime", ""), row.get("xray_signature_hint", "")
                )
            )
    return tuple(out)
