from django.urls import path

from dialogues.views import invitations

app_name = "dialogues"

urlpatterns = [
    path(
        "meetings/answer/<str:token>/<str:answer>/",
        invitations.answer_by_link,
        name="rsvp",
    ),
]
