"""The curated vocabulary of goods descriptions (configs/synonyms.yaml) and the ICS2 vague-term list
(nii/data/vague_description_terms.csv), compiled for matching."""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nii.describe.text import tokens
from nii.errors import ConfigError
from nii.resources import config_path, data_path
from nii.taxonomy import Taxonomy, load_taxonomy

TERM, BRAND, OTHER, ACCESSORY = "term", "brand", "other", "accessory"


@dataclass(frozen=True)
class Entry:
    """One vocabulary phrase: ``words`` (normalised tokens), the category it names (None for goods outside the
    taxonomy and for accessories), the suggested HS6 (None when there is none), its kind and whether its HS
    suggestion is generic (``weak``)."""

    words: tuple[str, ...]
    category: str | None
    hs6: str | None
    kind: str
    weak: bool = False


@dataclass
class Lexicon:
    """Compiled vocabulary: phrases indexed by first word, single-word entries for compounds and typos."""

    by_first: dict[str, list[Entry]]
    single: dict[str, list[Entry]]
    default_hs6: Mapping[str, str]
    splitters: frozenset[str]
    of_words: frozenset[str]
    no_compound: frozenset[str]
    vocabulary: tuple[str, ...] = field(default=())

    def phrases_at(self, words: list[str], i: int) -> Iterable[Entry]:
        """Entries whose words match ``words`` starting at position i, longest first."""
        for e in self.by_first.get(words[i], ()):
            n = len(e.words)
            if tuple(words[i : i + n]) == e.words:
                yield e


def _as_list(value: object, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ConfigError(f"{where}: expected a list of words, got {value!r}")
    return [str(v) for v in value]


def _check_hs6(code: str, where: str) -> str | None:
    code = code.split(":")[0].strip()
    if code == "none":
        return None
    if not (len(code) == 6 and code.isdigit()):
        raise ConfigError(f"{where}: HS6 key {code!r}; expected 6 digits or 'none'")
    return code


def parse_lexicon(data: object, source: str = "<synonyms>", taxonomy: Taxonomy | None = None) -> Lexicon:
    """Compiles the parsed synonyms YAML; raises ConfigError naming the bad entry."""
    taxonomy = taxonomy or load_taxonomy()
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise ConfigError(f"{source}: expected a mapping with 'categories'")
    entries: list[Entry] = []
    defaults: dict[str, str] = {}
    for name, spec in data["categories"].items():
        where = f"{source}: categories.{name}"
        if name not in taxonomy:
            raise ConfigError(f"{where}: not a taxonomy category; expected one of {', '.join(taxonomy.names)}")
        if not isinstance(spec, dict) or not isinstance(spec.get("hs6"), str):
            raise ConfigError(f"{where}: expected a mapping with 'hs6' and 'terms'")
        default = _check_hs6(spec["hs6"], f"{where}.hs6")
        if default is None:
            raise ConfigError(f"{where}.hs6: a category needs a default HS6")
        defaults[name] = default
        weak = set(_as_list(spec.get("weak"), f"{where}.weak"))
        terms = spec.get("terms") or {}
        if not isinstance(terms, dict):
            raise ConfigError(f"{where}.terms: expected a mapping of HS6 -> list of terms")
        for key, words in terms.items():
            hs6 = default if key == "default" else _check_hs6(str(key), f"{where}.terms")
            for w in _as_list(words, f"{where}.terms.{key}"):
                entries.append(Entry(tuple(tokens(w)), name, hs6, TERM, weak=str(key) in weak))
        for w in _as_list(spec.get("brands"), f"{where}.brands"):
            entries.append(Entry(tuple(tokens(w)), name, default, BRAND, weak=True))
    for key, spec in (data.get("not_category") or {}).items():
        where = f"{source}: not_category.{key}"
        hs6 = _check_hs6(str(key), where)
        accessory = isinstance(spec, dict) and bool(spec.get("accessory"))
        words = spec.get("terms") if isinstance(spec, dict) else spec
        for w in _as_list(words, where):
            entries.append(Entry(tuple(tokens(w)), None, hs6, ACCESSORY if accessory else OTHER))
    return _compile(entries, defaults, data, source)


def _compile(entries: list[Entry], defaults: dict[str, str], data: dict[str, object], source: str) -> Lexicon:
    by_first: dict[str, list[Entry]] = defaultdict(list)
    single: dict[str, list[Entry]] = defaultdict(list)
    seen: set[tuple[tuple[str, ...], str | None, str]] = set()
    for e in entries:
        if not e.words:
            raise ConfigError(f"{source}: an entry normalises to no words (hs6 {e.hs6}, category {e.category})")
        key = (e.words, e.category, e.kind)
        if key in seen:
            continue
        seen.add(key)
        by_first[e.words[0]].append(e)
        if len(e.words) == 1:
            single[e.words[0]].append(e)
        elif all(len(w) > 1 for w in e.words):
            single["".join(e.words)].append(e)  # "power bank" also matches "powerbank"
    for lst in by_first.values():
        lst.sort(key=lambda e: -len(e.words))
    vocab = sorted({w for e in entries for w in e.words if len(w) >= 4 and w.isalpha()} | set(single))
    return Lexicon(
        by_first=dict(by_first),
        single=dict(single),
        default_hs6=defaults,
        splitters=frozenset(w for s in _as_list(data.get("splitters"), "splitters") for w in tokens(s)),
        of_words=frozenset(w for s in _as_list(data.get("of_words"), "of_words") for w in tokens(s)),
        no_compound=frozenset(w for s in _as_list(data.get("no_compound_match"), "no_compound") for w in tokens(s)),
        vocabulary=tuple(v for v in vocab if len(v) >= 5),
    )


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys (YAML would silently keep the last one)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ConfigError(f"duplicate key {key!r} on line {key_node.start_mark.line + 1}")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


@functools.cache
def load_synonyms_data(path: Path | None = None) -> dict[str, object]:
    """The parsed configs/synonyms.yaml (or ``path``); duplicate keys are refused."""
    p = path or config_path("synonyms.yaml")
    with open(p, encoding="utf-8") as f:
        try:
            data = yaml.load(f, Loader=_UniqueKeyLoader)
        except ConfigError as exc:
            raise ConfigError(f"{p}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping")
    return data


@functools.cache
def load_lexicon(path: Path | None = None) -> Lexicon:
    """Loads and compiles configs/synonyms.yaml (or ``path``)."""
    return parse_lexicon(load_synonyms_data(path), str(path or "configs/synonyms.yaml"))


def read_vague_terms(path: Path | None = None) -> list[str]:
    """Goods terms of nii/data/vague_description_terms.csv; "Equipment, EQP" gives both spellings."""
    p = path or data_path("vague_description_terms.csv")
    out: list[str] = []
    with open(p, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if (row.get("applies_to") or "").strip() != "goods":
                continue
            out.extend(t.strip() for t in (row.get("term") or "").split(",") if t.strip())
    if not out:
        raise ConfigError(f"{p}: no goods terms read")
    return out


def read_party_vague_terms(path: Path | None = None) -> list[str]:
    """Terms refused as party names (``applies_to`` = party), e.g. "Unknown", "N/A"."""
    p = path or data_path("vague_description_terms.csv")
    with open(p, encoding="utf-8-sig", newline="") as f:
        return [(r.get("term") or "").strip() for r in csv.DictReader(f) if (r.get("applies_to") or "") == "party"]
