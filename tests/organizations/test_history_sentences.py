"""The history page tells what happened in sentences, in the reader's language, never with
model names, raw field names or serial keys (item 12)."""

import re

import pghistory
import pytest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import trans_real

from organizations.models import Contact, Membership, MembershipRole
from organizations.services import (
    introduction_request,
    introduction_set_state,
    membership_change_role,
    organization_update,
)
from tests.conftest import signed_in
from tests.factories import UserFactory
from tests.organizations.conftest import vetting_approved, vetting_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def amina(cso):
    cso_admin = UserFactory(name="Amina Diallo", email="amina@cso.example")
    Membership.objects.create(user=cso_admin, organization=cso, role=MembershipRole.ADMIN)
    return cso_admin


def _sentences(user, organization, language="en") -> list[str]:
    user.language = language  # the account's language wins over the browser's
    user.save()
    client = signed_in(user)
    body = client.get(reverse("organizations:history", args=[organization.slug])).content.decode()
    return re.findall(r'<td class="history-sentence" [^>]*>(.*?)</td>', body)


def _page(user, organization) -> str:
    url = reverse("organizations:history", args=[organization.slug])
    return signed_in(user).get(url).content.decode()


def test_history_tells_a_profile_change_by_the_fields_labels(cso, amina):
    with pghistory.context(user=amina.pk):
        organization_update(
            organization=cso, user=amina, summary="Peace on the coast.", countries=["KE", "TZ"]
        )

    # (Events of one test share a transaction and so a time: found by content, not position.)
    assert "<bdi>Amina Diallo</bdi> changed the summary and countries of operation." in _sentences(
        amina, cso
    )
    page = _page(amina, cso)
    assert "<dt>Countries of operation</dt>" in page
    assert "<dd><bdi>—</bdi> → <bdi>Kenya and Tanzania</bdi></dd>" in page


def test_history_tells_the_acceptance_of_an_introduction_request(
    cso, amina, enrolled_government_user, ministry
):
    introduction = introduction_request(
        requester=enrolled_government_user,
        requester_organization=ministry,
        organization=cso,
        purpose="A community policing pilot in the coastal districts, discussed together.",
    )
    with pghistory.context(user=amina.pk):
        introduction_set_state(introduction=introduction, to="accepted", by=amina)

    assert (
        "<bdi>Amina Diallo</bdi> accepted the introduction request of "
        "<bdi>Ministry of the Interior</bdi>."
    ) in _sentences(amina, cso)


def test_history_tells_vetting_decisions_as_the_secretariats(
    cso, amina, enrolled_reviewer, second_reviewer
):
    application = vetting_submitted(cso, amina)
    with pghistory.context(user=enrolled_reviewer.pk):
        vetting_approved(application, enrolled_reviewer, second_reviewer)

    sentences = _sentences(amina, cso)
    assert "The secretariat approved the vetting application." in sentences
    cso.refresh_from_db()
    until = formats.date_format(timezone.localtime(cso.vetted_until), "DATE_FORMAT")
    assert f"The organization is vetted until {until}." in sentences
    assert enrolled_reviewer.name not in _page(amina, cso)
    # The secretariat sees who it was.
    assert f"<bdi>{enrolled_reviewer.name}</bdi> approved the vetting application." in _sentences(
        enrolled_reviewer, cso
    )


def test_history_does_not_name_a_reviewer_who_has_left_the_secretariat(
    cso, amina, enrolled_reviewer, second_reviewer
):
    application = vetting_submitted(cso, amina)
    with pghistory.context(user=enrolled_reviewer.pk):
        vetting_approved(application, enrolled_reviewer, second_reviewer)
    enrolled_reviewer.groups.clear()

    assert "The secretariat approved the vetting application." in _sentences(amina, cso)
    assert enrolled_reviewer.name not in _page(amina, cso)
    assert enrolled_reviewer.email not in _page(amina, cso)


