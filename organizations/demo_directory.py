"""The demo directory: about forty fictional organizations across sectors and regions.

All names are invented and refer to no real organization. Loaded by ``load_demo`` after the
demo accounts (organizations/demo.py), through the same services as the portal.
"""

from django.db import transaction

from organizations.demo import VERIFIED_REQUESTERS
from organizations.models import (
    Criterion,
    IntroductionRequest,
    IntroductionStatus,
    Organization,
    Theme,
    User,
    VerificationMethod,
    VettingStatus,
)
from organizations.rules import is_verified_requester
from organizations.services import (
    contact_save,
    introduction_request,
    introduction_set_state,
    organization_register,
    requester_verify,
    vetting_assess,
    vetting_save_evidence,
    vetting_set_state,
    vetting_start,
)

CS, GOV, SEC, MULTI = "civil_society", "government", "security_sector", "multilateral"
RES, DON, PRIV, MEDIA = "research", "donor", "private", "media"

# name, acronym, sector, headquarters, countries, women-led, youth-led, themes, languages, tier
ORGANIZATIONS = [
    (
        "Lake Chad Youth Dialogue",
        "LCYD",
        CS,
        "TD",
        "TD NE NG CM",
        False,
        True,
        "youth mediation-dialogue",
        "fr ar ha",
        "public",
    ),
    (
        "Mothers for Peaceful Neighbourhoods",
        "MPN",
        CS,
        "KE",
        "KE SO",
        True,
        False,
        "gender community-policing",
        "en sw so",
        "public",
    ),
    (
        "Réseau des Médiatrices du Sahel",
        "RMS",
        CS,
        "ML",
        "ML BF NE",
        True,
        False,
        "mediation-dialogue gender",
        "fr ff",
        "network",
    ),
    (
        "Coastal Women's Dialogue Forum",
        "CWDF",
        CS,
        "TZ",
        "TZ KE",
        True,
        False,
        "gender social-cohesion",
        "en sw",
        "public",
    ),
    (
        "Valley Youth Reintegration Centre",
        "VYRC",
        CS,
        "TN",
        "TN",
        False,
        True,
        "rehabilitation-reintegration youth",
        "ar fr",
        "network",
    ),
    (
        "Bridges of Learning Initiative",
        "BLI",
        CS,
        "PK",
        "PK AF",
        True,
        True,
        "education alternative-narratives",
        "ur ps en",
        "public",
    ),
    (
        "Hope Street Community Watch",
        "HSCW",
        CS,
        "NG",
        "NG",
        False,
        True,
        "community-policing youth",
        "en ha yo",
        "network",
    ),
    (
        "Red de Jóvenes por la Convivencia",
        "RJC",
        CS,
        "CO",
        "CO EC",
        False,
        True,
        "youth social-cohesion",
        "es",
        "public",
    ),
    (
        "Mesa de Mujeres Constructoras de Paz",
        "MMCP",
        CS,
        "GT",
        "GT HN SV",
        True,
        False,
        "gender justice-reconciliation",
        "es",
        "network",
    ),
    (
        "Island Peace Collective",
        "IPC",
        CS,
        "PH",
        "PH",
        True,
        False,
        "mediation-dialogue community-policing",
        "tl en",
        "public",
    ),
    (
        "Archipelago Youth for Tolerance",
        "AYT",
        CS,
        "ID",
        "ID MY",
        False,
        True,
        "alternative-narratives youth",
        "id ms en",
        "network",
    ),
    (
        "Mountain Villages Recovery Network",
        "MVRN",
        CS,
        "NP",
        "NP",
        True,
        False,
        "humanitarian-aid economic-empowerment",
        "ne en",
        "public",
    ),
    (
        "Balkan Dialogue Workshop",
        "BDW",
        CS,
        "BA",
        "BA RS ME",
        False,
        False,
        "justice-reconciliation mediation-dialogue",
        "bs sr en",
        "public",
    ),
    (
        "Caucasus Women's Resource Centre",
        "CWRC",
        CS,
        "GE",
        "GE AM AZ",
        True,
        False,
        "gender human-rights",
        "ka ru en",
        "network",
    ),
    (
        "Horn Livelihoods Alliance",
        "HLA",
        CS,
        "ET",
        "ET SO DJ",
        False,
        False,
        "economic-empowerment humanitarian-aid",
        "am so en",
        "public",
    ),
    (
        "Great Lakes Reconciliation Circle",
        "GLRC",
        CS,
        "RW",
        "RW BI CD",
        True,
        False,
        "justice-reconciliation social-cohesion",
        "rw fr en",
        "public",
    ),
    (
        "Desert Schools Trust",
        "DST",
        CS,
        "MR",
        "MR ML",
        False,
        False,
        "education youth",
        "ar fr",
        "public",
    ),
    (
        "Tigris Youth Voices",
        "TYV",
        CS,
        "IQ",
        "IQ",
        False,
        True,
        "youth alternative-narratives",
        "ar ku",
        "network",
    ),
    (
        "Cedar Mediation House",
        "CMH",
        CS,
        "LB",
        "LB JO",
        True,
        False,
        "mediation-dialogue human-rights",
        "ar fr en",
        "public",
    ),
    (
        "Atlas Women's Cooperative",
        "AWC",
        CS,
        "MA",
        "MA",
        True,
        False,
        "economic-empowerment gender",
        "ar fr",
        "public",
    ),
    (
        "Quiet Harbour Rehabilitation Project",
        "QHRP",
        CS,
        "YE",
        "YE",
        True,
        True,
        "rehabilitation-reintegration humanitarian-aid",
        "ar",
        "restricted",
    ),
    (
        "Ministry of Civic Harmony (demo)",
        "MCH",
        GOV,
        "SN",
        "SN",
        False,
        False,
        "social-cohesion",
        "fr wo",
        "public",
    ),
    (
        "Department of Prevention Programmes (demo)",
        "DPP",
        GOV,
        "KE",
        "KE",
        False,
        False,
        "community-policing education",
        "en sw",
        "network",
    ),
    (
        "Office for Youth and Communities (demo)",
        "OYC",
        GOV,
        "NO",
        "NO",
        False,
        False,
        "youth",
        "no en",
        "public",
    ),
    (
        "Metropolitan Community Police (demo)",
        "MCP",
        SEC,
        "GB",
        "GB",
        False,
        False,
        "community-policing",
        "en",
        "network",
    ),
    (
        "National Gendarmerie Training School (demo)",
        "NGTS",
        SEC,
        "BF",
        "BF",
        False,
        False,
        "security-sector-reform",
        "fr",
        "network",
    ),
    (
        "Border Guard Academy (demo)",
        "BGA",
        SEC,
        "JO",
        "JO",
        False,
        False,
        "security-sector-reform human-rights",
        "ar en",
        "network",
    ),
    (
        "Continental Peace Secretariat (demo)",
        "CPS",
        MULTI,
        "ET",
        "ET",
        False,
        False,
        "security-sector-reform mediation-dialogue",
        "en fr ar",
        "public",
    ),
    (
        "Inter-Regional Development Bank (demo)",
        "IRDB",
        MULTI,
        "CI",
        "CI",
        False,
        False,
        "macroeconomic-policy economic-empowerment",
        "fr en",
        "public",
    ),
    (
        "Institute for Prevention Studies (demo)",
        "IPS",
        RES,
        "NL",
        "NL",
        False,
        False,
        "alternative-narratives education",
        "nl en",
        "public",
    ),
    (
        "Peace Evidence Lab (demo)",
        "PEL",
        RES,
        "ZA",
        "ZA",
        True,
        False,
        "justice-reconciliation",
        "en af",
        "public",
    ),
    (
        "Open Hands Foundation (demo)",
        "OHF",
        DON,
        "CH",
        "CH",
        False,
        False,
        "gender youth",
        "fr de en",
        "public",
    ),
    (
        "Common Ground Fund (demo)",
        "CGF",
        DON,
        "US",
        "US",
        False,
        False,
        "social-cohesion",
        "en",
        "public",
    ),
    (
        "Fair Trade Employers' Circle (demo)",
        "FTEC",
        PRIV,
        "IN",
        "IN",
        False,
        False,
        "economic-empowerment",
        "hi en",
        "network",
    ),
    (
        "Community Radio Alliance (demo)",
        "CRA",
        MEDIA,
        "UG",
        "UG SS",
        True,
        True,
        "alternative-narratives",
        "en",
        "public",
    ),
    (
        "Independent Reporters' Network (demo)",
        "IRN",
        MEDIA,
        "TR",
        "TR",
        False,
        False,
        "human-rights",
        "tr en",
        "network",
    ),
]

