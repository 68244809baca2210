from organizations.models.accounts import ApiToken, User, UserManager, validate_timezone
from organizations.models.contacts import (
    INTRODUCTION_VALID_DAYS,
    Contact,
    ContactReveal,
    IntroductionRequest,
    IntroductionStatus,
)
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
    "INTRODUCTION_VALID_DAYS",
    "MFA_REQUIRED_SECTORS",
    "ApiToken",
    "Contact",
    "ContactReveal",
    "Criterion",
    "CriterionGroup",
    "IntroductionRequest",
    "IntroductionStatus",
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
