"""Full-text and trigram search over organizations, shared by the directory, the API and exports.

The database keeps a ``search_document`` column (a generated ``tsvector`` over the fields of
``SEARCH_DOCUMENT_FIELDS``, no language stemming so that Arabic, French and English names all
match as typed; the name and acronym weigh A, the summary D) with a GIN index, and a generated
``name_key`` column (the normalised name) with a trigram GIN index for partial and misspelt
names. Document, name key and query go through the same SQL normalisation
(``organizations/search_sql.py``): accents, Arabic diacritics, letter forms and attached
articles do not stand between a reader and an organization.

A search ranks at most ``SEARCH_CANDIDATES`` organizations, taken from the indexes best kind of
match first (``_candidate_tiers``), so that its cost does not grow with the directory; the page
says when the results were limited.

A word of the query that names a country, in any of the four languages (Tchad, تشاد, Chad,
Chad), also finds the organizations working there (``organizations.countries_search``).
"""

import functools
import operator
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection, models, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django_countries import countries

from organizations.countries_search import countries_named_in, country_suggestions
from organizations.search_sql import (
    PREFIX,
    PREFIX_IN_NAME,
    WHOLE_WORD,
    WHOLE_WORD_IN_NAME,
)

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
SUGGESTION_SIMILARITY = 0.3
SUGGESTION_CANDIDATES = 100
MAX_SUGGESTIONS = 3

# Planner settings for the search's own statements, local to their transaction (``_rolled_back``):
# - each kind of match is read through its index. Counting a tier's conditions as independent,
#   the planner expects a later tier (a prefix, less the whole words already taken) to match a
#   large share of the table, and would read the table in order for it, for nothing; and under
#   a LIMIT it reads the table in order until it finds enough, wherever the matches lie;
# - no JIT compilation: a plan that must still read the table in order (the organizations
#   working in a country, until that column has an index) is costed as disabled, high enough to
#   be compiled, which takes longer than the search;
# - no parallel workers: they cost more to start (milliseconds) than the rows a search reads.
SEARCH_PLANNER_SETTINGS = {
    "enable_seqscan": "off",
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
}
SUGGESTION_PLANNER_SETTINGS = {
    **SEARCH_PLANNER_SETTINGS,
    "pg_trgm.word_similarity_threshold": str(SUGGESTION_SIMILARITY),
}

# What the search reads of an organization, by weight (A counts ten times D in the rank, and the
# candidates matched in A come first). Adding a field here (a summary in another language)
# changes the generated column: make a migration that removes and re-adds ``search_document``
# and its index (PostgreSQL cannot alter a generated column's expression).
SEARCH_DOCUMENT_FIELDS = {"A": ("name", "acronym"), "D": ("summary",)}


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


def _searched_text(fields: tuple[str, ...]):
    if len(fields) == 1:
        return SearchText(fields[0])
    parts = []
    for field in fields:
        parts += [field, Value(" ")]
    return SearchText(Concat(*parts[:-1], output_field=models.TextField()))


def search_document_expression():
    """The generated column's expression: the one definition of what is searched."""
    return functools.reduce(
        operator.add,
        [
            SearchVector(_searched_text(fields), config="simple", weight=weight)
            for weight, fields in SEARCH_DOCUMENT_FIELDS.items()
        ],
    )


def name_key(expression=None):
    """The normalised name: an organization's stored ``name_key`` column (indexed for trigram
    matches), or the same normalisation of ``expression`` (typed text)."""
    return F("name_key") if expression is None else SearchNormalise(expression)


def name_key_expression() -> SearchNormalise:
    """The generated ``name_key`` column's expression."""
    return SearchNormalise("name")


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


# The kinds of match, best first (``_candidate_tiers``): every word whole in the name or acronym,
# every word as a prefix there, every word whole anywhere (the summary), every word as a prefix
# anywhere.
_FULL_TEXT_TIERS = (WHOLE_WORD_IN_NAME, PREFIX_IN_NAME, WHOLE_WORD, PREFIX)


@dataclass(frozen=True)
class _Query:
    """A query as the database reads it: the tsquery text of each kind of match (``ending`` →
    text), the normalised words (for trigram similarity), and the country codes named with the
    tsquery text of the other words ("" when there are none)."""

    tsqueries: dict[str, str]
    typed: str
    codes: frozenset[str]
    others: str


