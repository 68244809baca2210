"""In-portal notifications: written by the real email path, read only by their recipient, in the
reader's language, opened without an open redirect, swept after their retention period."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gsx_portal.models import Notification, OutboundEmail
from gsx_portal.notifications import (
    notification_add,
    notification_sentence,
    notifications_delete_old,
    notifications_of,
    registered_kinds,
)
from gsx_portal.reminders import reminders_send_due
from organizations.models import MembershipRole, VettingStatus, VisibilityTier
from organizations.services import (
    introduction_request,
    membership_invite,
    vetting_set_state,
)
from tests.conftest import enrol_totp, signed_in
from tests.factories import MembershipFactory, UserFactory
from tests.organizations.conftest import (
    vetting_submitted,
)

pytestmark = pytest.mark.django_db
PURPOSE = "We would like to discuss a community policing pilot in the coastal districts."


@pytest.fixture
def network_cso(cso):
    cso.visibility_tier = VisibilityTier.NETWORK
    cso.save()
    return cso


@pytest.fixture
def second_admin(cso):
    return MembershipFactory(
        organization=cso, role=MembershipRole.ADMIN, user__email="amina@cso.example"
    ).user


@pytest.fixture
def introduction(network_cso, cso_admin, second_admin, cso_member, ministry):
    government = ministry.memberships.get().user
    return introduction_request(
        requester=government,
        requester_organization=ministry,
        organization=network_cso,
        purpose=PURPOSE,
    )


def _sentences(user):
    return [notification_sentence(n) for n in Notification.objects.filter(user=user)]


def test_every_email_template_has_a_notification_kind():
    email_dir = Path(settings.BASE_DIR) / "templates" / "organizations" / "email"
    templates = sorted(p.name.removesuffix("_subject.txt") for p in email_dir.glob("*_subject.txt"))
    assert [f"organizations.{name}" for name in templates] == [
        kind for kind in registered_kinds() if kind.startswith("organizations.")
    ]


def test_an_introduction_request_notifies_each_cso_admin_only(
    introduction, cso_admin, second_admin, cso_member
):
    sentence = "«Ministry of the Interior» asks «Coastal Youth Forum» for an introduction."
    assert _sentences(cso_admin) == [sentence]
    assert _sentences(second_admin) == [sentence]
    assert _sentences(cso_member) == []
    notification = Notification.objects.get(user=cso_admin)
    assert notification.link == reverse(
        "organizations:introduction_received",
        args=["coastal-youth-forum", introduction.public_id],
    )
    # What the email's subject said, and nothing of the purpose or the requester's address.
    assert notification.params == {
        "organization": "Coastal Youth Forum",
        "requester_organization": "Ministry of the Interior",
    }


def test_a_notification_is_written_in_the_readers_language_when_read(cso_admin):
    (notification,) = notification_add(
        users=[cso_admin],
        kind="organizations.vetting_decided",
        params={"organization": "Coastal Youth Forum", "status": "in_review"},
        link="/",
    )
    with translation.override("fr"):
        french = notification_sentence(notification)
    with translation.override("en"):
        english = notification_sentence(notification)
    # The same row read in two languages: the status is stored as its code and named at read time
    # (the sentence itself is translated with the other new strings, after the merge).
    assert english == "The vetting application of «Coastal Youth Forum» is now: In review."
    assert french.endswith(": En examen.")


def test_a_rolled_back_change_leaves_no_notification(network_cso, cso_admin, ministry):
    from django.db import transaction

    government = ministry.memberships.get().user
    with pytest.raises(RuntimeError), transaction.atomic():
        introduction_request(
            requester=government,
            requester_organization=ministry,
            organization=network_cso,
            purpose=PURPOSE,
        )
        raise RuntimeError
    assert Notification.objects.count() == 0


def test_an_invitation_notification_never_carries_the_link_with_its_secret(cso, cso_admin):
    invitee = UserFactory(email="zoe@example.org")
    _invitation, secret = membership_invite(organization=cso, by=cso_admin, email=invitee.email)
    notification = Notification.objects.get(user=invitee)
    assert notification.link == reverse("home")
    assert notification.params == {"organization": "Coastal Youth Forum"}
    assert secret not in str(notification.params) + notification.link
    assert notification_sentence(notification) == "You are invited to join «Coastal Youth Forum»."


def test_an_invitation_to_an_unverified_account_leaves_no_notification(cso, cso_admin):
    invitee = UserFactory(email="zoe@example.org", verified=False)
    membership_invite(organization=cso, by=cso_admin, email=invitee.email)
    assert Notification.objects.filter(user=invitee).count() == 0


def test_an_address_without_an_account_gets_the_email_only(cso, cso_admin):
    membership_invite(organization=cso, by=cso_admin, email="nobody@example.org")
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == ["nobody@example.org"]
    assert Notification.objects.count() == 0


def test_a_vetting_decision_stores_the_status_code_not_a_translated_label(cso, cso_admin):
    reviewer = UserFactory(groups=["secretariat"])
    application = vetting_submitted(cso, cso_admin)
    with translation.override("fr"):
        vetting_set_state(
            application=application,
            to=VettingStatus.CHANGES_REQUESTED,
            by=reviewer,
            message="Describe your constituency.",
        )
    notification = Notification.objects.get(user=cso_admin, kind="organizations.vetting_decided")
    assert notification.params == {
        "organization": "Coastal Youth Forum",
        "status": "changes_requested",
    }
    assert notification_sentence(notification) == (
        "Changes were requested to the vetting application of «Coastal Youth Forum»."
    )
    assert "Describe your constituency" not in str(notification.params)


def test_notification_parameters_must_be_primitive(cso_admin):
    with pytest.raises(TypeError):
        notification_add(
            users=[cso_admin],
            kind="organizations.invitation",
            params={"organization": cso_admin},
            link="/",
        )
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("link", ["https://evil.example/x", "//evil.example/x", "/\\evil.example"])
def test_a_foreign_link_is_not_stored(cso_admin, link):
    (notification,) = notification_add(
        users=[cso_admin], kind="organizations.invitation", params={"organization": "X"}, link=link
    )
    assert notification.link == ""


def _add(user, n=1, link="/organizations/", **params):
    return notification_add(
        users=[user] * n,
        kind="organizations.requester_verified",
        params={"organization": "Ministry", **params},
        link=link,
    )


def test_the_list_shows_only_my_notifications_newest_first_with_unread_marked(cso_admin, outsider):
    older, newer = _add(cso_admin, 2)
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timedelta(days=1), read_at=timezone.now()
    )
    _add(outsider)
    response = signed_in(cso_admin).get(reverse("notifications:list"))
    assert response.status_code == 200
    assert [n.public_id for n in response.context["page"]] == [newer.public_id, older.public_id]
    html = response.content.decode()
    assert html.count("<strong>Unread</strong>") == 1
    assert html.count("notification--unread") == 1
    assert "1 unread notification." in html


@pytest.mark.parametrize("rows", [1, 30])
def test_the_list_takes_a_constant_number_of_queries(cso_admin, rows, django_assert_num_queries):
    _add(cso_admin, rows)
    client = signed_in(cso_admin)
    client.get(reverse("notifications:list"))  # the first request of a session records it
    # session, user, the user's roles (one query for the MFA check and the navigation), the
    # page's count and rows, the header's counts.
    with django_assert_num_queries(6):
        response = client.get(reverse("notifications:list"))
    assert len(response.context["page"]) == min(rows, 25)


def test_opening_a_notification_marks_it_read_and_follows_its_local_link(cso_admin):
    (notification,) = _add(cso_admin, link="/organizations/coastal-youth-forum/")
    response = signed_in(cso_admin).post(
        reverse("notifications:open", args=[notification.public_id])
    )
    assert response.status_code == 302
    assert response["Location"] == "/organizations/coastal-youth-forum/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_notification_with_a_foreign_link_stays_on_the_site(cso_admin):
    (notification,) = _add(cso_admin)
    Notification.objects.filter(pk=notification.pk).update(link="https://evil.example/")
    response = signed_in(cso_admin).post(
        reverse("notifications:open", args=[notification.public_id])
    )
    assert response["Location"] == reverse("notifications:list")


def test_opening_needs_a_post(cso_admin):
    (notification,) = _add(cso_admin)
    response = signed_in(cso_admin).get(
        reverse("notifications:open", args=[notification.public_id])
    )
    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_another_users_notification_is_not_found_and_unchanged(cso_admin, outsider):
    (notification,) = _add(cso_admin)
    response = signed_in(outsider).post(
        reverse("notifications:open", args=[notification.public_id])
    )
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_mine(cso_admin, outsider):
    _add(cso_admin, 3)
    (theirs,) = _add(outsider)
    response = signed_in(cso_admin).post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert Notification.objects.filter(user=cso_admin, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_header_shows_the_unread_count(cso_admin):
    _add(cso_admin, 2)
    html = signed_in(cso_admin).get(reverse("notifications:list")).content.decode()
    assert 'Notifications <span class="badge">2<span class="visually-hidden"> unread</span>' in html


def test_a_reviewer_who_left_the_secretariat_no_longer_reads_who_applied(cso, cso_admin):
    from tests.conftest import bearer

    reviewer = UserFactory(email="rita@secretariat.example", groups=["secretariat"])
    enrol_totp(reviewer)
    cso.visibility_tier = VisibilityTier.RESTRICTED
    cso.save()
    vetting_submitted(cso, cso_admin)
    sentence = f"«{cso.name}» submitted a vetting application."
    assert [notification_sentence(n) for n in notifications_of(reviewer)] == [sentence]
    (notification,) = Notification.objects.filter(user=reviewer)

    reviewer.groups.clear()
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)
    client = signed_in(reviewer)
    page = client.get(reverse("notifications:list")).content.decode()
    assert cso.name not in page
    assert 'class="badge"' not in page  # no unread count in the header either
    assert (
        client.post(reverse("notifications:open", args=[notification.public_id])).status_code == 404
    )
    api = bearer(reviewer)
    assert api.get("/api/v1/notifications/").json()["results"] == []
    assert api.get(f"/api/v1/notifications/{notification.public_id}/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    # Back in the secretariat, it is there again.
    reviewer.groups.add(Group.objects.get(name="secretariat"))
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)
    assert list(notifications_of(reviewer)) == [notification]


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(reverse("notifications:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- API ------------------------------------------------------------------------------------


def test_the_api_lists_my_notifications_only(cso_admin, outsider):
    (mine,) = _add(cso_admin)
    _add(outsider)
    response = signed_in(cso_admin).get("/api/v1/notifications/")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    (row,) = response.json()["results"]
    assert row["id"] == str(mine.public_id)
    assert row["text"] == "«Ministry» is verified by the secretariat."
    assert row["unread"] is True
    assert row["link"] == "/organizations/"


@pytest.mark.parametrize("rows", [1, 30])
def test_the_api_list_takes_a_constant_number_of_queries(
    cso_admin, rows, django_assert_num_queries
):
    _add(cso_admin, rows)
    client = signed_in(cso_admin)
    client.get("/api/v1/notifications/")  # the first request of a session records it
    # session, user, the user's roles (the MFA check), count, page
    with django_assert_num_queries(5):
        response = client.get("/api/v1/notifications/")
    assert response.json()["count"] == rows


def test_the_api_answers_404_for_another_users_notification_and_changes_nothing(
    cso_admin, outsider
):
    (notification,) = _add(cso_admin)
    client = signed_in(outsider)
    assert client.get(f"/api/v1/notifications/{notification.public_id}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{notification.public_id}/read/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_api_marks_one_and_all_read(cso_admin):
    first, _second, _third = _add(cso_admin, 3)
    client = signed_in(cso_admin)
    response = client.post(f"/api/v1/notifications/{first.public_id}/read/")
    assert response.status_code == 200
    assert response.json()["unread"] is False
    response = client.post("/api/v1/notifications/read-all/")
    assert response.json() == {"marked": 2}
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


# --- Retention ------------------------------------------------------------------------------


def test_the_sweep_deletes_notifications_past_their_retention(cso_admin, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 180
    old, recent = _add(cso_admin, 2)
    now = timezone.now()
    Notification.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=181))
    Notification.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=179))
    sent = reminders_send_due(now=now)
    assert sent["gsx_portal.notifications_retention"] == 1
    assert list(Notification.objects.values_list("pk", flat=True)) == [recent.pk]
    assert notifications_delete_old(now) == 0


def test_the_page_isolates_names_and_escapes_them(cso_admin):
    from gsx_portal.notifications import notification_html

    (notification,) = notification_add(
        users=[cso_admin],
        kind="organizations.introduction_requested",
        params={"organization": "شبكة <b>الشباب</b>", "requester_organization": "Ministry"},
        link="/",
    )
    assert notification_html(notification) == (
        "«<bdi>Ministry</bdi>» asks «<bdi>شبكة &lt;b&gt;الشباب&lt;/b&gt;</bdi>» "
        "for an introduction."
    )
    html = signed_in(cso_admin).get(reverse("notifications:list")).content.decode()
    assert "«<bdi>Ministry</bdi>» asks «<bdi>شبكة &lt;b&gt;الشباب&lt;/b&gt;</bdi>»" in html


def test_a_notification_whose_parameters_no_longer_fit_its_kind_still_reads(cso_admin):
    (notification,) = _add(cso_admin)
    Notification.objects.filter(pk=notification.pk).update(params={})
    notification.refresh_from_db()
    assert notification_sentence(notification) == "An update from the portal."
    html = signed_in(cso_admin).get(reverse("notifications:list")).content.decode()
    assert "An update from the portal." in html
