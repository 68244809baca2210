"""The guided application (criteria by group, guidance, progress, errors at the criterion) and
the decision's message (issue 7, bug 2)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from organizations.models import Criterion, VettingApplication, VettingStatus
from organizations.services import vetting_save_evidence, vetting_set_state, vetting_start
from organizations.vetting_guidance import GUIDANCE
from tests.conftest import signed_in
from tests.organizations.conftest import vetting_approved, vetting_rate_all, vetting_submitted

pytestmark = pytest.mark.django_db


def _codes(group):
    return list(Criterion.objects.filter(group=group).values_list("code", flat=True))


def test_every_criterion_has_guidance():
    assert sorted(GUIDANCE) == sorted(Criterion.objects.values_list("code", flat=True))
    assert len(GUIDANCE) == 18


def test_application_page_groups_the_criteria_with_guidance_and_marks_required_ones(cso, cso_admin):
    vetting_start(organization=cso, by=cso_admin)
    response = signed_in(cso_admin).get(reverse("organizations:vetting", args=[cso.slug]))
    page = response.content.decode()
    groups = [group["label"] for group in response.context["evidence_form"].groups()]
    assert groups == ["Core values and commitments", "Competencies", "Nature of constituency"]
    assert page.count('class="tag">Required</span>') == 5
    assert "Every core value is required." in page
    assert "Describe at least one competency." in page
    assert 'id="id_criterion_core-independence_helptext"' in page
    assert "Explain how you stay independent of political parties" in page
    assert "Core values and commitments: 0 of 5 written" in page
    assert "Competencies: 0 of 9 written" in page
    assert "Nature of constituency: 0 of 4 written" in page


def test_application_progress_counts_what_is_written_per_group(cso, cso_admin):
    application = vetting_start(organization=cso, by=cso_admin)
    codes = _codes("core_value")[:4] + _codes("competency")[:1]
    vetting_save_evidence(
        application=application,
        by=cso_admin,
        texts={c.pk: "We do this." for c in Criterion.objects.filter(code__in=codes)},
    )
    page = (
        signed_in(cso_admin).get(reverse("organizations:vetting", args=[cso.slug])).content.decode()
    )
    assert "Core values and commitments: 4 of 5 written" in page
    assert "4 of 5 written." in page
    assert "Competencies: 1 of 9 written" in page
    assert "Nature of constituency: 0 of 4 written" in page


def test_save_as_draft_keeps_the_text_and_the_draft_state(cso, cso_admin):
    vetting_start(organization=cso, by=cso_admin)
    url = reverse("organizations:vetting", args=[cso.slug])
    response = signed_in(cso_admin).post(
        url, {"action": "save", "criterion_core-rights": "Legal aid for 300 women a year."}
    )
    assert response.status_code == 302
    application = VettingApplication.objects.get()
    assert application.status == VettingStatus.DRAFT
    assert application.evidence.get(criterion__code="core-rights").text == (
        "Legal aid for 300 women a year."
    )


def test_submit_shows_errors_at_each_criterion_not_as_page_messages(cso, cso_admin):
    vetting_start(organization=cso, by=cso_admin)
    url = reverse("organizations:vetting", args=[cso.slug])
    response = signed_in(cso_admin).post(
        url,
        {
            "action": "submit",
            "criterion_core-rights": "Legal aid for 300 women a year.",
            "criterion_competency-mediation": "Mediated land disputes in 12 villages.",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    form = response.context["evidence_form"]
    assert form.errors["criterion_core-independence"] == [
        "Describe your evidence for the core value: Political independence or non-partisanship."
    ]
    assert "criterion_core-rights" not in form.errors
    assert form.group_errors == {
        "constituency": ["Describe your evidence for at least one constituency criterion."]
    }
    # At the field, described by the error, with the summary at the top linking to the field.
    assert (
        'aria-describedby="id_criterion_core-independence_helptext '
        'id_criterion_core-independence_error"'
    ) in page
    assert 'href="#id_criterion_core-independence"' in page
    assert 'aria-describedby="group-constituency-error"' in page
    assert page.index('class="error-summary"') < page.index('id="group-core_value"')
    assert list(get_messages(response.wsgi_request)) == []
    # What was typed stays, and was saved: the draft is not lost.
    assert "Mediated land disputes in 12 villages." in page
    application = VettingApplication.objects.get()
    assert application.status == VettingStatus.DRAFT
    assert application.evidence.exclude(text="").count() == 2


def test_a_submit_with_a_too_long_text_is_refused_at_the_field_and_saves_nothing(cso, cso_admin):
    vetting_start(organization=cso, by=cso_admin)
    url = reverse("organizations:vetting", args=[cso.slug])
    response = signed_in(cso_admin).post(
        url, {"action": "submit", "criterion_core-rights": "x" * 5001}
    )
    assert response.status_code == 200
    assert list(response.context["evidence_form"].errors) == ["criterion_core-rights"]
    assert VettingApplication.objects.get().evidence.exclude(text="").count() == 0


# --- The secretariat's message (bug 2) ---------------------------------------------------------


def test_approve_stores_the_reviewers_message_and_shows_it(
    cso, cso_admin, enrolled_reviewer, second_reviewer
):
    application = vetting_submitted(cso, cso_admin)
    vetting_rate_all(application, enrolled_reviewer)
    vetting_rate_all(application, second_reviewer)
    url = reverse("organizations:vetting", args=[cso.slug])
    signed_in(enrolled_reviewer).post(
        url, {"action": "approve", "message": "Welcome to the network."}
    )
    application.refresh_from_db()
    assert (application.status, application.message) == (
        VettingStatus.APPROVED,
        "Welcome to the network.",
    )
    assert "Welcome to the network." in signed_in(cso_admin).get(url).content.decode()


def test_the_applicant_no_longer_sees_an_old_change_request_after_approval(
    cso, cso_admin, enrolled_reviewer, second_reviewer
):
    application = vetting_submitted(cso, cso_admin)
    vetting_set_state(
        application=application,
        to=VettingStatus.CHANGES_REQUESTED,
        by=enrolled_reviewer,
        message="Describe your feedback mechanisms.",
    )
    url = reverse("organizations:vetting", args=[cso.slug])
    assert "Describe your feedback mechanisms." in signed_in(cso_admin).get(url).content.decode()
    vetting_set_state(application=application, to=VettingStatus.SUBMITTED, by=cso_admin)
    assert "Describe your feedback mechanisms." not in (
        signed_in(cso_admin).get(url).content.decode()
    )
    vetting_approved(application, enrolled_reviewer, second_reviewer)
    application.refresh_from_db()
    assert application.message == ""
    assert "Describe your feedback mechanisms." not in (
        signed_in(cso_admin).get(url).content.decode()
    )


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        (VettingStatus.CHANGES_REQUESTED, "Changes requested"),
        (VettingStatus.DECLINED, "Declined"),
    ],
)
def test_decision_emails_carry_the_message(
    cso, cso_admin, enrolled_reviewer, mailoutbox, django_capture_on_commit_callbacks, to, subject
):
    application = vetting_submitted(cso, cso_admin)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        vetting_set_state(
            application=application,
            to=to,
            by=enrolled_reviewer,
            message="Add your annual report of 2025.",
        )
    [email] = mailoutbox
    assert email.to == ["alice@cso.example"]
    assert email.subject == f"[GSX] Vetting of Coastal Youth Forum: {subject}"
    assert "Message from the secretariat:\n\nAdd your annual report of 2025." in email.body


def test_a_decision_without_a_required_message_is_an_error_at_the_message(
    cso, cso_admin, enrolled_reviewer
):
    vetting_submitted(cso, cso_admin)
    url = reverse("organizations:vetting", args=[cso.slug])
    response = signed_in(enrolled_reviewer).post(url, {"action": "decline", "message": "  "})
    assert response.status_code == 200
    assert response.context["message_form"].errors == {
        "message": ["Say what should change, or why, in a message."]
    }
    assert 'id="id_message_error"' in response.content.decode()
    assert list(get_messages(response.wsgi_request)) == []
    assert VettingApplication.objects.get().status == VettingStatus.SUBMITTED
