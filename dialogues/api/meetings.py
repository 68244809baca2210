"""Meetings through the API: what each caller may see of them (dialogues.selectors, as on the
meeting page), and their workflow as actions calling the services: answering an invitation,
inviting, moving a meeting along, recording attendance.

A meeting the caller may not see answers 404; one they see but may not act on answers 403
(a service's PermissionDenied), as the organizations API does; a service's refusal answers 400
with its message (gsx_portal.api_exceptions)."""

import functools

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from dialogues.api.mine import ParticipationOutput
from dialogues.api.references import (
    CountryCode,
    OrganizationReference,
    WorkingGroupReference,
)
from dialogues.filters import MeetingFilter
from dialogues.models import AgendaItem, Meeting, MeetingStatus, Participation
from dialogues.rules import may_manage_meeting
from dialogues.selectors import (
    agenda_of,
    may_see_join_link,
    meetings_audience,
    meetings_visible_to,
    my_participations,
    organizations_to_invite_for,
    participation_of,
)
from dialogues.services import (
    meeting_transition,
    participation_invite,
    participation_record_attendance,
    participation_respond,
)
from gsx_portal.api_conditional import ConditionalReadMixin
from gsx_portal.cached_pages import meetings_api_query
from organizations.models import Organization, User
from organizations.selectors import NETWORK_READER, organizations_visible_to, visibility_audience

# The meeting's own columns the list's body shows (MeetingOutput), for its validators.
MEETING_OUTPUT_COLUMNS = (
    *("public_id", "title", "kind", "status", "format", "starts_at", "ends_at", "timezone"),
    *("venue", "city", "country", "languages", "chatham_house", "capacity", "visa_lead_weeks"),
    *("created_at", "updated_at"),
)


class AgendaItemOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    theme = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "position", "kind", "title", "description", "theme", "starts_at", "ends_at"]


class MeetingOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    working_group = WorkingGroupReference(allow_null=True)
    country = CountryCode()
    venue = serializers.SerializerMethodField()
    visa_deadline = serializers.SerializerMethodField()
    host_organizations = OrganizationReference(
        many=True,
        source="visible_hosts",
        help_text="The host organizations you may see.",
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "kind",
            "status",
            "format",
            "working_group",
            "starts_at",
            "ends_at",
            "timezone",
            "venue",
            "city",
            "country",
            "languages",
            "chatham_house",
            "capacity",
            "visa_lead_weeks",
            "visa_deadline",
            "host_organizations",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_venue(self, meeting):
        """The venue, for signed-in callers (null for anonymous ones, as on the page)."""
        return meeting.venue if self.context["request"].user.is_authenticated else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_visa_deadline(self, meeting):
        """The day (venue's time zone) by which invitations and visa letters must be out;
        null for an online meeting."""
        deadline = meeting.visa_deadline
        return deadline.isoformat() if deadline else None


class MyParticipationOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField()


class MeetingDetailOutput(MeetingOutput):
    join_url = serializers.SerializerMethodField()
    cancellation_reason = serializers.SerializerMethodField()
    may_manage = serializers.SerializerMethodField()
    my_participation = serializers.SerializerMethodField()
    agenda = serializers.SerializerMethodField()

    class Meta(MeetingOutput.Meta):
        fields = [
            *MeetingOutput.Meta.fields,
            "join_url",
            "cancellation_reason",
            "may_manage",
            "my_participation",
            "agenda",
        ]

    def _user(self):
        return self.context["request"].user

    def _managing(self, meeting) -> bool:
        # Asked by several fields of one meeting: once.
        memo = self.__dict__.setdefault("_managing_memo", {})
        if meeting.pk not in memo:
            memo[meeting.pk] = bool(may_manage_meeting(self._user(), meeting))
        return memo[meeting.pk]

    def _mine(self, meeting):
        memo = self.__dict__.setdefault("_mine_memo", {})
        if meeting.pk not in memo:
            memo[meeting.pk] = participation_of(self._user(), meeting)
        return memo[meeting.pk]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_join_url(self, meeting):
        """The online join link: for accepted participants and the conveners only."""
        return meeting.join_url if may_see_join_link(self._user(), meeting) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cancellation_reason(self, meeting):
        """Why it was cancelled: for its conveners and the people invited to it."""
        if meeting.status != MeetingStatus.CANCELLED:
            return None
        if self._managing(meeting) or self._mine(meeting) is not None:
            return meeting.cancellation_reason
        return None

    def get_may_manage(self, meeting) -> bool:
        """Whether you convene it (invite, move it along, record attendance)."""
        return self._managing(meeting)

    @extend_schema_field(MyParticipationOutput(allow_null=True))
    def get_my_participation(self, meeting):
        """Your invitation to it and its status, if you are invited."""
        mine = self._mine(meeting)
        return MyParticipationOutput(mine).data if mine is not None else None

    @extend_schema_field(AgendaItemOutput(many=True))
    def get_agenda(self, meeting):
        return AgendaItemOutput(agenda_of(meeting, self._user()), many=True).data


class RsvpInput(serializers.Serializer):
    answer = serializers.ChoiceField(choices=["accept", "decline"])


class InviteInput(serializers.Serializer):
    user = serializers.UUIDField(required=False, help_text="The account's id (`/api/v1/me/`).")
    email = serializers.EmailField(required=False, help_text="Or an email address.")
    organization = serializers.UUIDField(
        help_text="The organization the person comes on behalf of (an account must belong to it)."
    )
    needs_visa = serializers.BooleanField(required=False, default=False)

    def validate(self, data):
        if ("user" in data) == ("email" in data):
            raise serializers.ValidationError(_("Invite an account (user) or an email address."))
        return data


class MeetingInvitationOutput(serializers.ModelSerializer):
    """An invitation as its meeting's conveners see it (never its answer token)."""

    id = serializers.UUIDField(source="public_id")
    user = serializers.UUIDField(source="user.public_id", allow_null=True, default=None)
    organization = OrganizationReference()

    class Meta:
        model = Participation
        fields = [
            "id",
            "user",
            "email",
            "organization",
            "status",
            "needs_visa",
            "invited_at",
            "responded_at",
        ]


class TransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=MeetingStatus.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Needed to cancel."
    )


