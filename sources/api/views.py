"""Outlets and sources."""

from django.db.models import Count
from rest_framework import viewsets

from config.conditional import ConditionalMixin
from config.history import HistoryMixin
from config.pagination import CountedKeysetPagination
from sources.api.serializers import OutletSerializer, SourceListSerializer, SourceSerializer
from sources.filtersets import OutletFilterSet, SourceFilterSet
from sources.models import Citation, Outlet, Source


def citations_with_context():
    """Citations ready to serialize: their source in brief and the text around each span."""
    return (
        Citation.objects.select_related("source")
        .defer("source__text", "source__search_vector")
        .with_context()
    )


class OutletViewSet(ConditionalMixin, HistoryMixin, viewsets.ModelViewSet):
    """Publishers of the source documents. An outlet is recorded only where a text names it."""

    queryset = Outlet.objects.annotate(source_count=Count("sources")).order_by("name", "pk")
    serializer_class = OutletSerializer
    filterset_class = OutletFilterSet
    pagination_class = CountedKeysetPagination
    ordering_fields = ["name", "slug", "country", "created_at", "updated_at"]


class SourceViewSet(ConditionalMixin, HistoryMixin, viewsets.ModelViewSet):
    """Source documents, each with its full text exactly as published and its SHA-256.

    Lists leave the text out; the detail endpoint has it. Every quote and citation points at a
    span of a source's text, by character offsets.
    """

    queryset = Source.objects.select_related("outlet").defer("search_vector").order_by("pk")
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    pagination_class = CountedKeysetPagination
    ordering_fields = ["title", "slug", "published_on", "language", "created_at", "updated_at"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = queryset.defer("text")
        return queryset

    def get_serializer_class(self):
        return SourceListSerializer if self.action == "list" else SourceSerializer
