"""Reads of recommendations shared by pages, the API, exports and tasks: one selector per kind
of object decides who sees what (DESIGN.md §4: published ones for everyone; drafts and hidden
updates for the secretariat)."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dialogues.selectors import meetings_audience
from organizations.models import Organization
from organizations.rules import is_secretariat
from organizations.selectors import organizations_visible_to, visibility_audience
from recommendations.models import (
    AddresseeResponse,
    ImplementationUpdate,
    Recommendation,
    SourceDocument,
)

# What stands for the name of an organization the reader may not see.
HIDDEN_ORGANIZATION = _("An organization not listed for you")


# Stored for the search's indexes; no page, answer or export shows them, and each row's three
# vectors weigh more than its text.
SEARCH_VECTORS = ("search_en", "search_fr", "search_ar")


def recommendations_visible_to(user) -> QuerySet[Recommendation]:
    recommendations = Recommendation.objects.defer(*SEARCH_VECTORS)
    if is_secretariat(user):
        return recommendations
    return recommendations.filter(published=True)


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


def organization_ids_shown_to(user, organization_ids, *, reader=None) -> set[int]:
    """Of ``organization_ids`` (addressees, reporting organizations), those whose name the
    reader may see. A recommendation can address, or be assessed by, an organization whose
    profile the reader may not know exists (a restricted, at-risk organization; a network-tier
    one for an anonymous visitor): pages, the API and exports then show the response or the
    update without naming it (``HIDDEN_ORGANIZATION``), and facets never offer it."""
    ids = {i for i in organization_ids if i is not None}
    if not ids:
        return set()
    visible = organizations_visible_to(user, reader=reader)
    return set(visible.filter(pk__in=ids).values_list("pk", flat=True))


def addressees_offered_to(user) -> QuerySet[Organization]:
    """The addressed organizations a reader may filter by: addressed by a recommendation they
    see, and visible to them."""
    return (
        organizations_visible_to(user)
        .filter(addressed_recommendations__in=recommendations_visible_to(user))
        .distinct()
    )


def recommendations_audience(user) -> str | None:
    """Who else sees exactly the recommendations, organization names, working groups and
    meetings ``user`` sees, so that what is rendered for one may be shown to the others:
    "anonymous"; "network", a signed-in user who is neither the secretariat (drafts, hidden
    updates) nor a member of a restricted organization nor anyone who manages meetings; or None
    when the view is the user's own. Asked of the roles now."""
    if not user.is_authenticated:
        return "anonymous"
    if visibility_audience(user) == "network" and meetings_audience(user) == "network":
        return "network"
    return None