class TransitionOutput(serializers.Serializer):
    meeting = MeetingDetailOutput()
    warnings = serializers.ListField(child=serializers.CharField())


class AttendanceInput(serializers.Serializer):
    participation = serializers.UUIDField(help_text="The invitation's id.")
    attended = serializers.BooleanField()


@extend_schema_view(
    list=extend_schema(summary="Meetings you may see", responses=MeetingOutput(many=True)),
    retrieve=extend_schema(summary="A meeting", responses=MeetingDetailOutput),
)
class MeetingViewSet(ConditionalReadMixin, viewsets.ReadOnlyModelViewSet):
    """Meetings the caller may see (dialogues.selectors.meetings_visible_to): anonymous
    clients the public events past their draft, signed-in callers every meeting past its
    draft and the drafts they manage. Soonest first (latest first with ``when=past``).

    The list carries an ETag and Last-Modified (gsx_portal/api_conditional.py), and its answer
    is shared by the callers who see the same meetings and host organizations (``reader_key``);
    the detail shows the caller's own invitation and role, and is answered for each."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_class = MeetingFilter
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    # Bump when MeetingOutput's body changes for the same data (no client keeps an old body).
    representation = "meeting-1"
    conditional_actions = ("list",)

    def get_serializer_class(self):
        return MeetingOutput if self.action == "list" else MeetingDetailOutput

    @functools.cached_property
    def audience(self) -> str | None:
        """Who else gets the same list: "anonymous", "network" (sees every meeting past its
        draft and the public and network organizations), or None (their own)."""
        user = self.request.user
        if not user.is_authenticated:
            return "anonymous"
        if meetings_audience(user) == "network" and visibility_audience(user) == "network":
            return "network"
        return None

    def reader_key(self, request) -> str | None:
        return f"meetings:{self.audience}" if self.audience else None

    def shareable_query(self, request) -> str | None:
        # The first pages of the whole list, coming or past: bounded keys. Filtered lists are
        # answered for each caller.
        if self.action != "list":
            return None
        return meetings_api_query(request.GET)

    def object_validator(self, meeting) -> str:
        # The stored values the body shows, as fetched, with the group's and the hosts'.
        row = meeting.__dict__
        group = meeting.working_group
        return repr(
            (
                [row[column] for column in MEETING_OUTPUT_COLUMNS],
                (group.public_id, group.slug, group.name) if group else None,
                [(host.public_id, host.name) for host in meeting.visible_hosts],
            )
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Meeting.objects.none()
        user = self.request.user
        # A shared list's hosts are those of its audience, not read again for the caller: a
        # membership that changes during this request must not slip into what others get.
        reader = NETWORK_READER if self.action == "list" and self.audience == "network" else None
        hosts = (
            organizations_visible_to(user, reader=reader).only("public_id", "name").order_by("name")
        )
        return (
            meetings_visible_to(user)
            .select_related("working_group")
            .prefetch_related(Prefetch("host_organizations", hosts, to_attr="visible_hosts"))
            .order_by("starts_at", "id")
        )

    def filter_queryset(self, queryset):
        # A meeting is addressed by its id alone: the list's filters do not apply to it.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _detail(self, meeting) -> dict:
        meeting = self.get_queryset().get(pk=meeting.pk)  # with what the output reads
        return MeetingDetailOutput(meeting, context=self.get_serializer_context()).data

    def _managed(self) -> Meeting:
        """The meeting, for its conveners: 404 if the caller may not see it, 403 if they
        see it without convening it."""
        meeting = self.get_object()
        if not may_manage_meeting(self.request.user, meeting):
            raise PermissionDenied
        return meeting

    @extend_schema(responses=AgendaItemOutput(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def agenda(self, request, public_id=None):
        """The agenda, in order (none while the meeting is a draft, but for its conveners)."""
        meeting = self.get_object()
        return Response(AgendaItemOutput(agenda_of(meeting, request.user), many=True).data)

    @extend_schema(request=RsvpInput, responses=ParticipationOutput)
    @action(detail=True, methods=["post"])
    def rsvp(self, request, public_id=None):
        """Accept or decline your invitation (404 if you are not invited). Beyond the
        meeting's capacity an acceptance joins the waiting list (status ``waitlisted``)."""
        meeting = self.get_object()
        data = RsvpInput(data=request.data)
        data.is_valid(raise_exception=True)
        mine = my_participations(request.user).filter(meeting=meeting).first()
        if mine is None:
            raise NotFound
        participation_respond(
            participation=mine, accept=data.validated_data["answer"] == "accept", by=request.user
        )
        answered = my_participations(request.user).get(pk=mine.pk)
        return Response(ParticipationOutput(answered).data)

    @extend_schema(request=InviteInput, responses={201: MeetingInvitationOutput})
    @action(detail=True, methods=["post"])
    def invite(self, request, public_id=None):
        """Invite an account or an email address on behalf of an organization (the meeting's
        conveners, while invitations are open or the meeting is confirmed). The invitation
        email carries the answer links; the answer token is never in the API."""
        meeting = self._managed()
        data = InviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        invitee = None
        if "user" in values:
            invitee = User.objects.filter(public_id=values["user"], is_active=True).first()
            if invitee is None:
                raise ValidationError({"user": [_("No account has this id.")]})
        organization = _on_behalf_of(request.user, values["organization"], invitee)
        participation, _raw = participation_invite(
            meeting=meeting,
            by=request.user,
            organization=organization,
            user=invitee,
            email=values.get("email", ""),
            needs_visa=values["needs_visa"],
        )
        return Response(MeetingInvitationOutput(participation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionInput, responses=TransitionOutput)
    @action(detail=True, methods=["post"])
    def transition(self, request, public_id=None):
        """Move the meeting to another status (its conveners): draft → planned →
        invitations_open → confirmed → held → report_published, or cancelled (with a reason)
        before it is held. Answers the meeting and the warnings its conveners should see
        (invitations opened or confirmed after the visa deadline)."""
        meeting = self._managed()
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        meeting, warnings = meeting_transition(
            meeting=meeting,
            to=data.validated_data["to"],
            by=request.user,
            reason=data.validated_data.get("reason", ""),
        )
        return Response({"meeting": self._detail(meeting), "warnings": warnings})

    @extend_schema(request=AttendanceInput, responses=MeetingInvitationOutput)
    @action(detail=True, methods=["post"])
    def attendance(self, request, public_id=None):
        """Record whether an accepted participant came (its conveners, once it has started)."""
        meeting = self._managed()
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        participation = (
            meeting.participations.select_related("user", "organization")
            .filter(public_id=data.validated_data["participation"])
            .first()
        )
        if participation is None:
            unknown = _("No invitation to this meeting has this id.")
            raise ValidationError({"participation": [unknown]})
        recorded = participation_record_attendance(
            participation=participation, attended=data.validated_data["attended"], by=request.user
        )
        return Response(MeetingInvitationOutput(recorded).data)


def _on_behalf_of(by, public_id, invitee) -> Organization:
    """The organization an invitation is on behalf of: one of the invited account's, or one
    the convener may see (an email address's); a restricted organization of neither is
    unknown here, as everywhere else."""
    found = organizations_to_invite_for(by, invitee=invitee).filter(public_id=public_id).first()
    if found is None:
        raise ValidationError({"organization": [_("No organization you may see has this id.")]})
    return found
