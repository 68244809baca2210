"""The recommendations' pages. Each area of the app keeps its routes in its own block below."""

from django.urls import path

from recommendations.views import cycles, dashboard, detail, following, progress

app_name = "recommendations"

urlpatterns = []

# Review cycles and the dashboard
urlpatterns += [
    path("recommendations/dashboard/", dashboard.dashboard, name="dashboard"),
    path("review-cycles/", cycles.cycle_list, name="cycles"),
    path("review-cycles/new/", cycles.cycle_new, name="cycle_new"),
    path("review-cycles/<uuid:public_id>/", cycles.cycle_detail, name="cycle"),
    path("review-cycles/<uuid:public_id>/edit/", cycles.cycle_edit, name="cycle_edit"),
    path("review-cycles/<uuid:public_id>/open/", cycles.cycle_open, name="cycle_open"),
    path("review-cycles/<uuid:public_id>/close/", cycles.cycle_close, name="cycle_close"),
]

# The recommendation page, responses, updates, moderation, following
urlpatterns += [
    path("recommendations/<uuid:public_id>/", detail.recommendation_detail, name="detail"),
    path(
        "recommendations/ref/<path:reference>",
        detail.recommendation_by_reference,
        name="by_reference",
    ),
    path("recommendations/sources/<uuid:public_id>/", detail.source_detail, name="source"),
    path(
        "recommendations/<uuid:public_id>/responses/<uuid:response_id>/",
        progress.respond,
        name="respond",
    ),
    path("recommendations/<uuid:public_id>/self-report/", progress.self_report, name="self_report"),
    path("recommendations/<uuid:public_id>/assess/", progress.assess, name="assess"),
    path(
        "recommendations/updates/<uuid:public_id>/hide/", progress.update_hide, name="update_hide"
    ),
    path("recommendations/moderation/", progress.moderation, name="moderation"),
    path("recommendations/follow/", following.follow, name="follow"),
    path("recommendations/follow/<int:pk>/stop/", following.unfollow, name="unfollow"),
    path("recommendations/following/", following.following, name="following"),
]
