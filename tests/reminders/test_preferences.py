"""A person's reminder emails (/account/reminders/): every kind that may be turned off, grouped by
source and ticked when the person gets it; saved through one service; a refused form changes
nothing and keeps what was ticked. Security emails are always sent, and the page says so."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from gsx_portal import reminders
from gsx_portal.models import ReminderOptOut
from gsx_portal.reminders.preferences import (
    reminder_kind_groups,
    reminder_kinds_muted,
    reminder_preferences_set,
)
from tests.conftest import enrol_totp, signed_in
from tests.factories import UserFactory

URL = "/account/reminders/"

INVITATION = "dialogues.test_invitation"
ACTION_POINT = "dialogues.test_action_point"
CYCLE = "recommendations.test_cycle"
SUMMARY = "recommendations.test_summary"  # may not be turned off
OFFERED = {INVITATION, ACTION_POINT, CYCLE}


def _invitation(params):
    return f"Your invitation to “{params['title']}” waits for an answer."


def _action_points(params):
    count = params["count"]
    return ngettext("%(count)d action point is due.", "%(count)d action points are due.", count) % {
        "count": count
    }


def _cycle(params):
    # A word the catalogues translate, so that the sentence shows the language it is written in.
    return f"{gettext('Recommendations')}: {params['reference']}"


def _holding(items) -> set[int]:
    """Every item still holds, save those whose parameters say the object is gone."""
    return {item.pk for item in items if not item.params.get("gone")}


TEST_SOURCES = (
    reminders.Source(
        name="dialogues",
        kinds=(
            reminders.Kind(
                INVITATION,
                label="Invitations waiting for an answer",
                heading="Invitations",
                sentence=_invitation,
                names=("title",),
            ),
            reminders.Kind(
                ACTION_POINT,
                label="Action points coming due",
                heading="Action points",
                sentence=_action_points,
            ),
        ),
        due=lambda since, now: [],
        still_due=lambda items: _holding(items),
    ),
    reminders.Source(
        name="recommendations",
        kinds=(
            reminders.Kind(
                CYCLE, label="Review cycle deadlines", heading="Review cycle", sentence=_cycle
            ),
            reminders.Kind(
                SUMMARY,
                label="The cycle's final summary",
                heading="Summary",
                sentence=lambda params: "A summary.",
                opt_out=False,
            ),
        ),
        due=lambda since, now: [],
        still_due=lambda items: _holding(items),
    ),
)


@pytest.fixture
def test_sources():
    """The registry holds the two test sources alone (named after apps, for their headings);
    the real sources are put back afterwards."""
    saved = reminders.sources()
    for source in saved:
        reminders.unregister_source(source.name)
    for source in TEST_SOURCES:
        reminders.register_source(source)
    yield
    for source in TEST_SOURCES:
        reminders.unregister_source(source.name)
    for source in saved:
        reminders.register_source(source)


@pytest.fixture
def staff(db):
    user = UserFactory(email="stella@staff.example", is_staff=True)
    enrol_totp(user)
    return user


@pytest.fixture
def former_reviewer(reviewer):
    reviewer.groups.remove(Group.objects.get(name="secretariat"))
    return reviewer


ROLES = ["cso_member", "government_user", "convener", "reviewer", "former_reviewer", "staff"]


def _ticked(html: str) -> set[str]:
    import re

    return set(re.findall(r'name="email_me" value="([^"]+)" id="[^"]+" checked>', html))


def _post(client, *, email_me, shown=tuple(OFFERED)):
    return client.post(URL, {"email_me": list(email_me), "shown": list(shown)})


# --- Who sees the page -----------------------------------------------------------------------


def test_preferences_url_keeps_its_name_and_path():
    assert reverse("reminders:preferences") == URL


def test_preferences_anonymous_is_sent_to_sign_in(db, test_sources):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"
    response = Client().post(URL, {"shown": [INVITATION]})
    assert response.status_code == 302
    assert ReminderOptOut.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_preferences_every_signed_in_person_gets_every_kind_ticked(db, request, role, test_sources):
    user = request.getfixturevalue(role)
    response = signed_in(user).get(URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    html = response.content.decode()
    assert _ticked(html) == OFFERED


# --- What the page says ----------------------------------------------------------------------


def test_preferences_page_groups_kinds_by_source_and_explains_when_and_what_always_comes(
    cso_member, test_sources
):
    cso_member.timezone = "Africa/Nairobi"
    cso_member.save()
    html = signed_in(cso_member).get(URL).content.decode()
    assert "<h1>Reminder emails</h1>" in html
    # Grouped by source, under the app's name, in the sources' order; each kind once.
    dialogues = html.index("<legend>Dialogues</legend>")
    recommendations = html.index("<legend>Recommendations</legend>")
    assert dialogues < html.index(INVITATION) < html.index(ACTION_POINT) < recommendations
    assert recommendations < html.index(CYCLE)
    assert (
        '<input type="checkbox" name="email_me" value="dialogues.test_invitation" '
        'id="id_email_me_dialoguestest_invitation" checked>\n'
        '              <label for="id_email_me_dialoguestest_invitation">'
        "Email me about: Invitations waiting for an answer</label>"
    ) in html
    assert "Email me about: Action points coming due" in html
    assert "Email me about: Review cycle deadlines" in html
    assert html.count('type="checkbox"') == 3
    assert html.count('<input type="hidden" name="shown"') == 3
    # A kind that may not be turned off is not offered.
    assert SUMMARY not in html and "final summary" not in html
    assert (
        "Reminders come at most once a day, gathered into one email, in your morning (between "
        '8 a.m. and noon) in your time zone (<span dir="ltr">Africa/Nairobi</span>), in the '
        "language of your account."
    ) in html
    settings_url = reverse("organizations:account_settings")
    assert (
        f'<a href="{settings_url}">Change your language or time zone in the account settings.</a>'
    ) in html
    assert (
        "Security emails (signing in, your password, two-factor authentication, confirming an "
        "email address) are always sent: they cannot be turned off."
    ) in html


@pytest.mark.parametrize(
    ("hours", "sentence"),
    [
        ((7, 10), "in your morning (between 7 a.m. and 10 a.m.) in your time zone"),
        ((0, 24), "gathered into one email, in your time zone"),
    ],
)
def test_preferences_page_follows_the_digests_hours(cso_member, settings, hours, sentence):
    settings.REMINDER_MORNING_HOURS = hours
    assert sentence in signed_in(cso_member).get(URL).content.decode()


def test_preferences_page_without_any_kind_says_so(cso_member, test_sources):
    for source in TEST_SOURCES:
        reminders.unregister_source(source.name)
    html = signed_in(cso_member).get(URL).content.decode()
    assert "There is no kind of reminder to choose from yet." in html
    assert '<form method="post" class="reminder-kinds"' not in html
    assert "are always sent: they cannot be turned off." in html


def test_preferences_page_is_right_to_left_in_arabic(cso_member, test_sources):
    cso_member.language = "ar"
    cso_member.timezone = "Asia/Amman"
    cso_member.save()
    html = signed_in(cso_member).get(URL).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    # The zone's name reads left to right inside the right-to-left sentence.
    assert '<span dir="ltr">Asia/Amman</span>' in html
    assert "<legend>التوصيات</legend>" in html


def test_account_settings_link_to_the_reminder_emails(cso_member):
    html = signed_in(cso_member).get(reverse("organizations:account_settings")).content.decode()
    assert f'<li><a href="{URL}">Reminder emails</a></li>' in html


# --- Saving ----------------------------------------------------------------------------------


def test_preferences_round_trip_mutes_and_unmutes(cso_member, test_sources):
    client = signed_in(cso_member)
    response = _post(client, email_me=[INVITATION, CYCLE])
    assert response.status_code == 302
    assert response["Location"] == URL
    assert set(ReminderOptOut.objects.values_list("user_id", "kind")) == {
        (cso_member.pk, ACTION_POINT)
    }
    html = client.get(URL).content.decode()
    assert "Your reminder preferences were saved." in html
    assert _ticked(html) == {INVITATION, CYCLE}

    response = _post(client, email_me=OFFERED)
    assert response.status_code == 302
    assert ReminderOptOut.objects.count() == 0
    assert _ticked(client.get(URL).content.decode()) == OFFERED


def test_preferences_unticking_everything_mutes_everything_offered(cso_member, test_sources):
    _post(signed_in(cso_member), email_me=[])
    assert reminder_kinds_muted(cso_member) == OFFERED


def test_preferences_are_each_persons_own(cso_member, cso_admin, test_sources):
    _post(signed_in(cso_member), email_me=[INVITATION])
    assert reminder_kinds_muted(cso_member) == {ACTION_POINT, CYCLE}
    assert reminder_kinds_muted(cso_admin) == set()
    assert _ticked(signed_in(cso_admin).get(URL).content.decode()) == OFFERED


def test_preferences_leave_a_kind_the_page_did_not_show_as_it_was(cso_member, test_sources):
    # The page was opened before CYCLE existed: saving it neither mutes nor unmutes CYCLE.
    client = signed_in(cso_member)
    _post(client, email_me=[INVITATION], shown=[INVITATION, ACTION_POINT])
    assert reminder_kinds_muted(cso_member) == {ACTION_POINT}
    reminder_preferences_set(user=cso_member, muted={ACTION_POINT, CYCLE})
    _post(client, email_me=[INVITATION, ACTION_POINT], shown=[INVITATION, ACTION_POINT])
    assert reminder_kinds_muted(cso_member) == {CYCLE}


def test_preferences_without_the_shown_list_cover_every_kind_offered(cso_member, test_sources):
    signed_in(cso_member).post(URL, {"email_me": [CYCLE]})
    assert reminder_kinds_muted(cso_member) == {INVITATION, ACTION_POINT}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"email_me": [INVITATION, "dialogues.nope"], "shown": sorted(OFFERED)},
            "These are not kinds of reminder you can turn off: “dialogues.nope”. "
            "Nothing was changed.",
        ),
        (
            {"email_me": [INVITATION], "shown": [*sorted(OFFERED), SUMMARY]},
            "These are not kinds of reminder you can turn off: "
            "“recommendations.test_summary”. Nothing was changed.",
        ),
        (
            {"email_me": [INVITATION, "dialogues.test_invitation\x00"], "shown": sorted(OFFERED)},
            "The form was sent with a character that is not allowed (NUL). Nothing was changed.",
        ),
        (
            {"email_me": [INVITATION], "shown": ["\x00"]},
            "The form was sent with a character that is not allowed (NUL). Nothing was changed.",
        ),
    ],
)
def test_preferences_bad_post_changes_nothing_and_keeps_the_ticks(
    cso_member, test_sources, data, message
):
    reminder_preferences_set(user=cso_member, muted={CYCLE})
    response = signed_in(cso_member).post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert f"<li>{message}</li>" in html
    assert reminder_kinds_muted(cso_member) == {CYCLE}
    # What was ticked is still ticked (CYCLE was muted, and ticked in none of these forms).
    assert _ticked(html) == {INVITATION}
    assert "Your reminder preferences were saved." not in html


def test_preferences_get_only_and_post(cso_member, test_sources):
    assert signed_in(cso_member).put(URL).status_code == 405


# --- The service and the selector ------------------------------------------------------------


def test_reminder_preferences_set_writes_and_deletes_rows(cso_member, test_sources):
    assert reminder_preferences_set(user=cso_member, muted={INVITATION, CYCLE}) == {
        INVITATION,
        CYCLE,
    }
    first = ReminderOptOut.objects.get(kind=INVITATION)
    assert reminder_preferences_set(user=cso_member, muted={INVITATION, ACTION_POINT}) == {
        INVITATION,
        ACTION_POINT,
    }
    assert set(ReminderOptOut.objects.values_list("kind", flat=True)) == {INVITATION, ACTION_POINT}
    # A kind muted before is the same row, not a new one.
    assert ReminderOptOut.objects.get(kind=INVITATION).pk == first.pk
    assert reminder_preferences_set(user=cso_member, muted=set()) == set()
    assert ReminderOptOut.objects.count() == 0


@pytest.mark.parametrize(
    "muted", [{INVITATION, "dialogues.unknown"}, {SUMMARY}, {"nul\x00"}, {"x" * 500}]
)
def test_reminder_preferences_set_refuses_kinds_not_offered(cso_member, test_sources, muted):
    reminder_preferences_set(user=cso_member, muted={CYCLE})
    with pytest.raises(ValidationError) as refused:
        reminder_preferences_set(user=cso_member, muted=muted)
    assert refused.value.code == "unknown_kind"
    assert refused.value.messages[0].startswith(
        "These are not kinds of reminder you can turn off: “"
    )
    assert refused.value.messages[0].endswith("”. Nothing was changed.")
    assert len(refused.value.messages[0]) < 200
    assert reminder_kinds_muted(cso_member) == {CYCLE}


def test_reminder_preferences_keep_a_muted_kind_no_longer_registered(cso_member, test_sources):
    ReminderOptOut.objects.create(user=cso_member, kind="organizations.gone")
    reminder_preferences_set(user=cso_member, muted={CYCLE})
    assert reminder_kinds_muted(cso_member) == {"organizations.gone", CYCLE}
    # Not offered, so not shown: the page lists the registered kinds only.
    assert "organizations.gone" not in signed_in(cso_member).get(URL).content.decode()


def test_reminder_kind_groups_offer_the_kinds_that_may_be_turned_off(test_sources):
    groups = reminder_kind_groups()
    assert [(group.source, group.heading) for group in groups] == [
        ("dialogues", "Dialogues"),
        ("recommendations", "Recommendations"),
    ]
    assert [[kind.name for kind in group.kinds] for group in groups] == [
        [INVITATION, ACTION_POINT],
        [CYCLE],
    ]


def test_preferences_query_count_is_constant(cso_member, test_sources, django_assert_num_queries):
    client = signed_in(cso_member)
    client.get(URL)  # the first request of a session records it
    reminder_preferences_set(user=cso_member, muted={CYCLE, INVITATION})
    # session, user, the user's roles, the muted kinds, the header's counts.
    with django_assert_num_queries(5):
        assert client.get(URL).status_code == 200
