"""Following a recommendation, a theme or a working group, and the changes recorded for the
followers' digest (sent by the reminders engine)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from recommendations.models import Follow, FollowEvent, Recommendation


@transaction.atomic
def follow(*, by, recommendation=None, theme=None, working_group=None) -> Follow:
    """Follow one thing (a second follow of it changes nothing)."""
    if not by.is_authenticated:
        raise ValidationError(_("Sign in to follow."))
    if sum(x is not None for x in (recommendation, theme, working_group)) != 1:
        raise ValidationError(_("Follow one recommendation, theme or working group."))
    if recommendation is not None and not recommendation.published:
        raise ValidationError(_("Only published recommendations can be followed."))
    existing = Follow.objects.filter(
        user=by, recommendation=recommendation, theme=theme, working_group=working_group
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Follow.objects.create(
                user=by, recommendation=recommendation, theme=theme, working_group=working_group
            )
    except IntegrityError:  # followed meanwhile, by another request of the same person
        return Follow.objects.get(
            user=by, recommendation=recommendation, theme=theme, working_group=working_group
        )


def unfollow(*, by, follow_id: int) -> None:
    Follow.objects.filter(user=by, pk=follow_id).delete()


def record_for_followers(recommendation: Recommendation, kind: str) -> int:
    """One event per person who follows the recommendation, one of its themes or its source's
    working group (once, however many of these they follow); only for published ones."""
    if not recommendation.published:
        return 0
    who = Follow.objects.filter(
        Q(recommendation=recommendation)
        | Q(theme__in=recommendation.themes.all())
        | Q(
            working_group_id=recommendation.source.working_group_id,
            working_group__isnull=False,
        )
    ).values_list("user_id", flat=True)
    events = [
        FollowEvent(user_id=user_id, recommendation=recommendation, kind=kind)
        for user_id in set(who)
    ]
    FollowEvent.objects.bulk_create(events)
    return len(events)


def follow_events_mark_sent(*, pairs, at) -> int:
    """The reminder engine sent these changes, as (user id, event id) pairs, in a digest the
    mail backend accepted: stamp those not stamped yet. One query."""
    pairs = set(pairs)
    if not pairs:
        return 0
    return FollowEvent.objects.filter(
        pk__in={event for _user, event in pairs},
        user_id__in={user for user, _event in pairs},
        sent_at__isnull=True,
    ).update(sent_at=at)