@contextmanager
def _rolled_back():
    """A transaction (a savepoint inside a caller's) for the search's own statements, rolled
    back at its end: the search writes nothing, and rolling back ends what it set for them
    (``_select_setting``) even inside a caller's transaction, where releasing a savepoint would
    keep it until the caller's end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _select_setting(cursor, settings_: dict[str, str], columns: list[str], params: list):
    """``SELECT columns`` that also sets ``settings_`` for the rest of the transaction (one round
    trip); returns the row of ``columns``."""
    sets = ["set_config(%s, %s, true)"] * len(settings_)
    # Only placeholders are joined into the statement; every value is a parameter.
    cursor.execute(
        "SELECT " + ", ".join(columns + sets),
        params + [value for item in settings_.items() for value in item],
    )
    return cursor.fetchone()[: len(columns)]


def _parsed(cursor, words: list[str]) -> _Query:
    """One statement turns the words into every tsquery the search needs, through the SQL
    normalisation, and sets ``SEARCH_PLANNER_SETTINGS`` for the statement that follows, which
    carries the tsqueries as text: planned in it, the query functions would run once per place
    they appear (a dozen times)."""
    codes, others = countries_named_in(words)
    wanted = [(ending, words) for ending in _FULL_TEXT_TIERS] + [(PREFIX, others)]
    columns, params = [], []
    for ending, some in wanted:
        terms = ", ".join(["gsx_search_query_term(%s, %s)"] * len(some))
        columns.append(f"concat_ws(' & ', {terms})" if some else "''")
        params += [value for word in some for value in (word, ending)]
    columns.append("gsx_search_normalise(%s)")
    params.append(" ".join(words))
    *texts, typed = _select_setting(cursor, SEARCH_PLANNER_SETTINGS, columns, params)
    return _Query(
        tsqueries=dict(zip(_FULL_TEXT_TIERS, texts[:-1], strict=True)),
        typed=typed,
        codes=frozenset(codes),
        others=texts[-1],
    )


def _matches(text: str) -> Q:
    return Q(search_document=SearchQuery(text, search_type="raw", config="simple"))


def _working_in(codes: frozenset[str]) -> Q:
    # Each side through its index (organization_headquarters, organization_country_codes), as
    # the directory's country filter does.
    return Q(headquarters_country__in=sorted(codes)) | Q(countries__codes__overlap=sorted(codes))


def _candidate_tiers(query: _Query) -> list[tuple[Q, bool]]:
    """What a match is, best kind first, each with whether it is a guess at a misspelling; the
    candidates are taken tier after tier.

    Every word whole in the name or acronym, then as a prefix there, then every word whole
    anywhere (the summary), then as a prefix anywhere; then, for a word naming a country, the
    organizations working there (with the other words in their text); then names close to the
    query (trigram word similarity, for misspellings). A prefix is thus only asked for when
    whole words found too few (``peac`` while typing, ``mediat`` for ``mediation``), and a
    guess at a misspelling only when what matches as typed does not fill the candidates.
    """
    tiers = [(_matches(query.tsqueries[ending]), False) for ending in _FULL_TEXT_TIERS]
    if query.codes:
        rest = _matches(query.others) if query.others else Q()
        tiers.append((_working_in(query.codes) & rest, False))
    tiers.append((Q(name_key__trigram_word_similar=Value(query.typed)), True))
    return tiers


def _ranked_candidates(cursor, queryset: QuerySet, query: _Query) -> list[int]:
    """The ids of at most ``SEARCH_CANDIDATES`` organizations of ``queryset``, best first.

    One statement. Each tier is a bitmap scan of its index without the rows of the tiers before
    it; the tiers are joined by UNION ALL under one LIMIT, so PostgreSQL stops as soon as it has
    the candidates and never starts the later tiers' scans. Only the candidates are ranked: by
    tier, then by the rank of the full-text match (a word in the name weighs ten times one in
    the summary) or, for names taken as misspelt, by how close they are to the query; then by
    name.
    """
    rows = queryset.order_by().prefetch_related(None)
    full_text_rank = SearchRank(
        F("search_document"),
        SearchQuery(query.tsqueries[PREFIX], search_type="raw", config="simple"),
    )
    parts, earlier = [], Q()
    for number, (tier, misspelt) in enumerate(_candidate_tiers(query)):
        parts.append(
            rows.filter(tier & ~earlier if earlier else tier)
            .annotate(
                candidate_tier=Value(number),
                # Compared by the trigram tier only: word similarity is the costliest part.
                candidate_rank=TrigramWordSimilarity(Value(query.typed), F("name_key"))
                if misspelt
                else full_text_rank,
                candidate_name=F("name"),
            )
            .values("pk", "candidate_tier", "candidate_rank", "candidate_name")
        )
        earlier |= tier
    union = parts[0].union(*parts[1:], all=True).order_by()[: settings.SEARCH_CANDIDATES]
    sql, params = union.query.sql_with_params()
    # Only Django's compiled SQL is wrapped here; every value stays a parameter. The primary key
    # last: names repeat, and pages must not share or skip a row.
    cursor.execute(
        f"SELECT pk FROM ({sql}) AS candidates "  # noqa: S608
        "ORDER BY candidate_tier, candidate_rank DESC, candidate_name, pk",
        params,
    )
    return [pk for (pk,) in cursor.fetchall()]


def organizations_search(queryset: QuerySet, text: str) -> QuerySet:
    """Organizations of ``queryset`` whose name, acronym or summary match ``text``, best
    matches first: at most ``SEARCH_CANDIDATES`` of them (``search_limit`` tells whether a list
    of results may have been cut there).

    Words that name a country also match the organizations working there: ``Tchad femmes``
    finds organizations with both words in their text, and those working in Chad whose text
    has ``femmes``.

    ``queryset`` is what the reader may see, already narrowed by the other filters: the
    candidates are taken among it (two statements, run here), and a filter applied to the
    result afterwards only narrows them. The result carries the candidates' ids, so that its
    count, its pages and the filters' counts read those rows and nothing else.
    """
    words = query_words(text)
    if not words:
        return queryset
    with _rolled_back(), connection.cursor() as cursor:
        ids = _ranked_candidates(cursor, queryset, _parsed(cursor, words))
    ordered = sorted(ids)
    position = {pk: index for index, pk in enumerate(ids, 1)}
    ordered_ids = _array_literal(ordered)
    in_place = _Position(_array_literal(position[pk] for pk in ordered), ordered_ids)
    return (
        queryset.filter(_AmongIds(ordered_ids))
        .alias(search_position=in_place)
        .order_by("search_position")
    )


# The candidates' ids (and positions) go into each of the page's statements as one array
# literal, written once: as ``pk__in`` or an ArrayField value, Django would prepare each id
# separately for every statement (milliseconds for a thousand).
def _array_literal(values) -> str:
    return "{" + ",".join(str(int(value)) for value in values) + "}"


class _AmongIds(models.Func):
    """``pk = ANY(ids)``, answered from the primary key's index."""

    output_field = models.BooleanField()

    def __init__(self, ids: str):
        self.ids = ids
        super().__init__(F("pk"))

    def as_sql(self, compiler, connection, **extra_context):
        pk, params = compiler.compile(self.get_source_expressions()[0])
        return f"{pk} = ANY(%s::bigint[])", (*params, self.ids)


