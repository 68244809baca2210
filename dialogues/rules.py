"""Who may do what in dialogues. Pages, the API and tasks ask these predicates."""

import rules
from django.db.models import Exists

from organizations.rules import is_secretariat, roles_now


def convenes_a_working_group(user_id):
    """An expression true while the user whose id is ``user_id`` (an ``OuterRef``) convenes a
    working group: registered as a privileged role (two-factor, shorter sessions) in apps.py."""
    from dialogues.models import WorkingGroup

    return Exists(WorkingGroup.conveners.through.objects.filter(user=user_id))


@rules.predicate
def is_convener(user) -> bool:
    """In the conveners' group, or a convener of at least one working group, now."""
    if not user.is_authenticated:
        return False
    return _in_conveners_group(user) or user.convened_working_groups.exists()


@rules.predicate
def may_create_working_group(user) -> bool:
    return is_secretariat(user) or _in_conveners_group(user)


@rules.predicate
def may_schedule_meetings(user) -> bool:
    """Open the new-meeting page: the secretariat, the conveners' group (meetings without a
    group) and the conveners of a working group (their group's meetings)."""
    return is_secretariat(user) or is_convener(user)


@rules.predicate
def may_manage_working_group(user, working_group) -> bool:
    """Edit the group, schedule its meetings, invite and record outcomes: its conveners and the
    secretariat."""
    if not user.is_authenticated or working_group is None:
        return False
    if is_secretariat(user):
        return True
    return working_group.conveners.filter(pk=user.pk).exists()


@rules.predicate
def may_manage_meeting(user, meeting) -> bool:
    """A meeting's conveners: those of its working group, or for a meeting without one (the
    annual convening, an outreach event) the conveners' group; and the secretariat."""
    if not user.is_authenticated or meeting is None:
        return False
    if meeting.working_group_id is not None:
        return may_manage_working_group(user, meeting.working_group)
    return is_secretariat(user) or _in_conveners_group(user)


def _in_conveners_group(user) -> bool:
    return user.is_authenticated and roles_now(user)["conveners_group"]
