"""An organization's own contact people. Who else may see them is decided in
``organizations.services.introductions`` (the one path to a CSO's contacts for outsiders)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from organizations.models import Contact, Organization, User

CONTACT_FIELDS = ("name", "role", "email", "phone", "secure_channel", "shareable")


@transaction.atomic
def contact_save(
    *, organization: Organization, by: User, contact: Contact | None = None, **fields
) -> Contact:
    if not by.has_perm("organizations.manage_contacts", organization):
        raise PermissionDenied
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"not contact fields: {sorted(unknown)}")
    contact = contact or Contact(organization=organization)
    if contact.organization_id != organization.pk:
        raise PermissionDenied
    for field, value in fields.items():
        setattr(contact, field, value)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, by: User) -> None:
    if not by.has_perm("organizations.manage_contacts", contact.organization):
        raise PermissionDenied
    contact.delete()
