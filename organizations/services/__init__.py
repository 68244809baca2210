"""Every write that matters, one function per change (STYLE.md: one door per change)."""

from organizations.services.accounts import (
    TOKEN_USE_RESOLUTION,
    api_token_create,
    api_token_record_use,
    api_token_revoke,
    api_token_use_recorded,
    user_update_preferences,
)
from organizations.services.blocks import introduction_block, introduction_unblock
from organizations.services.contacts import contact_delete, contact_save
from organizations.services.directory import (
    PROFILE_FIELDS,
    RESERVED_SLUGS,
    organization_clear_hold,
    organization_register,
    organization_update,
    visibility_change_warning,
)
from organizations.services.introductions import (
    contacts_reveal,
    introduction_renew_consent,
    introduction_request,
    introduction_set_state,
    introductions_expire_due,
)
from organizations.services.members import (
    InvitationLimitReached,
    invitation_accept,
    invitation_for_token,
    invitation_revoke,
    membership_change_role,
    membership_invite,
    membership_remove,
)
from organizations.services.requesters import (
    requester_verification_revoke,
    requester_verify,
)
from organizations.services.vetting import (
    endorsement_decide,
    endorsement_request,
    is_vetted,
    vetting_assess,
    vetting_expire_due,
    vetting_rule_failures,
    vetting_save_evidence,
    vetting_set_state,
    vetting_start,
)

__all__ = [
    "PROFILE_FIELDS",
    "RESERVED_SLUGS",
    "TOKEN_USE_RESOLUTION",
    "InvitationLimitReached",
    "api_token_create",
    "api_token_record_use",
    "api_token_revoke",
    "api_token_use_recorded",
    "contact_delete",
    "contact_save",
    "contacts_reveal",
    "endorsement_decide",
    "endorsement_request",
    "introduction_block",
    "introduction_renew_consent",
    "introduction_request",
    "introduction_set_state",
    "introduction_unblock",
    "introductions_expire_due",
    "invitation_accept",
    "invitation_for_token",
    "invitation_revoke",
    "is_vetted",
    "membership_change_role",
    "membership_invite",
    "membership_remove",
    "organization_clear_hold",
    "organization_register",
    "organization_update",
    "requester_verification_revoke",
    "requester_verify",
    "user_update_preferences",
    "vetting_assess",
    "vetting_expire_due",
    "vetting_rule_failures",
    "vetting_save_evidence",
    "vetting_set_state",
    "vetting_start",
    "visibility_change_warning",
]
