"""The recommendations' pages. Each area of the app keeps its routes in its own block below."""

from django.urls import path

app_name = "recommendations"

urlpatterns = []

# Browse
from recommendations.views.browse import recommendation_list  # noqa: E402

urlpatterns += [path("recommendations/", recommendation_list, name="list")]
