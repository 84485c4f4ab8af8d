"""Outlets and sources."""

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.conditional import etag_for
from core.api.views import ContentViewSet
from sources import importing
from sources.api.jsonld import SOURCE_JSONLD
from sources.api.serializers import (
    OutletSerializer,
    SourceListSerializer,
    SourceSerializer,
    SourceUploadSerializer,
    duplicate,
)
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
    jsonld = SOURCE_JSONLD

    @extend_schema(
        summary="Import a text file as a source",
        description="Upload a text file (multipart/form-data, field `file`): it becomes a source "
        "holding its text byte for byte. The title and the publication date are proposed from "
        "the text where it states them (see the source's `published_on_note`) unless given. "
        "A file that is empty, binary or not in its encoding is a 400 naming `file`; the same "
        "text already imported is a 409 naming the source it is.",
        request=SourceUploadSerializer,
        responses={201: SourceSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser],
        serializer_class=SourceUploadSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def upload(self, request, *args, **kwargs):
        upload = SourceUploadSerializer(data=request.data, context=self.get_serializer_context())
        upload.is_valid(raise_exception=True)
        given = upload.validated_data
        try:
            text = importing.read_text(given["file"].read(), given.get("encoding"))
            source, _ = importing.import_text(
                text,
                title=given.get("title"),
                published_on=given.get("published_on"),
                outlet=given.get("outlet"),
                language=given.get("language"),
                url=given.get("link", ""),
            )
        except importing.DuplicateSource as exc:
            raise duplicate(exc.existing, request) from exc
        except importing.ImportRefused as exc:
            attr = exc.code if exc.code in {"title", "published_on"} else "file"
            code = {"empty": "empty", "title": "required"}.get(exc.code, "invalid")
            detail = {attr: [exceptions.ErrorDetail(exc.message, code)]}
            raise exceptions.ValidationError(detail) from exc
        body = SourceSerializer(source, context=self.get_serializer_context()).data
        location = reverse("source-detail", kwargs={"pk": source.pk}, request=request)
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={"Location": location, "ETag": etag_for(source)},
        )
