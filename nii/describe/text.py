"""Normalisation and tokenisation of goods descriptions, and the ICS2 character rules."""

from __future__ import annotations

import re
import unicodedata

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W\d_{_CJK}]+|\d+")
_POSSESSIVE = re.compile(r"(?<=\w)['’`]s\b")
_REPEAT = re.compile(r"([^\W\d_])\1{3,}")


def normalize(text: str) -> str:
    """Lower case, accents removed, possessive 's joined ("men's" -> "mens"), "+" spelled "plus"."""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = _POSSESSIVE.sub("s", t)
    t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    return t.replace("+", " plus ").replace("&", " ")


def tokens(text: str) -> list[str]:
    """Words of the normalised text: letter runs, digit runs, and single CJK characters.

    Letters and digits are split ("iphone15" -> ["iphone", "15"]); punctuation separates words.
    """
    return _TOKEN.findall(normalize(text))


def is_cjk(token: str) -> bool:
    return bool(re.fullmatch(rf"[{_CJK}]", token))


def character_problems(text: str) -> list[str]:
    """ICS2-style character rules broken by a description: ``digits_only``, ``punctuation_only``,
    ``repeated_characters`` (one letter 4+ times in a row, or a single distinct letter), ``empty``."""
    stripped = text.strip()
    if not stripped:
        return ["empty"]
    letters = [c for c in stripped if c.isalpha()]
    if not letters:
        return ["digits_only"] if any(c.isdigit() for c in stripped) else ["punctuation_only"]
    problems = []
    if _REPEAT.search(stripped.casefold()) or (len(letters) >= 3 and len({c.casefold() for c in letters}) == 1):
        problems.append("repeated_characters")
    return problems
