"""Reads of the recommendations' reminders (``recommendations.reminders``): who is asked for
updates in an open review cycle, what a cycle still lacks as its window closes, the changes
waiting for followers, and whether a claimed reminder still holds now.

What lacks an update is read as ``selectors_cycles.addressee_gap_counts`` reads it: published
recommendations, updates of the cycle not hidden by moderation. Every function is a fixed
number of queries whatever the number of rows; the recipients of a cycle's requests are one
pass over the responses (an anti-join with the distinct pairs that reported, which PostgreSQL
hashes) joined to the memberships, streamed."""

from collections.abc import Iterator
from datetime import datetime

from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from organizations.models import Membership, MembershipRole, Organization, Sector, User
from recommendations.models import (
    AddresseeResponse,
    CycleState,
    Follow,
    FollowEvent,
    ImplementationUpdate,
    Perspective,
    Recommendation,
    ReviewCycle,
)
from recommendations.selectors_cycles import recommendations_lacking_assessment

# Who is asked for an organization's updates: those who keep its profile, not every member.
ASKED_ROLES = (MembershipRole.ADMIN, MembershipRole.EDITOR)
SECRETARIAT = "secretariat"
CHUNK = 2000

# The (recommendation, addressed organization) pairs of published recommendations with no
# visible self-report from that organization in the cycle.
_LACKING = """
    WITH reported AS (
        SELECT DISTINCT recommendation_id, reporting_organization_id
        FROM {update}
        WHERE cycle_id = %(cycle)s AND perspective = %(self_report)s AND hidden_at IS NULL
    ),
    lacking AS (
        SELECT response.organization_id, response.recommendation_id
        FROM {response} response
        JOIN {recommendation} recommendation
          ON recommendation.id = response.recommendation_id AND recommendation.published
        LEFT JOIN reported
          ON reported.recommendation_id = response.recommendation_id
         AND reported.reporting_organization_id = response.organization_id
        WHERE reported.recommendation_id IS NULL
    )
"""

# Per organization asked (lacking self-reports, or a civil society organization vetted now
# while assessments lack), each of its administrators and editors.
_ASKED = """
    , gaps AS (
        SELECT organization_id, count(*) AS lacking FROM lacking GROUP BY organization_id
    ),
    monitors AS (
        SELECT id AS organization_id FROM {organization}
        WHERE %(assessments)s > 0 AND sector = %(civil_society)s AND vetted_until > %(now)s
    ),
    asked AS (
        SELECT organization_id, coalesce(gaps.lacking, 0) AS lacking,
               monitors.organization_id IS NOT NULL AS monitors
        FROM gaps FULL JOIN monitors USING (organization_id)
    )
    SELECT membership.user_id, asked.organization_id, organization.public_id,
           organization.name, asked.lacking, asked.monitors
    FROM asked
    JOIN {organization} organization ON organization.id = asked.organization_id
    JOIN {membership} membership
      ON membership.organization_id = asked.organization_id
     AND membership.role = ANY(%(roles)s)
    ORDER BY membership.user_id, asked.organization_id
"""

_COUNTS = """
    SELECT count(DISTINCT organization_id), count(DISTINCT recommendation_id) FROM lacking
"""

# Of (cycle, organization) pairs, those where the organization still lacks a self-report.
_STILL_LACKING = """
    SELECT pair.cycle_id, pair.organization_id
    FROM unnest(%s::bigint[], %s::bigint[]) AS pair(cycle_id, organization_id)
    -- Per pair (LIMIT keeps the planner from hashing every response): the organization's
    -- responses through their index, each report looked up through update_latest.
    CROSS JOIN LATERAL (
        SELECT 1
        FROM {response} response
        JOIN {recommendation} recommendation
          ON recommendation.id = response.recommendation_id AND recommendation.published
        WHERE response.organization_id = pair.organization_id
          AND NOT EXISTS (
              SELECT 1 FROM {update} u
              WHERE u.recommendation_id = response.recommendation_id AND u.perspective = %s
                AND u.cycle_id = pair.cycle_id AND u.hidden_at IS NULL
                AND u.reporting_organization_id = response.organization_id
          )
        LIMIT 1
    ) AS lacking
"""


def _sql(*parts: str) -> str:
    tables = {
        "update": ImplementationUpdate._meta.db_table,
        "response": AddresseeResponse._meta.db_table,
        "recommendation": Recommendation._meta.db_table,
        "organization": Organization._meta.db_table,
        "membership": Membership._meta.db_table,
    }
    return "".join(parts).format(**tables)  # table names from the models; values are parameters


def open_cycles() -> list[ReviewCycle]:
    return list(
        ReviewCycle.objects.filter(state=CycleState.OPEN)
        .select_related("convening")
        .only("pk", "public_id", "name", "closes_on", "reminder_offsets", "convening__timezone")
    )


