"""Reads of recommendations shared by pages, the API, exports and tasks: one selector per kind
of object decides who sees what (DESIGN.md §4: published ones for everyone; drafts and hidden
updates for the secretariat)."""

from django.db.models import QuerySet

from organizations.rules import is_secretariat
from recommendations.models import (
    AddresseeResponse,
    ImplementationUpdate,
    Recommendation,
    SourceDocument,
)


def recommendations_visible_to(user) -> QuerySet[Recommendation]:
    if is_secretariat(user):
        return Recommendation.objects.all()
    return Recommendation.objects.filter(published=True)


def sources_visible_to(user) -> QuerySet[SourceDocument]:
    """Every source that carries a recommendation the reader may see (the secretariat: all)."""
    if is_secretariat(user):
        return SourceDocument.objects.all()
    return SourceDocument.objects.filter(recommendations__published=True).distinct()


def responses_visible_to(user) -> QuerySet[AddresseeResponse]:
    return AddresseeResponse.objects.filter(
        recommendation__in=recommendations_visible_to(user)
    ).select_related("organization", "recommendation")


def updates_visible_to(user) -> QuerySet[ImplementationUpdate]:
    """Updates of the recommendations the reader may see; hidden ones (moderated) only for the
    secretariat."""
    updates = ImplementationUpdate.objects.filter(
        recommendation__in=recommendations_visible_to(user)
    )
    if not is_secretariat(user):
        updates = updates.filter(hidden_at__isnull=True)
    return updates.select_related("reporting_organization", "addressee", "cycle")
