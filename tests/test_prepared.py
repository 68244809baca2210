"""gsx_portal.prepared: a query's SQL built once, run with new values."""

from datetime import timedelta

import pytest
from django.db.models import F, Value
from django.utils import timezone

from gsx_portal.prepared import PLACEHOLDER_ID, PLACEHOLDER_TIME, PreparedQuery
from organizations.models import User
from organizations.selectors.dashboard import HEADER_COUNTS
from tests.test_home import _world

pytestmark = pytest.mark.django_db


def test_the_header_counts_take_the_time_they_are_given(cso_admin, cso_member, outsider, ministry):
    _world(1, cso_admin=cso_admin, cso_member=cso_member, outsider=outsider, ministry=ministry)
    now = timezone.now()
    later = now + timedelta(days=400)  # past every introduction's and invitation's expiry
    for user, waiting_now in [(outsider, 1), (cso_admin, 3)]:
        counts_now = HEADER_COUNTS.one(user_id=user.pk, now=now)
        counts_later = HEADER_COUNTS.one(user_id=user.pk, now=later)
        assert counts_now == HEADER_COUNTS.queryset(user_id=user.pk, now=now).get()
        assert counts_later == HEADER_COUNTS.queryset(user_id=user.pk, now=later).get()
        assert sum(v for k, v in counts_now.items() if k != "unread") == waiting_now
        # Expired introductions and invitations wait for nobody.
        assert counts_later["waiting_1"] == counts_later["waiting_3"] == 0


def test_the_sql_is_built_once(cso_admin, django_assert_num_queries):
    prepared = PreparedQuery(
        lambda *, user_id: User.objects.filter(pk=user_id).values("email"),
        user_id=PLACEHOLDER_ID,
    )
    assert prepared.sql() is prepared.sql()
    with django_assert_num_queries(1):
        assert prepared.one(user_id=cso_admin.pk) == {"email": cso_admin.email}


def test_a_placeholder_that_does_not_reach_the_sql_as_a_parameter_is_refused():
    # The ORM folds a value used inside an expression into the expression's own parameter;
    # here the query ignores ``now`` altogether: its real value would never count.
    prepared = PreparedQuery(
        lambda *, user_id, now: User.objects.filter(pk=user_id).values("email"),
        user_id=PLACEHOLDER_ID,
        now=PLACEHOLDER_TIME,
    )
    with pytest.raises(ValueError, match="now"):
        prepared.sql()


def test_values_must_name_exactly_the_placeholders(cso_admin):
    prepared = PreparedQuery(
        lambda *, user_id: User.objects.filter(pk=user_id).values(twice=F("pk") + Value(1)),
        user_id=PLACEHOLDER_ID,
    )
    with pytest.raises(TypeError):
        prepared.one(pk=cso_admin.pk)
    with pytest.raises(TypeError):
        prepared.one(user_id=cso_admin.pk, now=timezone.now())
    assert prepared.one(user_id=cso_admin.pk) == {"twice": cso_admin.pk + 1}


def test_no_row_is_an_error_not_a_silent_zero():
    prepared = PreparedQuery(
        lambda *, user_id: User.objects.filter(pk=user_id).values("email"),
        user_id=PLACEHOLDER_ID,
    )
    with pytest.raises(LookupError):
        prepared.one(user_id=10**12)


def test_the_statement_is_prepared_on_the_server_once(cso_admin):
    from django.db import connection

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
            return [row[0] for row in cursor.fetchall() if "organizations_endorsement" in row[0]]

    for _ in range(3):
        HEADER_COUNTS.one(user_id=cso_admin.pk, now=timezone.now())
    assert len(prepared()) == 1


def test_without_prepared_statements_the_query_still_runs(cso_admin):
    from django.db import connection

    prepared = PreparedQuery(
        lambda *, user_id: User.objects.filter(pk=user_id).values(unprepared_email=F("email")),
        user_id=PLACEHOLDER_ID,
    )
    connection.ensure_connection()
    connection.connection.prepare_threshold = None  # DATABASE_PREPARED_STATEMENTS=0
    try:
        for _ in range(3):
            assert prepared.one(user_id=cso_admin.pk) == {"unprepared_email": cso_admin.email}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%unprepared_email%"],
            )
            assert cursor.fetchone()[0] == 0
    finally:
        connection.connection.prepare_threshold = 5


def test_the_token_lookup_gives_the_token_and_user_the_orm_gives(cso_admin):
    from organizations.models import ApiToken
    from organizations.selectors import api_token_for_secret
    from organizations.services import api_token_create, api_token_revoke

    token, secret = api_token_create(user=cso_admin, name="sync", can_write=False)
    found = api_token_for_secret(secret)
    expected = ApiToken.objects.select_related("user").get(pk=token.pk)
    for model in (ApiToken, User):
        ours = found if model is ApiToken else found.user
        theirs = expected if model is ApiToken else expected.user
        for field in model._meta.concrete_fields:
            assert getattr(ours, field.attname) == getattr(theirs, field.attname), field.name
    assert found.user is found.user and not found._state.adding
    assert api_token_for_secret(secret + "x") is None
    User.objects.filter(pk=cso_admin.pk).update(is_active=False)
    assert api_token_for_secret(secret) is None
    User.objects.filter(pk=cso_admin.pk).update(is_active=True)
    api_token_revoke(token=token)
    assert api_token_for_secret(secret) is None


@pytest.mark.parametrize(
    "who", ["cso_admin", "enrolled_government_user", "enrolled_reviewer", "restricted_member"]
)
def test_the_roles_read_with_a_token_are_those_the_roles_query_reads(
    request, who, ministry, django_assert_num_queries
):
    """The token's query reads its user's roles too (one query for both on every token
    request): they must be what ``roles_now`` reads alone, for every kind of user."""
    from organizations.rules import memoised_for_this_request, roles_now
    from organizations.selectors import api_token_for_secret
    from organizations.services import api_token_create
    from tests.factories import MembershipFactory, OrganizationFactory

    if who == "restricted_member":
        at_risk = OrganizationFactory(visibility_tier="restricted")
        user = MembershipFactory(organization=at_risk).user
    else:
        user = request.getfixturevalue(who)
    _, secret = api_token_create(user=user, name="sync", can_write=False)
    alone = roles_now(user)
    assert alone["organizations"] or who == "enrolled_reviewer"
    with memoised_for_this_request():
        found = api_token_for_secret(secret)
        with django_assert_num_queries(0):
            assert roles_now(found.user) == alone


@pytest.mark.django_db(transaction=True)
def test_a_token_request_after_the_server_dropped_the_connection_answers(cso_admin):
    """The token lookup is the first query of an API request: on a connection the server has
    dropped it must reconnect, as Django's own cursors do, not answer 500."""
    import psycopg
    from django.db import close_old_connections, connection

    from tests.conftest import bearer

    if not connection.health_check_enabled:
        pytest.skip("CONN_HEALTH_CHECKS is off for this database")
    client = bearer(cso_admin)
    assert client.get("/api/v1/organizations/").status_code == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(**{**params, "autocommit": True}) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    # What request_started does before each request in production (the test client skips it).
    close_old_connections()
    assert client.get("/api/v1/organizations/").status_code == 200
    assert connection.connection.info.backend_pid != pid
