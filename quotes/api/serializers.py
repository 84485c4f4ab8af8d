"""Serializers of speakers, organisations, events, quotes, treaties and troop figures."""

import datetime

from rest_framework import serializers

from core.api.fields import AliasesField, PartialDateDisplayField
from core.api.review import ReviewedSerializerMixin
from core.api.serializers import (
    BriefRelatedField,
    ContentSerializer,
    ModelValidationMixin,
    StrictModelSerializer,
    partial_date_fields,
)
from quotes.models import (
    Event,
    Organization,
    Quote,
    Speaker,
    Treaty,
    TreatyParty,
    TreatyProvision,
    TreatySignatory,
    TreatyStatusEvent,
    TroopFigure,
)
from sources.api.serializers import CitationSerializer, CitingSerializerMixin
from sources.models import Source

TIMESTAMPS = ["created_at", "updated_at"]
BRIEF_FIELDS = ["id", "url", "display", "slug"]


class OrganizationSerializer(ModelValidationMixin, ContentSerializer):
    aliases = AliasesField()

    class Meta:
        model = Organization
        fields = ["id", "url", "display", "name", "slug", "kind", "country", "aliases", "note"]
        fields += TIMESTAMPS
        brief_fields = BRIEF_FIELDS
        read_only_fields = TIMESTAMPS


class SpeakerSerializer(ModelValidationMixin, ContentSerializer):
    """A speaker, with a summary of what the database holds of their quotes."""

    organization = BriefRelatedField(
        queryset=Organization.objects.all(), allow_null=True, required=False
    )
    aliases = AliasesField(help_text="Other names and spellings (Makron, ...), each distinct.")
    quote_count = serializers.SerializerMethodField(help_text="Quotes attributed to the speaker.")
    first_quote_on = serializers.SerializerMethodField(
        help_text="Date of the earliest dated quote (as stored: see that quote's precision)."
    )
    last_quote_on = serializers.SerializerMethodField(
        help_text="Date of the latest dated quote (as stored: see that quote's precision)."
    )

    class Meta:
        model = Speaker
        fields = [
            "id",
            "url",
            "display",
            "name",
            "slug",
            "kind",
            "role",
            "organization",
            "country",
            "aliases",
            "wikidata_id",
            "note",
            "quote_count",
            "first_quote_on",
            "last_quote_on",
            *TIMESTAMPS,
        ]
        brief_fields = BRIEF_FIELDS
        read_only_fields = TIMESTAMPS

    def _stats(self, obj):
        # List and detail views annotate the statistics; after a write, fetch them.
        if not hasattr(obj, "quote_count"):
            request = self.context.get("request")
            user = request.user if request else None
            obj = Speaker.objects.with_quote_statistics(user).get(pk=obj.pk)
        return obj.quote_count, obj.first_quote_on, obj.last_quote_on

    def get_quote_count(self, obj) -> int:
        return self._stats(obj)[0] or 0

    def get_first_quote_on(self, obj) -> datetime.date | None:
        return self._stats(obj)[1]

    def get_last_quote_on(self, obj) -> datetime.date | None:
        return self._stats(obj)[2]


class EventSerializer(CitingSerializerMixin, ModelValidationMixin, ContentSerializer):
    organization = BriefRelatedField(
        queryset=Organization.objects.all(), allow_null=True, required=False
    )
    citations = CitationSerializer(many=True, required=False)
    starts_on_display = PartialDateDisplayField("starts_on")
    ends_on_display = PartialDateDisplayField("ends_on")

    class Meta:
        model = Event
        fields = [
            "id",
            "url",
            "display",
            "name",
            "slug",
            "kind",
            *partial_date_fields("starts_on"),
            *partial_date_fields("ends_on"),
            "place",
            "country",
            "organization",
            "citations",
            "note",
            *TIMESTAMPS,
        ]
        brief_fields = BRIEF_FIELDS
        read_only_fields = TIMESTAMPS


