"""Names: invisible characters refused, close names refused or held, slugs that reveal nothing."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from organizations.models import Organization, OrganizationHold, Sector
from organizations.rules import is_held
from organizations.selectors import requester_organizations
from tests.conftest import bearer, enrol_totp, signed_in
from tests.factories import OrganizationFactory
from tests.organizations.conftest import verify

pytestmark = pytest.mark.django_db

FORM = {
    "sector": "civil_society",
    "summary": "Young mediators between herders and farmers.",
    "visibility_tier": "network",
    "accepts_introductions": "on",
}


def _register(client, name, **extra):
    return client.post(reverse("organizations:create"), {**FORM, "name": name, **extra})


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Peace\u202eecaep", "U+202E"),  # right-to-left override
        ("Peace\u200bForum", "U+200B"),  # zero-width space
        ("Peace\u2066Forum\u2069", "U+2066, U+2069"),  # bidi isolates
        ("\ufeffPeace Forum", "U+FEFF"),  # byte-order mark
        ("Peace\x07Forum", "U+0007"),  # control character
    ],
)
def test_names_with_invisible_characters_are_refused_on_the_page_and_the_api(outsider, name, code):
    response = _register(signed_in(outsider), name)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Remove the invisible or control characters ({code})." in body
    assert "Young mediators between herders and farmers." in body  # the input is kept
    api = bearer(outsider).post(
        "/api/v1/organizations/", {"name": name, "sector": "media"}, content_type="application/json"
    )
    assert api.status_code == 400
    assert api.json() == {"name": [f"Remove the invisible or control characters ({code})."]}
    assert not Organization.objects.exists()


def test_an_acronym_with_a_bidi_override_is_refused(outsider):
    response = _register(signed_in(outsider), "Peace Forum", acronym="PF\u202e")
    assert "Remove the invisible or control characters (U+202E)." in response.content.decode()
    assert not Organization.objects.exists()


def test_a_nul_byte_in_the_name_is_refused(outsider):
    response = _register(signed_in(outsider), "Peace\x00Forum")
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert not Organization.objects.exists()


def test_names_are_stored_in_nfc_with_whitespace_collapsed(outsider):
    response = _register(signed_in(outsider), "  Cafe\u0301   des\tPaix ")
    assert response.status_code == 302
    assert Organization.objects.get().name == "Caf\u00e9 des Paix"


@pytest.mark.parametrize(
    "name",
    ["Coastal Youth Forum", "COASTAL YOUTH FORUM", "Coastal Youth Forums", "Cöastal Youth Forum"],
)
def test_a_name_close_to_a_visible_organization_is_refused_naming_it(outsider, cso, name):
    response = _register(signed_in(outsider), name)
    assert response.status_code == 200
    body = response.content.decode()
    assert "“Coastal Youth Forum” is already registered. If you work there, ask its" in body
    assert "Young mediators between herders and farmers." in body
    api = bearer(outsider).post(
        "/api/v1/organizations/", {"name": name, "sector": "media"}, content_type="application/json"
    )
    assert api.status_code == 400
    assert list(api.json()) == ["name"]
    assert list(Organization.objects.values_list("name", flat=True)) == ["Coastal Youth Forum"]


def test_a_different_name_is_not_held(outsider, cso):
    _register(signed_in(outsider), "Lake Chad Youth Dialogue")
    assert Organization.objects.get(name="Lake Chad Youth Dialogue").held_for_review is False


def _flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_name_close_to_a_hidden_organization_is_held_without_telling_the_registrant(
    outsider, restricted_cso, cso_admin, enrolled_government_user
):
    response = _register(signed_in(outsider), "شبكة الشباب للسلام")
    assert response.status_code == 302
    held = Organization.objects.get(memberships__user=outsider)
    assert _flash(response) == ["شبكة الشباب للسلام is registered. You are its administrator."]
    assert held.held_for_review is True
    hold = OrganizationHold.objects.get()
    assert (hold.organization, list(hold.similar_to.all()), hold.cleared_at) == (
        held,
        [restricted_cso],
        None,
    )
    # Others see it as they would any organization of its tier, so that nothing tells its
    # registrant that a hidden look-alike exists; a hold withholds introductions instead.
    assert signed_in(outsider).get(response["Location"]).status_code == 200
    for user in (cso_admin, enrolled_government_user):
        assert signed_in(user).get(response["Location"]).status_code == 200
        api = signed_in(user).get(f"/api/v1/organizations/{held.public_id}/")
        assert api.status_code == 200
    ministry = enrolled_government_user.memberships.get().organization
    verify(ministry)
    refused = bearer(enrolled_government_user).post(
        "/api/v1/introductions/",
        {
            "organization": str(held.public_id),
            "requester_organization": str(ministry.public_id),
            "purpose": "A community policing pilot in the coastal districts, discussed together.",
        },
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "does not accept introduction requests" in str(refused.json())


def test_a_held_organization_cannot_request_introductions(outsider, cso):
    hidden = OrganizationFactory(name="Ministry of Peace", sector=Sector.GOVERNMENT)
    hidden.visibility_tier = "restricted"
    hidden.save()
    client = signed_in(outsider)
    _register(client, "Ministry of Peace", sector="government")
    held = Organization.objects.get(memberships__user=outsider)
    assert held.held_for_review is True
    assert list(requester_organizations(outsider)) == []
    enrol_totp(outsider)
    response = client.get(reverse("organizations:introduction_new", args=[cso.slug]))
    assert response.status_code == 403


def test_renaming_to_a_name_close_to_a_hidden_one_holds_the_organization(
    cso, cso_admin, restricted_cso
):
    response = signed_in(cso_admin).post(
        reverse("organizations:edit", args=[cso.slug]),
        {**FORM, "name": "شبكة الشباب للسلام"},
    )
    assert response.status_code == 302
    cso.refresh_from_db()
    assert (cso.name, cso.held_for_review) == ("شبكة الشباب للسلام", True)


def test_the_secretariat_lists_and_clears_holds(
    outsider, restricted_cso, enrolled_reviewer, cso_admin
):
    _register(signed_in(outsider), "شبكة الشباب للسلام")
    held = Organization.objects.get(memberships__user=outsider)
    page = signed_in(enrolled_reviewer).get(reverse("organizations:held"))
    assert page.status_code == 200
    assert list(page.context["organizations"]) == [held]
    assert "youth-peace-network" in page.content.decode()  # the organization it resembles

    refused = signed_in(outsider).post(
        reverse("organizations:held"), {"organization": str(held.public_id)}
    )
    assert refused.status_code == 403
    held.refresh_from_db()
    assert held.held_for_review is True

    signed_in(enrolled_reviewer).post(
        reverse("organizations:held"), {"organization": str(held.public_id)}
    )
    held.refresh_from_db()
    hold = OrganizationHold.objects.get()
    assert held.held_for_review is False
    assert hold.cleared_by == enrolled_reviewer and hold.cleared_at is not None
    assert is_held(held) is False


def test_a_bad_public_id_on_the_held_page_is_a_404(enrolled_reviewer):
    response = signed_in(enrolled_reviewer).post(
        reverse("organizations:held"), {"organization": "1"}
    )
    assert response.status_code == 404


def test_slugs_do_not_reveal_a_hidden_organization_with_the_same_plain_slug(outsider):
    OrganizationFactory(
        name="Unrelated", slug="lake-chad-youth-dialogue", visibility_tier="restricted"
    )
    _register(signed_in(outsider), "Lake Chad Youth Dialogue")
    slug = Organization.objects.get(name="Lake Chad Youth Dialogue").slug
    # The same shape as when nothing is taken: a random part, never a counter.
    assert re.fullmatch(r"lake-chad-youth-dialogue-[a-z2-9]{6}", slug)


def test_non_latin_names_get_random_slugs_not_serial_ones(outsider):
    client = signed_in(outsider)
    _register(client, "جمعية النساء من أجل السلام")
    _register(client, "منتدى الحوار الشبابي")
    slugs = sorted(Organization.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 2
    assert all(re.fullmatch(r"org-[a-z2-9]{8}", slug) for slug in slugs), slugs


def test_a_slug_stays_when_the_organization_is_renamed(cso, cso_admin):
    signed_in(cso_admin).post(
        reverse("organizations:edit", args=[cso.slug]), {**FORM, "name": "Coastal Peace Forum"}
    )
    cso.refresh_from_db()
    assert (cso.name, cso.slug) == ("Coastal Peace Forum", "coastal-youth-forum")


def _admin_post(client, url, name):
    return client.post(
        url,
        {
            "name": name,
            "sector": "research",
            "visibility_tier": "public",
            "networks": "[]",
            **{
                f"{prefix}-{key}": value
                for prefix in ("memberships", "contacts")
                for key, value in {
                    "TOTAL_FORMS": "0",
                    "INITIAL_FORMS": "0",
                    "MIN_NUM_FORMS": "0",
                    "MAX_NUM_FORMS": "1000",
                }.items()
            },
        },
    )


@pytest.fixture
def staff(db):
    from tests.factories import UserFactory

    user = UserFactory(email="sam@staff.example", is_staff=True, is_superuser=True)
    enrol_totp(user)
    return user


def test_the_admin_refuses_invisible_characters_and_close_names_on_the_form(staff, cso):
    client = signed_in(staff)
    add = "/admin/organizations/organization/add/"
    response = _admin_post(client, add, "Admin\u202eMade")
    assert response.status_code == 200
    assert "Remove the invisible or control characters (U+202E)." in response.content.decode()
    response = _admin_post(client, add, "Coastal Youth Forum")
    assert response.status_code == 200
    assert "“Coastal Youth Forum” is already registered." in response.content.decode()
    assert list(Organization.objects.values_list("name", flat=True)) == ["Coastal Youth Forum"]


def test_staff_clear_holds_with_an_admin_action(staff, outsider, restricted_cso):
    _register(signed_in(outsider), "شبكة الشباب للسلام")
    held = Organization.objects.get(memberships__user=outsider)
    listing = signed_in(staff).get("/admin/organizations/organization/?held_for_review__exact=1")
    assert list(listing.context["cl"].queryset) == [held]
    response = signed_in(staff).post(
        "/admin/organizations/organization/",
        {"action": "clear_hold", "_selected_action": [held.pk]},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.held_for_review is False
    assert OrganizationHold.objects.get().cleared_by == staff


def test_the_close_name_check_is_answered_from_the_trigram_index(directory):
    from django.db import connection

    from organizations.services.directory import similar_organizations

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = similar_organizations("Coastal Youth Forum").explain()
    assert "organization_name_trgm" in plan


@pytest.mark.parametrize(
    "name",
    [
        "Sаhеl Women's Peace Circle",  # Cyrillic а and е inside Latin words
        "Sahel Wοmen's Peace Circle",  # Greek ο
        "Sahel Wօmen's Peace Circle",  # Armenian օ
    ],
)
def test_words_mixing_latin_with_cyrillic_or_greek_are_refused(outsider, name):
    response = _register(signed_in(outsider), name)
    assert response.status_code == 200
    assert "mixes Latin with letters of another alphabet" in response.content.decode()
    assert not Organization.objects.filter(memberships__user=outsider).exists()


@pytest.mark.parametrize(
    ("existing", "name"),
    [
        ("Coco Hope Cexy", "Сосо Норе Сеху"),  # every letter Cyrillic, looking Latin
        ("Coco Hope Cexy", "𝐂𝐨𝐜𝐨 Hope Cexy"),  # mathematical bold
        ("Sahel Women's Peace Circle", "S\u0251hel Women's Peace Circle"),  # IPA alpha
    ],
)
def test_look_alike_names_in_other_scripts_are_compared_as_they_look(outsider, existing, name):
    OrganizationFactory(name=existing, visibility_tier="public")
    response = _register(signed_in(outsider), name)
    assert response.status_code == 200
    assert "is already registered" in response.content.decode()
    assert Organization.objects.count() == 1


def test_a_real_cyrillic_name_is_welcome(outsider, cso):
    assert _register(signed_in(outsider), "Мир и согласие").status_code == 302
    assert Organization.objects.get(memberships__user=outsider).held_for_review is False


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("🕊️", "at least one letter or digit"),
        ("Z\u0351\u0352\u0353\u0354alg\u0300o Peace", "Too many accents on one letter"),
    ],
)
def test_names_without_letters_or_with_stacked_accents_are_refused(outsider, name, message):
    response = _register(signed_in(outsider), name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organization.objects.filter(memberships__user=outsider).exists()


def test_arabic_with_shadda_and_vowels_is_welcome(outsider):
    assert _register(signed_in(outsider), "مُحَمَّد للسلام").status_code == 302


def test_the_registrants_history_does_not_show_the_hold(outsider, restricted_cso):
    _register(signed_in(outsider), "شبكة الشباب للسلام")
    held = Organization.objects.get(memberships__user=outsider)
    assert held.held_for_review is True
    body = signed_in(outsider).get(reverse("organizations:history", args=[held.slug]))
    assert "held_for_review" not in body.content.decode()
    # The hold is an update of the organization; no sentence tells it.
    assert "changed the" not in body.content.decode()
    assert "registered the organization." in body.content.decode()


def test_one_person_registers_a_few_organizations_a_day(settings, outsider):
    settings.ORGANIZATION_REGISTRATIONS_PER_USER_DAY = 2
    client = signed_in(outsider)
    for name in ("Lake Chad Youth Dialogue", "Sahel Herders Forum"):
        assert _register(client, name).status_code == 302
    refused = _register(client, "Niger Delta Women Mediators")
    assert "registered too many organizations today" in refused.content.decode()
    api = bearer(outsider).post(
        "/api/v1/organizations/",
        {"name": "Another One", "sector": "media"},
        content_type="application/json",
    )
    assert api.status_code == 429
    assert Organization.objects.filter(memberships__user=outsider).count() == 2
