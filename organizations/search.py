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


class ImmutableUnaccent(models.Func):
    """``unaccent`` wrapped as IMMUTABLE (created by migration) so that indexes may use it."""

    function = "gsx_unaccent"
    output_field = models.TextField()


def name_key(expression="name"):
    return ImmutableUnaccent(Lower(expression))


def _prefix_query(text: str) -> str | None:
    words = re.findall(r"\w+", text.lower())[:12]
    return " & ".join(f"{word}:*" for word in words) or None


def organizations_search(queryset: QuerySet, text: str) -> QuerySet:
    """Organizations whose name, acronym or summary match ``text``, best matches first."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    raw = _prefix_query(text)
    if raw is None:
        return queryset
    query = SearchQuery(ImmutableUnaccent(models.Value(raw)), search_type="raw", config="simple")
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
