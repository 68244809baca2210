"""The recommendations' pages. Each area of the app keeps its routes in its own block below."""

from django.urls import path

from recommendations.views import catalogue, exports, imports

app_name = "recommendations"

urlpatterns = []

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
