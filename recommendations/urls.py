"""The recommendations' pages. Each area of the app keeps its routes in its own block below."""

from django.urls import path

from recommendations.views import (
    browse,
    catalogue,
    cycles,
    dashboard,
    detail,
    exports,
    following,
    imports,
    progress,
)

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

# The secretariat's catalogue, import and export (fixed paths before any <uuid> route).
urlpatterns += [
    path("recommendations/export.csv", exports.export_csv, name="export_csv"),
    path("recommendations/export.xlsx", exports.export_xlsx, name="export_xlsx"),
    path("recommendations/import/", imports.import_start, name="import"),
    path("recommendations/import/confirm/", imports.import_confirm, name="import_confirm"),
    path("recommendations/sources/", catalogue.source_list, name="sources"),
    path("recommendations/sources/new/", catalogue.source_new, name="source_new"),
    path(
        "recommendations/sources/<uuid:public_id>/edit/",
        catalogue.source_edit,
        name="source_edit",
    ),
    path("recommendations/new/", catalogue.recommendation_new, name="recommendation_new"),
    path(
        "recommendations/<uuid:public_id>/edit/",
        catalogue.recommendation_edit,
        name="recommendation_edit",
    ),
    path(
        "recommendations/<uuid:public_id>/publish/",
        catalogue.recommendation_publish,
        name="recommendation_publish",
    ),
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

# Browse
urlpatterns += [path("recommendations/", browse.recommendation_list, name="list")]