def test_history_tells_members_joining_and_changing_role(cso, amina):
    fatima = UserFactory(name="Fatima Zahra")
    with pghistory.context(user=fatima.pk):
        membership = Membership.objects.create(user=fatima, organization=cso)
    with pghistory.context(user=amina.pk):
        membership_change_role(membership=membership, by=amina, role=MembershipRole.EDITOR)

    sentences = _sentences(amina, cso)
    position = sentences.index("<bdi>Amina Diallo</bdi> made <bdi>Fatima Zahra</bdi> Editor.")
    assert sentences[position + 1] == "<bdi>Fatima Zahra</bdi> joined as Member."


def test_history_tells_contact_changes_without_raw_names_or_ids(cso, amina):
    with pghistory.context(user=amina.pk):
        contact = Contact.objects.create(organization=cso, name="Asha Mwangi")
        contact.phone, contact.shareable = "+254 700 000", True
        contact.save()
        contact.delete()

    sentences = _sentences(amina, cso)
    assert [s for s in sentences if "contact" in s] == [
        "<bdi>Amina Diallo</bdi> removed the contact <bdi>Asha Mwangi</bdi>.",
        "<bdi>Amina Diallo</bdi> changed the phone and shareable of the contact "
        "<bdi>Asha Mwangi</bdi>.",
        "<bdi>Amina Diallo</bdi> added the contact <bdi>Asha Mwangi</bdi>.",
    ]
    page = _page(amina, cso)
    main = page[page.index("<main") : page.index("</main>")]
    for raw in ("shareable</dt>", "_id", "ContactEvent", "Contact<", "insert", "update", "pgh_"):
        assert raw not in main
    assert f">{contact.pk}<" not in main
    assert "<dt>Shareable</dt>\n            <dd><bdi>no</bdi> → <bdi>yes</bdi></dd>" in main


def test_history_changes_made_without_a_person_say_the_portal(cso, amina):
    organization_update(organization=cso, user=amina, summary="From a script")

    assert "The portal changed the summary." in _sentences(amina, cso)


def test_history_sentences_go_through_the_translation_catalogue(cso, amina, monkeypatch):
    with pghistory.context(user=amina.pk):
        organization_update(organization=cso, user=amina, summary="Paix.")
    # Translations come in one pass later; until then, a French catalogue entry stands in.
    catalog = trans_real.translation("fr")._catalog
    french_entries = {
        "%(who)s changed the %(fields)s.": "%(who)s a modifié : %(fields)s.",
        "summary": "résumé",
    }
    monkeypatch.setattr(catalog, "_catalogs", [french_entries, *catalog._catalogs])

    french = _sentences(amina, cso, language="fr")

    assert "<bdi>Amina Diallo</bdi> a modifié : résumé." in french
    assert not [sentence for sentence in french if "changed the" in sentence]


def test_history_page_runs_a_constant_number_of_queries_with_every_kind_of_event(
    cso, amina, enrolled_government_user, ministry, django_assert_num_queries
):
    def add_events(n):
        for i in range(n):
            with pghistory.context(user=amina.pk):
                Contact.objects.create(organization=cso, name=f"C{n}-{i}")
                organization_update(organization=cso, user=amina, summary=f"S{n}-{i}")

    introduction_request(
        requester=enrolled_government_user,
        requester_organization=ministry,
        organization=cso,
        purpose="A community policing pilot in the coastal districts, discussed together.",
    )
    client = signed_in(amina)
    url = reverse("organizations:history", args=[cso.slug])
    add_events(1)
    client.get(url)
    # Session activity is recorded once a minute, and the user's roles asked once per request.
    with django_assert_num_queries(12) as one:
        client.get(url)
    add_events(10)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)


def test_history_sentences_escape_names(cso, amina):
    with pghistory.context(user=amina.pk):
        Contact.objects.create(organization=cso, name='<script>alert("x")</script>')

    assert (
        "<bdi>Amina Diallo</bdi> added the contact "
        "<bdi>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</bdi>."
    ) in _sentences(amina, cso)
