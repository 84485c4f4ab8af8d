"""Candidates: what the extractor proposes from a source, waiting for a researcher's decision.

A candidate is never published: accepting it makes a draft quote (or troop figure) that goes
through review like any other; rejecting it keeps it, with the reason, so that extracting the
source again does not propose it again.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.dates import (
    DatePrecision,
    future_date_errors,
    partial_date_constraints,
    partial_date_errors_for,
)
from core.history import history
from core.models import TimeStampedModel
from core.validators import country_code_validator
from quotes.choices import QuoteKind
from quotes.models import Event, Quote, Speaker, Treaty, TroopFigure
from quotes.models.troops import MAX_TROOP_COUNT
from sources import spans
from sources.models import MAX_OFFSET, Source


class CandidateStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class CandidateQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=CandidateStatus.PENDING)

    def in_reading_order(self):
        return self.order_by("source", "start", "end")


UNIQUE_SPAN = "%(app_label)s_%(class)s_unique_span"


class Candidate(TimeStampedModel):
    """Abstract base: a span of a source the extractor proposes, and the decision on it."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="%(class)ss")
    start = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_OFFSET)])
    end = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_OFFSET)])
    text = models.TextField(help_text="The passage at the span, as the source has it.")
    confidence = models.FloatField(
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="How sure the extractor is of the whole proposal, from 0 to 1.",
    )
    status = models.CharField(
        max_length=10,
        choices=CandidateStatus.choices,
        default=CandidateStatus.PENDING,
        db_index=True,
    )
    rejection_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    extractor_version = models.CharField(max_length=20, blank=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["source", "start", "end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="%(app_label)s_%(class)s_span_not_empty"
            ),
            models.UniqueConstraint(fields=["source", "start", "end"], name=UNIQUE_SPAN),
            models.CheckConstraint(
                condition=~Q(status=CandidateStatus.REJECTED) | ~Q(rejection_reason=""),
                name="%(app_label)s_%(class)s_rejection_has_a_reason",
                violation_error_message="A rejection says why.",
            ),
        ]

    def span_errors(self) -> dict:
        if self.source_id is None:
            return {}
        return spans.span_errors(self.source.text, self.start, self.end, self.text or "")

    @property
    def context(self):
        return spans.context(self.source.text, self.start, self.end)


class QuoteCandidate(Candidate):
    """A proposed quote: its span and kind, its cue, its speaker, its date, what it names."""

    kind = models.CharField(max_length=10, choices=QuoteKind.choices)
    cue = models.TextField(blank=True, help_text="The words that attribute it, as they stand.")
    cue_start = models.PositiveIntegerField(null=True, blank=True)
    cue_end = models.PositiveIntegerField(null=True, blank=True)
    verb = models.CharField(max_length=50, blank=True, help_text="The reporting verb's lemma.")
    speaker = models.ForeignKey(
        Speaker,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quote_candidates",
        help_text="A speaker of ours the cue names; empty when it names a new one (below).",
    )
    speaker_name = models.CharField(
        max_length=200, blank=True, help_text="The name the text gives a new speaker."
    )
    speaker_role = models.CharField(max_length=200, blank=True)
    speaker_match = models.CharField(
        max_length=50, blank=True, help_text="How the speaker was found: name, role, pronoun…"
    )
    said_on = models.DateField(null=True, blank=True)
    said_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    said_on_inferred = models.BooleanField(default=False)
    said_on_note = models.TextField(blank=True)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="quote_candidates"
    )
    treaties = models.ManyToManyField(Treaty, blank=True, related_name="quote_candidates")
    from_headline = models.BooleanField(default=False)
    attribution_inferred = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    quote = models.OneToOneField(
        Quote,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidate",
        help_text="The draft quote accepting it made.",
    )

    history = history(m2m_fields=[treaties])

    class Meta(Candidate.Meta):
        constraints = [
            *Candidate.Meta.constraints,
            *partial_date_constraints("said_on", "quote_candidate"),
        ]

    def __str__(self):
        who = self.speaker.name if self.speaker else self.speaker_name or "unknown speaker"
        text = spans.normalize(self.text)
        return f"{who}: “{text[:60]}{'…' if len(text) > 60 else ''}”"

    def clean(self):
        errors = {
            **self.span_errors(),
            **partial_date_errors_for(self, "said_on"),
            **future_date_errors(self, "said_on"),
        }
        if errors:
            raise ValidationError(errors)


class TroopFigureCandidate(Candidate):
    """A proposed troop figure: the count, whose, where, as of when, and its citation span."""

    count = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TROOP_COUNT)]
    )
    unit = models.CharField(max_length=50, default="soldiers")
    location = models.CharField(max_length=200, blank=True)
    contributing_country = models.CharField(
        max_length=2, blank=True, validators=[country_code_validator]
    )
    as_of = models.DateField(null=True, blank=True)
    as_of_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    as_of_inferred = models.BooleanField(default=False)
    as_of_note = models.TextField(blank=True)
    part_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="parts"
    )
    troop_figure = models.OneToOneField(
        TroopFigure,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidate",
        help_text="The draft troop figure accepting it made.",
    )

    history = history()

    class Meta(Candidate.Meta):
        constraints = [
            # Two counts of one sentence ("7,000 troops …, including 1,500 German soldiers")
            # cite the same sentence: a troop figure is one per span and count.
            *(c for c in Candidate.Meta.constraints if c.name != UNIQUE_SPAN),
            models.UniqueConstraint(
                fields=["source", "start", "end", "count"],
                name="extraction_troop_figure_candidate_unique_span_count",
            ),
            *partial_date_constraints("as_of", "troop_figure_candidate"),
        ]

    def __str__(self):
        return f"{self.count:,} {self.unit}" + (f" in {self.location}" if self.location else "")

    def clean(self):
        errors = {**self.span_errors(), **partial_date_errors_for(self, "as_of")}
        if errors:
            raise ValidationError(errors)
