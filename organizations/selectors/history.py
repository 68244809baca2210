"""An organization's history, as each viewer may read it."""

from django.apps import apps
from django.db.models import (
    Q,
)
from django.utils.translation import gettext as _

from organizations.models import (
    Criterion,
    Membership,
    Organization,
    User,
)
from organizations.rules import is_secretariat
from organizations.selectors.history_sentences import describe, plain

HISTORY_LIMIT = 300


# Reviewers' ratings and notes: who assessed what is for the secretariat (DESIGN.md §4). They
# reference the application, not the organization, so today they do not reach the history;
# this keeps them out should that change.
# The secretariat's checks of requester organizations (how, evidence, by whom) are its own too.
SECRETARIAT_ONLY_EVENTS = (
    "organizations.AssessmentEvent",
    "organizations.RequesterVerificationEvent",
)


def organization_history(organization: Organization, *, viewer) -> list[dict]:
    """What changed on the organization and on everything attached to it (memberships, contacts,
    introductions, vetting), newest first, with who made each change.

    Reviewers are never named to anyone outside the secretariat: their changes read "the
    secretariat", and assessment events (reviewer, rating, note) are left out.
    """
    from pghistory.models import Events

    events = (
        Events.objects.references(organization)
        # An introduction belongs to the history of the CSO that received it; the requesting
        # organization's history would otherwise show the CSO's people and decisions.
        .exclude(
            Q(pgh_model="organizations.IntroductionRequestEvent")
            & ~Q(pgh_data__organization_id=organization.pk)
        )
        # Events of one transaction share a time; within a table, their ids keep their order.
        .order_by("-pgh_created_at", "-pgh_id")
    )
    private = not is_secretariat(viewer)
    if private:
        events = events.exclude(pgh_model__in=SECRETARIAT_ONLY_EVENTS)
    events = list(events[:HISTORY_LIMIT])
    names = _names(events, private=private, organization=organization)
    rows = [
        {
            "at": event.pgh_created_at,
            # "organizations.ContactEvent" → "organizations.Contact", the tracked model.
            "model": event.pgh_model.removesuffix("Event"),
            "label": event.pgh_label,
            "user": _event_user(event),
            "by": names["users"].get(_event_user(event), ""),
            # For naming what an event is about (a member, a requester); never shown as such.
            "data": event.pgh_data or {},
            "changes": _event_changes(event),
        }
        for event in events
    ]
    # An update that changed only what is not shown (a hold, timestamps) is no event to a reader.
    return [
        describe(row, names=names) for row in rows if row["changes"] or row["label"] != "update"
    ]


def _belonging(user_ids: set, organization_ids: set) -> set:
    """Who of ``user_ids`` is or ever was a member of one of ``organization_ids`` (the recorded
    memberships keep those who left)."""
    membership_events = apps.get_model("organizations", "MembershipEvent")
    ever = membership_events.objects.filter(
        user_id__in=user_ids, organization_id__in=organization_ids
    ).values_list("user_id", flat=True)
    now = Membership.objects.filter(
        user_id__in=user_ids, organization_id__in=organization_ids
    ).values_list("user_id", flat=True)
    return set(ever.union(now))


def _names(events, *, private: bool, organization: Organization) -> dict:
    """What the sentences may call the people, organizations and criteria the events mention:
    people by name (else address), reviewers as "the secretariat" to anyone outside it.

    Outside the secretariat, only people who belong (or belonged) to the organization or to a
    requesting organization are named; anyone else acted for the portal. Being in the
    secretariat today is not enough to tell: a reviewer who has since left it would otherwise
    be named on every decision they took."""
    user_ids, organization_ids, criterion_ids = set(), set(), set()
    for event in events:
        data = event.pgh_data or {}
        user_ids |= {_event_user(event), data.get("user_id")}
        organization_ids.add(data.get("requester_organization_id"))
        criterion_ids.add(data.get("criterion_id"))
    user_ids, organization_ids, criterion_ids = (
        ids - {None} for ids in (user_ids, organization_ids, criterion_ids)
    )
    users = {}
    if user_ids:
        people = User.objects.filter(pk__in=user_ids).values_list("pk", "name", "email")
        users = {pk: name or email for pk, name, email in people}
    if private and user_ids:
        secretariat = set(
            User.objects.filter(pk__in=user_ids)
            .filter(Q(is_staff=True) | Q(groups__name="secretariat"))
            .values_list("pk", flat=True)
        )
        outside = user_ids - _belonging(user_ids, {organization.pk} | organization_ids)
        the_secretariat = plain(_("the secretariat"))
        users.update(dict.fromkeys(secretariat | outside, the_secretariat))
    organizations = (
        dict(Organization.objects.filter(pk__in=organization_ids).values_list("pk", "name"))
        if organization_ids
        else {}
    )
    criteria = (
        {c.pk: c.title for c in Criterion.objects.filter(pk__in=criterion_ids)}
        if criterion_ids
        else {}
    )
    return {"users": users, "organizations": organizations, "criteria": criteria}


HISTORY_NOISE = frozenset(
    {
        "id",
        "public_id",
        "created_at",
        "updated_at",
        "search_document",
        "verification_code",
        "token_hash",
        # Whether the secretariat holds a look-alike name: telling its registrant would say
        # that a hidden organization with a close name exists. The secretariat sees holds on
        # its own page.
        "held_for_review",
    }
)


def _event_user(event):
    return (event.pgh_context or {}).get("user")


def _event_changes(event) -> dict:
    """Field → (before, after): the diff of an update, what was set by an insert, what a delete
    removed."""
    if event.pgh_diff:
        changes = event.pgh_diff
    elif event.pgh_label == "delete":
        changes = {field: (value, None) for field, value in (event.pgh_data or {}).items()}
    else:
        changes = {field: (None, value) for field, value in (event.pgh_data or {}).items()}
    empty = (None, "", [], False)
    return {
        field: change
        for field, change in changes.items()
        # Serial keys (``*_id``) mean nothing to a reader and would number people and rows.
        if field not in HISTORY_NOISE
        and not field.endswith("_id")
        and not (change[0] in empty and change[1] in empty)
    }
