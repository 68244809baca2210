from organizations.models.accounts import ApiToken, User, UserManager, validate_timezone
from organizations.models.directory import (
    MFA_REQUIRED_SECTORS,
    Criterion,
    CriterionGroup,
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    Sector,
    Theme,
    VisibilityTier,
    translated,
)

__all__ = [
    "MFA_REQUIRED_SECTORS",
    "ApiToken",
    "Criterion",
    "CriterionGroup",
    "Invitation",
    "Membership",
    "MembershipRole",
    "Organization",
    "Sector",
    "Theme",
    "User",
    "UserManager",
    "VisibilityTier",
    "translated",
    "validate_timezone",
]
