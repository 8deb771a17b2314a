"""`/api/v1/connections/`: the organisation's links to its bank and bookkeeping, with their sync
status, and "Sync now" as the connection screen offers it (the same rate limit). No credential,
token or provider setting ever leaves through it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response

from api.views.base import OrganizationViewSet
from core.ratelimit import check as rate_check
from integrations import services
from integrations.models import Connection, ConnectionStatus
from integrations.runner import is_syncing


class ConnectionSerializer(serializers.ModelSerializer[Connection]):
    name = serializers.CharField(source="__str__", read_only=True)
    needs_reauth = serializers.SerializerMethodField(
        help_text="The provider's consent lapsed: an admin must re-authorise the connection in the app."
    )
    syncing = serializers.SerializerMethodField(help_text="A sync of this connection is running now.")
    last_error = serializers.CharField(read_only=True, help_text="The last failed sync's message; blank after success.")
    next_run_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the next scheduled sync runs."
    )

    class Meta:
        model = Connection
        fields = [
            "id",
            "provider",
            "name",
            "status",
            "needs_reauth",
            "syncing",
            "last_attempt_at",
            "last_success_at",
            "next_run_at",
            "sync_interval_minutes",
            "consecutive_failures",
            "last_error",
            "consent_expires_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_needs_reauth(self, connection: Connection) -> bool:
        return connection.status == ConnectionStatus.NEEDS_REAUTH

    def get_syncing(self, connection: Connection) -> bool:
        return is_syncing(connection)


class ConnectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet[Connection]):
    # Only what the status shows: the provider's settings stay in the database.
    queryset = Connection.objects.defer("config")
    serializer_class = ConnectionSerializer

    @extend_schema(
        request=None,
        responses={
            202: inline_serializer(
                "SyncRequested",
                {
                    "queued": serializers.BooleanField(
                        help_text="True: a sync is queued; false: one was already running, it stands for this one."
                    ),
                    "connection": ConnectionSerializer(),
                },
            )
        },
    )
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str) -> Response:
        """Sync now, as the connection's "Sync now" button: its progress shows in the connection's status."""
        connection = self.get_object()
        wait = rate_check(request._request, "sync")
        if wait is not None:
            raise Throttled(wait, gettext("Syncs were asked for too often."))
        queued = services.request_sync(connection)
        body: dict[str, Any] = {"queued": queued, "connection": self.get_serializer(connection).data}
        return Response(body, status=status.HTTP_202_ACCEPTED)
