from django.urls import path
from rest_framework.routers import DefaultRouter

from organizations import api as organizations_api

router = DefaultRouter()

urlpatterns = [
    path("me/", organizations_api.MeView.as_view(), name="api-me"),
    *router.urls,
]
