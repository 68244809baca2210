"""An organization's history, as each viewer may read it."""

from django.db.models import (
    Q,
)
from django.utils.translation import gettext as _

from organizations.models import (
    Organization,
    User,
)
from organizations.rules import is_secretariat

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
        .order_by("-pgh_created_at")
    )
    private = not is_secretariat(viewer)
    if private:
        events = events.exclude(pgh_model__in=SECRETARIAT_ONLY_EVENTS)
    events = list(events[:HISTORY_LIMIT])
    user_ids = {_event_user(event) for event in events} - {None}
    users = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "email"))
    if private:
        secretariat = User.objects.filter(pk__in=user_ids).filter(
            Q(is_staff=True) | Q(groups__name="secretariat")
        )
        users.update(dict.fromkeys(secretariat.values_list("pk", flat=True), _("the secretariat")))
    rows = [
        {
            "at": event.pgh_created_at,
            "what": event.pgh_model.split(".")[-1].removesuffix("Event"),
            "action": event.pgh_label,
            "by": users.get(_event_user(event), ""),
            "changes": _event_changes(event),
        }
        for event in events
    ]
    # An update that changed only what is not shown (a hold, timestamps) is no event to a reader.
    return [row for row in rows if row["changes"] or row["action"] != "update"]


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
