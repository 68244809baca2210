"""Vetting against the Better Peace Tool criteria (DESIGN.md §2).

``vetting_set_state`` is the one transition function of the workflow; every other function here
writes data inside a state (evidence, assessments, endorsements) or calls it.
"""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import (
    Assessment,
    Criterion,
    CriterionGroup,
    Endorsement,
    EndorsementStatus,
    Evidence,
    Membership,
    MembershipRole,
    Organization,
    Rating,
    Sector,
    User,
    VettingApplication,
    VettingStatus,
)
from organizations.rules import is_vetting_reviewer
from organizations.selectors import is_vetted
from organizations.selectors.vetting import reviewer_numbers
from organizations.services.notify import email_on_commit
from organizations.text import quoted_label

OPEN_STATES = (
    VettingStatus.DRAFT,
    VettingStatus.SUBMITTED,
    VettingStatus.IN_REVIEW,
    VettingStatus.CHANGES_REQUESTED,
)
EDITABLE_STATES = (VettingStatus.DRAFT, VettingStatus.CHANGES_REQUESTED)
APPLICANT, REVIEWER, SYSTEM = "applicant", "reviewer", "system"
TRANSITIONS = {
    (VettingStatus.DRAFT, VettingStatus.SUBMITTED): APPLICANT,
    (VettingStatus.CHANGES_REQUESTED, VettingStatus.SUBMITTED): APPLICANT,
    (VettingStatus.SUBMITTED, VettingStatus.IN_REVIEW): REVIEWER,
    (VettingStatus.SUBMITTED, VettingStatus.CHANGES_REQUESTED): REVIEWER,
    (VettingStatus.IN_REVIEW, VettingStatus.CHANGES_REQUESTED): REVIEWER,
    (VettingStatus.IN_REVIEW, VettingStatus.APPROVED): REVIEWER,
    (VettingStatus.SUBMITTED, VettingStatus.DECLINED): REVIEWER,
    (VettingStatus.IN_REVIEW, VettingStatus.DECLINED): REVIEWER,
    (VettingStatus.APPROVED, VettingStatus.EXPIRED): SYSTEM,
}
REVIEWERS_NEEDED = 2
MAX_ENDORSEMENT_REQUESTS = 10


def may_review(user: User, application: VettingApplication) -> bool:
    return (
        is_vetting_reviewer(user)
        and not Membership.objects.filter(user=user, organization=application.organization).exists()
    )


def eligible_reviewers(application: VettingApplication) -> set[int]:
    """Reviewers whose assessments count: secretariat, and not members of the applicant."""
    reviewer_ids = set(application.assessments.values_list("reviewer_id", flat=True))
    members = set(application.organization.memberships.values_list("user_id", flat=True))
    secretariat = set(Group.objects.get(name="secretariat").user_set.values_list("pk", flat=True))
    return (reviewer_ids & secretariat) - members


def vetting_rule_failures(application: VettingApplication) -> list[str]:
    """Why the application cannot be approved yet, one sentence per reason; empty when it can.

    A criterion counts as met only when every eligible reviewer who assessed it rated it met.
    The rule: two eligible reviewers, every core value met, at least one competency met, at
    least one constituency criterion met. Reviewers are named "Reviewer 1/2" only.
    """
    reviewers = eligible_reviewers(application)
    numbers = reviewer_numbers(application)
    failures = []
    if len(reviewers) < REVIEWERS_NEEDED:
        failures.append(
            _(
                "Needs %(needed)d reviewers of the secretariat who are not members of the "
                "organization; has %(n)d."
            )
            % {"needed": REVIEWERS_NEEDED, "n": len(reviewers)}
        )
    ratings: dict[int, list[tuple[int, str]]] = {}
    for criterion_id, reviewer_id, rating in (
        application.assessments.filter(reviewer_id__in=reviewers)
        .order_by("pk")
        .values_list("criterion_id", "reviewer_id", "rating")
    ):
        ratings.setdefault(criterion_id, []).append((reviewer_id, rating))
    met = {
        cid for cid, found in ratings.items() if {rating for _r, rating in found} == {Rating.MET}
    }
    criteria = list(Criterion.objects.all())
    for criterion in criteria:
        if criterion.group != CriterionGroup.CORE_VALUE or criterion.pk in met:
            continue
        below = [(r, rating) for r, rating in ratings.get(criterion.pk, []) if rating != Rating.MET]
        if not below:
            failures.append(
                _("Core value not assessed yet: %(title)s.") % {"title": criterion.title}
            )
        for reviewer_id, rating in sorted(below, key=lambda item: numbers[item[0]]):
            failures.append(
                _("Core value rated “%(rating)s” by Reviewer %(n)d: %(title)s.")
                % {
                    "rating": Rating(rating).label,
                    "n": numbers[reviewer_id],
                    "title": criterion.title,
                }
            )
    for group, message in (
        (CriterionGroup.COMPETENCY, _("No competency is rated met by every reviewer.")),
        (
            CriterionGroup.CONSTITUENCY,
            _("No constituency criterion is rated met by every reviewer."),
        ),
    ):
        if not any(c.pk in met for c in criteria if c.group == group):
            failures.append(message)
    return failures