def update_request_rows(cycle: ReviewCycle, now: datetime) -> tuple[int, Iterator[tuple]]:
    """How many published recommendations lack an independent assessment in ``cycle`` (one
    query), and the people to ask, streamed: (user id, organization id, its public id, its
    name, how many self-reports it lacks, whether it is a civil society organization vetted
    ``now``), by person then organization (one query)."""
    assessments = recommendations_lacking_assessment(cycle).count()
    values = {
        "cycle": cycle.pk,
        "self_report": Perspective.SELF_REPORT,
        "assessments": assessments,
        "civil_society": Sector.CIVIL_SOCIETY,
        "now": now,
        "roles": list(ASKED_ROLES),
    }

    def rows():
        with connection.cursor() as cursor:
            cursor.execute(_sql(_LACKING, _ASKED), values)
            while chunk := cursor.fetchmany(CHUNK):
                yield from chunk

    return assessments, rows()


def closing_counts(cycle: ReviewCycle) -> dict[str, int]:
    """What ``cycle`` still lacks: addressed organizations without a self-report on some of
    their published recommendations, published recommendations lacking one from some
    addressee, and those without an independent assessment. Two queries."""
    with connection.cursor() as cursor:
        cursor.execute(
            _sql(_LACKING, _COUNTS), {"cycle": cycle.pk, "self_report": Perspective.SELF_REPORT}
        )
        addressees, recommendations = cursor.fetchone()
    return {
        "addressees": addressees,
        "recommendations": recommendations,
        "assessments": recommendations_lacking_assessment(cycle).count(),
    }


def secretariat_ids() -> QuerySet:
    return User.objects.filter(groups__name=SECRETARIAT).values_list("pk", flat=True).order_by("pk")


def unsent_follow_events(first: datetime, now: datetime) -> Iterator[tuple]:
    """Changes recorded for followers from ``first`` to ``now`` and not sent yet: (event id,
    user id, kind, the recommendation's public id, reference and title), streamed."""
    return (
        FollowEvent.objects.filter(sent_at__isnull=True, created_at__gte=first, created_at__lte=now)
        .values_list(
            "pk",
            "user_id",
            "kind",
            "recommendation__public_id",
            "recommendation__reference",
            "recommendation__title",
        )
        .order_by("pk")
        .iterator(CHUNK)
    )


# --- Now, for claimed reminders ----------------------------------------------------------------


def cycles_now(cycle_ids: set[int]) -> dict[int, tuple[str, bool]]:
    """Each cycle's state, and whether a published recommendation lacks an independent
    assessment in it. One query."""
    if not cycle_ids:
        return {}
    assessed = ImplementationUpdate.objects.filter(
        recommendation=OuterRef("pk"),
        cycle=OuterRef(OuterRef("pk")),
        perspective=Perspective.INDEPENDENT,
        hidden_at__isnull=True,
    )
    unassessed = Recommendation.objects.filter(published=True).exclude(Exists(assessed))
    rows = (
        ReviewCycle.objects.filter(pk__in=cycle_ids)
        .annotate(assessments_lacking=Exists(unassessed))
        .values_list("pk", "state", "assessments_lacking")
    )
    return {pk: (state, lacking) for pk, state, lacking in rows}


def still_lacking(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of (cycle, organization) pairs, those where the organization still lacks a self-report
    on a published recommendation addressed to it. One query."""
    if not pairs:
        return set()
    cycles, organizations = zip(*sorted(pairs), strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            _sql(_STILL_LACKING), [list(cycles), list(organizations), Perspective.SELF_REPORT]
        )
        return set(cursor.fetchall())


def asked_now(users: set[int], organizations: set[int]) -> set[tuple[int, int]]:
    """(user, organization) of these where the user is an administrator or editor now."""
    return set(
        Membership.objects.filter(
            user_id__in=users, organization_id__in=organizations, role__in=ASKED_ROLES
        ).values_list("user_id", "organization_id")
    )


def monitors_now(organizations: set[int]) -> set[int]:
    """Of these, the civil society organizations vetted now: who may assess (rules.may_assess)."""
    return set(
        Organization.objects.filter(
            pk__in=organizations, sector=Sector.CIVIL_SOCIETY, vetted_until__gt=timezone.now()
        ).values_list("pk", flat=True)
    )


def secretariat_among(users: set[int]) -> set[int]:
    return set(
        User.groups.through.objects.filter(user_id__in=users, group__name=SECRETARIAT).values_list(
            "user_id", flat=True
        )
    )


def follow_events_still_due(event_ids: set[int]) -> set[tuple[int, int]]:
    """(user, event) of these events that are not sent, whose recommendation the follower may
    see now (published; drafts too for the secretariat, as ``recommendations_visible_to``) and
    who still follows it, one of its themes or its source's working group. One query."""
    if not event_ids:
        return set()
    secretariat = Group.objects.filter(name=SECRETARIAT, user=OuterRef("user_id"))
    follows = Follow.objects.filter(user=OuterRef("user_id"))
    # Three probes by the follower's follows, not one OR across their joins (which made
    # PostgreSQL join every recommendation's themes for each event).
    following = (
        Exists(follows.filter(recommendation=OuterRef("recommendation_id")))
        | Exists(follows.filter(theme__recommendations=OuterRef("recommendation_id")))
        | Exists(follows.filter(working_group=OuterRef("recommendation__source__working_group_id")))
    )
    return set(
        FollowEvent.objects.filter(pk__in=event_ids, sent_at__isnull=True)
        .filter(Q(recommendation__published=True) | Q(user__is_staff=True) | Exists(secretariat))
        .filter(following)
        .values_list("user_id", "pk")
    )
