"""Serializers of speakers, organisations, events, quotes, treaties and troop figures."""

import datetime

from rest_framework import serializers

from config.serializers import (
    AliasesField,
    BriefRelatedField,
    BriefSerializer,
    ModelValidationMixin,
    PartialDateDisplayField,
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
from sources.api.serializers import (
    BriefSourceSerializer,
    CitationSerializer,
    CitingSerializerMixin,
)
from sources.models import Source

TIMESTAMPS = ["created_at", "updated_at"]


# ------------------------------------------------------------------------ brief forms


class BriefOrganizationSerializer(BriefSerializer):
    class Meta:
        model = Organization
        fields = ["id", "url", "display", "slug"]


class BriefSpeakerSerializer(BriefSerializer):
    class Meta:
        model = Speaker
        fields = ["id", "url", "display", "slug"]


class BriefEventSerializer(BriefSerializer):
    class Meta:
        model = Event
        fields = ["id", "url", "display", "slug"]


class BriefTreatySerializer(BriefSerializer):
    class Meta:
        model = Treaty
        fields = ["id", "url", "display", "slug"]


class BriefTroopFigureSerializer(BriefSerializer):
    class Meta:
        model = TroopFigure
        fields = ["id", "url", "display", "slug"]


# ------------------------------------------------------------------------ full forms


class OrganizationSerializer(ModelValidationMixin, BriefSerializer):
    aliases = AliasesField()

    class Meta:
        model = Organization
        fields = ["id", "url", "display", "name", "slug", "kind", "country", "aliases", "note"]
        fields += TIMESTAMPS
        read_only_fields = TIMESTAMPS


class SpeakerSerializer(ModelValidationMixin, BriefSerializer):
    """A speaker, with a summary of what the database holds of their quotes."""

    organization = BriefRelatedField(
        BriefOrganizationSerializer,
        queryset=Organization.objects.all(),
        allow_null=True,
        required=False,
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


class EventSerializer(CitingSerializerMixin, ModelValidationMixin, BriefSerializer):
    organization = BriefRelatedField(
        BriefOrganizationSerializer,
        queryset=Organization.objects.all(),
        allow_null=True,
        required=False,
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
        read_only_fields = TIMESTAMPS


class QuoteSerializer(ModelValidationMixin, BriefSerializer):
    """A verbatim quote with its attribution and provenance: the span of the source it is."""

    speaker = BriefRelatedField(BriefSpeakerSerializer, queryset=Speaker.objects.all())
    source = BriefRelatedField(BriefSourceSerializer, queryset=Source.objects.all())
    event = BriefRelatedField(
        BriefEventSerializer, queryset=Event.objects.all(), allow_null=True, required=False
    )
    treaties = BriefRelatedField(
        BriefTreatySerializer, queryset=Treaty.objects.all(), many=True, required=False
    )
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
            "treaties",
            "attribution_note",
            "note",
            "status",
            *TIMESTAMPS,
        ]
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
    speaker = BriefSpeakerSerializer(read_only=True)
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


class TreatySerializer(CitingSerializerMixin, ModelValidationMixin, BriefSerializer):
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
        read_only_fields = TIMESTAMPS


class TroopFigureSerializer(CitingSerializerMixin, ModelValidationMixin, BriefSerializer):
    """A cited troop count; `parent` is the larger figure it is part of, `parts` its breakdown."""

    deploying_organization = BriefRelatedField(
        BriefOrganizationSerializer,
        queryset=Organization.objects.all(),
        allow_null=True,
        required=False,
    )
    parent = BriefRelatedField(
        BriefTroopFigureSerializer,
        queryset=TroopFigure.objects.all(),
        allow_null=True,
        required=False,
    )
    parts = BriefTroopFigureSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, allow_empty=False)
    as_of_display = PartialDateDisplayField("as_of")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        parent = instance.parent
        if parent is not None and not TroopFigure.objects.is_visible(parent, request):
            data["parent"] = None  # a draft whole stays hidden from the public
        return data

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
        read_only_fields = TIMESTAMPS
