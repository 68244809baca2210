"""Source documents and their recommendations, recorded by the secretariat."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from recommendations.models import (
    AddresseeResponse,
    FollowEventKind,
    Recommendation,
    SourceDocument,
)
from recommendations.rules import may_manage_recommendations
from recommendations.services.follows import record_for_followers


@transaction.atomic
def source_document_create(*, by, publishers=(), **fields) -> SourceDocument:
    if not may_manage_recommendations(by):
        raise PermissionDenied
    source = SourceDocument(**fields)
    source.full_clean()
    source.save()
    source.publishers.set(publishers)
    return source


@transaction.atomic
def recommendation_create(
    *,
    by,
    source: SourceDocument,
    themes=(),
    addressed_organizations=(),
    repeats=(),
    action_points=(),
    **fields,
) -> Recommendation:
    """A recommendation of ``source``; each addressed organization gets a pending response.
    Created as a draft unless ``published=True``."""
    if not may_manage_recommendations(by):
        raise PermissionDenied
    recommendation = Recommendation(source=source, **fields)
    parent = fields.get("parent")
    if parent is not None and parent.source_id != source.pk:
        raise ValidationError({"parent": _("A sub-point belongs to the same source.")})
    recommendation.full_clean()
    recommendation.save()
    recommendation.themes.set(themes)
    recommendation.repeats.set(repeats)
    recommendation.action_points.set(action_points)
    AddresseeResponse.objects.bulk_create(
        AddresseeResponse(recommendation=recommendation, organization=organization)
        for organization in dict.fromkeys(addressed_organizations)
    )
    if recommendation.published:
        record_for_followers(recommendation, FollowEventKind.PUBLISHED)
    return recommendation


@transaction.atomic
def recommendation_publish(*, recommendation: Recommendation, by) -> Recommendation:
    if not may_manage_recommendations(by):
        raise PermissionDenied
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.published:
        raise ValidationError(_("This recommendation is published already."))
    recommendation.published = True
    recommendation.save(update_fields=["published", "updated_at"])
    record_for_followers(recommendation, FollowEventKind.PUBLISHED)
    return recommendation
