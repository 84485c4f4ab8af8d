"""Serializers of outlets, sources and citations."""

from django.db import transaction
from rest_framework import serializers

from core.api.fields import IdentityURLField, PartialDateDisplayField, StrictURLField
from core.api.serializers import (
    BriefRelatedField,
    ContentSerializer,
    ModelValidationMixin,
    StrictModelSerializer,
    partial_date_fields,
)
from sources import services
from sources.models import Citation, Outlet, Source


class OutletSerializer(ModelValidationMixin, ContentSerializer):
    source_count = serializers.SerializerMethodField(help_text="Sources published by the outlet.")

    class Meta:
        model = Outlet
        fields = [
            "id",
            "url",
            "display",
            "name",
            "slug",
            "website",
            "country",
            "note",
            "source_count",
            "created_at",
            "updated_at",
        ]
        brief_fields = ["id", "url", "display", "slug"]
        read_only_fields = ["created_at", "updated_at"]

    def get_source_count(self, obj) -> int:
        count = getattr(obj, "source_count", None)
        return obj.sources.count() if count is None else count


class SourceSerializer(ModelValidationMixin, ContentSerializer):
    """A source document; the full text only on the detail endpoint."""

    # Declared: the model has a field named `url` of its own (served here as `link`).
    url = IdentityURLField(view_name="source-detail")
    outlet = BriefRelatedField(queryset=Outlet.objects.all(), allow_null=True, required=False)
    published_on_display = PartialDateDisplayField("published_on")
    link = StrictURLField(
        source="url",
        max_length=500,
        allow_blank=True,
        required=False,
        help_text="Where the document was published, where known.",
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "url",
            "display",
            "title",
            "original_title",
            "slug",
            "outlet",
            "outlet_note",
            *partial_date_fields("published_on"),
            "language",
            "original_language",
            "link",
            "seed_file",
            "sha256",
            "text",
            "created_at",
            "updated_at",
        ]
        brief_fields = ["id", "url", "display", "slug"]
        read_only_fields = ["sha256", "seed_file", "created_at", "updated_at"]


class SourceListSerializer(SourceSerializer):
    """Sources in a list: everything but the full text."""

    class Meta(SourceSerializer.Meta):
        fields = [name for name in SourceSerializer.Meta.fields if name != "text"]


class CitationSerializer(StrictModelSerializer):
    """A cited span of a source, with the text around it. Written as source id, start, end and
    the text at the span; the span is checked against the source."""

    source = BriefRelatedField(queryset=Source.objects.all())
    context_before = serializers.SerializerMethodField(
        help_text="Up to 200 characters of the source before the span."
    )
    context_after = serializers.SerializerMethodField(
        help_text="Up to 200 characters of the source after the span."
    )

    class Meta:
        model = Citation
        fields = ["id", "source", "start", "end", "text", "context_before", "context_after"]
        read_only_fields = ["id"]
        # The same span may be cited by several facts: uniqueness is handled on save.
        validators = []

    def get_context_before(self, obj) -> str:
        return obj.context[0]

    def get_context_after(self, obj) -> str:
        return obj.context[1]

    def validate(self, attrs):
        errors = Citation(**attrs).span_errors()
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CitingSerializerMixin:
    """Writes a fact and its citations in one transaction: all of it or none of it."""

    def create(self, validated_data):
        citations = validated_data.pop("citations", [])
        with transaction.atomic():
            instance = super().create(validated_data)
            services.set_citations(instance, citations)
        return instance

    def update(self, instance, validated_data):
        citations = validated_data.pop("citations", None)
        with transaction.atomic():
            instance = super().update(instance, validated_data)
            if citations is not None:
                services.set_citations(instance, citations)
        return instance
