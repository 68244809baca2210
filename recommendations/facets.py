"""The facets of the recommendations' list: for each option of each filter, how many of the
current results it would keep, and the filter form's options labelled with those counts.

One grouped-count statement over the results, read once as a materialized CTE (the approach of
the directory's ``organizations.filters.filter_option_counts``), whatever the number of results
and options; then one short query per facet whose options name objects (themes, addressed
organizations, sources, working groups, review cycles). Counting reads every result, so the
list asks for counts only when it has ``FACET_COUNTS_LIMIT`` results or fewer: a bounded cost,
never a second scan of a long list.

Semantics: a count is how many of the results *now listed* the option keeps, so that choosing
it leaves that many. For a facet already chosen, the chosen option counts every result, and
another option counts the results that also have it (a recommendation can address governments
and donors) or none (a recommendation has one source, one year).

Nothing the reader may not see is named or counted: the results are the reader's
(``recommendations_visible_to`` filtered by the FilterSet), and the organizations, sources,
working groups and cycles offered are those of the FilterSet's own querysets (what the reader
may name), so a restricted addressee's name never appears, not even with a count.
"""

from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from organizations.filters import PlainSelect
from recommendations.filters import FIRST_YEAR, NO_UPDATE
from recommendations.models import AddresseeResponse, ImplementationUpdate, Recommendation

# Results up to which the list shows a count beside each option (see the module docstring).
FACET_COUNTS_LIMIT = 2_000

# Facets whose options are many (some 250 countries, thousands of organizations and sources):
# only the options that keep a result are listed, and the chosen one.
LONG_FACETS = ("organization", "source", "country", "year")

# The CTE's columns, in the order of ``values()`` below (annotations come last).
_COLUMNS = "id, source_id, section, addressee_types, countries, regions, self_status, "
_COLUMNS += "independent_status, published, working_group_id, year"

# Array values are made distinct per result first (an array could repeat a value), so that each
# group counts rows with a hash, not a sort per DISTINCT. The link tables (themes, responses,
# updates) are read through their index on the recommendation, for the results' ids only,
# rather than scanned whole to be joined: at 300,000 updates, the difference between a few
# milliseconds and a few tens.
_FACET_COUNTS_SQL = """
SELECT kind, value, found FROM (
  WITH r ({columns}) AS MATERIALIZED ({{results}})
  SELECT 'addressee_type', v, count(*) FROM r,
    LATERAL (SELECT DISTINCT unnest(r.addressee_types)) AS a (v) GROUP BY v
  UNION ALL SELECT 'country', v, count(*) FROM r,
    LATERAL (SELECT DISTINCT unnest(r.countries)) AS c (v) GROUP BY v
  UNION ALL SELECT 'region', v, count(*) FROM r,
    LATERAL (SELECT DISTINCT unnest(r.regions)) AS g (v) GROUP BY v
  UNION ALL SELECT 'self_status', self_status, count(*) FROM r GROUP BY self_status
  UNION ALL SELECT 'independent_status', independent_status, count(*) FROM r
    GROUP BY independent_status
  UNION ALL SELECT 'section', section, count(*) FROM r GROUP BY section
  UNION ALL SELECT 'published', published::text, count(*) FROM r GROUP BY published
  UNION ALL SELECT 'source', source_id::text, count(*) FROM r GROUP BY source_id
  UNION ALL SELECT 'working_group', working_group_id::text, count(*) FROM r
    WHERE working_group_id IS NOT NULL GROUP BY working_group_id
  UNION ALL SELECT 'year', year::text, count(*) FROM r GROUP BY year
  UNION ALL SELECT 'theme', link.{link_theme}::text, count(*) FROM {link} AS link
    WHERE link.{link_recommendation} = ANY (ARRAY(SELECT id FROM r))
    GROUP BY link.{link_theme}
  UNION ALL SELECT 'organization', response.{response_organization}::text, count(*)
    FROM {response} AS response
    WHERE response.{response_recommendation} = ANY (ARRAY(SELECT id FROM r))
    GROUP BY response.{response_organization}
  UNION ALL SELECT 'cycle', cycle::text, count(*) FROM (
    SELECT DISTINCT up.{update_recommendation}, up.{update_cycle} FROM {update} AS up
    WHERE up.{update_recommendation} = ANY (ARRAY(SELECT id FROM r))
      AND up.{update_cycle} IS NOT NULL AND up.{update_hidden} IS NULL
  ) AS in_cycle (recommendation, cycle) GROUP BY cycle
) AS counts (kind, value, found)
"""
FACETS = (
    "theme",
    "addressee_type",
    "organization",
    "self_status",
    "independent_status",
    "source",
    "working_group",
    "cycle",
    "section",
    "country",
    "region",
    "year",
    "published",
)


def _facet_counts_sql(connection) -> str:
    quote = connection.ops.quote_name
    link = Recommendation.themes.through._meta
    response, update = AddresseeResponse._meta, ImplementationUpdate._meta
    return _FACET_COUNTS_SQL.format(
        columns=_COLUMNS,
        link=quote(link.db_table),
        link_recommendation=quote(link.get_field("recommendation").column),
        link_theme=quote(link.get_field("theme").column),
        response=quote(response.db_table),
        response_recommendation=quote(response.get_field("recommendation").column),
        response_organization=quote(response.get_field("organization").column),
        update=quote(update.db_table),
        update_recommendation=quote(update.get_field("recommendation").column),
        update_cycle=quote(update.get_field("cycle").column),
        update_hidden=quote(update.get_field("hidden_at").column),
    )