# These are approved in the demo (two reviewers, every criterion met).
VETTED = [
    "Lake Chad Youth Dialogue",
    "Mothers for Peaceful Neighbourhoods",
    "Coastal Women's Dialogue Forum",
    "Bridges of Learning Initiative",
    "Great Lakes Reconciliation Circle",
    "Sahel Women's Peace Circle",
]
IN_REVIEW = "Réseau des Médiatrices du Sahel"


def _owner(acronym: str) -> User:
    email = f"owner.{acronym.lower()}@demo.gsx.example"
    user = User.objects.filter(email=email).first()
    # Owners exist so that every organization keeps an admin; they cannot sign in.
    return user or User.objects.create_user(email, None, name=f"{acronym} administrator")


def _register(row) -> Organization:
    name, acronym, sector, hq, countries, women, youth, themes, languages, tier = row
    existing = Organization.objects.filter(name=name).first()
    if existing:
        return existing
    return organization_register(
        user=_owner(acronym),
        name=name,
        acronym=acronym,
        sector=sector,
        headquarters_country=hq,
        countries=countries.split(),
        women_led=women,
        youth_led=youth,
        themes=list(Theme.objects.filter(slug__in=themes.split())),
        working_languages=languages.split(),
        visibility_tier=tier,
        summary=f"{name} works on {', '.join(t.replace('-', ' ') for t in themes.split())}.",
    )


