"""Reads of the vetting workflow: the reviewers' queue, the ratings grid, the documents.

Who may see a vetting at all is ``view_vetting`` (members and the secretariat); within it,
reviewer notes are the secretariat's only and reviewers are shown as "Reviewer 1/2", never by
name, to applicants (numbered by ``reviewer_numbers``).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from organizations.models import (
    Assessment,
    Criterion,
    VettingApplication,
    VettingDocument,
    VettingStatus,
)

QUEUE_STATES = (VettingStatus.SUBMITTED, VettingStatus.IN_REVIEW)
# The states a message from the secretariat belongs to. Once the applicant resubmits, the change
# request is history: reviewers still see it (labelled as earlier), the applicant no longer.
DECIDED_STATES = (
    VettingStatus.CHANGES_REQUESTED,
    VettingStatus.APPROVED,
    VettingStatus.DECLINED,
    VettingStatus.EXPIRED,
)


def message_shown(application: VettingApplication, *, to_reviewer: bool) -> str:
    """The secretariat's message as a reader may see it: the latest decision's, or nothing."""
    if application.status in DECIDED_STATES or to_reviewer:
        return application.message
    return ""


def reviewer_numbers(application: VettingApplication) -> dict[int, int]:
    """Reviewer 1, 2, …: numbered by their first assessment of this application, so that the
    numbers never change and never reveal who reviewed."""
    firsts = (
        application.assessments.values("reviewer_id")
        .annotate(first=Min("pk"))
        .order_by("first")
        .values_list("reviewer_id", flat=True)
    )
    return {reviewer_id: n for n, reviewer_id in enumerate(firsts, start=1)}


def vetting_queue_for(
    user, *, status: str = "", assessed: str = "", newest_first: bool = False
) -> "list[VettingApplication]":
    """Applications waiting for the secretariat, for reviewer ``user``: how long each has
    waited, how many reviewers assessed it and whether ``user`` did. Filters: ``status``
    (submitted or in_review; both when empty) and ``assessed`` ("mine", "not_mine" or "")."""
    states = [status] if status in QUEUE_STATES else list(QUEUE_STATES)
    mine = Assessment.objects.filter(application=OuterRef("pk"), reviewer=user)
    queryset = (
        VettingApplication.objects.filter(status__in=states)
        .select_related("organization")
        .annotate(
            reviewers_count=Count("assessments__reviewer", distinct=True),
            assessed_by_me=Exists(mine),
        )
    )
    if assessed == "mine":
        queryset = queryset.filter(assessed_by_me=True)
    elif assessed == "not_mine":
        queryset = queryset.filter(assessed_by_me=False)
    order = ("-submitted_at", "-pk") if newest_first else ("submitted_at", "pk")
    applications = list(queryset.order_by(*order))
    now = timezone.now()  # the application's clock, as everywhere else, not the database's
    for application in applications:
        application.waiting = now - application.submitted_at
    return applications


@dataclass
class CriterionRow:
    criterion: Criterion
    evidence: str
    # One cell per reviewer column, in the order of the columns; None when not rated.
    cells: list = field(default_factory=list)
    # The reviewer's own rating and note fields, when the page is a review.
    rating_field: object = None
    note_field: object = None


def vetting_grid(application: VettingApplication, criteria: list[Criterion]):
    """Each criterion with its evidence and each reviewer's assessment, columns numbered
    "Reviewer 1, 2 …" in the order they first assessed. Returns (columns, rows): columns are
    the reviewer numbers; each cell is an Assessment (with its reviewer) or None."""
    numbers = reviewer_numbers(application)
    columns = sorted(numbers.values())
    evidence = dict(application.evidence.values_list("criterion_id", "text"))
    by_key = {
        (a.criterion_id, numbers[a.reviewer_id]): a
        for a in application.assessments.select_related("reviewer")
    }
    rows = [
        CriterionRow(
            criterion=c,
            evidence=evidence.get(c.pk, ""),
            cells=[by_key.get((c.pk, n)) for n in columns],
        )
        for c in criteria
    ]
    return columns, rows


def vetting_documents_of(application: VettingApplication):
    return application.documents.all()


def vetting_document_for(user, organization, public_id) -> VettingDocument | None:
    """A document of ``organization``'s applications, for those who may follow its vetting
    now (its current members and the secretariat); None for anyone else."""
    if not user.has_perm("organizations.view_vetting", organization):
        return None
    return (
        VettingDocument.objects.filter(
            Q(application__organization=organization), public_id=public_id
        )
        .select_related("application")
        .first()
    )
