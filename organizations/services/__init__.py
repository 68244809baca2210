"""Every write that matters, one function per change (STYLE.md: one door per change)."""

from organizations.services.accounts import (
    TOKEN_USE_RESOLUTION,
    api_token_create,
    api_token_record_use,
    api_token_revoke,
    user_update_preferences,
)
from organizations.services.contacts import (
    contact_delete,
    contact_save,
    contacts_reveal,
    introduction_decide,
    introduction_request,
    introduction_withdraw_consent,
    introductions_expire_due,
)
from organizations.services.directory import (
    PROFILE_FIELDS,
    RESERVED_SLUGS,
    invitation_accept,
    invitation_for_token,
    membership_change_role,
    membership_invite,
    membership_remove,
    organization_register,
    organization_update,
)

__all__ = [
    "PROFILE_FIELDS",
    "RESERVED_SLUGS",
    "TOKEN_USE_RESOLUTION",
    "api_token_create",
    "api_token_record_use",
    "api_token_revoke",
    "contact_delete",
    "contact_save",
    "contacts_reveal",
    "introduction_decide",
    "introduction_request",
    "introduction_withdraw_consent",
    "introductions_expire_due",
    "invitation_accept",
    "invitation_for_token",
    "membership_change_role",
    "membership_invite",
    "membership_remove",
    "organization_register",
    "organization_update",
    "user_update_preferences",
]
