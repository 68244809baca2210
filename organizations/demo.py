"""Demo accounts, one per role, for trying the portal. Never loaded in production (see load_demo).

Everything here is fictional. The privileged accounts share one TOTP secret, printed in the README
for demo use only, so that a visitor can sign in with any authenticator app.
"""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.utils import encrypt
from django.contrib.auth.models import Group
from django.db import transaction

from organizations.models import Membership, MembershipRole, Organization, Sector, User

DEMO_TOTP_SECRET = "GSXDEMOGSXDEMOGSXDEMOGSXDEMO2345"  # noqa: S105 (published for the demo)
DEMO_DOMAIN = "demo.gsx.example"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    organization: str | None = None
    membership_role: str = MembershipRole.MEMBER
    groups: tuple[str, ...] = ()
    staff: bool = False


DEMO_ORGANIZATIONS = {
    "sahel-women-peace-circle": ("Sahel Women's Peace Circle", "SWPC", Sector.CIVIL_SOCIETY),
    "ministry-community-safety": ("Ministry of Community Safety (demo)", "MCS", Sector.GOVERNMENT),
    "lakeside-police-service": ("Lakeside Police Service (demo)", "LPS", Sector.SECURITY_SECTOR),
    "regional-peace-commission": ("Regional Peace Commission (demo)", "RPC", Sector.MULTILATERAL),
    # Registered but not verified by the secretariat: its member can browse, not ask.
    "coastal-border-agency": ("Coastal Border Agency (demo)", "CBA", Sector.SECURITY_SECTOR),
}
# The requester organizations the secretariat has verified in the demo.
VERIFIED_REQUESTERS = (
    "ministry-community-safety",
    "lakeside-police-service",
    "regional-peace-commission",
)

DEMO_ACCOUNTS = [
    DemoAccount(
        f"cso.admin@{DEMO_DOMAIN}",
        "Amina Diallo",
        "CSO admin",
        "sahel-women-peace-circle",
        MembershipRole.ADMIN,
    ),
    DemoAccount(
        f"cso.member@{DEMO_DOMAIN}", "Youssef Benali", "CSO member", "sahel-women-peace-circle"
    ),
    DemoAccount(
        f"government@{DEMO_DOMAIN}", "Clara Moreno", "Government user", "ministry-community-safety"
    ),
    DemoAccount(
        f"security@{DEMO_DOMAIN}",
        "Daniel Okafor",
        "Security-sector user",
        "lakeside-police-service",
    ),
    DemoAccount(
        f"reviewer@{DEMO_DOMAIN}", "Leila Haddad", "Reviewer (secretariat)", groups=("secretariat",)
    ),
    DemoAccount(
        f"reviewer2@{DEMO_DOMAIN}",
        "Kwame Mensah",
        "Second reviewer (secretariat)",
        groups=("secretariat",),
    ),
    DemoAccount(f"convener@{DEMO_DOMAIN}", "Tomás Ferreira", "Convener", groups=("convener",)),
    DemoAccount(
        f"policymaker@{DEMO_DOMAIN}", "Ingrid Larsen", "Policymaker", "regional-peace-commission"
    ),
    DemoAccount(
        f"unverified@{DEMO_DOMAIN}",
        "Samuel Osei",
        "Unverified requester",
        "coastal-border-agency",
    ),
    DemoAccount(f"admin@{DEMO_DOMAIN}", "Portal Administrator", "Staff admin", staff=True),
]


SAHEL_PROFILE = {
    "headquarters_country": "NE",
    "countries": ["NE", "ML", "BF"],
    "regions": ["sub_saharan_africa"],
    "women_led": True,
    "visibility_tier": "public",
    "working_languages": ["fr", "ha", "ar"],
    "summary": "Women mediators preventing violence between communities in the central Sahel.",
    # The organization's own text in the portal's other languages: readers see theirs.
    "summary_translations": {
        "fr": "Des médiatrices qui préviennent la violence entre communautés du Sahel central.",
        "ar": "وسيطات يعملن على منع العنف بين المجتمعات المحلية في وسط الساحل.",
        "es": "Mediadoras que previenen la violencia entre comunidades en el Sahel central.",
    },
}


def _organization(slug: str) -> Organization:
    name, acronym, sector = DEMO_ORGANIZATIONS[slug]
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        organization = Organization(slug=slug, name=name, acronym=acronym, sector=sector)
        if slug == "sahel-women-peace-circle":
            for field, value in SAHEL_PROFILE.items():
                setattr(organization, field, value)
        organization.full_clean()
        organization.save()
    return organization


def _enrol_totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(DEMO_TOTP_SECRET)}
        )
        RecoveryCodes.activate(user)


@transaction.atomic
def load_demo_accounts(*, password: str) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that do not exist yet; return each with whether it was created."""
    from organizations.rules import is_privileged

    results = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        created = user is None
        if created:
            user = User.objects.create_user(
                account.email,
                password,
                name=account.name,
                is_staff=account.staff,
                is_superuser=account.staff,
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            for group in account.groups:
                user.groups.add(Group.objects.get(name=group))
            if account.organization:
                Membership.objects.create(
                    user=user,
                    organization=_organization(account.organization),
                    role=account.membership_role,
                )
        if is_privileged(user):
            _enrol_totp(user)
        results.append((account, created))
    return results


@transaction.atomic
def load_demo_waiting(*, security: User) -> None:
    """Things waiting for the demo CSO admin, made through the real services (so the emails
    and notifications are those a real request leaves): an endorsement request from the
    organization in review, and a pending introduction request from the police service, dated
    three days before the demo is loaded (so the CSO admin is reminded of it that day). Run
    after ``load_demo_directory``; adds nothing that is already there."""
    from organizations.demo_directory import IN_REVIEW
    from organizations.models import Endorsement, IntroductionRequest, VettingStatus
    from organizations.reminders import INTRODUCTION_DAYS
    from organizations.services import endorsement_request, introduction_request

    sahel = Organization.objects.get(slug="sahel-women-peace-circle")
    applicant = Organization.objects.get(name=IN_REVIEW)
    application = applicant.vetting_applications.filter(status=VettingStatus.IN_REVIEW).first()
    if application and not Endorsement.objects.filter(endorser=sahel).exists():
        endorsement_request(
            application=application,
            endorser=sahel,
            by=applicant.memberships.filter(role=MembershipRole.ADMIN).first().user,
        )
    if not IntroductionRequest.objects.filter(requester=security, organization=sahel).exists():
        introduction = introduction_request(
            requester=security,
            requester_organization=security.memberships.get().organization,
            organization=sahel,
            purpose="To ask the Circle's mediators to brief our community liaison officers.",
        )
        # Asked three days before the demo starts, so that the CSO admin's first reminder
        # digest has it (organizations.introduction_waiting) on the day the demo is loaded. Only
        # the time it was made moves: the history treats that as noise, and the request keeps
        # its full validity.
        IntroductionRequest.objects.filter(pk=introduction.pk).update(
            created_at=introduction.created_at - timedelta(days=INTRODUCTION_DAYS)
        )
