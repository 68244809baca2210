from django.urls import path

from dialogues.views import (
    calendars,
    groups,
    invitations,
    manage,
    meeting_list,
    meetings,
    mine,
    timeline,
    visa,
)

app_name = "dialogues"

urlpatterns = [
    path("meetings/", meeting_list.meeting_list, name="meetings"),
    path("meetings/mine/", mine.my_meetings, name="my_meetings"),
    path(
        "meetings/<uuid:public_id>/accept/", mine.participation_accept, name="participation_accept"
    ),
    path(
        "meetings/<uuid:public_id>/decline/",
        mine.participation_decline,
        name="participation_decline",
    ),
    path("calendar/new/", mine.calendar_feed_new, name="calendar_feed_new"),
    path("calendar/stop/", mine.calendar_feed_stop, name="calendar_feed_stop"),
    # The road to the convening: a year by working group and month.
    path("timeline/", timeline.timeline, name="timeline"),
    path("timeline/<int:year>/", timeline.timeline, name="timeline_year"),
    path("working-groups/", groups.working_group_list, name="working_groups"),
    # The conveners' pages (dialogues.views.manage).
    path("working-groups/new/", manage.working_group_new, name="working_group_new"),
    path("working-groups/<slug:slug>/edit/", manage.working_group_edit, name="working_group_edit"),
    path("meetings/new/", manage.meeting_new, name="meeting_new"),
    path("meetings/<uuid:public_id>/edit/", manage.meeting_edit, name="meeting_edit"),
    path("meetings/<uuid:public_id>/plan/", manage.meeting_plan, name="meeting_plan"),
    path(
        "meetings/<uuid:public_id>/open-invitations/",
        manage.meeting_open_invitations,
        name="meeting_open_invitations",
    ),
    path("meetings/<uuid:public_id>/confirm/", manage.meeting_confirm, name="meeting_confirm"),
    path("meetings/<uuid:public_id>/hold/", manage.meeting_hold, name="meeting_hold"),
    path(
        "meetings/<uuid:public_id>/publish-report/",
        manage.meeting_publish_report,
        name="meeting_publish_report",
    ),
    path("meetings/<uuid:public_id>/cancel/", manage.meeting_cancel, name="meeting_cancel"),
    path("meetings/<uuid:public_id>/report/", manage.meeting_report, name="meeting_report"),
    path("meetings/<uuid:public_id>/invite/", manage.meeting_invite, name="meeting_invite"),
    path(
        "meetings/<uuid:public_id>/participants/<uuid:participation_id>/attended/",
        manage.participation_attended,
        name="participation_attended",
    ),
    path(
        "meetings/<uuid:public_id>/participants/<uuid:participation_id>/no-show/",
        manage.participation_no_show,
        name="participation_no_show",
    ),
    path("meetings/<uuid:public_id>/agenda/new/", manage.agenda_item_edit, name="agenda_item_new"),
    path(
        "meetings/<uuid:public_id>/agenda/<uuid:item_id>/edit/",
        manage.agenda_item_edit,
        name="agenda_item_edit",
    ),
    path(
        "meetings/<uuid:public_id>/agenda/<uuid:item_id>/up/",
        manage.agenda_item_up,
        name="agenda_item_up",
    ),
    path(
        "meetings/<uuid:public_id>/agenda/<uuid:item_id>/down/",
        manage.agenda_item_down,
        name="agenda_item_down",
    ),
    path(
        "meetings/<uuid:public_id>/agenda/<uuid:item_id>/remove/",
        manage.agenda_item_remove,
        name="agenda_item_remove",
    ),
    path(
        "meetings/<uuid:public_id>/action-points/new/",
        manage.action_point_edit,
        name="action_point_new",
    ),
    path(
        "meetings/<uuid:public_id>/action-points/<uuid:point_id>/edit/",
        manage.action_point_edit,
        name="action_point_edit",
    ),
    path("working-groups/<slug:slug>/", groups.working_group_detail, name="working_group"),
    path("meetings/<uuid:public_id>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<uuid:public_id>.ics", calendars.meeting_ics, name="meeting_ics"),
    path("working-groups/<slug:slug>.ics", calendars.working_group_ics, name="working_group_ics"),
    path("calendar/<str:token>.ics", calendars.personal_feed, name="personal_feed"),
    path(
        "meetings/answer/<str:token>/<str:answer>/",
        invitations.answer_by_link,
        name="rsvp",
    ),
    # Visa support: the participant's passport facts, the conveners' letters, the PDF, and the
    # public check (under /verify/visa-letter/, which organizations' /verify/<code>/ never
    # matches: a code has no slash).
    path("meetings/<uuid:public_id>/visa/", visa.visa_details, name="visa_details"),
    path(
        "meetings/<uuid:public_id>/visa/remove/",
        visa.visa_details_remove,
        name="visa_details_remove",
    ),
    path("meetings/<uuid:public_id>/visa-letters/", visa.visa_letters, name="visa_letters"),
    path(
        "meetings/<uuid:public_id>/visa-letters/issue/<uuid:participation_id>/",
        visa.visa_letter_issue_view,
        name="visa_letter_issue",
    ),
    path(
        "meetings/<uuid:public_id>/visa-letters/<uuid:reference>/revoke/",
        visa.visa_letter_revoke_view,
        name="visa_letter_revoke",
    ),
    path(
        "meetings/<uuid:public_id>/visa-letters/<uuid:reference>.pdf",
        visa.visa_letter_download,
        name="visa_letter_pdf",
    ),
    path(
        "verify/visa-letter/<str:reference>/",
        visa.verify_visa_letter,
        name="verify_visa_letter",
    ),
]