class QuoteSerializer(ReviewedSerializerMixin, ModelValidationMixin, ContentSerializer):
    """A verbatim quote with its attribution and provenance: the span of the source it is.

    A published quote's words and span (`text`, `start`, `end`, `source`) cannot change while
    it stays published (409): it returns to review first (core.review).
    """

    speaker = BriefRelatedField(queryset=Speaker.objects.all())
    source = BriefRelatedField(queryset=Source.objects.all())
    event = BriefRelatedField(queryset=Event.objects.all(), allow_null=True, required=False)
    treaties = BriefRelatedField(queryset=Treaty.objects.all(), many=True, required=False)
    context_before = serializers.SerializerMethodField(
        help_text="Up to 200 characters of the source text before the span."
    )
    context_after = serializers.SerializerMethodField(
        help_text="Up to 200 characters of the source text after the span."
    )
    said_on_display = PartialDateDisplayField("said_on")

    class Meta:
        model = Quote
        fields = [
            "id",
            "url",
            "display",
            "text",
            "kind",
            "speaker",
            "source",
            "start",
            "end",
            "context_before",
            "context_after",
            *partial_date_fields("said_on"),
            "event",
            "language",
            "is_translation",
            "original_language",
            "speaker_language",
            "treaties",
            "attribution_note",
            "attribution_inferred",
            "from_headline",
            "note",
            "status",
            *TIMESTAMPS,
        ]
        brief_fields = ["id", "url", "display"]  # a quote has no slug
        read_only_fields = TIMESTAMPS
        extra_kwargs = {
            "text": {"help_text": "The quoted words, exactly as they stand at the span."},
            "start": {"help_text": "Offset of the span's first character in the source text."},
            "end": {"help_text": "Offset just past the span's last character."},
        }
        # Uniqueness of the span is checked with the model's other rules, in one message.
        validators = []

    def get_context_before(self, obj) -> str:
        return obj.context[0]

    def get_context_after(self, obj) -> str:
        return obj.context[1]


class TreatyPartySerializer(StrictModelSerializer):
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = TreatyParty
        fields = ["id", "slug", "country", "name", "note", "citations"]
        read_only_fields = fields


class TreatySignatorySerializer(StrictModelSerializer):
    speaker = SpeakerSerializer(nested=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = TreatySignatory
        fields = ["id", "slug", "speaker", "role", "party_country", "citations"]
        read_only_fields = fields


class TreatyStatusEventSerializer(StrictModelSerializer):
    citations = CitationSerializer(many=True, read_only=True)
    occurred_on_display = PartialDateDisplayField("occurred_on")

    class Meta:
        model = TreatyStatusEvent
        fields = [
            "id",
            "slug",
            "kind",
            *partial_date_fields("occurred_on"),
            "party_country",
            "description",
            "citations",
        ]
        read_only_fields = fields


class TreatyProvisionSerializer(StrictModelSerializer):
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = TreatyProvision
        fields = ["id", "slug", "article", "summary", "min_range_km", "max_range_km", "citations"]
        read_only_fields = fields


class TreatySerializer(CitingSerializerMixin, ModelValidationMixin, ContentSerializer):
    """A treaty with its cited facts. Parties, signatories, status changes and provisions are
    read-only here (researchers edit them in the admin)."""

    citations = CitationSerializer(many=True, allow_empty=False)
    aliases = AliasesField()
    signed_on_display = PartialDateDisplayField("signed_on")
    parties = TreatyPartySerializer(many=True, read_only=True)
    signatories = TreatySignatorySerializer(many=True, read_only=True)
    status_events = TreatyStatusEventSerializer(many=True, read_only=True)
    provisions = TreatyProvisionSerializer(many=True, read_only=True)

    class Meta:
        model = Treaty
        fields = [
            "id",
            "url",
            "display",
            "name",
            "short_name",
            "slug",
            "aliases",
            *partial_date_fields("signed_on"),
            "signed_place",
            "citations",
            "parties",
            "signatories",
            "status_events",
            "provisions",
            "note",
            *TIMESTAMPS,
        ]
        brief_fields = BRIEF_FIELDS
        read_only_fields = TIMESTAMPS


class TroopFigureSerializer(
    ReviewedSerializerMixin, CitingSerializerMixin, ModelValidationMixin, ContentSerializer
):
    """A cited troop count; `parent` is the larger figure it is part of, `parts` its breakdown."""

    deploying_organization = BriefRelatedField(
        queryset=Organization.objects.all(), allow_null=True, required=False
    )
    parent = BriefRelatedField(queryset=TroopFigure.objects.all(), allow_null=True, required=False)
    citations = CitationSerializer(many=True, allow_empty=False)
    as_of_display = PartialDateDisplayField("as_of")

    def get_fields(self):
        fields = super().get_fields()
        if "parts" in fields:
            # The figure's parts in its own brief form, which its class body cannot name yet.
            fields["parts"] = TroopFigureSerializer(nested=True, many=True, read_only=True)
        return fields

    class Meta:
        model = TroopFigure
        fields = [
            "id",
            "url",
            "display",
            "slug",
            "count",
            "unit",
            "contributing_country",
            "deploying_organization",
            "location",
            *partial_date_fields("as_of"),
            "parent",
            "parts",
            "citations",
            "note",
            "status",
            *TIMESTAMPS,
        ]
        brief_fields = BRIEF_FIELDS
        read_only_fields = TIMESTAMPS
