from django.urls import path

from dialogues.views import calendars, groups, invitations, meetings

app_name = "dialogues"

urlpatterns = [
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
