from django.urls import path
from rest_framework.routers import DefaultRouter

from dialogues.api.groups import WorkingGroupViewSet
from dialogues.api.meetings import MeetingViewSet
from dialogues.api.mine import ParticipationViewSet
from dialogues.api.outcomes import ActionPointViewSet
from gsx_portal.api_notifications import NotificationViewSet
from organizations.api import directory as organizations_api
from organizations.api.contacts import IntroductionViewSet
from organizations.api.members import MembershipViewSet
from organizations.api.requesters import RequesterVerificationViewSet
from recommendations.api.cycles import ReviewCycleViewSet
from recommendations.api.follows import FollowViewSet
from recommendations.api.progress import ImplementationUpdateViewSet, ResponseViewSet
from recommendations.api.recommendations import RecommendationViewSet
from recommendations.api.sources import SourceDocumentViewSet

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
router.register("working-groups", WorkingGroupViewSet, basename="working-group")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("participations", ParticipationViewSet, basename="participation")
router.register("action-points", ActionPointViewSet, basename="action-point")

# --- recommendations ---
router.register("source-documents", SourceDocumentViewSet, basename="source-document")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("responses", ResponseViewSet, basename="response")
router.register(
    "implementation-updates", ImplementationUpdateViewSet, basename="implementation-update"
)
router.register("review-cycles", ReviewCycleViewSet, basename="review-cycle")
router.register("follows", FollowViewSet, basename="follow")
# --- end recommendations ---

urlpatterns = [
    path("me/", organizations_api.MeView.as_view(), name="api-me"),
    *router.urls,
]
