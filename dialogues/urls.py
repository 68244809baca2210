from django.urls import path

from dialogues.views import calendars, groups, invitations, meeting_list, meetings, mine

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
]
