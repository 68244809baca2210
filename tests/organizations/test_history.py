import pytest
from django.urls import reverse

from organizations.models import Contact
from organizations.services import organization_update
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_changes_are_recorded_with_who_made_them(
    cso, cso_admin, cso_member, enrolled_reviewer, outsider
):
    client = signed_in(cso_admin)
    client.post(
        reverse("organizations:edit", args=[cso.slug]),
        {
            "name": "Coastal Youth Forum",
            "sector": "civil_society",
            "summary": "New summary",
            "visibility_tier": "network",
        },
    )
    client.post(reverse("organizations:contacts", args=[cso.slug]), {"name": "Asha"})
    Contact.objects.filter(name="Asha").update(phone="+254 1")  # a bulk update is caught too
    url = reverse("organizations:history", args=[cso.slug])
    body = client.get(url).content.decode()
    assert "New summary" in body
    # The form's unticked box turned introductions off as well.
    assert (
        f"<bdi>{cso_admin.name}</bdi> changed the summary and accepts introduction requests."
    ) in body
    assert f"<bdi>{cso_admin.name}</bdi> added the contact <bdi>Asha</bdi>." in body
    assert "<dt>Phone</dt>" in body and "<bdi>+254 1</bdi>" in body
    assert signed_in(enrolled_reviewer).get(url).status_code == 200
    assert signed_in(cso_member).get(url).status_code == 403
    assert signed_in(outsider).get(url).status_code == 403


def test_the_history_of_a_restricted_organization_is_hidden_from_outsiders(
    restricted_cso, outsider
):
    url = reverse("organizations:history", args=[restricted_cso.slug])
    assert signed_in(outsider).get(url).status_code == 404


def test_the_service_records_changes_outside_requests_too(cso, cso_admin):
    organization_update(organization=cso, user=cso_admin, summary="From a script")
    body = (
        signed_in(cso_admin).get(reverse("organizations:history", args=[cso.slug])).content.decode()
    )
    assert "From a script" in body


def test_the_cso_sees_who_was_shown_its_contacts(
    cso, cso_admin, enrolled_government_user, ministry
):
    from organizations.services import (
        contacts_reveal,
        introduction_request,
        introduction_set_state,
    )

    asha = Contact.objects.create(organization=cso, name="Asha Mwangi", shareable=True)
    introduction = introduction_request(
        requester=enrolled_government_user,
        requester_organization=ministry,
        organization=cso,
        purpose="A community policing pilot in the coastal districts, discussed together.",
    )
    introduction = introduction_set_state(introduction=introduction, to="accepted", by=cso_admin)
    contacts_reveal(introduction=introduction, user=enrolled_government_user, channel="api")
    # Deleting the contact later does not erase the record of what was shown.
    asha.delete()
    body = (
        signed_in(cso_admin).get(reverse("organizations:history", args=[cso.slug])).content.decode()
    )
    assert "grace@gov.example" in body and "Ministry of the Interior" in body
    assert "Asha Mwangi" in body


def test_the_history_page_runs_a_constant_number_of_queries(cso, cso_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(cso_admin)
    url = reverse("organizations:history", args=[cso.slug])
    client.get(url)
    counts = []
    for n in (1, 20):
        for i in range(n):
            client.post(reverse("organizations:contacts", args=[cso.slug]), {"name": f"P{n}-{i}"})
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content.decode()
        assert f"P{n}-0" in body
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_history_never_names_reviewers_outside_the_secretariat(
    cso, cso_admin, enrolled_reviewer, second_reviewer
):
    from organizations.models import Criterion
    from tests.organizations.conftest import vetting_submitted

    vetting_submitted(cso, cso_admin)
    # Through the vetting page, so that the history records who acted.
    reviewer = signed_in(enrolled_reviewer)
    vetting_url = reverse("organizations:vetting", args=[cso.slug])
    ratings = {}
    for criterion in Criterion.objects.all():
        ratings[f"rating_{criterion.pk}"] = "met"
        ratings[f"note_{criterion.pk}"] = "note by rita@secretariat.example"
    reviewer.post(vetting_url, {"action": "assess", **ratings})
    reviewer.post(
        vetting_url,
        {"action": "request_changes", "message": "Say more about your constituency."},
    )
    url = reverse("organizations:history", args=[cso.slug])
    admin_page = signed_in(cso_admin).get(url).content.decode()
    assert "rita@secretariat.example" not in admin_page
    assert enrolled_reviewer.name not in admin_page
    assert "note by" not in admin_page and "Assessment" not in admin_page
    assert "the secretariat" in admin_page
    assert "Say more about your constituency." in admin_page  # the message is theirs to read
    reviewer_page = signed_in(second_reviewer).get(url).content.decode()
    assert f"<bdi>{enrolled_reviewer.name}</bdi> asked for changes" in reviewer_page
