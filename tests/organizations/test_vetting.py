from pathlib import Path

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organizations.models import Criterion, CriterionGroup, VettingApplication, VettingStatus
from organizations.services import (
    endorsement_decide,
    endorsement_request,
    vetting_expire_due,
    vetting_rule_failures,
    vetting_save_evidence,
    vetting_set_state,
    vetting_start,
)
from tests.conftest import signed_in
from tests.factories import MembershipFactory
from tests.organizations.conftest import vetting_approved as _approve
from tests.organizations.conftest import vetting_rate_all as _rate_all

pytestmark = pytest.mark.django_db


def _all_evidence(application, cso_admin):
    vetting_save_evidence(
        application=application,
        by=cso_admin,
        texts={c.pk: f"Evidence for {c.code}" for c in Criterion.objects.all()},
    )


@pytest.fixture
def submitted(cso, cso_admin):
    application = vetting_start(organization=cso, by=cso_admin)
    _all_evidence(application, cso_admin)
    return vetting_set_state(application=application, to=VettingStatus.SUBMITTED, by=cso_admin)


def test_approval_needs_two_reviewers_and_the_computed_rule(
    submitted, enrolled_reviewer, second_reviewer
):
    _rate_all(submitted, enrolled_reviewer)
    submitted.refresh_from_db()
    assert submitted.status == VettingStatus.IN_REVIEW
    with pytest.raises(ValidationError, match=r"Needs 2 reviewers .* has 1\."):
        vetting_set_state(application=submitted, to=VettingStatus.APPROVED, by=enrolled_reviewer)
    _rate_all(submitted, second_reviewer)
    approved = vetting_set_state(
        application=submitted, to=VettingStatus.APPROVED, by=enrolled_reviewer
    )
    assert approved.status == VettingStatus.APPROVED
    assert approved.valid_until.date() == (approved.decided_at + relativedelta(months=24)).date()


def test_a_core_value_not_met_by_one_reviewer_blocks_approval(
    submitted, enrolled_reviewer, second_reviewer
):
    _rate_all(submitted, enrolled_reviewer)
    _rate_all(submitted, second_reviewer, except_codes=("core-independence",), other="partly")
    failures = vetting_rule_failures(submitted)
    assert failures == [
        "Core value rated “Partly met” by Reviewer 2: Political independence or non-partisanship."
    ]
    with pytest.raises(ValidationError):
        vetting_set_state(application=submitted, to=VettingStatus.APPROVED, by=second_reviewer)
    submitted.refresh_from_db()
    assert submitted.status == VettingStatus.IN_REVIEW


def test_a_competency_and_a_constituency_criterion_are_needed(
    submitted, enrolled_reviewer, second_reviewer
):
    no_competency = [c.code for c in Criterion.objects.filter(group=CriterionGroup.COMPETENCY)]
    for reviewer in (enrolled_reviewer, second_reviewer):
        _rate_all(submitted, reviewer, except_codes=no_competency)
    assert vetting_rule_failures(submitted) == ["No competency is rated met by every reviewer."]
    one = no_competency[1:]
    for reviewer in (enrolled_reviewer, second_reviewer):
        _rate_all(submitted, reviewer, except_codes=one)
    assert vetting_rule_failures(submitted) == []


def test_a_reviewer_who_is_a_member_of_the_applicant_is_refused(submitted, cso, enrolled_reviewer):
    MembershipFactory(organization=cso, user=enrolled_reviewer)
    with pytest.raises(PermissionDenied):
        _rate_all(submitted, enrolled_reviewer)
    with pytest.raises(PermissionDenied):
        vetting_set_state(
            application=submitted, to=VettingStatus.DECLINED, by=enrolled_reviewer, message="No"
        )


def test_non_reviewers_cannot_assess(submitted, outsider, convener, cso_admin):
    for user in (outsider, convener, cso_admin):
        with pytest.raises(PermissionDenied):
            _rate_all(submitted, user)