def _admin_of(organization: Organization) -> User:
    return organization.memberships.filter(role="admin").select_related("user").first().user


def _evidence(application, admin):
    vetting_save_evidence(
        application=application,
        by=admin,
        texts={
            c.pk: f"Our work shows {c.title.lower()} through community programmes since 2015."
            for c in Criterion.objects.all()
        },
    )


def _vet(organization: Organization, reviewers: list[User], *, approve: bool) -> None:
    if organization.vetting_applications.exists():
        return
    admin = _admin_of(organization)
    application = vetting_start(organization=organization, by=admin)
    _evidence(application, admin)
    application = vetting_set_state(application=application, to=VettingStatus.SUBMITTED, by=admin)
    ratings = {
        c.pk: ("met", "Evidence checked with two references.") for c in Criterion.objects.all()
    }
    for reviewer in reviewers if approve else reviewers[:1]:
        vetting_assess(application=application, reviewer=reviewer, ratings=ratings)
    if approve:
        vetting_set_state(application=application, to=VettingStatus.APPROVED, by=reviewers[0])


def _verify_requesters(reviewer: User) -> None:
    for slug in VERIFIED_REQUESTERS:
        organization = Organization.objects.get(slug=slug)
        if not is_verified_requester(organization):
            requester_verify(
                organization=organization,
                by=reviewer,
                method=VerificationMethod.OFFICIAL_LETTER,
                evidence="Demo: letter on official letterhead, confirmed by telephone.",
            )


def _introductions(government: User, security: User) -> None:
    if IntroductionRequest.objects.exists():
        return
    sahel = Organization.objects.get(slug="sahel-women-peace-circle")
    sahel_admin = _admin_of(sahel)
    if not sahel.contacts.exists():
        contact_save(
            organization=sahel,
            by=sahel_admin,
            name="Mariam Traoré",
            role="Programme coordinator",
            email="mariam@swpc.demo.gsx.example",
            secure_channel="Signal, on request",
            shareable=True,
        )
        contact_save(
            organization=sahel,
            by=sahel_admin,
            name="Field office",
            phone="+000 0000 0000",
            shareable=False,
        )
    accepted = introduction_request(
        requester=government,
        organization=sahel,
        requester_organization=government.memberships.get().organization,
        purpose="To invite the Circle to co-design a community safety dialogue in two districts.",
    )
    introduction_set_state(
        introduction=accepted,
        to=IntroductionStatus.ACCEPTED,
        by=sahel_admin,
        message="Welcome. Please write to our programme coordinator first.",
    )
    mothers = Organization.objects.get(name="Mothers for Peaceful Neighbourhoods")
    introduction_request(
        requester=security,
        organization=mothers,
        requester_organization=security.memberships.get().organization,
        purpose="To learn from your community policing forums before our officers' training.",
    )


@transaction.atomic
def load_demo_directory(*, reviewers: list[User], government: User, security: User) -> int:
    """Create the demo organizations, vettings and introductions that are missing."""
    before = Organization.objects.count()
    for row in ORGANIZATIONS:
        _register(row)
    for name in VETTED:
        _vet(Organization.objects.get(name=name), reviewers, approve=True)
    _vet(Organization.objects.get(name=IN_REVIEW), reviewers, approve=False)
    _verify_requesters(reviewers[0])
    _introductions(government, security)
    return Organization.objects.count() - before
