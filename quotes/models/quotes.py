"""Quotes: verbatim words, attributed to a speaker and pinned to their span in a source."""

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver

from core.dates import (
    DatePrecision,
    future_date_errors,
    partial_date_constraints,
    partial_date_errors_for,
)
from core.history import history
from core.models import NaturalKeyManager
from core.review import ReviewedModel, ReviewedQuerySet
from core.validators import language_code_validator
from quotes.choices import QuoteKind
from quotes.matching import match_text
from quotes.models.actors import Speaker
from quotes.models.events import Event
from quotes.models.statements import Statement
from quotes.models.treaties import Treaty
from sources.models import SourceSpan, SourceSpanQuerySet
from sources.spans import normalize


class QuoteQuerySet(ReviewedQuerySet, SourceSpanQuerySet):
    pass


class Quote(ReviewedModel, SourceSpan):
    """A verbatim quotation, attributed to a speaker and pinned to its span in a source."""

    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="quotes")
    kind = models.CharField(
        max_length=10,
        choices=QuoteKind.choices,
        help_text="A full statement, or a fragment (a word or phrase quoted inside a sentence).",
    )
    said_on = models.DateField(null=True, blank=True)
    said_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    said_on_inferred = models.BooleanField(default=False)
    said_on_note = models.TextField(blank=True)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="quotes"
    )
    language = models.CharField(
        max_length=3,
        default="en",
        validators=[language_code_validator],
        help_text="Language of the text as recorded here.",
    )
    is_translation = models.BooleanField(
        default=False,
        help_text="The recorded words are a translation: of what the speaker said, or of a text "
        "that reported it (every quote of a translated source).",
    )
    original_language = models.CharField(
        max_length=3,
        blank=True,
        validators=[language_code_validator],
        help_text="Set when the words are a translation: the language they were translated "
        "from (for a translated source, the source's original language).",
    )
    speaker_language = models.CharField(
        max_length=3,
        blank=True,
        validators=[language_code_validator],
        help_text="The language the speaker used, where the text or common knowledge supports "
        "it; blank when unknown.",
    )
    treaties = models.ManyToManyField(
        Treaty,
        blank=True,
        related_name="quotes",
        help_text="Treaties the quote is about, in its own words or in the sentence reporting it.",
    )
    attribution_note = models.TextField(
        blank=True, help_text="How the speaker was identified from the surrounding text."
    )
    attribution_inferred = models.BooleanField(
        default=False,
        help_text="The words that attribute the quote do not name its speaker (no one, or a "
        "place or body for a person): the speaker is worked out from the text around it, and "
        "the attribution note says how.",
    )
    from_headline = models.BooleanField(
        default=False,
        help_text="The quote is in the source's headline (a record apart from the same words "
        "in the body).",
    )
    note = models.TextField(blank=True)
    statement = models.ForeignKey(
        Statement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appearances",
        help_text="The statement this quote is an appearance of: the same words reported "
        "elsewhere are its other appearances. Its speaker is the quote's.",
    )
    # Maintained by a PostgreSQL trigger from `text`; unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # Derived from `text` before every save (below): what the statement suggestions compare,
    # under a trigram GIN index on PostgreSQL (quotes.matching, quotes.statements).
    match_text = models.TextField(editable=False, default="")

    objects = NaturalKeyManager.from_queryset(QuoteQuerySet)("source__slug", "start", "end")
    history = history(m2m_fields=[treaties], excluded_fields=["search_vector", "match_text"])

    # Its words and where they stand: a published quote is never rewritten in place (core.review).
    locked_while_published = ("source", "start", "end", "text")

    class Meta(SourceSpan.Meta):
        ordering = ["said_on", "source", "start"]
        indexes = [models.Index(fields=["speaker", "said_on"], name="quote_speaker_said_on")]
        constraints = [
            *SourceSpan.Meta.constraints,
            *partial_date_constraints("said_on", "quote"),
            models.UniqueConstraint(fields=["source", "start", "end"], name="quote_unique_span"),
            models.CheckConstraint(
                condition=Q(is_translation=False, original_language="")
                | Q(is_translation=True) & ~Q(original_language=""),
                name="quote_translation_has_original_language",
                violation_error_message="A translated quote names its original language.",
            ),
            models.CheckConstraint(
                condition=Q(speaker_language="")
                | Q(speaker_language=models.F("language"))
                | Q(is_translation=True),
                name="quote_other_speaker_language_is_translation",
                violation_error_message="Words in another language than the speaker's are a "
                "translation.",
            ),
            models.CheckConstraint(
                condition=Q(attribution_inferred=False) | ~Q(attribution_note=""),
                name="quote_inferred_attribution_has_note",
                violation_error_message="An inferred attribution says how in its note.",
            ),
        ]

    def __str__(self):
        return f"{self.speaker}: “{self.text_preview}”"

    def natural_key(self):
        return (*self.source.natural_key(), self.start, self.end)

    natural_key.dependencies = ["sources.source"]

    @property
    def text_preview(self) -> str:
        text = normalize(self.text)
        return text if len(text) <= 80 else f"{text[:79]}…"

    def clean(self):
        errors = {
            **self.span_errors(),
            **partial_date_errors_for(self, "said_on"),
            **future_date_errors(self, "said_on"),
        }
        if self.is_translation and not self.original_language:
            errors["original_language"] = "A translated quote names its original language."
        if not self.is_translation and self.original_language:
            errors["is_translation"] = "A quote with an original language is a translation."
        spoken_in = self.speaker_language
        if spoken_in and spoken_in != self.language and not self.is_translation:
            errors["is_translation"] = (
                f"The speaker used {spoken_in!r} and the words are in {self.language!r}: "
                "they are a translation."
            )
        if self.attribution_inferred and not self.attribution_note.strip():
            errors["attribution_note"] = "An inferred attribution says how in its note."
        statement = self.statement if self.statement_id is not None else None
        if statement is not None and self.speaker_id and statement.speaker_id != self.speaker_id:
            errors["statement"] = (
                f"The statement is {statement.speaker}'s and every appearance of a statement "
                f"is its speaker's: this quote is {self.speaker}'s."
            )
        if errors:
            raise ValidationError(errors)


@receiver(pre_save, sender=Quote, dispatch_uid="quote_match_text")
def derive_match_text(sender, instance, **kwargs):
    """Keep `match_text` the function of `text`, for every save. A receiver rather than
    save(): loaddata (`manage.py seed`) saves fixtures with raw=True, which skips save() but
    not this signal. (QuerySet.update() and bulk_create() skip both: set it yourself.)"""
    instance.match_text = match_text(instance.text)
