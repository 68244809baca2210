"""The conveners' pages: working groups and meetings created and edited, the workflow's steps
(one POST view per step, named like the API's), the agenda, invitations, attendance, action
points and the report. Someone who may not manage the meeting gets 404, as if it did not
exist, and nothing changes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dialogues import services
from dialogues.forms import (
    ActionPointForm,
    AgendaItemForm,
    CancellationForm,
    InvitationForm,
    MeetingForm,
    ReportForm,
    WorkingGroupForm,
)
from dialogues.models import MeetingStatus
from dialogues.reports import render_report, speakers_named
from dialogues.rules import (
    may_create_working_group,
    may_manage_meeting,
    may_manage_working_group,
    may_schedule_meetings,
)
from dialogues.selectors import (
    action_points_carried_to,
    meetings_visible_to,
    working_groups_managed_by,
    working_groups_visible_to,
)
from organizations.views.confirm import confirmation, with_names


def _managed_meeting(request, public_id):
    meeting = get_object_or_404(
        meetings_visible_to(request.user).select_related("working_group"), public_id=public_id
    )
    if not may_manage_meeting(request.user, meeting):
        raise Http404
    return meeting


def _managed_group(request, slug):
    group = get_object_or_404(working_groups_visible_to(request.user), slug=slug)
    if not may_manage_working_group(request.user, group):
        raise Http404
    return group


def _to_form(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, next to the field it names when it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _meeting_page(meeting):
    return redirect("dialogues:meeting", public_id=meeting.public_id)


def _meeting_url(meeting, anchor: str) -> str:
    return reverse("dialogues:meeting", args=[meeting.public_id]) + "#" + anchor


def _private(response):
    response["Cache-Control"] = "no-store, private"
    return response


# --- Working groups -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def working_group_new(request):
    if not may_create_working_group(request.user):
        raise Http404
    form = WorkingGroupForm(request.POST or None, creating=True, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.working_group_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The working group was created."))
            return redirect("dialogues:working_group", slug=group.slug)
    return _private(
        render(request, "dialogues/manage/working_group_form.html", {"form": form, "group": None})
    )


@require_http_methods(["GET", "POST"])
def working_group_edit(request, slug):
    group = _managed_group(request, slug)
    form = WorkingGroupForm(request.POST or None, instance=group, creating=False, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.working_group_update(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The working group was saved."))
            return redirect("dialogues:working_group", slug=group.slug)
    return _private(
        render(request, "dialogues/manage/working_group_form.html", {"form": form, "group": group})
    )


# --- Meetings -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_new(request):
    user = request.user
    if not may_schedule_meetings(user):
        raise Http404
    groups = working_groups_managed_by(user)
    initial = {}
    if chosen := groups.filter(slug=request.GET.get("group", "")[:80]).first():
        initial = {"working_group": chosen, "kind": "working_group_meeting"}
    form = MeetingForm(request.POST or None, user=user, groups=groups, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                by=user, working_group=form.cleaned_data["working_group"], **form.meeting_fields()
            )
        except PermissionDenied:
            form.add_error(
                "working_group",
                _("Only the secretariat and conveners add meetings without a group."),
            )
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "The meeting was created as a draft: only its conveners see it until it is "
                    "planned."
                ),
            )
            return _meeting_page(meeting)
    return _private(
        render(request, "dialogues/manage/meeting_form.html", {"form": form, "meeting": None})
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request, public_id):
    meeting = _managed_meeting(request, public_id)
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, by=request.user, **form.meeting_fields())
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The meeting was saved."))
            return _meeting_page(meeting)
    return _private(
        render(request, "dialogues/manage/meeting_form.html", {"form": form, "meeting": meeting})
    )


def _transition(request, public_id, to: str):
    meeting = _managed_meeting(request, public_id)
    try:
        meeting, warnings = services.meeting_transition(meeting=meeting, to=to, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The meeting is now: %(status)s.") % {"status": MeetingStatus(to).label},
        )
        for warning in warnings:
            messages.warning(request, warning)
    return _meeting_page(meeting)


@require_POST
def meeting_plan(request, public_id):
    return _transition(request, public_id, MeetingStatus.PLANNED)


@require_POST
def meeting_open_invitations(request, public_id):
    return _transition(request, public_id, MeetingStatus.INVITATIONS_OPEN)


@require_POST
def meeting_confirm(request, public_id):
    return _transition(request, public_id, MeetingStatus.CONFIRMED)


@require_POST
def meeting_hold(request, public_id):
    return _transition(request, public_id, MeetingStatus.HELD)


@require_POST
def meeting_publish_report(request, public_id):
    meeting = _managed_meeting(request, public_id)
    if meeting.status == MeetingStatus.HELD:
        try:
            services.meeting_transition(
                meeting=meeting, to=MeetingStatus.REPORT_PUBLISHED, by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("dialogues:meeting_report", public_id=meeting.public_id)
        messages.success(request, _("The report is published."))
        return _meeting_page(meeting)
    return _transition(request, public_id, MeetingStatus.REPORT_PUBLISHED)


@require_http_methods(["GET", "POST"])
def meeting_cancel(request, public_id):
    meeting = _managed_meeting(request, public_id)
    form = CancellationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_transition(
                meeting=meeting,
                to=MeetingStatus.CANCELLED,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The meeting was cancelled; its participants are told."))
            return _meeting_page(meeting)
    return _private(
        confirmation(
            request,
            title=with_names(_("Cancel %(title)s?"), title=meeting.title),
            explanation=_(
                "Everyone who accepted or is on the waiting list is told by email, with the "
                "reason you give. A cancelled meeting cannot be opened again."
            ),
            confirm_label=_("Cancel the meeting"),
            cancel_label=_("Keep the meeting"),
            cancel_url=reverse("dialogues:meeting", args=[meeting.public_id]),
            form=form,
            status=400 if form.errors else 200,
        )
    )


# --- Agenda ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def agenda_item_edit(request, public_id, item_id=None):
    meeting = _managed_meeting(request, public_id)
    item = get_object_or_404(meeting.agenda_items, public_id=item_id) if item_id else None
    form = AgendaItemForm(request.POST or None, instance=item, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        speakers = fields.pop("speakers")
        try:
            if item is None:
                services.agenda_item_add(
                    meeting=meeting, by=request.user, speakers=speakers, **fields
                )
            else:
                services.agenda_item_update(item=item, by=request.user, speakers=speakers, **fields)
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The agenda was saved."))
            return redirect(_meeting_url(meeting, "agenda-title"))
    return _private(
        render(
            request,
            "dialogues/manage/agenda_item_form.html",
            {"form": form, "meeting": meeting, "item": item},
        )
    )


def _move(request, public_id, item_id, *, up: bool):
    meeting = _managed_meeting(request, public_id)
    item = get_object_or_404(meeting.agenda_items, public_id=item_id)
    try:
        services.agenda_item_move(item=item, by=request.user, up=up)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            with_names(_("Moved up: %(title)s."), title=item.title)
            if up
            else with_names(_("Moved down: %(title)s."), title=item.title),
        )
    return redirect(
        reverse("dialogues:meeting", args=[meeting.public_id]) + f"#item-{item.public_id}"
    )


@require_POST
def agenda_item_up(request, public_id, item_id):
    return _move(request, public_id, item_id, up=True)


@require_POST
def agenda_item_down(request, public_id, item_id):
    return _move(request, public_id, item_id, up=False)


@require_http_methods(["GET", "POST"])
def agenda_item_remove(request, public_id, item_id):
    meeting = _managed_meeting(request, public_id)
    item = get_object_or_404(meeting.agenda_items, public_id=item_id)
    back = reverse("dialogues:meeting", args=[meeting.public_id]) + "#agenda-title"
    if request.method == "POST":
        try:
            services.agenda_item_remove(item=item, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The agenda item was removed."))
        return redirect(back)
    return _private(
        confirmation(
            request,
            title=with_names(_("Remove %(title)s from the agenda?"), title=item.title),
            explanation=_("Action points that came from it stay, without the link to it."),
            confirm_label=_("Remove the item"),
            cancel_url=back,
        )
    )


# --- Invitations and attendance ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_invite(request, public_id):
    meeting = _managed_meeting(request, public_id)
    form = InvitationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_invite(
                meeting=meeting,
                by=request.user,
                email=form.cleaned_data["email"],
                organization=form.cleaned_data["organization"],
                needs_visa=form.cleaned_data["needs_visa"],
            )
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(
                request,
                with_names(_("%(email)s is invited."), email=form.cleaned_data["email"]),
            )
            # Another invitation, with the organization kept: people are often invited by
            # organization.
            return redirect(
                reverse("dialogues:meeting_invite", args=[meeting.public_id])
                + "?organization="
                + form.cleaned_data["organization"].slug
            )
    elif request.method == "GET":
        form = InvitationForm(
            initial={"organization": request.GET.get("organization", "")[:80]}, user=request.user
        )
    return _private(
        render(request, "dialogues/manage/invite.html", {"form": form, "meeting": meeting})
    )


def _attendance(request, public_id, participation_id, *, attended: bool):
    meeting = _managed_meeting(request, public_id)
    participation = get_object_or_404(meeting.participations, public_id=participation_id)
    try:
        services.participation_record_attendance(
            participation=participation, attended=attended, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("dialogues:meeting", args=[meeting.public_id]) + "#participants-title")


@require_POST
def participation_attended(request, public_id, participation_id):
    return _attendance(request, public_id, participation_id, attended=True)


@require_POST
def participation_no_show(request, public_id, participation_id):
    return _attendance(request, public_id, participation_id, attended=False)


# --- Outcomes -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def action_point_edit(request, public_id, point_id=None):
    """Add an action point to the meeting, or change one of its own or one carried over to it
    from an earlier meeting of the same working group."""
    meeting = _managed_meeting(request, public_id)
    point = None
    if point_id:
        point = (
            meeting.action_points.filter(public_id=point_id).first()
            or action_points_carried_to(meeting, request.user).filter(public_id=point_id).first()
        )
        if point is None:
            raise Http404
    form = ActionPointForm(request.POST or None, instance=point, meeting=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            if point is None:
                services.action_point_add(meeting=meeting, by=request.user, **fields)
            else:
                carried = point.meeting_id != meeting.pk
                services.action_point_update(
                    point=point, by=request.user, at_meeting=meeting if carried else None, **fields
                )
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The action point was saved."))
            return redirect(_meeting_url(meeting, "actions-title"))
    return _private(
        render(
            request,
            "dialogues/manage/action_point_form.html",
            {"form": form, "meeting": meeting, "point": point},
        )
    )


# --- Report ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_report(request, public_id):
    """Write the report, see it as readers will, then publish it (a step of the workflow)."""
    meeting = _managed_meeting(request, public_id)
    form = ReportForm(request.POST or None, initial={"report": meeting.report})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_report_write(
                meeting=meeting, by=request.user, report=form.cleaned_data["report"]
            )
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The report was saved; it is not published yet."))
            return redirect("dialogues:meeting_report", public_id=meeting.public_id)
    text = form.data.get("report", meeting.report) if form.is_bound else meeting.report
    named = speakers_named(meeting, text) if meeting.chatham_house else []
    return _private(
        render(
            request,
            "dialogues/manage/report.html",
            {
                "form": form,
                "meeting": meeting,
                "preview": render_report(text),
                "named": named,
                "may_publish": meeting.status == MeetingStatus.HELD and meeting.report,
            },
            status=400 if form.errors else 200,
        )
    )
