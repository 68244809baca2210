"""Country names in the four languages of the portal, for search and "Did you mean".

A reader types the country as they know it: Tchad, تشاد, Chad. The names come from
django-countries' translations, folded the way the database folds text for search (case,
accents, Arabic diacritics and letter forms, a leading article), once per process.
"""

import difflib
import functools
import unicodedata

from django.utils import translation
from django_countries import countries

SEARCH_LANGUAGES = ("en", "fr", "ar", "es")
MAX_NAME_WORDS = 6

# Arabic letter forms folded as gsx_search_normalise folds them (hamza forms go with the marks).
_FOLD = str.maketrans(
    {
        "\u0671": "\u0627",
        "\u0649": "\u064a",
        "\u0629": "\u0647",
        "\u06cc": "\u064a",
        "\u06a9": "\u0643",
        "\u0640": None,
    }
)
_ARTICLES = ("\u0648\u0627\u0644", "\u0628\u0627\u0644", "\u0627\u0644")  # وال بال ال


def fold(word: str) -> str:
    """A word without case, accents, Arabic marks, letter variants or leading article."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD)
    for article in _ARTICLES:
        if bare.startswith(article) and len(bare) - len(article) >= 3:
            return bare[len(article) :]
    return bare


def _words(name: str) -> tuple[str, ...]:
    return tuple(
        fold(word)
        for word in "".join(
            c if c.isalnum() or unicodedata.combining(c) else " " for c in name
        ).split()
    )


@functools.cache
def _names() -> dict[tuple[str, ...], frozenset[str]]:
    """Folded name (as words) → country codes, over the four languages."""
    found: dict[tuple[str, ...], set[str]] = {}
    for language in SEARCH_LANGUAGES:
        with translation.override(language):
            for code, name in countries:
                found.setdefault(_words(str(name)), set()).add(code)
    return {words: frozenset(codes) for words, codes in found.items() if words}


def countries_named_in(words: list[str]) -> tuple[set[str], list[str]]:
    """The codes of the countries named by ``words`` (whole names, longest first) and the words
    left over."""
    folded = [fold(word) for word in words]
    names = _names()
    codes: set[str] = set()
    used: set[int] = set()
    for length in range(min(MAX_NAME_WORDS, len(folded)), 0, -1):
        for start in range(len(folded) - length + 1):
            span = set(range(start, start + length))
            if span & used:
                continue
            named = names.get(tuple(folded[start : start + length]))
            if named:
                codes |= named
                used |= span
    return codes, [word for index, word in enumerate(words) if index not in used]


def country_suggestions(text: str, limit: int = 3) -> list[str]:
    """Codes of the countries whose name, in any of the four languages, is close to ``text``."""
    typed = " ".join(_words(text))
    if not typed:
        return []
    by_name = {" ".join(words): codes for words, codes in _names().items()}
    codes: list[str] = []
    for name in difflib.get_close_matches(typed, list(by_name), n=limit * 2, cutoff=0.75):
        codes += [code for code in sorted(by_name[name]) if code not in codes]
    return codes[:limit]
