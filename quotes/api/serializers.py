"""Serializers of speakers, organisations, events, quotes, treaties and troop figures."""

import datetime

from rest_framework import serializers

from core.api.errors import Conflict
from core.api.fields import AliasesField, PartialDateDisplayField, StrictCharField
from core.api.review import ReviewedSerializerMixin
from core.api.serializers import (
    BriefRelatedField,
    ContentSerializer,
    ModelValidationMixin,
    StrictModelSerializer,
    StrictSerializer,
    partial_date_fields,
)
from core.dates import DatePrecision, format_partial_date
from quotes.api.queries import count_statements
from quotes.models import (
    Event,
    Organization,
    Quote,
    Speaker,
    Statement,
    StatementSuggestion,
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
    statement_count = serializers.SerializerMethodField(
        help_text="Distinct statements among the speaker's quotes: what they said, each "
        "counted once however often it was reported (docs/statements.md)."
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
            "statement_count",
            *TIMESTAMPS,
        ]
        brief_fields = BRIEF_FIELDS
        read_only_fields = TIMESTAMPS

    def get_statement_count(self, obj) -> int:
        # List and detail views annotate it; after a write, count.
        if not hasattr(obj, "statement_count"):
            request = self.context.get("request")
            return count_statements(obj, request.user if request else None)
        return obj.statement_count or 0

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
    statement = BriefRelatedField(
        model=Statement,
        read_only=True,
        allow_null=True,
        help_text="The statement this quote is an appearance of (the same words reported "
        "elsewhere are its other appearances), or null. Set by confirming a statement "
        "suggestion, undone by detaching (docs/statements.md).",
    )

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
            "statement",
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

    def validate(self, attrs):
        # Every appearance of a statement is its speaker's (Quote.clean()): another speaker for
        # an appearance conflicts with its statement, which this write cannot change. A 409
        # that says what to do first, rather than a 400 naming a field the client cannot send.
        quote, speaker = self.instance, attrs.get("speaker")
        moved = quote is not None and speaker is not None and speaker.pk != quote.speaker_id
        if moved and quote.statement_id:
            raise Conflict(
                f"This quote is an appearance of the statement “"
                f"{quote.statement.text_preview}”, and every appearance of a statement is "
                "its speaker's: detach it first (POST /api/v1/statements/"
                f"{quote.statement_id}/detach/), then change its speaker."
            )
        return super().validate(attrs)


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


# -- statements -------------------------------------------------------------------------------


class AppearanceSerializer(StrictModelSerializer):
    """A quote as an appearance of a statement: its words and its verified span (the source
    and the offsets into its text), with the source's date. A quote's own brief form does not
    carry its span; this one, shared by statements and their suggestions, does."""

    display = serializers.SerializerMethodField(help_text="A human-readable name.")
    source = BriefRelatedField(model=Source, read_only=True)
    published_on_display = serializers.SerializerMethodField(
        help_text="When the source was published, with only the parts it gives (YYYY-MM-DD, "
        "YYYY-MM or YYYY): the date an appearance is ordered by; empty when unknown."
    )

    class Meta:
        model = Quote
        fields = [
            "id",
            "url",
            "display",
            "text",
            "source",
            "start",
            "end",
            "published_on_display",
            "status",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "text": {"help_text": "The quoted words, exactly as they stand at the span."},
            "start": {"help_text": "Offset of the span's first character in the source text."},
            "end": {"help_text": "Offset just past the span's last character."},
        }

    def get_display(self, obj) -> str:
        return str(obj)

    def get_published_on_display(self, obj) -> str:
        source = obj.source
        return format_partial_date(source.published_on, source.published_on_precision)


class StatementSerializer(ContentSerializer):
    """What a speaker said, recorded once, with every quote that reports it (its appearances,
    first appearance first), its first appearance and its distinct wordings (variants).

    A reader sees the appearances they may see (the public: published quotes), and what is
    derived from them (the first appearance, the count, the variants) is derived from those.
    """

    speaker = BriefRelatedField(model=Speaker, read_only=True)
    appearance_count = serializers.IntegerField(
        read_only=True, help_text="How many quotes report it (that you may see)."
    )
    first_appeared_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The first appearance's source date, as stored (a year-precision date is 1 "
        "January: see its precision); null when unknown.",
    )
    first_appeared_on_precision = serializers.ChoiceField(
        choices=DatePrecision.choices,
        read_only=True,
        allow_blank=True,
        help_text="The precision of first_appeared_on; empty when the date is unknown.",
    )
    first_appeared_display = serializers.CharField(
        read_only=True,
        help_text="The first appearance's source date with only the parts it has (YYYY-MM-DD, "
        "YYYY-MM or YYYY); empty when unknown.",
    )
    first_appearance = serializers.SerializerMethodField(
        help_text="The appearance whose source was published first (a partial date counts as "
        "the last day it may be: docs/statements.md); null without appearances."
    )
    variants = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Its distinct wordings, in the order they first appear (whitespace and "
        "quotation-mark style aside).",
    )
    appearances = serializers.SerializerMethodField(
        help_text="The quotes that report it, first appearance first."
    )

    class Meta:
        model = Statement
        fields = [
            "id",
            "url",
            "display",
            "slug",
            "speaker",
            "text",
            "note",
            "appearance_count",
            "first_appeared_on",
            "first_appeared_on_precision",
            "first_appeared_display",
            "first_appearance",
            "variants",
            "appearances",
            *TIMESTAMPS,
        ]
        brief_fields = BRIEF_FIELDS
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if "first_appeared_on_precision" in data and data["first_appeared_on_precision"] is None:
            data["first_appeared_on_precision"] = ""  # no date: no precision, as for a quote's
        return data

    def get_first_appearance(self, obj) -> AppearanceSerializer(allow_null=True):
        first = obj.first_appearance
        return None if first is None else self._appearance.to_representation(first)

    def get_appearances(self, obj) -> AppearanceSerializer(many=True):
        return [self._appearance.to_representation(q) for q in obj.ordered_appearances()]

    @property
    def _appearance(self):
        root = self.root
        if not hasattr(root, "_appearance_serializer"):
            root._appearance_serializer = AppearanceSerializer(context=self.context)
        return root._appearance_serializer


