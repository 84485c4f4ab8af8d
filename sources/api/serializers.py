"""Serializers of outlets, sources and citations."""

from django.core.validators import RegexValidator
from django.db import transaction
from rest_framework import serializers
from rest_framework.reverse import reverse

from core.api.errors import Conflict
from core.api.fields import (
    IdentityURLField,
    PartialDateDisplayField,
    StrictCharField,
    StrictURLField,
)
from core.api.serializers import (
    BriefRelatedField,
    ContentSerializer,
    ModelValidationMixin,
    StrictModelSerializer,
    StrictSerializer,
    partial_date_fields,
)
from core.dates import parse_partial_date
from core.validators import language_code_validator
from sources import importing, services
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

    def validate(self, attrs):
        text = attrs.get("text")
        if text is not None:
            others = Source.objects.exclude(pk=self.instance.pk if self.instance else None)
            existing = others.filter(sha256=Source.digest(text)).first()
            if existing is not None:
                raise duplicate(existing, self.context.get("request"))
        return super().validate(attrs)


def duplicate(existing: Source, request) -> Conflict:
    """409: the same text (the same SHA-256) is already a source; say which, and where."""
    url = reverse("source-detail", kwargs={"pk": existing.pk}, request=request)
    return Conflict(f"{importing.DuplicateSource(existing).message} It is at {url}.")


class SourceListSerializer(SourceSerializer):
    """Sources in a list: everything but the full text."""

    class Meta(SourceSerializer.Meta):
        fields = [name for name in SourceSerializer.Meta.fields if name != "text"]


class SourceUploadSerializer(StrictSerializer):
    """A text file to import as a source, and what is known of it besides. What is left out is
    proposed from the text where it states it (its title, its date), or left unknown."""

    file = serializers.FileField(
        help_text="The text, UTF-8 unless `encoding` says otherwise; kept byte for byte."
    )
    title = StrictCharField(max_length=500, required=False)
    published_on = StrictCharField(
        required=False,
        validators=[
            RegexValidator(r"^\d{4}(-\d{2}(-\d{2})?)?$", "Write YYYY-MM-DD, YYYY-MM or YYYY.")
        ],
        help_text="YYYY-MM-DD, YYYY-MM or YYYY; by default the date the text states, if any.",
    )
    # A form field is text: the id is read from it. A form cannot say null: no outlet is the
    # field left out.
    outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(),
        required=False,
        help_text="Id of the outlet; left out when the outlet is unknown.",
    )
    language = StrictCharField(
        max_length=3,
        required=False,
        validators=[language_code_validator],
        help_text="ISO 639 code of the text; by default detected (und when unknown).",
    )
    link = StrictURLField(max_length=500, required=False, allow_blank=True)
    encoding = StrictCharField(
        max_length=40, required=False, help_text="The file's encoding, when it is not UTF-8."
    )

    def validate_published_on(self, value):
        try:
            return parse_partial_date(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from exc


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
