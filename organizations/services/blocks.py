"""A civil society organization refuses all introduction requests from a person or an
organization; blocking also ends what it had given them (through the one transition)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from organizations.models import (
    IntroductionBlock,
    IntroductionStatus,
    Organization,
    User,
)
from organizations.services.introductions import introduction_set_state


@transaction.atomic
def introduction_block(
    *,
    organization: Organization,
    by: User,
    user: User | None = None,
    requester_organization: Organization | None = None,
) -> IntroductionBlock:
    """The CSO refuses all requests from a person or an organization (exactly one).

    Effects: the block; the blocked party's pending requests are declined and its accepted ones
    withdrawn, through ``introduction_set_state``.
    """
    if not by.has_perm("organizations.decide_introductions", organization):
        raise PermissionDenied
    if (user is None) == (requester_organization is None):
        raise ValidationError(_("Block either a person or an organization."))
    block, _created = IntroductionBlock.objects.get_or_create(
        organization=organization,
        blocked_user=user,
        blocked_organization=requester_organization,
        defaults={
            "created_by": by,
            "label": user.email if user else requester_organization.name,
        },
    )
    affected = organization.introduction_requests.filter(
        Q(requester=user) if user else Q(requester_organization=requester_organization)
    )
    for introduction in affected.filter(status=IntroductionStatus.PENDING):
        introduction_set_state(introduction=introduction, to=IntroductionStatus.DECLINED, by=by)
    for introduction in affected.filter(status=IntroductionStatus.ACCEPTED):
        introduction_set_state(introduction=introduction, to=IntroductionStatus.WITHDRAWN, by=by)
    return block


@transaction.atomic
def introduction_unblock(*, block: IntroductionBlock, by: User) -> None:
    if not by.has_perm("organizations.decide_introductions", block.organization):
        raise PermissionDenied
    block.delete()