def test_submission_needs_evidence_for_the_rule(cso, cso_admin):
    application = vetting_start(organization=cso, by=cso_admin)
    with pytest.raises(ValidationError) as error:
        vetting_set_state(application=application, to=VettingStatus.SUBMITTED, by=cso_admin)
    assert len(error.value.messages) == 7  # five core values, competency, constituency
    application.refresh_from_db()
    assert application.status == VettingStatus.DRAFT


def test_changes_requested_then_resubmitted(submitted, enrolled_reviewer, cso_admin):
    with pytest.raises(ValidationError, match="message"):
        vetting_set_state(
            application=submitted, to=VettingStatus.CHANGES_REQUESTED, by=enrolled_reviewer
        )
    vetting_set_state(
        application=submitted,
        to=VettingStatus.CHANGES_REQUESTED,
        by=enrolled_reviewer,
        message="Say more about your constituency.",
    )
    submitted.refresh_from_db()
    vetting_save_evidence(
        application=submitted,
        by=cso_admin,
        texts={Criterion.objects.get(code="constituency-grounded").pk: "Forty village committees."},
    )
    resubmitted = vetting_set_state(application=submitted, to=VettingStatus.SUBMITTED, by=cso_admin)
    assert resubmitted.status == VettingStatus.SUBMITTED
    with pytest.raises(ValidationError, match="no longer be changed"):
        vetting_save_evidence(application=resubmitted, by=cso_admin, texts={})


def test_approval_expires_and_revetting_is_prefilled(
    submitted, enrolled_reviewer, second_reviewer, cso, cso_admin
):
    approved = _approve(submitted, enrolled_reviewer, second_reviewer)
    with time_machine.travel(approved.valid_until + relativedelta(days=1)):
        assert vetting_expire_due(timezone.now()) == 1
        assert vetting_expire_due(timezone.now()) == 0
    approved.refresh_from_db()
    assert approved.status == VettingStatus.EXPIRED
    renewal = vetting_start(organization=cso, by=cso_admin)
    assert renewal.previous == approved
    assert renewal.evidence.count() == Criterion.objects.count()
    assert VettingApplication.objects.filter(organization=cso).count() == 2


def test_only_one_application_at_a_time(submitted, cso, cso_admin):
    with pytest.raises(ValidationError, match="already in progress"):
        vetting_start(organization=cso, by=cso_admin)


def test_only_civil_society_is_vetted(ministry, enrolled_government_user):
    ministry.memberships.filter(user=enrolled_government_user).update(role="admin")
    with pytest.raises(ValidationError, match="Only civil society"):
        vetting_start(organization=ministry, by=enrolled_government_user)


def test_endorsements_come_from_vetted_organizations_only(
    submitted, cso_admin, public_cso, enrolled_reviewer, second_reviewer
):
    with pytest.raises(ValidationError, match="already vetted"):
        endorsement_request(application=submitted, endorser=public_cso, by=cso_admin)
    endorser_admin = MembershipFactory(organization=public_cso, role="admin").user
    own = vetting_start(organization=public_cso, by=endorser_admin)
    _all_evidence(own, endorser_admin)
    vetting_set_state(application=own, to=VettingStatus.SUBMITTED, by=endorser_admin)
    _approve(own, enrolled_reviewer, second_reviewer)
    endorsement = endorsement_request(application=submitted, endorser=public_cso, by=cso_admin)
    with pytest.raises(PermissionDenied):
        endorsement_decide(endorsement=endorsement, by=cso_admin, give=True)
    given = endorsement_decide(
        endorsement=endorsement,
        by=endorser_admin,
        give=True,
        statement="We have worked with them since 2015.",
    )
    assert given.status == "given"


