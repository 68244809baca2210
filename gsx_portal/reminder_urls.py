from django.urls import path

from gsx_portal import views_reminders as views

app_name = "reminders"

urlpatterns = [
    # The digests' footer links here: keep the name and the path.
    path("account/reminders/", views.preferences, name="preferences"),
    path("reminders/", views.log, name="log"),
    path("reminders/failed/", views.failed, name="failed"),
    path("reminders/failed/<int:pk>/retry/", views.retry, name="retry"),
    path("reminders/preview/", views.preview, name="preview"),
]