def _evidence_failures(application: VettingApplication) -> dict[str, list[str]]:
    """What is missing for a submission, keyed by the criterion code (a core value) or by the
    group (competency, constituency) it belongs to, so that forms show it where it belongs."""
    given = set(application.evidence.exclude(text="").values_list("criterion_id", flat=True))
    criteria = list(Criterion.objects.all())
    failures = {
        c.code: [_("Describe your evidence for the core value: %(title)s.") % {"title": c.title}]
        for c in criteria
        if c.group == CriterionGroup.CORE_VALUE and c.pk not in given
    }
    for group, message in (
        (CriterionGroup.COMPETENCY, _("Describe your evidence for at least one competency.")),
        (
            CriterionGroup.CONSTITUENCY,
            _("Describe your evidence for at least one constituency criterion."),
        ),
    ):
        if not any(c.pk in given for c in criteria if c.group == group):
            failures[str(group)] = [message]
    return failures


def _notify(application: VettingApplication, template: str, recipients) -> None:
    email_on_commit(
        template,
        {
            "organization": quoted_label(application.organization.name),
            "status": application.get_status_display(),
            # What to change, or why: the secretariat's own words, sent with the decision.
            "message": application.message
            if application.status
            in (VettingStatus.CHANGES_REQUESTED, VettingStatus.APPROVED, VettingStatus.DECLINED)
            else "",
            "url": settings.SITE_URL
            + reverse("organizations:vetting", args=[application.organization.slug]),
        },
        list(recipients),
    )


def _admin_emails(organization: Organization):
    return organization.memberships.filter(role=MembershipRole.ADMIN).values_list(
        "user__email", flat=True
    )


def _set_vetted_until(organization: Organization, *, now):
    """The latest validity among the organization's approvals still valid, or None. Only
    ``vetting_set_state`` calls this: it is the one writer of ``vetted_until``."""
    valid = organization.vetting_applications.filter(
        status=VettingStatus.APPROVED, valid_until__gt=now
    ).aggregate(until=Max("valid_until"))["until"]
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.vetted_until != valid:
        organization.vetted_until = valid
        # updated_at moves too: API clients syncing with ?updated_since= learn of the change.
        organization.save(update_fields=["vetted_until", "updated_at"])
    return valid


