from django.urls import path
from rest_framework.routers import DefaultRouter

from gsx_portal.api_notifications import NotificationViewSet
from organizations import api as organizations_api
from organizations.api_contacts import IntroductionViewSet
from organizations.api_members import MembershipViewSet
from organizations.api_requesters import RequesterVerificationViewSet

router = DefaultRouter()
router.register("organizations", organizations_api.OrganizationViewSet, basename="organization")
router.register("themes", organizations_api.ThemeViewSet, basename="theme")
router.register("criteria", organizations_api.CriterionViewSet, basename="criterion")
router.register("introductions", IntroductionViewSet, basename="introduction")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("notifications", NotificationViewSet, basename="notification")
router.register(
    "requester-verifications", RequesterVerificationViewSet, basename="requester-verification"
)

urlpatterns = [
    path("me/", organizations_api.MeView.as_view(), name="api-me"),
    *router.urls,
]
