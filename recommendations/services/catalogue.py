"""Source documents and their recommendations, recorded by the secretariat."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from recommendations.models import (
    AddresseeResponse,
    FollowEventKind,
    Recommendation,
    ResponseStatus,
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
    problem = _parent_problem(recommendation, fields.get("parent"), source)
    if problem:
        raise ValidationError({"parent": problem})
    recommendation.full_clean()
    recommendation.save()
    # A new recommendation has no relations yet: only non-empty ones cost a query (an import
    # creates thousands in one go).
    for relation, objects in (
        (recommendation.themes, themes),
        (recommendation.repeats, repeats),
        (recommendation.action_points, action_points),
    ):
        if objects:
            relation.add(*objects)
    if addressed_organizations:
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


SOURCE_FIELDS = ("title", "kind", "other_publishers", "published_on", "language", "url")
SOURCE_FIELDS += ("meeting", "working_group")


@transaction.atomic
def source_document_update(*, by, source: SourceDocument, publishers=None, **fields):
    """Change the fields given (and the publishers, if given); nothing is written, and the
    source keeps its ``updated_at``, when nothing differs. Returns (source, changed)."""
    if not may_manage_recommendations(by):
        raise PermissionDenied
    unknown = set(fields) - set(SOURCE_FIELDS)
    if unknown:
        raise TypeError(f"source_document_update() cannot change {sorted(unknown)}")
    source = SourceDocument.objects.select_for_update().get(pk=source.pk)
    changed = [name for name, value in fields.items() if getattr(source, name) != value]
    for name in changed:
        setattr(source, name, fields[name])
    if changed:
        source.full_clean()
        source.save()
    if publishers is not None and {o.pk for o in publishers} != set(
        source.publishers.values_list("pk", flat=True)
    ):
        source.publishers.set(publishers)
        changed.append("publishers")
    return source, bool(changed)


RECOMMENDATION_FIELDS = ("reference", "source", "section", "parent", "position", "title", "text")
RECOMMENDATION_FIELDS += ("addressee_types", "countries", "regions", "published", "meeting")
RECOMMENDATION_RELATIONS = ("themes", "addressed_organizations", "repeats", "action_points")


def addressees_kept(recommendation: Recommendation, organizations) -> list:
    """Of ``organizations`` (addressees to be removed from ``recommendation``), those that must
    stay: they have responded, or an update by or about them exists. Removing them would erase
    or orphan what they said."""
    ids = {o.pk for o in organizations}
    if not ids:
        return []
    responded = set(
        recommendation.responses.filter(organization__in=ids)
        .exclude(status=ResponseStatus.PENDING)
        .values_list("organization_id", flat=True)
    )
    reported = recommendation.updates.filter(
        Q(addressee__in=ids) | Q(reporting_organization__in=ids)
    ).values_list("addressee_id", "reporting_organization_id")
    for about, by in reported:
        responded |= {about, by} & ids
    return [o for o in organizations if o.pk in responded]


def _parent_problem(recommendation: Recommendation, parent, source) -> str | None:
    if parent is None:
        return None
    if parent.source_id != source.pk:
        return _("A sub-point belongs to the same source.")
    seen = {recommendation.pk}
    while parent is not None:  # a parent's chain must not lead back here
        if parent.pk in seen:
            return _("A recommendation cannot be a sub-point of itself or of its sub-points.")
        seen.add(parent.pk)
        parent = parent.parent
    return None


def _relation_ids(recommendation: Recommendation, name: str) -> set[int]:
    if name == "addressed_organizations":
        return set(recommendation.responses.values_list("organization_id", flat=True))
    return set(getattr(recommendation, name).values_list("pk", flat=True))


@transaction.atomic
def recommendation_update(*, by, recommendation: Recommendation, **changes) -> tuple:
    """Change the fields and relations given; returns (recommendation, changed).

    Effects: nothing is written (no ``updated_at``, no history) when nothing differs; each
    newly addressed organization gets a pending response; an addressee removed loses its
    pending response, but one that has responded, or that reported or was reported on, cannot
    be removed (ValidationError on ``addressed_organizations``); publishing records the
    followers' event, as ``recommendation_publish`` does. Refused: unpublishing (what was public
    stays citable), changing the reference of a published one (people cite it), a parent of
    another source or a circle of parents, moving a recommendation that has sub-points to
    another source, a recommendation repeating itself.
    """
    if not may_manage_recommendations(by):
        raise PermissionDenied
    unknown = set(changes) - set(RECOMMENDATION_FIELDS) - set(RECOMMENDATION_RELATIONS)
    if unknown:
        raise TypeError(f"recommendation_update() cannot change {sorted(unknown)}")
    current = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    fields = {
        name: value
        for name, value in changes.items()
        if name in RECOMMENDATION_FIELDS and getattr(current, name) != value
    }
    relations = {
        name: list(dict.fromkeys(value))
        for name, value in changes.items()
        if name in RECOMMENDATION_RELATIONS
        and {o.pk for o in value} != _relation_ids(current, name)
    }
    if not fields and not relations:
        return current, False
    _check_update(current, fields, relations)
    was_published = current.published
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    for name, value in relations.items():
        if name == "addressed_organizations":
            _readdress(current, value)
        else:
            getattr(current, name).set(value)
    if current.published and not was_published:
        record_for_followers(current, FollowEventKind.PUBLISHED)
    return current, True


def _check_update(current: Recommendation, fields: dict, relations: dict) -> None:
    errors = {}
    if current.published and fields.get("published") is False:
        errors["published"] = _("A published recommendation stays published.")
    if current.published and "reference" in fields:
        errors["reference"] = _("The reference of a published recommendation is cited: it stays.")
    source = fields.get("source", current.source)
    if "source" in fields and current.sub_points.exists():
        errors["source"] = _("This recommendation has sub-points: it stays in its source.")
    problem = _parent_problem(current, fields.get("parent", current.parent), source)
    if problem and ("parent" in fields or "source" in fields):
        errors["parent"] = problem
    if current.pk in {o.pk for o in relations.get("repeats", ())}:
        errors["repeats"] = _("A recommendation cannot repeat itself.")
    if "addressed_organizations" in relations:
        wanted = {o.pk for o in relations["addressed_organizations"]}
        removed = [r.organization for r in current.responses.select_related("organization")]
        kept = addressees_kept(current, [o for o in removed if o.pk not in wanted])
        if kept:
            errors["addressed_organizations"] = _(
                "These organizations have responded or reported: they stay addressed: %(names)s."
            ) % {"names": ", ".join(o.slug for o in kept)}
    if errors:
        raise ValidationError(errors)


def _readdress(recommendation: Recommendation, organizations) -> None:
    wanted = {o.pk: o for o in organizations}
    AddresseeResponse.objects.filter(recommendation=recommendation).exclude(
        organization__in=wanted
    ).delete()
    have = set(recommendation.responses.values_list("organization_id", flat=True))
    AddresseeResponse.objects.bulk_create(
        AddresseeResponse(recommendation=recommendation, organization=o)
        for pk, o in wanted.items()
        if pk not in have
    )
