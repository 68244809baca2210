"""Addressees' responses, implementation updates from both sides, and their moderation."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations.models import (
    AddresseeResponse,
    CycleState,
    FollowEventKind,
    ImplementationUpdate,
    Perspective,
    Recommendation,
    ResponseStatus,
    ReviewCycle,
)
from recommendations.rules import (
    may_assess,
    may_manage_recommendations,
    may_respond_for,
    may_self_report,
)
from recommendations.services.follows import record_for_followers

# No recommendation of the network is older; a date before is a typing slip.
EARLIEST_DATE = date(1990, 1, 1)
# Evidence is a handful of documents; more is a list to attach as a document of its own.
MAX_EVIDENCE_LINKS = 10
LINK_MAX_LENGTH = 500
_WEB_ADDRESS = URLValidator(schemes=["http", "https"])


def _check_date(value, field: str):
    """A date that has happened, from 1990 on: the latest update by date is a recommendation's
    current status, so one dated in the future would stand over every later report."""
    if value is None:
        return timezone.localdate()
    if not isinstance(value, date) or value < EARLIEST_DATE:
        raise ValidationError({field: _("Enter a date from 1990 on.")})
    if value > timezone.localdate():
        raise ValidationError({field: _("Enter a date that is not in the future.")})
    return value


def _check_links(links) -> list[str]:
    """Evidence links as the pages and the API must both take them: at most ten web addresses
    (http or https, at most 500 characters), without invisible characters (a bidi override
    makes a link read as another address)."""
    links = list(dict.fromkeys(str(link).strip() for link in links or () if str(link).strip()))
    if len(links) > MAX_EVIDENCE_LINKS:
        message = _("Give at most %(count)d links.") % {"count": MAX_EVIDENCE_LINKS}
        raise ValidationError({"evidence_links": message})
    for number, link in enumerate(links, start=1):
        try:
            if len(link) > LINK_MAX_LENGTH or not link.isprintable():
                raise ValidationError("")
            _WEB_ADDRESS(link)
        except ValidationError:
            message = _(
                "Link %(number)d is not a web address starting with http:// or https:// "
                "(of at most %(max)d characters, without invisible characters)."
            ) % {"number": number, "max": LINK_MAX_LENGTH}
            raise ValidationError({"evidence_links": message}) from None
    return links


@transaction.atomic
def response_record(
    *, response: AddresseeResponse, by, status: str, comment: str = "", responded_on=None
) -> AddresseeResponse:
    """An addressed organization's response (its members, or the secretariat); every change is
    kept in the history."""
    response = AddresseeResponse.objects.select_for_update().get(pk=response.pk)
    if not may_respond_for(by, response.organization):
        raise PermissionDenied
    if status not in ResponseStatus.values or status == ResponseStatus.PENDING:
        raise ValidationError({"status": _("Choose supported, noted or not supported.")})
    response.status = status
    response.comment = (comment or "").strip()
    response.responded_on = _check_date(responded_on, "responded_on")
    response.responded_by = by
    response.full_clean()
    response.save()
    # Responses count as changes of the recommendation for `updated_since` readers.
    Recommendation.objects.filter(pk=response.recommendation_id).update(updated_at=timezone.now())
    record_for_followers(response.recommendation, FollowEventKind.RESPONSE)
    return response


@transaction.atomic
def implementation_update_add(
    *,
    by,
    recommendation,
    perspective: str,
    reporting_organization,
    status: str,
    summary: str,
    evidence_links=(),
    reported_on=None,
    addressee=None,
) -> ImplementationUpdate:
    """An update from one side: a self-report by a member of an addressed organization (about
    itself), or an independent assessment by a member of a civil society organization vetted
    now (about the recommendation, or one addressee). Joins the open review cycle, if any.
    Refused (PermissionDenied) to anyone else; nothing is written."""
    if not recommendation.published:
        raise ValidationError(_("Updates are for published recommendations."))
    if perspective == Perspective.SELF_REPORT:
        if not may_self_report(by, recommendation, reporting_organization):
            raise PermissionDenied
        addressee = reporting_organization
    elif perspective == Perspective.INDEPENDENT:
        if not may_assess(by, reporting_organization):
            raise PermissionDenied
        if (
            addressee is not None
            and not recommendation.responses.filter(organization=addressee).exists()
        ):
            raise ValidationError({"addressee": _("Choose an organization it addresses.")})
    else:
        raise ValidationError({"perspective": _("Choose a perspective.")})
    reported_on = _check_date(reported_on, "reported_on")
    evidence_links = _check_links(evidence_links)
    update = ImplementationUpdate(
        recommendation=recommendation,
        perspective=perspective,
        addressee=addressee,
        reporting_organization=reporting_organization,
        reported_by=by,
        status=status,
        summary=(summary or "").strip(),
        evidence_links=evidence_links,
        reported_on=reported_on,
        # Locked, so that a cycle closing meanwhile either waits for this update (and freezes
        # it in its snapshot) or has closed before it (and the update joins no cycle).
        cycle=ReviewCycle.objects.select_for_update().filter(state=CycleState.OPEN).first(),
    )
    update.full_clean()
    update.save()
    refresh_statuses(recommendation.pk)
    record_for_followers(recommendation, FollowEventKind.UPDATE)
    return update


@transaction.atomic
def implementation_update_hide(*, update: ImplementationUpdate, by, reason: str):
    """The secretariat hides an update (from everyone else), saying why; recorded."""
    if not may_manage_recommendations(by):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is hidden: it is recorded.")})
    update = ImplementationUpdate.objects.select_for_update().get(pk=update.pk)
    if update.hidden_at is not None:
        raise ValidationError(_("This update is hidden already."))
    update.hidden_at = timezone.now()
    update.hidden_reason = reason
    update.hidden_by = by
    update.full_clean()
    update.save()
    refresh_statuses(update.recommendation_id)
    return update


def refresh_statuses(recommendation_id: int) -> None:
    """Copy the latest visible update's status from each side onto the recommendation (one
    UPDATE), and mark it changed for `updated_since` readers."""

    def latest(perspective):
        return Coalesce(
            Subquery(
                ImplementationUpdate.objects.filter(
                    recommendation=OuterRef("pk"), perspective=perspective, hidden_at__isnull=True
                )
                .order_by("-reported_on", "-id")
                .values("status")[:1]
            ),
            Value(""),
        )

    Recommendation.objects.filter(pk=recommendation_id).update(
        self_status=latest(Perspective.SELF_REPORT),
        independent_status=latest(Perspective.INDEPENDENT),
        updated_at=timezone.now(),
    )
