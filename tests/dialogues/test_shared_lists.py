"""The signed-in timeline's grid, the meeting list's body and the meetings API list, shared by
the readers who see the same meetings (dialogues.selectors.meetings_audience) through the page
cache's shared fragments and shared API answers, against the real Redis and PostgreSQL: never a
convener's draft to anyone else, and ended by a committed change. These tests commit."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dialogues import timeline as timeline_module
from dialogues.models import Meeting, MeetingStatus
from dialogues.selectors import meetings_audience, meetings_visible_to, working_groups_visible_to
from dialogues.services import meeting_update, working_group_create
from dialogues.timeline import CELL_ENTRIES, timeline_audience
from dialogues.views import meeting_list as meeting_list_views
from tests.conftest import enrol_totp, new_meeting, signed_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
    pytest.mark.usefixtures("dialogues_timeline_only"),
]

YEAR = datetime.now(UTC).year
TIMELINE = f"/timeline/{YEAR}/"
LIST = "/meetings/?when="
API = "/api/v1/meetings/"


def at(month, day=10):
    return datetime(YEAR, month, day, 10, tzinfo=UTC)


@pytest.fixture
def world(working_group, wg_convener, enrolled_reviewer, convener, enrolled_government_user):
    """A planned meeting and a draft in the working group, a draft without a group, and
    readers of every kind."""
    planned = new_meeting(
        wg_convener,
        working_group,
        status=MeetingStatus.PLANNED,
        title="Planned session",
        starts_at=at(3),
    )
    draft = new_meeting(wg_convener, working_group, title="Secret draft", starts_at=at(4))
    outreach_draft = new_meeting(enrolled_reviewer, title="Outreach draft", starts_at=at(5))
    member = MembershipFactory(
        organization=OrganizationFactory(name="Network Forum", visibility_tier="network"),
        user__email="member@forum.example",
    ).user
    return {
        "meetings": {"planned": planned, "draft": draft, "outreach draft": outreach_draft},
        "users": {
            "plain": UserFactory(email="plain@example.org"),
            "member": member,
            "wg_convener": wg_convener,
            "conveners_group": convener,
            "secretariat": enrolled_reviewer,
            "government": enrolled_government_user,
        },
    }


@pytest.fixture
def timeline_renders(monkeypatch):
    """The readers whose grid was built (not taken from the cache), in order."""
    built = []
    original = timeline_module.timeline_of

    def timeline_of(user, year, **kwargs):
        built.append(user.email)
        return original(user, year, **kwargs)

    monkeypatch.setattr("dialogues.views.timeline.timeline_of", timeline_of)
    return built


@pytest.fixture
def list_renders(monkeypatch):
    built = []
    original = meeting_list_views._meeting_list_body

    def body(request):
        built.append(request.user.email)
        return original(request)

    monkeypatch.setattr(meeting_list_views, "_meeting_list_body", body)
    return built


def test_the_audience_holds_to_the_visibility_selectors(world):
    published = set(Meeting.objects.exclude(status=MeetingStatus.DRAFT))
    expected = {
        "plain": "network",
        "member": "network",
        "wg_convener": None,
        "conveners_group": None,
        "secretariat": None,
        "government": None,  # privileged: their own, though they see what members see
    }
    for name, user in world["users"].items():
        audience = meetings_audience(user)
        assert audience == expected[name], name
        if audience == "network":
            assert set(meetings_visible_to(user)) == published, name
            assert timeline_audience(user) == "groups=network;dialogues.meetings=network"
        elif name != "government":
            assert set(meetings_visible_to(user)) > published, name
            assert timeline_audience(user) is None
    # The managers see their own drafts, and no one else's.
    assert world["meetings"]["draft"] in meetings_visible_to(world["users"]["wg_convener"])
    assert world["meetings"]["outreach draft"] not in meetings_visible_to(
        world["users"]["wg_convener"]
    )
    assert world["meetings"]["outreach draft"] in meetings_visible_to(
        world["users"]["conveners_group"]
    )


def test_the_visibility_selectors_repeat_no_row(world, working_group):
    # EXISTS, not a join on the conveners: a group with two conveners lists its meetings once.
    second = UserFactory(email="second@convener.example")
    enrol_totp(second)
    working_group.conveners.add(second)
    convener = world["users"]["wg_convener"]
    visible = list(meetings_visible_to(convener))
    assert len(visible) == len(set(visible))
    groups = list(working_groups_visible_to(convener))
    assert len(groups) == len(set(groups)) == 1


@pytest.mark.parametrize("first", ["wg_convener", "plain"])
def test_the_shared_timeline_never_shows_a_draft_to_others(
    redis_cache, timeline_renders, world, first
):
    users = world["users"]
    pages = {}
    others = ("plain", "member", "wg_convener", "conveners_group")
    for name in (first, *(name for name in others if name != first)):
        response = signed_in(users[name]).get(TIMELINE)
        assert response.status_code == 200
        pages[name] = response.content.decode()
    for name, page in pages.items():
        assert "Planned session" in page, name
        assert ("Secret draft" in page) is (name == "wg_convener"), name
        assert ("Outreach draft" in page) is (name == "conveners_group"), name
    # The two members' grid was built once; each manager's for themself.
    assert timeline_renders.count("member@forum.example") == 0
    assert timeline_renders.count("plain@example.org") == 1
    assert timeline_renders.count(users["wg_convener"].email) == 1
    # Each page is the reader's own around the shared grid.
    assert all("/accounts/logout/" in page for page in pages.values())


def test_a_committed_change_ends_the_shared_grid_and_list(
    redis_cache, timeline_renders, list_renders, world
):
    users, planned = world["users"], world["meetings"]["planned"]
    for path in (TIMELINE, LIST):
        assert "Planned session" in signed_in(users["plain"]).get(path).content.decode()
    meeting_update(meeting=planned, by=users["wg_convener"], title="Renamed session")
    for path in (TIMELINE, LIST):
        page = signed_in(users["member"]).get(path).content.decode()
        assert "Renamed session" in page and "Planned session" not in page, path
    assert len(timeline_renders) == len(list_renders) == 2


def test_the_shared_meeting_list_never_shows_a_draft_to_others(redis_cache, list_renders, world):
    users = world["users"]
    pages = {
        name: signed_in(users[name]).get(LIST).content.decode()
        for name in ("wg_convener", "plain", "member", "secretariat")
    }
    for name, page in pages.items():
        assert "Planned session" in page, name
        assert ("Secret draft" in page) is (name in ("wg_convener", "secretariat")), name
    assert list_renders == [
        users["wg_convener"].email,
        "plain@example.org",
        users["secretariat"].email,
    ]


def test_a_busy_cell_links_the_rest_to_the_meeting_list(world, working_group, wg_convener):
    titles = [f"Session {n}" for n in range(CELL_ENTRIES + 2)]
    for day, title in enumerate(titles, start=1):
        new_meeting(
            wg_convener,
            working_group,
            status=MeetingStatus.PLANNED,
            title=title,
            starts_at=at(6, day),
        )
    client = signed_in(world["users"]["plain"])
    page = client.get(TIMELINE).content.decode()
    assert [title in page for title in titles] == [True] * CELL_ENTRIES + [False, False]
    more = (
        f"/meetings/?working_group={working_group.slug}&amp;when=&amp;"
        f"from={YEAR}-06-01&amp;to={YEAR}-06-30"
    )
    assert f'<a href="{more}">2 more' in page
    listed = client.get(more.replace("&amp;", "&")).content.decode()
    assert all(title in listed for title in titles)
    assert "Planned session" not in listed  # March's


def test_the_shared_lists_run_a_constant_number_of_queries(
    redis_cache, world, working_group, wg_convener, enrolled_reviewer
):
    member, other = world["users"]["plain"], world["users"]["member"]

    def count(path):
        signed_in(member).get(path)  # the shared part is stored
        client = signed_in(other)
        client.get(path)  # the session settles
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries.captured_queries)

    paths = (TIMELINE, LIST, API)
    few = [count(path) for path in paths]
    group = working_group_create(by=enrolled_reviewer, name="Another group", slug="another")
    for n in range(12):
        new_meeting(
            enrolled_reviewer,
            group,
            status=MeetingStatus.PLANNED,
            title=f"M{n}",
            starts_at=at(1 + n % 12, 20),
        )
    many = [count(path) for path in paths]
    assert many == few


def test_the_api_list_is_shared_and_never_shows_a_draft_to_others(redis_cache, world):
    users = world["users"]
    seen = {}
    for name in ("wg_convener", "plain", "member", "conveners_group"):
        response = signed_in(users[name]).get(API, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response["ETag"]
        seen[name] = {meeting["title"] for meeting in response.json()["results"]}
    assert seen["plain"] == seen["member"] == {"Planned session"}
    assert seen["wg_convener"] == {"Planned session", "Secret draft"}
    assert seen["conveners_group"] == {"Planned session", "Outreach draft"}
    # The second member's answer came from the first's: one query fewer than a full answer.
    client = signed_in(users["member"])
    with CaptureQueriesContext(connection) as shared:
        client.get(API, HTTP_ACCEPT="application/json")
    with CaptureQueriesContext(connection) as full:
        client.get(API + "?kind=workshop", HTTP_ACCEPT="application/json")
    assert not any('"dialogues_meeting"' in q["sql"] for q in shared.captured_queries)
    assert any('"dialogues_meeting"' in q["sql"] for q in full.captured_queries)


def test_the_api_list_answers_304_until_a_meeting_it_shows_changes(redis_cache, world):
    client = signed_in(world["users"]["plain"])
    first = client.get(API, HTTP_ACCEPT="application/json")
    etag = first["ETag"]
    again = client.get(API, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    meeting_update(
        meeting=world["meetings"]["planned"], by=world["users"]["wg_convener"], city="Amman"
    )
    changed = client.get(API, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["results"][0]["city"] == "Amman"
