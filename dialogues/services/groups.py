"""Working groups: creating and editing them."""

import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dialogues.models import WorkingGroup
from dialogues.rules import may_create_working_group, may_manage_working_group
from organizations.text import latin_skeleton

# Addresses taken by pages under /working-groups/.
RESERVED_GROUP_SLUGS = frozenset({"new"})


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
    if slug in RESERVED_GROUP_SLUGS:
        raise ValidationError({"slug": _("This address is reserved; choose another.")})
    _name_is_free(name)
    group = WorkingGroup(name=name, slug=slug, description=description, active=active)
    group.full_clean()
    group.save()
    group.themes.set(themes)
    group.convening_organizations.set(convening_organizations)
    group.conveners.set(conveners)
    group.members.set(members)
    return group


# What a working group's page may change (its slug, the address people have, stays).
GROUP_FIELDS = ("name", "description", "active")
GROUP_RELATIONS = ("themes", "convening_organizations", "conveners", "members")


@transaction.atomic
def working_group_update(*, group: WorkingGroup, by, **changes) -> WorkingGroup:
    """Change a working group: its conveners or the secretariat. A group keeps at least one
    convener, unless the secretariat (who can always manage it) removes the last."""
    group = WorkingGroup.objects.select_for_update().get(pk=group.pk)
    if not may_manage_working_group(by, group):
        raise PermissionDenied
    unknown = set(changes) - set(GROUP_FIELDS) - set(GROUP_RELATIONS)
    if unknown:
        raise TypeError(f"Cannot change {sorted(unknown)}")
    if "name" in changes:
        _name_is_free(changes["name"], but=group)
    for name in GROUP_FIELDS:
        if name in changes:
            setattr(group, name, changes[name])
    group.full_clean()
    group.save()
    for name in GROUP_RELATIONS:
        if name in changes:
            getattr(group, name).set(changes[name])
    return group


def _name_is_free(name: str, *, but: WorkingGroup | None = None) -> None:
    """Two groups of one name would be told apart by no one."""
    others = WorkingGroup.objects.all()
    if but is not None:
        others = others.exclude(pk=but.pk)
    # Compared as read: fullwidth and look-alike letters, case and spaces folded.
    if _as_read(name) in {_as_read(other) for other in others.values_list("name", flat=True)}:
        raise ValidationError({"name": _("A working group already has this name.")})


def _as_read(name: str) -> str:
    return " ".join(latin_skeleton(unicodedata.normalize("NFKC", name or "")).casefold().split())
