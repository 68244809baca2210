"""Addressees' responses, implementation updates from both sides, and their moderation."""

from django.core.exceptions import PermissionDenied, ValidationError
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
    response.responded_on = responded_on or timezone.localdate()
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
    update = ImplementationUpdate(
        recommendation=recommendation,
        perspective=perspective,
        addressee=addressee,
        reporting_organization=reporting_organization,
        reported_by=by,
        status=status,
        summary=(summary or "").strip(),
        evidence_links=list(evidence_links),
        reported_on=reported_on or timezone.localdate(),
        cycle=ReviewCycle.objects.filter(state=CycleState.OPEN).first(),
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
