"""Mapping a free-text goods description to a taxonomy category and an HS 2022 suggestion.

1. The text is normalised and split into words; vocabulary phrases of configs/synonyms.yaml are found in it:
   exactly, as the last part of a compound ("Herrenschuhe"), as two words written together ("lap top"), or after
   correcting a typo of an unknown word (rapidfuzz Damerau-Levenshtein, 1 edit for 5-6 letters, 2 for longer).
2. Phrases inside longer phrases are dropped ("phone" inside "phone case"). The main phrase is the text before
   the first splitter word ("iPhone 15 with case" -> "iPhone 15").
3. An accessory in the main phrase means the text names no category ("case for iPhone" -> None); otherwise the
   strongest category term wins (terms over brands; on a tie the last one, the head of an English noun phrase).
4. With no vocabulary match, a character n-gram TF-IDF match against the vocabulary is tried, then the HS
   nomenclature itself (nii.describe.hs_suggest) gives an HS suggestion without a category.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from sklearn.feature_extraction.text import TfidfVectorizer

from nii.describe.hs_suggest import HSSuggester, default_hs_suggester
from nii.describe.lexicon import ACCESSORY, BRAND, OTHER, Entry, Lexicon, load_lexicon
from nii.describe.text import is_cjk, tokens
from nii.describe.vague import VagueTerms, default_vague_terms
from nii.hs import load_hs
from nii.taxonomy import Taxonomy, load_taxonomy

WEIGHT = {"exact": 1.0, "joined": 0.95, "compound": 0.9, "fuzzy": 0.8}
BRAND_FACTOR = 0.7
TFIDF_MIN = 0.75
HS_MIN = 0.3
HS_CATEGORY_MIN = 0.4  # an HS match this close also gives the category of its subheading


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entry: Entry
    match: str  # exact | joined | compound | fuzzy

    @property
    def weight(self) -> float:
        w = WEIGHT[self.match]
        return w * BRAND_FACTOR if self.entry.kind == BRAND else w


@dataclass(frozen=True)
class Classification:
    """What a description names. confidence in [0, 1]; evidence: the matched phrase and how it matched."""

    text: str
    category: str | None
    hs6: str | None
    confidence: float
    vague: bool
    evidence: str = ""
    source: str = "none"  # vocabulary | vocabulary_tfidf | hs_nomenclature | none

    @property
    def names_goods(self) -> bool:
        """True when the vocabulary recognised goods in the text (a category, an accessory or other goods)."""
        return self.source in ("vocabulary", "vocabulary_tfidf")

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "category": self.category,
            "hs6": self.hs6,
            "confidence": round(self.confidence, 3),
            "vague": self.vague,
        }


class DescriptionClassifier:
    """Classifies goods descriptions with the curated vocabulary, typo correction and HS 2022 fallbacks."""

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        vague: VagueTerms | None = None,
        hs: HSSuggester | None = None,
        taxonomy: Taxonomy | None = None,
    ) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.taxonomy = taxonomy or load_taxonomy()
        self.vague = vague or default_vague_terms()
        self._hs = hs
        known = {w for c in load_hs().codes.values() for w in tokens(c.description)}
        self._known = frozenset(known | set(self.lexicon.single) | self.vague.fillers)
        self._vocab = self.lexicon.vocabulary
        entries = [e for lst in self.lexicon.by_first.values() for e in lst if e.kind != BRAND]
        self._tfidf_entries = entries
        self._tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4))
        self._tfidf_matrix = self._tfidf.fit_transform([" ".join(e.words) for e in entries])
        self.classify = functools.lru_cache(maxsize=65536)(self._classify)  # type: ignore[method-assign]

    @property
    def hs(self) -> HSSuggester:
        if self._hs is None:
            self._hs = default_hs_suggester()
        return self._hs

    def classify(self, text: str) -> Classification:  # replaced by a cached bound method in __init__
        return self._classify(text)

    def _classify(self, text: str) -> Classification:
        vague = self.vague.is_vague(text)
        words = tokens(text)
        spans = self._find(words)
        if not spans:
            return self._fallback(text, words, vague)
        main = self._main(spans, words)
        for s in main:
            if s.entry.kind == ACCESSORY and not self._followed_by_of(s, words):
                return Classification(text, None, s.entry.hs6, 0.8 * s.weight, vague, self._ev(s, words), "vocabulary")
        candidates = [s for s in main if not self._followed_by_of(s, words)] or main
        best = max(candidates, key=lambda s: (s.weight, s.start))
        if best.entry.kind == OTHER or best.entry.category is None:
            return Classification(
                text, None, best.entry.hs6, 0.8 * best.weight, vague, self._ev(best, words), "vocabulary"
            )
        cat = best.entry.category
        rivals = {s.entry.category for s in candidates if s.entry.category not in (None, cat) and s.entry.kind != BRAND}
        conf = best.weight * (0.75 if rivals else 1.0)
        hs6 = self._hs6_for(cat, best, candidates)
        return Classification(text, cat, hs6, conf, vague, self._ev(best, words), "vocabulary")

    def _find(self, words: list[str]) -> list[Span]:
        """Vocabulary phrases in ``words``; typos are corrected only when nothing matches as written."""
        spans = self._match(words, set())
        if spans:
            return spans
        fixed = list(words)
        fuzzy_at: set[int] = set()
        for i, w in enumerate(words):
            if len(w) >= 5 and w not in self._known and not is_cjk(w):
                hit = process.extractOne(
                    w, self._vocab, scorer=DamerauLevenshtein.distance, score_cutoff=1 if len(w) <= 6 else 2
                )
                if hit is not None:
                    fixed[i] = hit[0]
                    fuzzy_at.add(i)
        return self._match(fixed, fuzzy_at) if fuzzy_at else []

    def _match(self, words: list[str], fuzzy_at: set[int]) -> list[Span]:
        lex = self.lexicon
        spans: list[Span] = []
        for i, w in enumerate(words):
            for e in lex.phrases_at(words, i):
                fuzzy = any(j in fuzzy_at for j in range(i, i + len(e.words)))
                spans.append(Span(i, i + len(e.words), e, "fuzzy" if fuzzy else "exact"))
            if w not in lex.by_first and w in lex.single:  # a joined form ("powerbank")
                spans += [Span(i, i + 1, e, "fuzzy" if i in fuzzy_at else "exact") for e in lex.single[w]]
            elif w not in lex.single and len(w) >= 6 and w not in lex.no_compound and not is_cjk(w):
                spans += self._compound(w, i)
            if i + 1 < len(words) and (joined := w + words[i + 1]) in lex.single:
                spans += [Span(i, i + 2, e, "joined") for e in lex.single[joined]]
        return self._longest(spans)

    def _compound(self, word: str, i: int) -> list[Span]:
        for k in range(2, len(word) - 3):
            tail = word[k:]
            if tail in self.lexicon.single and tail not in self.lexicon.no_compound:
                return [Span(i, i + 1, e, "compound") for e in self.lexicon.single[tail]]
        return []

    @staticmethod
    def _longest(spans: list[Span]) -> list[Span]:
        """Drops spans lying inside a longer span."""
        keep = []
        for s in spans:
            inside = any(o.start <= s.start and s.end <= o.end and (o.end - o.start) > (s.end - s.start) for o in spans)
            if not inside:
                keep.append(s)
        return keep

    def _main(self, spans: list[Span], words: list[str]) -> list[Span]:
        cut = next((i for i, w in enumerate(words) if i > 0 and w in self.lexicon.splitters), len(words))
        main = [s for s in spans if s.start < cut]
        return main or spans

    def _followed_by_of(self, s: Span, words: list[str]) -> bool:
        return s.end < len(words) and words[s.end] in self.lexicon.of_words

    def _hs6_for(self, category: str, best: Span, candidates: list[Span]) -> str | None:
        if not best.entry.weak:
            return best.entry.hs6
        specific = [s for s in candidates if s.entry.category == category and not s.entry.weak]
        if specific:
            return max(specific, key=lambda s: (s.weight, s.start)).entry.hs6
        return best.entry.hs6 or self.lexicon.default_hs6.get(category)

    @staticmethod
    def _ev(s: Span, words: list[str]) -> str:
        return f"{' '.join(words[s.start : s.end])!r} ~ {' '.join(s.entry.words)!r} ({s.match}, {s.entry.kind})"

    def _fallback(self, text: str, words: list[str], vague: bool) -> Classification:
        if vague or not words:
            return Classification(text, None, None, 0.0, vague, "no goods named")
        if words:
            sims = (self._tfidf_matrix @ self._tfidf.transform([" ".join(words)]).T).toarray().ravel()
            i = int(sims.argmax())
            if sims[i] >= TFIDF_MIN:
                e = self._tfidf_entries[i]
                hs6 = e.hs6 or (self.lexicon.default_hs6.get(e.category) if e.category else None)
                ev = f"char n-gram TF-IDF {sims[i]:.2f} ~ {' '.join(e.words)!r}"
                return Classification(text, e.category, hs6, 0.7 * float(sims[i]), vague, ev, "vocabulary_tfidf")
        hits = self.hs.suggest(text, 1)
        if hits and hits[0].similarity >= HS_MIN:
            h = hits[0]
            cat = self.taxonomy.category_for_hs(h.hs6) if h.similarity >= HS_CATEGORY_MIN else None
            ev = f"HS 2022 TF-IDF {h.similarity:.2f}"
            return Classification(text, cat, h.hs6, 0.5 * h.similarity, vague, ev, "hs_nomenclature")
        return Classification(text, None, None, 0.0, vague, "no vocabulary or HS match")


@functools.cache
def default_classifier() -> DescriptionClassifier:
    """The classifier of the shipped configuration (built once per process, about a second)."""
    return DescriptionClassifier()


def classify_description(text: str) -> Classification:
    """Classifies one goods description with the shipped configuration."""
    return default_classifier().classify(text)
