"""Working groups: creating and editing them."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dialogues.models import WorkingGroup
from dialogues.rules import may_create_working_group


@transaction.atomic
def working_group_create(
    *,
    by,
    name: str,
    slug: str,
    description: str = "",
    themes=(),
    convening_organizations=(),
    conveners=(),
    members=(),
    active: bool = True,
) -> WorkingGroup:
    if not may_create_working_group(by):
        raise PermissionDenied
    group = WorkingGroup(name=name, slug=slug, description=description, active=active)
    group.full_clean()
    group.save()
    group.themes.set(themes)
    group.convening_organizations.set(convening_organizations)
    group.conveners.set(conveners)
    group.members.set(members)
    return group