def facet_counts(results: QuerySet[Recommendation]) -> dict[str, dict[str, int]]:
    """How many of ``results`` each option of each facet keeps, in one statement: ``{facet:
    {value: count}}``, values as the database has them (ids of themes, organizations, sources,
    working groups and cycles; ``"none"`` for no update yet; ``"true"``/``"false"``).

    ``results`` is the list the reader sees (their visible recommendations, filtered); an
    option that keeps none of them is absent."""
    rows = (
        results.order_by()
        .prefetch_related(None)
        .annotate(working_group_id=F("source__working_group"))
        .annotate(year=ExtractYear("source__published_on"))
        .values(
            "pk",
            "source_id",
            "section",
            "addressee_types",
            "countries",
            "regions",
            "self_status",
            "independent_status",
            "published",
            "working_group_id",
            "year",
        )
    )
    sql, params = rows.query.sql_with_params()
    connection = connections[results.db]
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    with connection.cursor() as cursor:
        # The results' SQL is Django's compiled query; every value in it stays a parameter.
        cursor.execute(_facet_counts_sql(connection).replace("{results}", sql), params)
        for facet, value, found in cursor.fetchall():
            if facet in ("self_status", "independent_status") and value == "":
                value = NO_UPDATE
            counts[facet][value] = found
    return counts


def count_label(label, count: int) -> str:
    """ "Governments (12)"."""
    return _("%(option)s (%(count)s)") % {"option": label, "count": count}


def label_facets(filterset, counts: dict[str, dict[str, int]] | None) -> None:
    """The filter form's options, each with its count (``counts``, or None when the list was
    too long to count: then the options without counts). Long facets list only the options
    that keep a result, and the chosen one; without counts, only the chosen one (the form says
    why). Options that name objects are read here, among what the reader may name (the
    FilterSet's querysets): one query per such facet, whatever the number of results."""
    form = filterset.form
    chosen = getattr(form, "cleaned_data", {})
    for name in ("addressee_type", "self_status", "independent_status", "section", "region"):
        _label_choices(form, name, counts, chosen)
    _label_choices(form, "country", counts, chosen)
    _label_published(form, counts)
    _label_objects(form, "theme", counts, chosen, key=lambda theme: theme.slug)
    _label_objects(form, "working_group", counts, chosen, key=lambda group: group.slug)
    _label_objects(form, "cycle", counts, chosen, key=_cycle_value)
    _label_objects(form, "organization", counts, chosen, key=_organization_value, long=True)
    _label_objects(form, "source", counts, chosen, key=lambda s: str(s.public_id), long=True)
    _label_year(form, counts, chosen)


def _offer(field, choices) -> None:
    # What the select shows: the form was validated against the field's own choices already
    # (and django-filter's model choice fields take no list of pairs).
    field.widget.choices = choices


def _raw(form, name) -> str:
    return str(form.data.get(name) or "")


def _label_choices(form, name, counts, chosen) -> None:
    field = form.fields[name]
    per_option = counts.get(name, {}) if counts is not None else None
    raw = _raw(form, name)
    choices = []
    for value, label in field.choices:
        if value == "" or per_option is None:
            choices.append((value, label))
            continue
        found = per_option.get(str(value), 0)
        if name in LONG_FACETS and not found and value != raw:
            continue
        choices.append((value, count_label(label, found)))
    _offer(field, choices)


def _label_published(form, counts) -> None:
    field = form.fields.get("published")
    if field is None or counts is None:
        return
    per_option = counts["published"]
    _offer(
        field,
        [
            (value, label if value == "" else count_label(label, per_option.get(value, 0)))
            for value, label in field.choices
        ],
    )


def _cycle_value(cycle) -> str:
    return slugify(cycle.name) or str(cycle.public_id)


def _organization_value(organization) -> str:
    return organization.slug or str(organization.public_id)


def _label_objects(form, name, counts, chosen, *, key, long=False) -> None:
    """The options of a facet that names objects: (value the filter accepts, label (count)).
    The typed value is kept as the chosen option's value, so that the select shows it chosen
    whichever form (id or slug) the address used."""
    field = form.fields[name]
    per_option = counts.get(name, {}) if counts is not None else None
    queryset = field.queryset
    picked = chosen.get(name)
    if long:
        wanted = {int(pk) for pk in per_option or {}}
        if picked is not None:
            wanted.add(picked.pk)
        queryset = queryset.filter(pk__in=wanted) if wanted else queryset.none()
    if name == "organization":
        queryset = queryset.only("pk", "name", "slug", "public_id")
    choices = [("", field.empty_label)]
    for item in queryset:
        value = _raw(form, name) if picked is not None and item.pk == picked.pk else key(item)
        label = _object_label(name, item)
        if per_option is not None:
            label = count_label(label, per_option.get(str(item.pk), 0))
        choices.append((value, label))
    _offer(field, choices)


def _object_label(name, item) -> str:
    if name == "source":
        return f"{item.title} ({item.published_on.year})"
    if name == "theme":
        return item.name
    return str(item)


def _label_year(form, counts, chosen) -> None:
    """The year, a number for the API, is a select here: the years of the results (newest
    first) and the chosen one; without counts, every year from this one back to the first the
    filter accepts (which years have results is not known then, and sources' years are not
    read apart from the results: a draft's would show)."""
    field = form.fields["year"]
    raw = _raw(form, "year")
    per_option = counts["year"] if counts is not None else {}
    years = set(per_option)
    if counts is None:
        years |= {str(year) for year in range(FIRST_YEAR, timezone.localdate().year + 1)}
    if raw:
        years.add(raw)
    choices = [("", _("Any"))]
    for year in sorted(years, key=_year_key, reverse=True):
        label = year if counts is None else count_label(year, per_option.get(year, 0))
        choices.append((year, label))
    field.widget = PlainSelect()
    _offer(field, choices)


def _year_key(value: str):
    return (value.isdigit(), int(value) if value.isdigit() else 0, value)
