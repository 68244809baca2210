"""The home page: a personal dashboard for each role (exact items, counts in the header, a
constant query count), and for anonymous visitors what the GSX is, how to join, the directory
search and the verify-a-letter box."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gsx_portal.models import Notification
from organizations.models import Membership, MembershipRole, Organization, VisibilityTier
from organizations.selectors.dashboard import (
    HEADER_COUNTS,
    dashboard_of,
    header_counts_of,
    profile_completeness,
)
from organizations.services import (
    endorsement_request,
    introduction_request,
    membership_invite,
    vetting_start,
)
from tests.conftest import enrol_totp, signed_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.organizations.conftest import (
    vetting_approved,
    vetting_rate_all,
    vetting_submitted,
)

pytestmark = pytest.mark.django_db
PURPOSE = "We would like to discuss a community policing pilot in the coastal districts."


def _world(n, *, cso_admin, cso_member, outsider, ministry):
    """``n`` of everything that can wait for someone: CSOs administered by ``cso_admin`` (each
    vetted, with a draft application, an endorsement request and a pending introduction from
    the ministry), applications submitted for the reviewers, invitations to the outsider."""
    government = ministry.memberships.get().user
    world = {"csos": [], "applications": [], "introductions": [], "invitations": []}
    for i in range(n):
        cso = OrganizationFactory(
            name=f"Coastal Forum {i}",
            slug=f"coastal-forum-{i}",
            visibility_tier=VisibilityTier.NETWORK,
        )
        Membership.objects.create(user=cso_admin, organization=cso, role=MembershipRole.ADMIN)
        Membership.objects.create(user=cso_member, organization=cso, role=MembershipRole.MEMBER)
        vetting_start(organization=cso, by=cso_admin)
        Organization.objects.filter(pk=cso.pk).update(
            vetted_until=timezone.now() + timedelta(days=365)
        )
        cso.refresh_from_db()
        applicant = OrganizationFactory(name=f"Applicant {i}", slug=f"applicant-{i}")
        applicant_admin = MembershipFactory(organization=applicant, role=MembershipRole.ADMIN).user
        application = vetting_submitted(applicant, applicant_admin)
        endorsement_request(application=application, endorser=cso, by=applicant_admin)
        world["introductions"].append(
            introduction_request(
                requester=government,
                requester_organization=ministry,
                organization=cso,
                purpose=PURPOSE,
            )
        )
        world["invitations"].append(
            membership_invite(organization=applicant, by=applicant_admin, email=outsider.email)[0]
        )
        world["csos"].append(cso)
        world["applications"].append(application)
    return world


def _board(user):
    # A fresh copy of the user: the dashboard is cached on the user object for one request.
    return dashboard_of(type(user).objects.get(pk=user.pk))


def test_the_cso_admin_sees_each_thing_waiting_with_its_link(
    cso_admin,
    cso_member,
    outsider,
    ministry,
):
    world = _world(
        1, cso_admin=cso_admin, cso_member=cso_member, outsider=outsider, ministry=ministry
    )
    (cso,) = world["csos"]
    (introduction,) = world["introductions"]
    board = _board(cso_admin)
    assert [e.application.organization.name for e in board.endorsements] == ["Applicant 0"]
    assert board.introductions == [introduction]
    assert [m.organization.name for m in board.vetting_steps] == ["Coastal Forum 0"]
    assert board.invitations == [] and board.reviews == []
    assert board.waiting_count == 3
    html = signed_in(cso_admin).get(reverse("home")).content.decode()
    assert reverse("organizations:endorsements", args=[cso.slug]) in html
    assert (
        reverse("organizations:introduction_received", args=[cso.slug, introduction.public_id])
        in html
    )
    assert "<bdi>Coastal Forum 0</bdi>: draft. Finish the application and submit it." in html
    assert '<span class="badge">3<span class="visually-hidden"> items wait for you</span>' in html


def test_the_cso_member_sees_the_organizations_but_nothing_to_decide(
    cso_admin,
    cso_member,
    outsider,
    ministry,
):
    _world(1, cso_admin=cso_admin, cso_member=cso_member, outsider=outsider, ministry=ministry)
    board = _board(cso_member)
    assert [m.organization.name for m in board.memberships] == [
        "Coastal Forum 0",
        "Coastal Youth Forum",
    ]
    assert [m.vetting_status for m in board.memberships] == ["draft", None]
    assert board.waiting_count == 0
    html = signed_in(cso_member).get(reverse("home")).content.decode()
    assert "Nothing waits for you." in html
    assert 'class="badge"' not in html
    # A member may not edit the profile: no link to do so.
    assert reverse("organizations:edit", args=["coastal-forum-0"]) not in html


def test_the_outsider_sees_invitations_to_their_verified_address_and_may_accept_one(
    cso_admin,
    cso_member,
    outsider,
    ministry,
):
    world = _world(
        1, cso_admin=cso_admin, cso_member=cso_member, outsider=outsider, ministry=ministry
    )
    (invitation,) = world["invitations"]
    board = _board(outsider)
    assert board.invitations == [invitation]
    assert board.memberships == [] and board.waiting_count == 1
    client = signed_in(outsider)
    assert (
        "You are invited to join <bdi>Applicant 0</bdi> as Member"
        in client.get(reverse("home")).content.decode()
    )
    response = client.post(reverse("invitation_accept_from_home", args=[invitation.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("organizations:detail", args=["applicant-0"])
    assert Membership.objects.filter(user=outsider, organization__slug="applicant-0").exists()
    assert _board(outsider).invitations == []


def test_an_invitation_to_an_unverified_address_is_not_shown_nor_accepted(cso, cso_admin):
    stranger = UserFactory(email="zoe@example.org", verified=False)
    invitation, _secret = membership_invite(organization=cso, by=cso_admin, email=stranger.email)
    assert _board(stranger).invitations == []
    response = signed_in(stranger).post(
        reverse("invitation_accept_from_home", args=[invitation.public_id])
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user=stranger).exists()


def test_someone_elses_invitation_cannot_be_accepted_from_the_home(cso, cso_admin, outsider):
    invitation, _secret = membership_invite(organization=cso, by=cso_admin, email="zoe@example.org")
    response = signed_in(outsider).post(
        reverse("invitation_accept_from_home", args=[invitation.public_id])
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_the_government_requester_follows_their_requests(
    cso_admin,
    cso_member,
    outsider,
    ministry,
):
    world = _world(
        1, cso_admin=cso_admin, cso_member=cso_member, outsider=outsider, ministry=ministry
    )
    government = ministry.memberships.get().user
    board = _board(government)
    assert board.sent_introductions == world["introductions"]
    assert board.waiting_count == 0
    html = signed_in(government).get(reverse("home")).content.decode()
    assert reverse("organizations:introduction", args=[world["introductions"][0].public_id]) in html
    assert "Pending" in html


def test_the_reviewer_sees_the_applications_awaiting_their_assessment(
    cso_admin,
    cso_member,
    outsider,
    ministry,
    enrolled_reviewer,
):
    world = _world(
        2, cso_admin=cso_admin, cso_member=cso_member, outsider=outsider, ministry=ministry
    )
    first, second = world["applications"]
    assert _board(enrolled_reviewer).reviews == [first, second]
    vetting_rate_all(first, enrolled_reviewer)
    board = _board(enrolled_reviewer)
    assert board.reviews == [second]
    assert board.waiting_count == 1
    html = signed_in(enrolled_reviewer).get(reverse("home")).content.decode()
    assert reverse("organizations:vetting", args=["applicant-1"]) in html
    assert reverse("organizations:vetting", args=["applicant-0"]) not in html


def test_a_reviewer_is_not_asked_to_assess_their_own_organization(cso, enrolled_reviewer):
    admin = MembershipFactory(organization=cso, role=MembershipRole.ADMIN).user
    Membership.objects.create(user=enrolled_reviewer, organization=cso)
    vetting_submitted(cso, admin)
    assert _board(enrolled_reviewer).reviews == []


def test_changes_requested_tells_the_editor_what_to_do(cso, cso_admin, enrolled_reviewer):
    from organizations.models import VettingStatus
    from organizations.services import vetting_set_state

    application = vetting_submitted(cso, cso_admin)
    vetting_set_state(
        application=application,
        to=VettingStatus.CHANGES_REQUESTED,
        by=enrolled_reviewer,
        message="Describe your constituency.",
    )
    html = signed_in(cso_admin).get(reverse("home")).content.decode()
    assert (
        "<bdi>Coastal Youth Forum</bdi>: changes requested. Read the secretariat's message, "
        "change the application and submit it again." in html
    )


def test_profile_completeness_names_what_is_missing(cso, cso_admin):
    from organizations.models import Contact

    Organization.objects.filter(pk=cso.pk).update(
        summary="Youth mediators.", website="https://cyf.example", working_languages=["en"]
    )
    Contact.objects.create(organization=cso, name="Asha")
    (membership,) = _board(cso_admin).memberships
    assert membership.completeness.percent == 40
    assert membership.completeness.missing == [
        "a description",
        "the headquarters country",
        "the countries of operation",
        "focus themes",
        "the year founded",
        "who you work with",
    ]
    html = signed_in(cso_admin).get(reverse("home")).content.decode()
    assert "Profile 40% complete" in html
    assert reverse("organizations:edit", args=[cso.slug]) in html


def test_profile_completeness_of_an_empty_profile_is_zero(cso):
    cso.has_themes = cso.has_contacts = False
    assert profile_completeness(cso).percent == 0


# Queries of the home page, after the session's first request: session, user, the user's roles
# (one query for the MFA check, the navigation and the secretariat checks), [second factors if
# privileged], the dashboard (memberships, [endorsements, introductions if an admin],
# invitations, [queue if a reviewer], sent requests), the header's counts. Session activity is
# recorded once a minute, not on this request.
# Each includes "Coming up" (dialogues.selectors.coming_up): the person's invitations and
# their open action points.
EXPECTED_QUERIES = {
    "cso_admin": 11,
    "cso_member": 9,
    "outsider": 9,
    "government": 10,
    "reviewer": 11,
}


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize("role", sorted(EXPECTED_QUERIES))
def test_the_home_takes_a_constant_number_of_queries(
    role,
    rows,
    cso_admin,
    cso_member,
    outsider,
    ministry,
    enrolled_reviewer,
    django_assert_num_queries,
):
    _world(rows, cso_admin=cso_admin, cso_member=cso_member, outsider=outsider, ministry=ministry)
    user = {
        "cso_admin": cso_admin,
        "cso_member": cso_member,
        "outsider": outsider,
        "government": ministry.memberships.get().user,
        "reviewer": enrolled_reviewer,
    }[role]
    client = signed_in(user)
    client.get(reverse("home"))  # the first request of a session records it
    with django_assert_num_queries(EXPECTED_QUERIES[role]):
        response = client.get(reverse("home"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [0, 1, 3])
@pytest.mark.parametrize("role", sorted(EXPECTED_QUERIES))
def test_the_header_counts_what_the_home_lists_in_one_query(
    role,
    rows,
    cso_admin,
    cso_member,
    outsider,
    ministry,
    enrolled_reviewer,
    django_assert_num_queries,
):
    if rows:
        _world(
            rows, cso_admin=cso_admin, cso_member=cso_member, outsider=outsider, ministry=ministry
        )
    user = {
        "cso_admin": cso_admin,
        "cso_member": cso_member,
        "outsider": outsider,
        "government": ministry.memberships.get().user,
        "reviewer": enrolled_reviewer,
    }[role]
    expected_unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    expected_waiting = dashboard_of(user).waiting_count
    with django_assert_num_queries(1):
        counts = header_counts_of(user)
    assert counts == {"waiting": expected_waiting, "unread": expected_unread}
    # The SQL built once with placeholders answers as the ORM's query built for this user.
    now = timezone.now()
    assert (
        HEADER_COUNTS.one(user_id=user.pk, now=now)
        == HEADER_COUNTS.queryset(user_id=user.pk, now=now).get()
    )


# --- Anonymous home -------------------------------------------------------------------------


def test_the_anonymous_home_explains_the_gsx_and_how_to_join():
    html = Client().get(reverse("home")).content.decode()
    assert "The Global Solutions Exchange (GSX) brings civil society organizations" in html
    assert 'action="/organizations/" role="search"' in html
    assert '<input type="search" id="home-search" name="q"' in html
    assert "How a civil society organization joins" in html
    assert "How a government or security-sector body joins" in html
    assert f'action="{reverse("verify_lookup")}"' in html
    # An account and an organization are not confused; the API docs are in the footer.
    assert f'<a href="{reverse("account_signup")}">Create an account</a>' in html
    assert f'<a href="{reverse("organizations:create")}">Register an organization</a>' in html
    assert ">Register<" not in html
    nav, footer = (
        html.split('<nav aria-label="Main">')[1].split("</nav>")[0],
        html.split('<footer class="site-footer">')[1],
    )
    assert reverse("api-docs") not in nav
    assert reverse("api-docs") in footer


def test_the_verify_box_leads_a_well_formed_code_to_the_letters_page():
    response = Client().get(reverse("verify_lookup"), {"code": " Abc_123-xyz45678 "})
    assert response.status_code == 302
    assert response["Location"] == reverse("organizations:verify_letter", args=["Abc_123-xyz45678"])


def test_the_verify_box_tells_a_genuine_letter(cso, cso_admin, enrolled_reviewer):
    other = UserFactory(groups=["secretariat"])
    enrol_totp(other)
    application = vetting_approved(vetting_submitted(cso, cso_admin), enrolled_reviewer, other)
    response = Client().get(
        reverse("verify_lookup"), {"code": application.verification_code}, follow=True
    )
    assert response.status_code == 200
    assert "Genuine and valid." in response.content.decode()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Type the code printed on the letter."),
        ("bad code!", "A letter&#x27;s code has 8 to 32 letters, digits, hyphens or underscores."),
        ("\x00", "Type the code printed on the letter."),
    ],
)
def test_the_verify_box_explains_a_bad_code_at_the_field(code, message):
    response = Client().get(reverse("verify_lookup"), {"code": code})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'aria-describedby="verify-hint verify-code-error"' in html
    assert '<ul class="errorlist" id="verify-code-error">' in html
    assert "\x00" not in html
    assert f'value="{code.replace(chr(0), "")}"' in html.replace("&#x27;", "'")


def test_a_nul_byte_in_the_code_is_dropped_before_the_lookup():
    response = Client().get(reverse("verify_lookup"), {"code": "abc\x00defghijk"}, follow=True)
    assert response.redirect_chain == [
        (reverse("organizations:verify_letter", args=["abcdefghijk"]), 302)
    ]
    assert response.status_code == 404
    assert "No letter of recognition was issued with this code." in response.content.decode()


def test_the_verify_page_without_a_code_shows_the_empty_form():
    response = Client().get(reverse("verify_lookup"))
    assert response.status_code == 200
    assert "errorlist" not in response.content.decode()


def test_the_demo_gives_its_accounts_things_waiting_and_notifications(settings):
    from django.core.management import call_command

    from gsx_portal.models import Notification
    from organizations.models import User

    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("load_demo")
    call_command("load_demo")  # twice: nothing is asked again
    amina = User.objects.get(email="cso.admin@demo.gsx.example")
    board = _board(amina)
    assert [e.application.organization.name for e in board.endorsements] == [
        "Réseau des Médiatrices du Sahel"
    ]
    assert [i.requester_organization.name for i in board.introductions] == [
        "Lakeside Police Service (demo)"
    ]
    assert Notification.objects.filter(user=amina, read_at__isnull=True).count() == 4
    clara = User.objects.get(email="government@demo.gsx.example")
    assert Notification.objects.filter(user=clara).count() == 1
    kwame = User.objects.get(email="reviewer2@demo.gsx.example")
    assert [a.organization.name for a in _board(kwame).reviews] == [
        "Réseau des Médiatrices du Sahel"
    ]
