"""HS 2022 subheading suggestions for free text by TF-IDF similarity to the nomenclature's descriptions.

Used when the curated vocabulary names nothing: word and character n-grams of the text are compared with the
5,612 HS 2022 subheading descriptions (English, UN Comtrade wording).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from nii.describe.text import normalize
from nii.hs import load_hs

# Legal boilerplate of the nomenclature that says nothing about the goods.
_STOP = [
    "n",
    "e",
    "c",
    "heading",
    "item",
    "no",
    "other",
    "than",
    "whether",
    "or",
    "not",
    "including",
    "excluding",
    "thereof",
    "kind",
    "used",
    "of",
    "for",
    "and",
    "the",
    "with",
    "in",
    "a",
    "an",
    "or",
    "by",
    "its",
    "their",
    "such",
    "as",
    "not",
    "nes",
    "chapter",
    "subheading",
]


@dataclass(frozen=True)
class HSSuggestion:
    hs6: str
    description: str
    similarity: float


class HSSuggester:
    """Nearest HS 2022 subheadings of a text (cosine similarity of TF-IDF vectors)."""

    def __init__(self) -> None:
        subs = load_hs().subheadings()
        self._codes = [s.code for s in subs]
        self._texts = [s.description for s in subs]
        self._words = TfidfVectorizer(preprocessor=normalize, stop_words=_STOP, sublinear_tf=True, min_df=1)
        self._chars = TfidfVectorizer(preprocessor=normalize, analyzer="char_wb", ngram_range=(3, 5), min_df=2)
        self._w = self._words.fit_transform(self._texts)
        self._c = self._chars.fit_transform(self._texts)

    def suggest(self, text: str, k: int = 1) -> list[HSSuggestion]:
        """The k best subheadings, best first (similarity in [0, 1])."""
        sims = (self._w @ self._words.transform([text]).T).toarray().ravel() * 0.6
        sims += (self._c @ self._chars.transform([text]).T).toarray().ravel() * 0.4
        best = np.argsort(-sims)[:k]
        return [HSSuggestion(self._codes[i], self._texts[i], float(sims[i])) for i in best if sims[i] > 0]


@functools.cache
def default_hs_suggester() -> HSSuggester:
    return HSSuggester()