class StatementSuggestionSerializer(ContentSerializer):
    """A proposal that a quote is another appearance of what another quote says (when neither
    is in a statement) or of a statement, always one speaker's: how it was found, how sure, and
    the decision on it (who, when, why). Confirm or dismiss it."""

    quote = AppearanceSerializer(read_only=True)
    other_quote = AppearanceSerializer(
        read_only=True,
        allow_null=True,
        help_text="The quote it repeats, when neither is in a statement yet; else null.",
    )
    statement = BriefRelatedField(
        model=Statement,
        read_only=True,
        allow_null=True,
        help_text="The statement the quote would join; else null.",
    )
    decided_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who confirmed or dismissed it (a username).",
    )

    class Meta:
        model = StatementSuggestion
        fields = [
            "id",
            "url",
            "display",
            "quote",
            "other_quote",
            "statement",
            "method",
            "score",
            "status",
            "decided_by",
            "decided_at",
            "reason",
            *TIMESTAMPS,
        ]
        brief_fields = ["id", "url", "display"]
        read_only_fields = fields


class ConfirmationSerializer(StrictSerializer):
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="Why it is confirmed (optional): kept with the decision and in the histories.",
    )


class DismissalSerializer(StrictSerializer):
    reason = StrictCharField(
        max_length=1000,
        help_text="Why it is dismissed: kept with the decision, and the pair is not proposed "
        "again.",
    )


class DetachmentSerializer(StrictSerializer):
    quote = BriefRelatedField(
        queryset=Quote.objects.all(), help_text="The appearance to take out of the statement."
    )
    reason = StrictCharField(
        max_length=1000,
        help_text="Why it leaves the statement: kept in the quote's history with your name.",
    )
