from django.urls import path

from gsx_portal import views_notifications as views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notifications_read_all, name="read_all"),
    path("<uuid:public_id>/open/", views.notification_open, name="open"),
]
