"""Outlets, source documents and the spans cited from them."""

import hashlib

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest, Substr
from django.utils.functional import cached_property

from core.dates import (
    DatePrecision,
    future_date_errors,
    partial_date_constraints,
    partial_date_errors_for,
)
from core.history import history
from core.models import NaturalKeyManager, TimeStampedModel
from core.validators import country_code_validator, language_code_validator
from sources import spans

# Offsets are capped below 2**31 so that every backend stores them alike (and the API schema
# does not depend on the database): a 2-billion-character source is not a news article.
MAX_OFFSET = 2**31 - 1


class Outlet(TimeStampedModel):
    """A publisher of source documents (a news site, an agency)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    website = models.URLField(blank=True)
    country = models.CharField(max_length=2, blank=True, validators=[country_code_validator])
    note = models.TextField(blank=True, help_text="How the outlet is known from the texts.")

    objects = NaturalKeyManager()
    history = history()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Source(TimeStampedModel):
    """One document, with its full text exactly as published: everything cites into it."""

    title = models.CharField(max_length=500)
    original_title = models.CharField(
        max_length=500, blank=True, help_text="The title in the original language, where given."
    )
    slug = models.SlugField(max_length=100, unique=True)
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="sources"
    )
    outlet_note = models.TextField(
        blank=True, help_text="How the outlet was inferred, or why it is unknown."
    )
    published_on = models.DateField(null=True, blank=True)
    published_on_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True
    )
    published_on_inferred = models.BooleanField(default=False)
    published_on_note = models.TextField(blank=True)
    language = models.CharField(max_length=3, default="en", validators=[language_code_validator])
    original_language = models.CharField(
        max_length=3,
        blank=True,
        validators=[language_code_validator],
        help_text="Set when the text is a translation: the language it was translated from.",
    )
    text = models.TextField(help_text="The full text, byte for byte as published.")
    sha256 = models.CharField(
        "SHA-256",
        max_length=64,
        unique=True,
        blank=True,
        editable=False,
        help_text="SHA-256 of the UTF-8 text, computed from it: the fingerprint of the document.",
    )
    seed_file = models.CharField(
        max_length=200, blank=True, help_text="File name under seeds/ the text comes from."
    )
    url = models.URLField("URL", max_length=500, blank=True)
    # Maintained by a PostgreSQL trigger (title weighted above text); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = NaturalKeyManager()
    history = history(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["published_on", "title"]
        constraints = [
            *partial_date_constraints("published_on", "source"),
            models.UniqueConstraint(
                fields=["seed_file"], condition=~Q(seed_file=""), name="source_unique_seed_file"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="source_text_not_empty"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Derived, never input: whatever was set, the fingerprint follows the text.
        self.sha256 = self.digest(self.text)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    @staticmethod
    def digest(text: str) -> str:
        """SHA-256 of a text's UTF-8 bytes: the fingerprint that ties a source to its file."""
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def clean(self):
        errors = {
            **partial_date_errors_for(self, "published_on"),
            **future_date_errors(self, "published_on"),
        }
        # Computed here too, so that validate_unique() reports a duplicate text in words.
        self.sha256 = self.digest(self.text)
        if self.pk and self.text:
            stored = Source.objects.filter(pk=self.pk).values_list("text", flat=True).first()
            if stored is not None and stored != self.text and self.has_cited_spans():
                errors["text"] = (
                    "The text of a source that is cited cannot change: the cited spans would "
                    "no longer point at what they quote."
                )
        if errors:
            raise ValidationError(errors)

    def has_cited_spans(self) -> bool:
        """Whether any span (a citation, a quote, ...) points into the text."""
        return any(manager.exists() for manager in self.span_managers())

    def span_managers(self):
        """The related managers of every kind of span pinned to this source."""
        return [
            getattr(self, relation.get_accessor_name())
            for relation in self._meta.related_objects
            if relation.one_to_many and issubclass(relation.related_model, SourceSpan)
        ]


class SourceSpanQuerySet(models.QuerySet):
    """Queries over span-holding models."""

    def with_source_and_context(self):
        """Ready to serialize: the source in brief (without its text) and the text around."""
        return (
            self.select_related("source")
            .defer("source__text", "source__search_vector")
            .with_context()
        )

    def with_context(self, chars: int = spans.DEFAULT_CONTEXT_CHARS):
        """Annotate `context_before` and `context_after`, cut from the source text in SQL.

        The same cut as `spans.context()`, done by the database so that a page of quotes
        never loads whole source texts (the view defers `source__text`). SQL strings count
        from 1.
        """
        before_start = Greatest(F("start") - chars, Value(0))
        return self.annotate(
            context_before=Substr("source__text", before_start + 1, F("start") - before_start),
            context_after=Substr("source__text", F("end") + 1, chars),
        )


SpanManager = NaturalKeyManager.from_queryset(SourceSpanQuerySet)


class SourceSpan(TimeStampedModel):
    """Abstract base of everything pinned to a passage of a source text: quotes and citations.

    The span's rules live here and in `sources.spans`, and nowhere else.
    """

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="%(class)ss")
    start = models.PositiveIntegerField(
        validators=[MaxValueValidator(MAX_OFFSET)],
        help_text="Offset of the first character, in Unicode code points from 0.",
    )
    end = models.PositiveIntegerField(
        validators=[MaxValueValidator(MAX_OFFSET)],
        help_text="Offset just past the last character.",
    )
    text = models.TextField(
        help_text="The passage as it stands at the span (whitespace and quote-mark style aside)."
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="%(app_label)s_%(class)s_span_not_empty",
                violation_error_message="A span must end after it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="%(app_label)s_%(class)s_text_not_empty",
            ),
        ]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # A context cut for the old span (by with_context() or the cached property) is stale.
        for name in ("context", "context_before", "context_after"):
            self.__dict__.pop(name, None)

    def span_errors(self) -> dict:
        """Field errors when the span leaves its source text or its text does not match."""
        if self.source_id is None:
            return {}
        return spans.span_errors(self.source.text, self.start, self.end, self.text or "")

    def clean(self):
        errors = self.span_errors()
        if errors:
            raise ValidationError(errors)

    @cached_property
    def context(self):
        """(before, after): the source text around the span (from `with_context()` if used)."""
        if hasattr(self, "context_before"):
            return self.context_before, self.context_after
        return spans.context(self.source.text, self.start, self.end)

    @property
    def text_at_span(self) -> str:
        return self.source.text[self.start : self.end]


class Citation(SourceSpan):
    """A passage of a source that supports a fact (a treaty date, a troop figure, ...)."""

    objects = SpanManager("source__slug", "start", "end")
    history = history()

    class Meta(SourceSpan.Meta):
        ordering = ["source", "start", "end"]
        constraints = [
            *SourceSpan.Meta.constraints,
            models.UniqueConstraint(fields=["source", "start", "end"], name="citation_unique_span"),
        ]

    def __str__(self):
        return f"{self.source.slug} [{self.start}:{self.end}] “{spans.normalize(self.text)[:60]}”"

    def natural_key(self):
        return (*self.source.natural_key(), self.start, self.end)

    natural_key.dependencies = ["sources.source"]
