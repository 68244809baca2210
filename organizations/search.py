"""Full-text and trigram search over organizations, shared by the directory, the API and exports.

The database keeps a ``search_document`` column (a generated ``tsvector`` over the name, acronym
and summary, accents removed, no language stemming so that Arabic, French and English names all
match as typed) with a GIN index, and a trigram GIN index over the unaccented, lower-cased name
for partial and misspelt names.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12


class ImmutableUnaccent(models.Func):
    """``unaccent`` wrapped as IMMUTABLE (created by migration) so that indexes may use it."""

    function = "gsx_unaccent"
    output_field = models.TextField()


def name_key(expression="name"):
    return ImmutableUnaccent(Lower(expression))


class QuotedPrefixLexeme(models.Func):
    """One word as a quoted tsquery lexeme with prefix match: ``'word':*``.

    The word is unaccented *before* it is quoted and escaped: ``unaccent`` turns some letters
    into tsquery syntax (Hausa's U+02BC into ``'``, U+2474 into ``(1)``, U+02D0 into ``:``),
    which broke a query that was built first and unaccented afterwards. Inside quotes only
    ``'`` and ``\\`` are special.
    """

    template = (
        "(chr(39) || replace(replace(%(expressions)s, chr(92), chr(92) || chr(92)),"
        " chr(39), chr(39) || chr(39)) || chr(39) || ':*')"
    )
    output_field = models.TextField()


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())[:MAX_WORDS]


def _tsquery(words: list[str]) -> SearchQuery:
    lexemes = [QuotedPrefixLexeme(ImmutableUnaccent(models.Value(word))) for word in words]
    joined = (
        lexemes[0]
        if len(lexemes) == 1
        else models.Func(
            models.Value(" & "), *lexemes, function="concat_ws", output_field=models.TextField()
        )
    )
    return SearchQuery(joined, search_type="raw", config="simple")


def organizations_search(queryset: QuerySet, text: str) -> QuerySet:
    """Organizations whose name, acronym or summary match ``text``, best matches first."""
    # PostgreSQL refuses NUL in text; it carries no meaning in a search.
    text = text.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    words = _words(text)
    if not words:
        return queryset
    query = _tsquery(words)
    typed = ImmutableUnaccent(models.Value(text.lower()))
    return (
        queryset.alias(name_key=name_key())
        .filter(Q(search_document=query) | Q(name_key__trigram_word_similar=typed))
        .annotate(
            search_rank=SearchRank(F("search_document"), query),
            name_similarity=TrigramWordSimilarity(typed, name_key()),
        )
        .order_by("-search_rank", "-name_similarity", "name")
    )
