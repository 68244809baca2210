"""Full-text and trigram search over organizations, shared by the directory, the API and exports.

The database keeps a ``search_document`` column (a generated ``tsvector`` over the fields of
``SEARCH_DOCUMENT_FIELDS``, no language stemming so that Arabic, French and English names all
match as typed) with a GIN index, and a trigram GIN index over the normalised name for partial
and misspelt names. Document, name key and query go through the same SQL normalisation
(``organizations/search_sql.py``): accents, Arabic diacritics, letter forms and attached
articles do not stand between a reader and an organization.

A word of the query that names a country, in any of the four languages (Tchad, تشاد, Chad,
Chad), also finds the organizations working there (``organizations.countries_search``).
"""

import re
import unicodedata

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import models
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django_countries import countries

from organizations.countries_search import countries_named_in, country_suggestions

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
SUGGESTION_SIMILARITY = 0.3
MAX_SUGGESTIONS = 3

# What the search reads of an organization. Adding a field here (a summary in another language)
# changes the generated column: make a migration that removes and re-adds ``search_document``
# and its index (PostgreSQL cannot alter a generated column's expression).
SEARCH_DOCUMENT_FIELDS = ("name", "acronym", "summary")


class ImmutableUnaccent(models.Func):
    """``unaccent`` wrapped as IMMUTABLE (created by migration) so that indexes may use it.

    Kept for the migrations that built the first search column."""

    function = "gsx_unaccent"
    output_field = models.TextField()


class SearchNormalise(models.Func):
    """Case, accents, Arabic diacritics and letter forms folded (see search_sql.py)."""

    function = "gsx_search_normalise"
    output_field = models.TextField()


class SearchText(models.Func):
    """The normalised text followed by its Arabic words without their article or particle."""

    function = "gsx_search_text"
    output_field = models.TextField()


class SearchQueryWord(models.Func):
    """One typed word as a tsquery fragment: its normalised form or its stems, as prefixes."""

    function = "gsx_search_query_word"
    output_field = models.TextField()


def search_document_expression() -> SearchVector:
    """The generated column's expression: the one definition of what is searched."""
    parts = []
    for field in SEARCH_DOCUMENT_FIELDS:
        parts += [field, Value(" ")]
    return SearchVector(
        SearchText(Concat(*parts[:-1], output_field=models.TextField())), config="simple"
    )


def name_key(expression="name"):
    return SearchNormalise(expression)


# A word runs on across combining marks: Python's \w does not include them, and a vowelled
# Arabic word (السَّلام) or a decomposed accent would otherwise be cut in pieces.
_WORD = re.compile(r"(?:\w|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed])+")


# Removed by the SQL normalisation although Python counts it a letter.
_TATWEEL = "\u0640"


def _has_letter(word: str) -> bool:
    return any(c.isalnum() and c != _TATWEEL for c in word)


def query_words(text: str) -> list[str]:
    """The words of a query, at most ``MAX_WORDS``; NUL and surrounding space dropped, and so
    are words of marks only (harakat, shadda, tatweel): normalised, they would be an empty
    lexeme, which PostgreSQL refuses as a syntax error."""
    # PostgreSQL refuses NUL in text; it carries no meaning in a search.
    text = unicodedata.normalize("NFC", text.replace("\x00", "").strip()[:MAX_QUERY_LENGTH])
    return [word for word in _WORD.findall(text.lower()) if _has_letter(word)][:MAX_WORDS]


def _tsquery(words: list[str]) -> SearchQuery:
    fragments = [SearchQueryWord(Value(word)) for word in words]
    joined = (
        fragments[0]
        if len(fragments) == 1
        else models.Func(
            Value(" & "), *fragments, function="concat_ws", output_field=models.TextField()
        )
    )
    return SearchQuery(joined, search_type="raw", config="simple")


def _working_in(codes: set[str]) -> Q:
    # Country codes are two letters joined by commas, so a substring match is exact.
    found = Q(headquarters_country__in=codes)
    for code in sorted(codes):
        found |= Q(countries__contains=code)
    return found


def organizations_search(queryset: QuerySet, text: str) -> QuerySet:
    """Organizations whose name, acronym or summary match ``text``, best matches first.

    Words that name a country also match the organizations working there: ``Tchad femmes``
    finds organizations with both words in their text, and those working in Chad whose text
    has ``femmes``.
    """
    words = query_words(text)
    if not words:
        return queryset
    query = _tsquery(words)
    typed = SearchNormalise(Value(" ".join(words)))
    found = Q(search_document=query) | Q(name_key__trigram_word_similar=typed)
    codes, others = countries_named_in(words)
    if codes:
        rest = Q(search_document=_tsquery(others)) if others else Q()
        found |= _working_in(codes) & rest
    return (
        queryset.alias(name_key=name_key())
        .filter(found)
        .annotate(
            search_rank=SearchRank(F("search_document"), query),
            name_similarity=TrigramWordSimilarity(typed, name_key()),
        )
        .order_by("-search_rank", "-name_similarity", "name")
    )


def organization_suggestions(queryset: QuerySet, text: str) -> list[str]:
    """Names of organizations in ``queryset`` close to ``text``, for "Did you mean"; the caller
    passes the organizations the reader may see, so a suggestion never reveals another."""
    words = query_words(text)
    if not words:
        return []
    typed = SearchNormalise(Value(" ".join(words)))
    # Looser than the search itself (word similarity 0.6): only asked when nothing was found,
    # over the organizations the reader may see.
    return list(
        queryset.order_by()
        .annotate(similarity=TrigramWordSimilarity(typed, name_key()))
        .filter(similarity__gte=SUGGESTION_SIMILARITY)
        .order_by("-similarity", "name")
        .values_list("name", flat=True)[:MAX_SUGGESTIONS]
    )


def directory_suggestions(visible: QuerySet, text: str) -> list[str]:
    """ "Did you mean": country names (in the reader's language) and names of organizations the
    reader may see (``visible``), close to ``text``; each is a search the reader can run."""
    names = [str(countries.name(code)) for code in country_suggestions(text)]
    return list(dict.fromkeys(names + organization_suggestions(visible, text)))
