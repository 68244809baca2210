from django.urls import path

from dialogues.views import calendars, groups, invitations, meetings, mine, visa

app_name = "dialogues"

urlpatterns = [
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
    path("working-groups/", groups.working_group_list, name="working_groups"),
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
