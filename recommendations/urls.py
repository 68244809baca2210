"""The recommendations' pages. Each area of the app keeps its routes in its own block below."""

from django.urls import path  # noqa: F401  (the blocks below add their routes)

app_name = "recommendations"

urlpatterns = []
