"""Outlets and sources."""

from django.db.models import Count

from core.api.views import ContentViewSet
from sources.api.serializers import OutletSerializer, SourceListSerializer, SourceSerializer
from sources.filtersets import OutletFilterSet, SourceFilterSet
from sources.models import Outlet, Source


class OutletViewSet(ContentViewSet):
    """Publishers of the source documents. An outlet is recorded only where a text names it."""

    queryset = Outlet.objects.annotate(source_count=Count("sources")).order_by("name", "pk")
    serializer_class = OutletSerializer
    filterset_class = OutletFilterSet
    ordering_fields = ["name", "slug", "country", "created_at", "updated_at"]


class SourceViewSet(ContentViewSet):
    """Source documents, each with its full text exactly as published and its SHA-256.

    Lists leave the text out; the detail endpoint has it. Every quote and citation points at a
    span of a source's text, by character offsets.
    """

    queryset = Source.objects.select_related("outlet").defer("search_vector").order_by("pk")
    serializer_class = SourceSerializer
    list_serializer_class = SourceListSerializer
    list_deferred_fields = ("text",)
    filterset_class = SourceFilterSet
    ordering_fields = ["title", "slug", "published_on", "language", "created_at", "updated_at"]
