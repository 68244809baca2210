from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gsx_portal import bench, views

# The admin's own login form would bypass email verification, rate limits and MFA.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "GSX Portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("notifications/", include("gsx_portal.notification_urls")),
    # Reminder emails: each person's preferences, the secretariat's log (gsx_portal.reminders).
    path("", include("gsx_portal.reminder_urls")),
    path("verify/", views.verify_letter_lookup, name="verify_lookup"),
    path(
        "invitations/<uuid:public_id>/accept/",
        views.invitation_accept_from_home,
        name="invitation_accept_from_home",
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("dialogues.urls")),
    path("", include("recommendations.urls")),
    path("", include("organizations.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("gsx_portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# The yardstick of `make bench`; it never exists unless GSX_BENCH=1 (bench/run.py sets it).
if settings.BENCH:
    urlpatterns.append(path("bench/hello/", bench.hello, name="bench-hello"))

handler403 = "gsx_portal.errors.permission_denied"
handler404 = "gsx_portal.errors.page_not_found"
handler500 = "gsx_portal.errors.server_error"
