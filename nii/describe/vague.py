"""Whether a goods description alone would be refused (EU ICS2 and similar rules).

A description is vague when it breaks a character rule (digits only, punctuation only, repeated characters) or
when every informative word of it is covered by refused terms (nii/data/vague_description_terms.csv plus the
translations in configs/synonyms.yaml), brand names alone without a model number (ICS2 refuses company names), or
a generic head with at most two qualifying words ("car parts", "phone accessories").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from nii.describe.lexicon import BRAND, Lexicon, load_lexicon, load_synonyms_data, read_vague_terms
from nii.describe.text import character_problems, tokens

UNITS = frozenset(
    [
        "ml",
        "cl",
        "l",
        "ltr",
        "g",
        "gr",
        "kg",
        "mg",
        "mm",
        "cm",
        "m",
        "in",
        "inch",
        "inches",
        "gb",
        "tb",
        "mb",
        "mah",
        "wh",
        "v",
        "w",
        "pcs",
        "pc",
        "x",
        "oz",
        "lb",
        "lbs",
        "ft",
    ]
)
MAX_QUALIFIERS = 2


def _variants(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The phrase with its last word in singular and plural ("gifts" <-> "gift")."""
    last = words[-1]
    out = {words}
    if last.endswith("s") and len(last) > 3:
        out.add((*words[:-1], last[:-1]))
    elif last.isalpha():
        out.add((*words[:-1], last + "s"))
    return out


@dataclass(frozen=True)
class VagueTerms:
    """Refused terms, fillers, generic heads and brand phrases, as normalised word tuples."""

    terms: frozenset[tuple[str, ...]]
    generic_heads: frozenset[tuple[str, ...]]
    fillers: frozenset[str]
    brands: frozenset[tuple[str, ...]]
    max_len: int

    def reasons(self, text: str) -> list[str]:
        """Why ``text`` alone would be refused; empty when it would not."""
        chars = character_problems(text)
        if chars:
            return chars
        all_words = tokens(text)
        words = [w for w in all_words if not self._skippable(w)]
        if not words:
            return ["no_informative_words"]
        covered, brand_only = self._cover(all_words, self.terms | self.brands)
        if covered and not brand_only:
            return ["vague_term_alone"]
        if covered and not any(w.isdigit() for w in all_words):  # "Nike" is refused; "Nokia 105" names a model
            return ["brand_only"]
        for n in range(self.max_len, 0, -1):
            if len(words) > n and tuple(words[-n:]) in self.generic_heads and len(words) - n <= MAX_QUALIFIERS:
                return ["generic_term"]
        return []

    def is_vague(self, text: str) -> bool:
        return bool(self.reasons(text))

    def contained(self, text: str) -> list[str]:
        """Refused terms that appear in ``text`` as whole words (for "refine" findings)."""
        words = tokens(text)
        found = []
        i = 0
        while i < len(words):
            step = 1
            for n in range(min(self.max_len, len(words) - i), 0, -1):
                if tuple(words[i : i + n]) in self.terms:
                    found.append(" ".join(words[i : i + n]))
                    step = n
                    break
            i += step
        return found

    def _skippable(self, word: str) -> bool:
        return word in self.fillers or word in UNITS or word.isdigit() or (len(word) == 1 and word.isascii())

    def _cover(self, words: list[str], phrases: frozenset[tuple[str, ...]]) -> tuple[bool, bool]:
        """Whether refused phrases cover every informative word (fillers may sit between or inside them)."""
        i, brand_only, any_phrase = 0, True, False
        while i < len(words):
            for n in range(min(self.max_len, len(words) - i), 0, -1):
                chunk = tuple(words[i : i + n])
                if chunk in phrases:
                    brand_only = brand_only and chunk in self.brands and chunk not in self.terms
                    any_phrase = True
                    i += n
                    break
            else:
                if not self._skippable(words[i]):
                    return False, False
                i += 1
        return any_phrase, brand_only and any_phrase


def build_vague_terms(lexicon: Lexicon | None = None, synonyms: dict[str, object] | None = None) -> VagueTerms:
    """Builds the refused-term set from the ICS2 list and configs/synonyms.yaml."""
    lexicon = lexicon or load_lexicon()
    synonyms = synonyms if synonyms is not None else load_synonyms_data()

    def phrases(values: object) -> set[tuple[str, ...]]:
        out: set[tuple[str, ...]] = set()
        for v in values if isinstance(values, list) else []:
            words = tuple(tokens(str(v)))
            if words:
                out |= _variants(words)
                if len(words) > 1:
                    out.add(("".join(words),))  # "house hold goods" -> "household goods"
        return out

    terms = phrases(read_vague_terms()) | phrases(synonyms.get("vague_terms_extra"))
    generic = phrases(synonyms.get("generic_heads"))
    fillers = frozenset(w for f in synonyms.get("fillers") or [] for w in tokens(str(f)))  # type: ignore[attr-defined]
    brands = frozenset(e.words for entries in lexicon.by_first.values() for e in entries if e.kind == BRAND)
    max_len = max(len(t) for t in terms | generic | set(brands))
    return VagueTerms(frozenset(terms), frozenset(generic), fillers, brands, max_len)


@functools.cache
def default_vague_terms() -> VagueTerms:
    """The refused terms of the shipped configuration."""
    return build_vague_terms()
