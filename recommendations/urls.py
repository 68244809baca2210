"""The recommendations' pages. Each area of the app keeps its routes in its own block below."""

from django.urls import path

from recommendations.views import cycles, dashboard

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