def test_the_vetting_page_shows_notes_to_reviewers_only(
    submitted, cso, cso_member, enrolled_reviewer, outsider, enrolled_government_user
):
    _rate_all(submitted, enrolled_reviewer)
    url = reverse("organizations:vetting", args=[cso.slug])
    member_page = signed_in(cso_member).get(url).content.decode()
    assert "Evidence for core-rights" in member_page
    assert "Met" in member_page
    assert "note by" not in member_page
    reviewer_page = signed_in(enrolled_reviewer).get(url).content.decode()
    assert "note by rita@secretariat.example" in reviewer_page
    for user in (outsider, enrolled_government_user):
        assert signed_in(user).get(url).status_code == 404


def test_the_vetting_page_flow_for_applicant_and_reviewers(
    cso, cso_admin, enrolled_reviewer, second_reviewer
):
    url = reverse("organizations:vetting", args=[cso.slug])
    applicant = signed_in(cso_admin)
    applicant.post(url, {"action": "start"})
    criteria = list(Criterion.objects.all())
    response = applicant.post(
        url, {"action": "submit", f"criterion_{criteria[0].code}": "Only one"}
    )
    assert response.status_code == 200
    assert "Describe your evidence for the core value" in response.content.decode()
    assert "Only one" in response.content.decode()
    assert VettingApplication.objects.get().status == VettingStatus.DRAFT
    applicant.post(
        url, {"action": "submit", **{f"criterion_{c.code}": f"Evidence {c.code}" for c in criteria}}
    )
    assert VettingApplication.objects.get().status == VettingStatus.SUBMITTED
    for reviewer in (enrolled_reviewer, second_reviewer):
        signed_in(reviewer).post(
            url, {"action": "assess", **{f"rating_{c.code}": "met" for c in criteria}}
        )
    signed_in(enrolled_reviewer).post(url, {"action": "approve"})
    assert VettingApplication.objects.get().status == VettingStatus.APPROVED
    assert "Approved" in applicant.get(url).content.decode()