@transaction.atomic
def vetting_set_state(
    *, application: VettingApplication, to: str, by: User | None, message: str = ""
) -> VettingApplication:
    """Move an application to state ``to``. Effects, by transition:

    - → submitted (applicant's admins or editors; evidence for every core value and for at least
      one competency and one constituency criterion): ``submitted_at``; email to the secretariat.
    - submitted → in_review (a reviewer, when first assessing).
    - → changes_requested (a reviewer; a message is required): the message; email to the
      applicant's admins, with the message.
    - in_review → approved (a reviewer; ``vetting_rule_failures`` must be empty): the message
      (optional; it replaces the message of an earlier decision, even when empty),
      ``decided_at``, ``valid_until`` = now + VETTING_VALID_MONTHS; the recognised identity
      (``recognised_name``, ``recognised_sector``) copied from the profile; the organization's
      ``vetted_until`` recomputed; email to the admins.
    - → declined (a reviewer; a reason is required): the reason; email to the admins, with it.
    - approved → expired (the periodic sweep, ``by`` is None): the organization's
      ``vetted_until`` recomputed (cleared unless another approval is still valid); email to
      the admins.
    Reviewers must belong to the secretariat and not to the applicant. Anything else raises
    PermissionDenied or ValidationError and changes nothing.
    """
    application = VettingApplication.objects.select_for_update().get(pk=application.pk)
    actor = TRANSITIONS.get((application.status, to))
    if actor is None:
        raise ValidationError(
            _("An application that is %(status)s cannot become %(to)s.")
            % {"status": application.get_status_display(), "to": VettingStatus(to).label}
        )
    if actor == APPLICANT and not (
        by and by.has_perm("organizations.apply_for_vetting", application.organization)
    ):
        raise PermissionDenied
    if actor == REVIEWER and not (by and may_review(by, application)):
        raise PermissionDenied
    if actor == SYSTEM and by is not None:
        raise PermissionDenied
    now = timezone.now()
    if to == VettingStatus.SUBMITTED:
        if failures := _evidence_failures(application):
            raise ValidationError(failures)
        application.submitted_at = now
    elif to in (VettingStatus.CHANGES_REQUESTED, VettingStatus.DECLINED):
        if not message.strip():
            raise ValidationError({"message": _("Say what should change, or why, in a message.")})
        application.message = message.strip()
        application.decided_at = now if to == VettingStatus.DECLINED else None
    elif to == VettingStatus.APPROVED:
        if failures := vetting_rule_failures(application):
            raise ValidationError(failures)
        application.message = message.strip()
        application.decided_at = now
        application.valid_until = now + relativedelta(months=settings.VETTING_VALID_MONTHS)
        application.recognised_name = application.organization.name
        application.recognised_sector = application.organization.sector
    application.status = to
    application.full_clean()
    application.save()
    if to in (VettingStatus.APPROVED, VettingStatus.EXPIRED):
        application.organization.vetted_until = _set_vetted_until(application.organization, now=now)
    if to == VettingStatus.SUBMITTED:
        reviewers = User.objects.filter(groups__name="secretariat", is_active=True)
        _notify(application, "vetting_submitted", reviewers.values_list("email", flat=True))
    elif to in (
        VettingStatus.CHANGES_REQUESTED,
        VettingStatus.APPROVED,
        VettingStatus.DECLINED,
        VettingStatus.EXPIRED,
    ):
        _notify(application, "vetting_decided", _admin_emails(application.organization))
    return application


@transaction.atomic
def vetting_start(*, organization: Organization, by: User) -> VettingApplication:
    """Open a new application, pre-filled with the evidence of the previous one."""
    if not by.has_perm("organizations.apply_for_vetting", organization):
        raise PermissionDenied
    if organization.sector != Sector.CIVIL_SOCIETY:
        raise ValidationError(_("Only civil society organizations are vetted."))
    if organization.vetting_applications.filter(status__in=OPEN_STATES).exists():
        raise ValidationError(_("An application is already in progress."))
    previous = organization.vetting_applications.exclude(status=VettingStatus.DRAFT).first()
    application = VettingApplication.objects.create(
        organization=organization, created_by=by, previous=previous
    )
    if previous is not None:
        Evidence.objects.bulk_create(
            Evidence(application=application, criterion_id=e.criterion_id, text=e.text)
            for e in previous.evidence.all()
        )
    return application


