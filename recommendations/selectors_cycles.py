"""Reads about review cycles and progress, shared by the cycle pages, the dashboard and the
reminders engine: what still lacks an update in a cycle (by addressee), a closed cycle's
frozen counts, and the current statuses by theme and by addressee type.

Every count is over published recommendations and visible updates (an update hidden by
moderation counts for no one), so the numbers are the same for every reader; only the names
of organizations a reader may not see are withheld (``organization_ids_shown_to``). Each
function is a fixed number of aggregate queries, whatever the number of rows: the gaps of a
cycle are one pass over the responses joined to the distinct (recommendation, organization)
pairs that reported in the cycle, which PostgreSQL hashes, so it stays fast at 100,000
recommendations and 300,000 updates."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet

from organizations.models import Organization, Theme
from recommendations.models import (
    AddresseeResponse,
    CycleSnapshot,
    CycleState,
    ImplementationUpdate,
    Perspective,
    Recommendation,
    ReviewCycle,
)
from recommendations.selectors import HIDDEN_ORGANIZATION, organization_ids_shown_to

# The status of a recommendation no one of that side has reported on (a blank column).
NO_UPDATE = ""


@dataclass
class AddresseeGap:
    """One addressed organization in a cycle: of ``addressed`` published recommendations
    addressed to it, ``lacking`` have no visible self-report from it in the cycle.
    ``organization`` is None for the row that stands for organizations the reader may not
    see (their counts summed, so neither their number nor each one's counts show)."""

    organization_id: int | None
    addressed: int
    lacking: int
    organization: Organization | None = None

    @property
    def name(self) -> str:
        return self.organization.name if self.organization else str(HIDDEN_ORGANIZATION)


@dataclass
class CycleGaps:
    addressees: list[AddresseeGap] = field(default_factory=list)
    published: int = 0  # published recommendations
    lacking_assessment: int = 0  # of them, with no visible independent assessment in the cycle


def _updates_of(cycle: ReviewCycle, perspective: str) -> QuerySet[ImplementationUpdate]:
    return ImplementationUpdate.objects.filter(
        cycle=cycle, perspective=perspective, hidden_at__isnull=True
    )


def addressee_gap_counts(cycle: ReviewCycle) -> list[AddresseeGap]:
    """Per addressed organization, its published recommendations and how many of them lack
    a visible self-report from it in ``cycle``; most lacking first. One query. The reminders
    engine reads this to find who to remind, and ``responses_lacking_self_report`` for
    which recommendations."""
    response = AddresseeResponse._meta.db_table
    recommendation = Recommendation._meta.db_table
    update = ImplementationUpdate._meta.db_table
    sql = f"""
        WITH reported AS (
            SELECT DISTINCT recommendation_id, reporting_organization_id
            FROM {update}
            WHERE cycle_id = %s AND perspective = %s AND hidden_at IS NULL
        )
        SELECT response.organization_id,
               count(*) AS addressed,
               count(*) FILTER (WHERE reported.recommendation_id IS NULL) AS lacking
        FROM {response} response
        JOIN {recommendation} recommendation
          ON recommendation.id = response.recommendation_id AND recommendation.published
        LEFT JOIN reported
          ON reported.recommendation_id = response.recommendation_id
         AND reported.reporting_organization_id = response.organization_id
        GROUP BY response.organization_id
        ORDER BY lacking DESC, response.organization_id
    """  # noqa: S608 (table names from the models; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [cycle.pk, Perspective.SELF_REPORT])
        return [AddresseeGap(org, addressed, lacking) for org, addressed, lacking in cursor]


def responses_lacking_self_report(
    cycle: ReviewCycle, organization_id: int | None = None
) -> QuerySet[AddresseeResponse]:
    """The (recommendation, addressed organization) pairs of published recommendations with
    no visible self-report from that organization in ``cycle``; of one organization if given."""
    reported = _updates_of(cycle, Perspective.SELF_REPORT).filter(
        recommendation_id=OuterRef("recommendation_id"),
        reporting_organization_id=OuterRef("organization_id"),
    )
    pairs = AddresseeResponse.objects.filter(recommendation__published=True).exclude(
        Exists(reported)
    )
    if organization_id is not None:
        pairs = pairs.filter(organization_id=organization_id)
    return pairs


def recommendations_lacking_assessment(cycle: ReviewCycle) -> QuerySet[Recommendation]:
    """Published recommendations with no visible independent assessment in ``cycle``."""
    assessed = _updates_of(cycle, Perspective.INDEPENDENT).filter(recommendation=OuterRef("pk"))
    return Recommendation.objects.filter(published=True).exclude(Exists(assessed))


def cycle_gaps(cycle: ReviewCycle, user) -> CycleGaps:
    """What still lacks an update in ``cycle``, as ``user`` may read it: per addressee (names
    they may not see folded into one row) and for independent assessments. Four queries."""
    rows = addressee_gap_counts(cycle)
    shown = organization_ids_shown_to(user, [row.organization_id for row in rows])
    organizations = Organization.objects.only("pk", "name", "public_id", "slug").in_bulk(shown)
    gaps = CycleGaps()
    hidden = AddresseeGap(None, 0, 0)
    for row in rows:
        if row.organization_id in organizations:
            row.organization = organizations[row.organization_id]
            gaps.addressees.append(row)
        else:
            hidden.addressed += row.addressed
            hidden.lacking += row.lacking
    if hidden.addressed:
        gaps.addressees.append(hidden)
    # Most lacking first; then by name, the hidden row last among equals.
    gaps.addressees.sort(key=lambda g: (-g.lacking, g.organization is None, g.name.casefold()))
    totals = Recommendation.objects.filter(published=True).aggregate(
        published=Count("pk"),
        lacking=Count(
            "pk",
            filter=~Exists(
                _updates_of(cycle, Perspective.INDEPENDENT).filter(recommendation=OuterRef("pk"))
            ),
        ),
    )
    gaps.published, gaps.lacking_assessment = totals["published"], totals["lacking"]
    return gaps


def snapshot_counts(cycle: ReviewCycle) -> dict[str, dict[str, int]]:
    """A closed cycle's frozen statuses: perspective → status ("" for none) → count."""
    counts = {p: {} for p in Perspective.values}
    rows = (
        CycleSnapshot.objects.filter(cycle=cycle)
        .values_list("perspective", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for perspective, status, n in rows:
        counts[perspective][status] = n
    return counts


# --- The dashboard ----------------------------------------------------------------------


def status_by_theme() -> tuple[list[Theme], dict]:
    """The themes, and (theme id or None for recommendations without one) → perspective →
    current status → count, over published recommendations (one counted under each of its
    themes). Two queries."""
    through = Recommendation.themes.through._meta.db_table
    recommendation = Recommendation._meta.db_table
    sql = f"""
        SELECT link.theme_id, r.self_status, r.independent_status, count(*)
        FROM {recommendation} r
        LEFT JOIN {through} link ON link.recommendation_id = r.id
        WHERE r.published
        GROUP BY link.theme_id, r.self_status, r.independent_status
    """  # noqa: S608 (table names from the models)
    return list(Theme.objects.order_by("order", "slug")), _per_perspective(sql)


def status_by_addressee_type() -> dict:
    """Addressee type (None: none stated) → perspective → current status → count, over
    published recommendations (one counted under each type it addresses). One query."""
    recommendation = Recommendation._meta.db_table
    sql = f"""
        SELECT kind, r.self_status, r.independent_status, count(*)
        FROM {recommendation} r
        LEFT JOIN LATERAL unnest(r.addressee_types) AS kind ON true
        WHERE r.published
        GROUP BY kind, r.self_status, r.independent_status
    """  # noqa: S608 (table names from the models)
    return _per_perspective(sql)


def _per_perspective(sql: str) -> dict:
    counts: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for key, self_status, independent_status, n in cursor:
            row = counts.setdefault(key, {p: {} for p in Perspective.values})
            mine = row[Perspective.SELF_REPORT]
            mine[self_status] = mine.get(self_status, 0) + n
            theirs = row[Perspective.INDEPENDENT]
            theirs[independent_status] = theirs.get(independent_status, 0) + n
    return counts


@dataclass
class CycleChange:
    """The last two closed cycles and, per perspective, the counts of each status in each
    (``before``, ``after``) and how many moved from one status to another (``moves``:
    (status before or None if not in the earlier snapshot, status after) → count)."""

    earlier: ReviewCycle
    later: ReviewCycle
    before: dict[str, dict[str, int]]
    after: dict[str, dict[str, int]]
    moves: dict[str, dict[tuple[str | None, str], int]]


def closed_cycles(limit: int = 2) -> list[ReviewCycle]:
    return list(
        ReviewCycle.objects.filter(state=CycleState.CLOSED)
        .select_related("convening")
        .order_by("-closed_at", "-id")[:limit]
    )


def cycle_change(cycles: list[ReviewCycle]) -> CycleChange | None:
    """The change between the two cycles given (the later first), from their snapshots; None
    with fewer than two. Two queries."""
    if len(cycles) < 2:
        return None
    later, earlier = cycles[0], cycles[1]
    counts = (
        CycleSnapshot.objects.filter(cycle__in=[earlier, later])
        .values_list("cycle_id", "perspective", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    before = {p: {} for p in Perspective.values}
    after = {p: {} for p in Perspective.values}
    for cycle_id, perspective, status, n in counts:
        (after if cycle_id == later.pk else before)[perspective][status] = n
    snapshot = CycleSnapshot._meta.db_table
    sql = f"""
        SELECT b.perspective, a.status, b.status, count(*)
        FROM {snapshot} b
        LEFT JOIN {snapshot} a
          ON a.cycle_id = %s AND a.recommendation_id = b.recommendation_id
         AND a.perspective = b.perspective
        WHERE b.cycle_id = %s
        GROUP BY b.perspective, a.status, b.status
    """  # noqa: S608 (table names from the models; values are parameters)
    moves = {p: {} for p in Perspective.values}
    with connection.cursor() as cursor:
        cursor.execute(sql, [earlier.pk, later.pk])
        for perspective, was, now, n in cursor:
            moves[perspective][(was, now)] = n
    return CycleChange(earlier, later, before, after, moves)
