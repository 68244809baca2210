"""Who may do what with recommendations. Pages, the API and tasks ask these predicates, against
each person's roles now."""

import rules

from organizations.models import Sector
from organizations.rules import is_member_of, is_secretariat
from organizations.selectors import is_vetted


@rules.predicate
def may_manage_recommendations(user) -> bool:
    """Record sources and recommendations, import them, run review cycles, moderate: the
    secretariat."""
    return user.is_authenticated and is_secretariat(user)


@rules.predicate
def may_respond_for(user, organization) -> bool:
    """Record an addressed organization's response: its members (and the secretariat, who may
    record one it was sent by letter)."""
    return user.is_authenticated and (is_secretariat(user) or is_member_of(user, organization))


def may_self_report(user, recommendation, organization) -> bool:
    """The addressee's own report on a recommendation: members of an organization it
    addresses, for that organization."""
    return (
        user.is_authenticated
        and is_member_of(user, organization)
        and recommendation.responses.filter(organization=organization).exists()
    )


def may_assess(user, organization) -> bool:
    """An independent assessment: members of a civil society organization vetted now."""
    return (
        user.is_authenticated
        and organization.sector == Sector.CIVIL_SOCIETY
        and is_vetted(organization)
        and is_member_of(user, organization)
    )