@transaction.atomic
def vetting_save_evidence(
    *, application: VettingApplication, by: User, texts: dict[int, str]
) -> None:
    """Save the applicant's evidence, criterion by criterion (draft or changes requested)."""
    if not by.has_perm("organizations.apply_for_vetting", application.organization):
        raise PermissionDenied
    if application.status not in EDITABLE_STATES:
        raise ValidationError(_("The application can no longer be changed."))
    for criterion_id, text in texts.items():
        evidence, _created = Evidence.objects.get_or_create(
            application=application, criterion_id=criterion_id
        )
        evidence.text = text.strip()
        evidence.full_clean()
        evidence.save()


@transaction.atomic
def vetting_assess(
    *, application: VettingApplication, reviewer: User, ratings: dict[int, tuple[str, str]]
) -> None:
    """Record a reviewer's rating and note per criterion; the first one starts the review."""
    if not may_review(reviewer, application):
        raise PermissionDenied
    application = VettingApplication.objects.select_for_update().get(pk=application.pk)
    if application.status == VettingStatus.SUBMITTED:
        vetting_set_state(application=application, to=VettingStatus.IN_REVIEW, by=reviewer)
    elif application.status != VettingStatus.IN_REVIEW:
        raise ValidationError(_("Only submitted applications can be assessed."))
    for criterion_id, (rating, note) in ratings.items():
        if rating not in Rating.values:
            raise ValidationError(_("Unknown rating: %(rating)s.") % {"rating": rating})
        assessment = Assessment.objects.filter(
            application=application, criterion_id=criterion_id, reviewer=reviewer
        ).first() or Assessment(
            application=application, criterion_id=criterion_id, reviewer=reviewer
        )
        assessment.rating, assessment.note = rating, note.strip()
        assessment.full_clean()
        assessment.save()


def vetting_expire_due(now) -> int:
    """Approvals past their validity become expired (a periodic-sweep source)."""
    expired = 0
    for application in VettingApplication.objects.filter(
        status=VettingStatus.APPROVED, valid_until__lte=now
    ):
        vetting_set_state(application=application, to=VettingStatus.EXPIRED, by=None)
        expired += 1
    return expired


@transaction.atomic
def endorsement_request(
    *, application: VettingApplication, endorser: Organization, by: User
) -> Endorsement:
    if not by.has_perm("organizations.apply_for_vetting", application.organization):
        raise PermissionDenied
    endorser = Organization.objects.get(pk=endorser.pk)  # vetted as of now, not as passed in
    if endorser.pk == application.organization_id or not is_vetted(endorser):
        raise ValidationError(_("Only another, already vetted organization can endorse you."))
    if application.status not in OPEN_STATES:
        raise ValidationError(_("The application is closed."))
    existing = Endorsement.objects.filter(application=application, endorser=endorser).first()
    if existing is not None:
        return existing  # asked once: asking again must not email the endorser again
    if application.endorsements.count() >= MAX_ENDORSEMENT_REQUESTS:
        raise ValidationError(
            _("An application can ask at most %(n)d organizations for an endorsement.")
            % {"n": MAX_ENDORSEMENT_REQUESTS}
        )
    endorsement = Endorsement.objects.create(application=application, endorser=endorser)
    email_on_commit(
        "endorsement_requested",
        {
            # Names are typed by whoever registered them: shown as data, never as the portal's
            # own words (no links, one line).
            "organization": quoted_label(application.organization.name),
            "endorser": quoted_label(endorser.name),
            "url": settings.SITE_URL + reverse("organizations:endorsements", args=[endorser.slug]),
        },
        list(_admin_emails(endorser)),
    )
    return endorsement


@transaction.atomic
def endorsement_decide(
    *, endorsement: Endorsement, by: User, give: bool, statement: str = ""
) -> Endorsement:
    if not by.has_perm("organizations.decide_introductions", endorsement.endorser):
        raise PermissionDenied  # the endorser's admins decide, as for introductions
    if endorsement.status != EndorsementStatus.REQUESTED:
        raise ValidationError(_("This endorsement was already answered."))
    endorsement.status = EndorsementStatus.GIVEN if give else EndorsementStatus.REFUSED
    endorsement.statement = statement.strip()
    endorsement.decided_by = by
    endorsement.full_clean()
    endorsement.save(update_fields=["status", "statement", "decided_by"])
    return endorsement