class _Position(models.Func):
    """Where an organization stands among the candidates (from 1): the place of its id among
    the ids sorted, found by binary search (``width_bucket``), indexes the positions listed in
    that order; ``array_position`` would scan the list for each row."""

    output_field = models.IntegerField()

    def __init__(self, positions: str, ids: str):
        self.positions, self.ids = positions, ids
        super().__init__(F("pk"))

    def as_sql(self, compiler, connection, **extra_context):
        pk, params = compiler.compile(self.get_source_expressions()[0])
        return (
            f"(%s::integer[])[width_bucket({pk}, %s::bigint[])]",
            (self.positions, *params, self.ids),
        )


def search_limit(text: str, count: int) -> int | None:
    """``SEARCH_CANDIDATES`` when a search for ``text`` that found ``count`` organizations may
    have been cut there (it found as many as it ranks); otherwise None."""
    limit = settings.SEARCH_CANDIDATES
    return limit if count >= limit and query_words(text) else None


def organization_suggestions(queryset: QuerySet, text: str) -> list[str]:
    """Names of organizations in ``queryset`` close to ``text``, for "Did you mean"; the caller
    passes the organizations the reader may see, so a suggestion never reveals another.

    Looser than the search itself (trigram word similarity ``SUGGESTION_SIMILARITY``, where the
    search asks pg_trgm's default 0.6), and only asked when nothing was found. The trigram
    index answers the operator at that threshold, set for this one statement; the closest of
    the first ``SUGGESTION_CANDIDATES`` names it finds are suggested (a misspelling of a
    common word is close to thousands of names, each costly to compare).
    """
    words = query_words(text)
    if not words:
        return []
    with _rolled_back(), connection.cursor() as cursor:
        (typed,) = _select_setting(
            cursor, SUGGESTION_PLANNER_SETTINGS, ["gsx_search_normalise(%s)"], [" ".join(words)]
        )
        close = list(
            queryset.order_by()
            .prefetch_related(None)
            .filter(name_key__trigram_word_similar=Value(typed))
            .annotate(similarity=TrigramWordSimilarity(Value(typed), F("name_key")))
            .values_list("similarity", "name", "pk")[:SUGGESTION_CANDIDATES]
        )
    close.sort(key=lambda row: (-row[0], row[1], row[2]))
    return list(dict.fromkeys(name for _similarity, name, _pk in close))[:MAX_SUGGESTIONS]


def directory_suggestions(visible: QuerySet, text: str) -> list[str]:
    """ "Did you mean": country names (in the reader's language) and names of organizations the
    reader may see (``visible``), close to ``text``; each is a search the reader can run."""
    names = [str(countries.name(code)) for code in country_suggestions(text)]
    return list(dict.fromkeys(names + organization_suggestions(visible, text)))