def test_letter_of_recognition_and_its_public_verification(
    submitted, cso, cso_admin, enrolled_reviewer, second_reviewer, outsider
):
    letter_url = reverse("organizations:recognition_letter", args=[cso.slug])
    assert signed_in(cso_admin).get(letter_url).status_code == 404  # not approved yet
    approved = _approve(submitted, enrolled_reviewer, second_reviewer)
    response = signed_in(cso_admin).get(letter_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert signed_in(outsider).get(letter_url).status_code == 404

    verify = reverse("organizations:verify_letter", args=[approved.verification_code])
    page = Client().get(verify)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Genuine and valid." in body and cso.name in body
    assert "alice@cso.example" not in body
    assert "Kenya" not in body  # nothing else about the organization, e.g. its country
    with time_machine.travel(approved.valid_until + relativedelta(days=1)):
        vetting_expire_due(timezone.now())
        assert "no longer valid" in Client().get(verify).content.decode()
    forged = Client().get(reverse("organizations:verify_letter", args=["forged-code"]))
    assert forged.status_code == 404


def test_directory_filters_by_vetting_status(
    submitted, cso, public_cso, enrolled_reviewer, second_reviewer
):
    _approve(submitted, enrolled_reviewer, second_reviewer)
    client = signed_in(enrolled_reviewer)
    names = [
        o["name"]
        for o in client.get("/api/v1/organizations/?vetting_status=approved").json()["results"]
    ]
    assert names == [cso.name]
    assert client.get(f"/api/v1/organizations/{cso.public_id}/").json()["vetting_status"] == (
        "approved"
    )


@pytest.mark.skipif(
    not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists(),
    reason="needs DejaVu Sans (Debian fonts-dejavu-core)",
)
def test_letters_embed_a_font_that_renders_arabic_names():
    from organizations.letters import recognition_letter_pdf
    from organizations.models import Organization

    application = VettingApplication(
        organization=Organization(name="شبكة الشباب للسلام"),
        recognised_name="شبكة الشباب للسلام",
        recognised_sector="civil_society",
        decided_at=timezone.now(),
        valid_until=timezone.now(),
        verification_code="code",
    )
    pdf = recognition_letter_pdf(application)
    assert b"DejaVuSans" in pdf


def test_the_vetting_page_runs_a_constant_number_of_queries(
    submitted, cso, enrolled_reviewer, second_reviewer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(enrolled_reviewer)
    url = reverse("organizations:vetting", args=[cso.slug])
    client.get(url)  # the first request of a session records it
    counts = []
    for reviewer in (enrolled_reviewer, second_reviewer):
        _rate_all(submitted, reviewer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]  # 18 and then 36 assessments shown


def test_vetted_until_follows_valid_approvals_and_survives_a_revetting(
    submitted, cso, cso_admin, enrolled_reviewer, second_reviewer, public_cso
):
    from organizations.selectors import current_approval_of, is_vetted

    first = _approve(submitted, enrolled_reviewer, second_reviewer)
    cso.refresh_from_db()
    assert cso.vetted_until == first.valid_until and is_vetted(cso)
    # A re-vetting in progress hides nothing: the badge, the letter and endorsing stay.
    with time_machine.travel(first.valid_until - relativedelta(months=2)):
        renewal = vetting_start(organization=cso, by=cso_admin)
        cso.refresh_from_db()
        assert cso.vetted_until == first.valid_until and is_vetted(cso)
        letter = signed_in(cso_admin).get(
            reverse("organizations:recognition_letter", args=[cso.slug])
        )
        assert letter.status_code == 200
        applicant = MembershipFactory(organization=public_cso, role="admin").user
        other = vetting_start(organization=public_cso, by=applicant)
        assert endorsement_request(application=other, endorser=cso, by=applicant).status == (
            "requested"
        )
        _all_evidence(renewal, cso_admin)
        renewal = vetting_set_state(application=renewal, to=VettingStatus.SUBMITTED, by=cso_admin)
        second = _approve(renewal, enrolled_reviewer, second_reviewer)
        # Two approvals overlap for a while: the letter is the latest one's.
        url = reverse("organizations:recognition_letter", args=[cso.slug])
        assert signed_in(cso_admin).get(url).status_code == 200
        assert current_approval_of(cso) == second
    cso.refresh_from_db()
    assert cso.vetted_until == second.valid_until
    with time_machine.travel(first.valid_until + relativedelta(days=1)):
        assert vetting_expire_due(timezone.now()) == 1
        cso.refresh_from_db()
        assert cso.vetted_until == second.valid_until and is_vetted(cso)
    with time_machine.travel(second.valid_until + relativedelta(days=1)):
        assert not is_vetted(cso)  # lapsed before the sweep runs
        assert vetting_expire_due(timezone.now()) == 1
        cso.refresh_from_db()
        assert cso.vetted_until is None


def test_the_letter_and_verify_page_show_the_identity_recognised_at_approval(
    submitted, cso, enrolled_reviewer, second_reviewer
):
    from organizations.letters import recognition_letter_lines
    from organizations.models import Organization

    approved = _approve(submitted, enrolled_reviewer, second_reviewer)
    assert (approved.recognised_name, approved.recognised_sector) == (
        "Coastal Youth Forum",
        "civil_society",
    )
    # However the profile changes later (the rules for that live with the profile service).
    Organization.objects.filter(pk=cso.pk).update(
        name="Coastal Security Partners", sector="private"
    )
    approved.refresh_from_db()
    lines = recognition_letter_lines(approved)
    assert lines[2:4] == ["Coastal Youth Forum", "Sector: Civil society"]
    assert not any("Coastal Security Partners" in line for line in lines)
    body = (
        Client()
        .get(reverse("organizations:verify_letter", args=[approved.verification_code]))
        .content.decode()
    )
    assert "recognised <bdi>Coastal Youth Forum</bdi> (Civil society) on" in body
    assert "Coastal Security Partners" not in body and "Private" not in body


def test_vetting_emails_never_name_a_reviewer(
    cso,
    cso_admin,
    enrolled_reviewer,
    second_reviewer,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        application = _submitted_by(cso, cso_admin)
        application = vetting_set_state(
            application=application,
            to=VettingStatus.CHANGES_REQUESTED,
            by=enrolled_reviewer,
            message="Say more.",
        )
        _all_evidence(application, cso_admin)
        application = vetting_set_state(
            application=application, to=VettingStatus.SUBMITTED, by=cso_admin
        )
        _approve(application, enrolled_reviewer, second_reviewer)
    to_applicant = [m for m in mailoutbox if m.to == ["alice@cso.example"]]
    assert [m.subject for m in to_applicant] == [
        "[GSX] Vetting of Coastal Youth Forum: Changes requested",
        "[GSX] Vetting of Coastal Youth Forum: Approved",
    ]
    for message in mailoutbox:
        text = message.subject + message.body
        for reviewer in (enrolled_reviewer, second_reviewer):
            assert reviewer.email not in text and reviewer.name not in text


def _submitted_by(organization, admin):
    from tests.organizations.conftest import vetting_submitted

    return vetting_submitted(organization, admin)


def test_the_migration_backfills_vetted_until_and_the_recognised_identity(
    submitted, cso, enrolled_reviewer, second_reviewer
):
    import importlib

    from django.apps import apps

    from organizations.models import Organization

    approved = _approve(submitted, enrolled_reviewer, second_reviewer)
    VettingApplication.objects.filter(pk=approved.pk).update(
        recognised_name="", recognised_sector=""
    )
    Organization.objects.filter(pk=cso.pk).update(vetted_until=None)
    migration = importlib.import_module(
        "organizations.migrations.0007_vetted_until_and_recognised_identity"
    )
    migration.backfill(apps, None)
    cso.refresh_from_db()
    approved.refresh_from_db()
    assert cso.vetted_until == approved.valid_until
    assert (approved.recognised_name, approved.recognised_sector) == (cso.name, "civil_society")


def test_vetting_texts_are_limited_in_the_services(cso, cso_admin, enrolled_reviewer):
    from django.core.exceptions import ValidationError as DjangoValidationError

    from organizations.models import Criterion, Evidence
    from organizations.services import vetting_assess, vetting_save_evidence, vetting_start

    application = vetting_start(organization=cso, by=cso_admin)
    criterion = Criterion.objects.first()
    with pytest.raises(DjangoValidationError):
        vetting_save_evidence(
            application=application, by=cso_admin, texts={criterion.pk: "x" * 5001}
        )
    assert not Evidence.objects.filter(application=application, text__startswith="x").exists()
    vetting_save_evidence(application=application, by=cso_admin, texts={criterion.pk: "x" * 5000})
    assert len(Evidence.objects.get(application=application, criterion=criterion).text) == 5000
    application.status = "submitted"
    application.save()
    with pytest.raises(DjangoValidationError):
        vetting_assess(
            application=application,
            reviewer=enrolled_reviewer,
            ratings={criterion.pk: ("met", "n" * 2001)},
        )
    assert not application.assessments.exists()


def test_an_endorsement_request_emails_once_with_the_names_quoted(
    submitted,
    cso,
    cso_admin,
    public_cso,
    enrolled_reviewer,
    second_reviewer,
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    endorser_admin = MembershipFactory(organization=public_cso, role="admin").user
    own = vetting_start(organization=public_cso, by=endorser_admin)
    _all_evidence(own, endorser_admin)
    vetting_set_state(application=own, to=VettingStatus.SUBMITTED, by=endorser_admin)
    _approve(own, enrolled_reviewer, second_reviewer)
    submitted.organization.name = "GSX Secretariat: re-confirm at https://gsx.evil.example/login"
    submitted.organization.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            endorsement_request(application=submitted, endorser=public_cso, by=cso_admin)
    assert len(mail.outbox) == 1
    subject = mail.outbox[0].subject
    assert subject.startswith("[GSX] «GSX Secretariat: re-confirm at gsx[.]evil[.]example/login»")
    assert "gsx.evil.example" not in subject + mail.outbox[0].body
