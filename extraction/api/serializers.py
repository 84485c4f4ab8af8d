"""Serializers of the candidates and of the decisions on them."""

from rest_framework import serializers

from core.api.fields import PartialDateDisplayField, StrictCharField
from core.api.serializers import (
    BriefRelatedField,
    ContentSerializer,
    ModelValidationMixin,
    StrictSerializer,
    partial_date_fields,
)
from extraction.models import QuoteCandidate, TroopFigureCandidate
from quotes.models import Event, Speaker, Treaty
from sources.models import Source

BRIEF_FIELDS = ["id", "url", "display"]
# What every candidate shows first: what it is, and where it stands in its source.
SPAN_FIELDS = [
    "id",
    "url",
    "display",
    "source",
    "start",
    "end",
    "text",
    "context_before",
    "context_after",
]
DECISION = ["status", "rejection_reason", "reviewed_by", "reviewed_at", "extractor_version"]
TIMESTAMPS = ["created_at", "updated_at"]


class CandidateSerializer(ModelValidationMixin, ContentSerializer):
    """What every candidate shows: its span and context, its confidence, the decision on it."""

    source = BriefRelatedField(model=Source, read_only=True)
    context_before = serializers.SerializerMethodField(
        help_text="Up to 200 characters of the source text before the span."
    )
    context_after = serializers.SerializerMethodField(
        help_text="Up to 200 characters of the source text after the span."
    )
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who accepted or rejected it (a username).",
    )

    def get_context_before(self, obj) -> str:
        return obj.context[0]

    def get_context_after(self, obj) -> str:
        return obj.context[1]


class QuoteCandidateSerializer(CandidateSerializer):
    """A candidate quote: its span and kind, its cue, the speaker it proposes (one of ours, or a
    new one by name and role), its date, what it names, and how sure the extractor is. Edit it
    (while pending), then accept it to make a draft quote, or reject it with a reason."""

    speaker = BriefRelatedField(queryset=Speaker.objects.all(), allow_null=True, required=False)
    event = BriefRelatedField(queryset=Event.objects.all(), allow_null=True, required=False)
    treaties = BriefRelatedField(queryset=Treaty.objects.all(), many=True, required=False)
    quote = BriefRelatedField(
        model=QuoteCandidate.quote.field.related_model, read_only=True, allow_null=True
    )
    said_on_display = PartialDateDisplayField("said_on")

    class Meta:
        model = QuoteCandidate
        fields = [
            *SPAN_FIELDS,
            "kind",
            "cue",
            "cue_start",
            "cue_end",
            "verb",
            "speaker",
            "speaker_name",
            "speaker_role",
            "speaker_match",
            *partial_date_fields("said_on"),
            "event",
            "treaties",
            "from_headline",
            "attribution_inferred",
            "note",
            "confidence",
            "quote",
            *DECISION,
            *TIMESTAMPS,
        ]
        brief_fields = BRIEF_FIELDS
        read_only_fields = ["source", "cue_start", "cue_end", "confidence", *DECISION, *TIMESTAMPS]
        validators = []


class TroopFigureCandidateSerializer(CandidateSerializer):
    """A candidate troop figure: the count, whose, where, as of when, its citation span and
    the larger candidate it is part of. Accepting it makes a draft troop figure."""

    as_of_display = PartialDateDisplayField("as_of")
    part_of = BriefRelatedField(model=TroopFigureCandidate, read_only=True, allow_null=True)
    troop_figure = BriefRelatedField(
        model=TroopFigureCandidate.troop_figure.field.related_model,
        read_only=True,
        allow_null=True,
    )

    class Meta:
        model = TroopFigureCandidate
        fields = [
            *SPAN_FIELDS,
            "count",
            "unit",
            "location",
            "contributing_country",
            *partial_date_fields("as_of"),
            "part_of",
            "confidence",
            "troop_figure",
            *DECISION,
            *TIMESTAMPS,
        ]
        brief_fields = BRIEF_FIELDS
        read_only_fields = ["source", "confidence", *DECISION, *TIMESTAMPS]
        validators = []


class RejectionSerializer(StrictSerializer):
    reason = StrictCharField(help_text="Why it is rejected: kept with the candidate.")


class AcceptAllSerializer(StrictSerializer):
    source = BriefRelatedField(queryset=Source.objects.all())
    min_confidence = serializers.FloatField(
        min_value=0, max_value=1, help_text="Accept the pending candidates at least this sure."
    )


class RefusedSerializer(serializers.Serializer):
    candidate = serializers.IntegerField(help_text="The candidate's id.")
    reason = serializers.CharField()


class AcceptedAllSerializer(serializers.Serializer):
    accepted = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the draft quotes made."
    )
    refused = RefusedSerializer(many=True, help_text="Candidates that could not be accepted.")


class ExtractSerializer(StrictSerializer):
    source = BriefRelatedField(queryset=Source.objects.all())


class ExtractionSummarySerializer(serializers.Serializer):
    quotes = serializers.IntegerField(help_text="Candidate quotes proposed.")
    troop_figures = serializers.IntegerField(help_text="Candidate troop figures proposed.")
    kept = serializers.IntegerField(help_text="Candidates already decided, left as they are.")
    already_quoted = serializers.IntegerField(help_text="Spans that are already quotes.")
    message = serializers.CharField(help_text="Why nothing was proposed, if so.")
