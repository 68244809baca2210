"""The user's own notifications through the API: the same selector and services as the page."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gsx_portal.models import Notification
from gsx_portal.notifications import (
    notification_mark_read,
    notification_sentence,
    notifications_mark_all_read,
    notifications_of,
)


class NotificationOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    text = serializers.SerializerMethodField()
    unread = serializers.BooleanField(source="is_unread")

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "link", "created_at", "read_at", "unread"]

    def get_text(self, notification) -> str:
        return notification_sentence(notification)


class ReadAllOutput(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's notifications, newest first; another person's are not found (404)."""

    serializer_class = NotificationOutput
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-f-]{36}"
    queryset = Notification.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self):
        return notifications_of(self.request.user)

    @extend_schema(request=None, responses=NotificationOutput)
    @action(detail=True, methods=["post"])
    def read(self, request, id=None):
        notification = get_object_or_404(self.get_queryset(), public_id=id)
        notification_mark_read(notification=notification, user=request.user)
        return Response(NotificationOutput(notification).data)

    @extend_schema(request=None, responses=ReadAllOutput)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications_mark_all_read(user=request.user)})
