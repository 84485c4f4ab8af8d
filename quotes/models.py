"""What the texts say: who speaks, where, the quotes themselves, treaties and troop figures.

Every quote is a span of a source (it inherits `SourceSpan`); every fact cites at least one
`Citation`. The span rules themselves live in `sources.spans`.
"""

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from quotes.choices import (
    EventKind,
    OrganizationKind,
    QuoteKind,
    ReviewStatus,
    SpeakerKind,
    TreatyStatusKind,
)
from sources.dates import (
    DatePrecision,
    format_partial_date,
    partial_date_constraints,
    partial_date_errors_for,
)
from sources.history import history
from sources.models import (
    NaturalKeyManager,
    SourceSpan,
    SourceSpanQuerySet,
    TimeStampedModel,
    country_code_validator,
    language_code_validator,
)
from sources.spans import normalize

# Bounds that no real figure passes; they also keep the API schema the same on every database.
MAX_TROOP_COUNT = 10_000_000
MAX_RANGE_KM = 50_000  # more than the Earth's circumference

wikidata_id_validator = RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q7747.")


def validate_aliases(value):
    """Aliases are a list of distinct, non-empty strings."""
    if not isinstance(value, list) or not all(isinstance(a, str) and a.strip() for a in value):
        raise ValidationError("Aliases must be a list of non-empty strings.")
    if len(set(value)) != len(value):
        raise ValidationError("Aliases must be distinct.")
    if any("\x00" in alias for alias in value):
        raise ValidationError("Aliases cannot contain NUL characters.")


class Organization(TimeStampedModel):
    """A body that people speak for: NATO, the Russian Foreign Ministry, the Kremlin, ..."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices)
    country = models.CharField(max_length=2, blank=True, validators=[country_code_validator])
    aliases = models.JSONField(default=list, blank=True, validators=[validate_aliases])
    note = models.TextField(blank=True)

    objects = NaturalKeyManager()
    history = history()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class ReviewedQuerySetMixin:
    """For models with a review status: what a given user may see."""

    def visible_to(self, user):
        """Everything for users who may view the model (researchers); published rows otherwise."""
        if self.sees_everything(user):
            return self
        return self.filter(status=ReviewStatus.PUBLISHED)

    def sees_everything(self, user) -> bool:
        meta = self.model._meta
        return user is not None and user.has_perm(f"{meta.app_label}.view_{meta.model_name}")

    def is_visible(self, record, request) -> bool:
        """Whether the user of `request` may see `record` (drafts are for researchers)."""
        user = getattr(request, "user", None)
        return record.status == ReviewStatus.PUBLISHED or self.sees_everything(user)


class QuoteQuerySet(ReviewedQuerySetMixin, SourceSpanQuerySet):
    pass


class TroopFigureQuerySet(ReviewedQuerySetMixin, models.QuerySet):
    pass


class SpeakerQuerySet(models.QuerySet):
    def with_quote_statistics(self, user=None):
        """Annotate quote_count, first_quote_on and last_quote_on, over the quotes `user` may see.

        Correlated subqueries rather than a join and GROUP BY: they are computed only for the
        rows a page returns, whatever the number of quotes.
        """
        quotes = Quote.objects.visible_to(user).filter(speaker=OuterRef("pk")).order_by()
        dated = quotes.filter(said_on__isnull=False)
        return self.annotate(
            quote_count=Coalesce(
                Subquery(quotes.values("speaker").annotate(n=Count("pk")).values("n")), 0
            ),
            first_quote_on=Subquery(dated.order_by("said_on").values("said_on")[:1]),
            last_quote_on=Subquery(dated.order_by("-said_on").values("said_on")[:1]),
        )


class Speaker(TimeStampedModel):
    """A person or an institution that speaks (the Russian Foreign Ministry speaks in seed 000)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=12, choices=SpeakerKind.choices)
    role = models.CharField(
        max_length=200, blank=True, help_text="Role or title as the texts give it."
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="speakers"
    )
    country = models.CharField(max_length=2, blank=True, validators=[country_code_validator])
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_aliases],
        help_text="Other spellings the texts use (Makron, trump, the Foreign Ministry, ...).",
    )
    wikidata_id = models.CharField(
        "Wikidata id", max_length=20, blank=True, validators=[wikidata_id_validator]
    )
    note = models.TextField(blank=True)

    objects = NaturalKeyManager.from_queryset(SpeakerQuerySet)()
    history = history()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="speaker_unique_wikidata_id",
            )
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Event(TimeStampedModel):
    """Where statements were made: a summit, a conference, a press briefing, a statement, ..."""

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    starts_on = models.DateField(null=True, blank=True)
    starts_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    starts_on_inferred = models.BooleanField(default=False)
    starts_on_note = models.TextField(blank=True)
    ends_on = models.DateField(null=True, blank=True)
    ends_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    ends_on_inferred = models.BooleanField(default=False)
    ends_on_note = models.TextField(blank=True)
    place = models.CharField(max_length=200, blank=True, help_text="City, building, ...")
    country = models.CharField(max_length=2, blank=True, validators=[country_code_validator])
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    citations = models.ManyToManyField("sources.Citation", related_name="events")
    note = models.TextField(blank=True)

    objects = NaturalKeyManager()
    history = history(m2m_fields=[citations])

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [
            *partial_date_constraints("starts_on", "event"),
            *partial_date_constraints("ends_on", "event"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="event_ends_after_it_starts",
                violation_error_message="An event cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        errors = partial_date_errors_for(self, "starts_on", "ends_on")
        if self.ends_on and not self.starts_on:
            errors.setdefault("starts_on", "An event with an end date needs a start date.")
        if errors:
            raise ValidationError(errors)


class Treaty(TimeStampedModel):
    """A treaty: its names, when and where it was signed, and (below) its parties and lifecycle."""

    name = models.CharField(max_length=300, unique=True)
    short_name = models.CharField(max_length=100, blank=True)
    slug = models.SlugField(max_length=100, unique=True)
    aliases = models.JSONField(default=list, blank=True, validators=[validate_aliases])
    signed_on = models.DateField(null=True, blank=True)
    signed_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    signed_on_inferred = models.BooleanField(default=False)
    signed_on_note = models.TextField(blank=True)
    signed_place = models.CharField(max_length=200, blank=True)
    citations = models.ManyToManyField("sources.Citation", related_name="treaties")
    note = models.TextField(blank=True)

    objects = NaturalKeyManager()
    history = history(m2m_fields=[citations])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "treaties"
        constraints = [*partial_date_constraints("signed_on", "treaty")]

    def __str__(self):
        return self.short_name or self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        errors = partial_date_errors_for(self, "signed_on")
        if errors:
            raise ValidationError(errors)


class TreatyFact(TimeStampedModel):
    """Abstract base of the cited facts about a treaty, each keyed by (treaty, slug)."""

    # Each subclass declares `treaty = ForeignKey(Treaty, related_name=...)`.
    slug = models.SlugField(max_length=100)

    objects = NaturalKeyManager("treaty__slug", "slug")

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["treaty", "slug"], name="%(app_label)s_%(class)s_unique_slug"
            )
        ]

    def natural_key(self):
        return (*self.treaty.natural_key(), self.slug)

    natural_key.dependencies = ["quotes.treaty"]


class TreatyParty(TreatyFact):
    """A state party to a treaty."""

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="parties")
    country = models.CharField(max_length=2, validators=[country_code_validator])
    name = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    citations = models.ManyToManyField("sources.Citation", related_name="treaty_parties")
    history = history(m2m_fields=[citations])

    class Meta(TreatyFact.Meta):
        ordering = ["treaty", "name"]
        verbose_name_plural = "treaty parties"
        constraints = [
            *TreatyFact.Meta.constraints,
            models.UniqueConstraint(fields=["treaty", "country"], name="treaty_party_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.treaty})"


class TreatySignatory(TreatyFact):
    """A person who signed a treaty, for a party."""

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="signatories")
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(max_length=200, blank=True, help_text="Role as the texts give it.")
    party_country = models.CharField(max_length=2, blank=True, validators=[country_code_validator])
    citations = models.ManyToManyField("sources.Citation", related_name="treaty_signatories")
    history = history(m2m_fields=[citations])

    class Meta(TreatyFact.Meta):
        ordering = ["treaty", "speaker__name"]
        verbose_name_plural = "treaty signatories"
        constraints = [
            *TreatyFact.Meta.constraints,
            models.UniqueConstraint(fields=["treaty", "speaker"], name="treaty_signatory_unique"),
        ]

    def __str__(self):
        return f"{self.speaker} ({self.treaty})"


class TreatyStatusEvent(TreatyFact):
    """A dated change in a treaty's status: signed, obligations suspended, terminated, ..."""

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="status_events")
    kind = models.CharField(max_length=30, choices=TreatyStatusKind.choices)
    occurred_on = models.DateField(null=True, blank=True)
    occurred_on_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True
    )
    occurred_on_inferred = models.BooleanField(default=False)
    occurred_on_note = models.TextField(blank=True)
    party_country = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_code_validator],
        help_text="The party that acted, when one did.",
    )
    description = models.TextField()
    citations = models.ManyToManyField("sources.Citation", related_name="treaty_status_events")
    history = history(m2m_fields=[citations])

    class Meta(TreatyFact.Meta):
        ordering = ["treaty", "occurred_on", "slug"]
        constraints = [
            *TreatyFact.Meta.constraints,
            *partial_date_constraints("occurred_on", "treaty_status_event"),
        ]

    def __str__(self):
        when = format_partial_date(self.occurred_on, self.occurred_on_precision) or "undated"
        return f"{self.treaty}: {self.get_kind_display()} ({when})"

    def clean(self):
        errors = partial_date_errors_for(self, "occurred_on")
        if errors:
            raise ValidationError(errors)


class TreatyProvision(TreatyFact):
    """A key provision, as a cited statement; range bands carry their bounds in kilometres."""

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="provisions")
    article = models.CharField(max_length=50, blank=True)
    summary = models.TextField()
    min_range_km = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_RANGE_KM)]
    )
    max_range_km = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_RANGE_KM)]
    )
    citations = models.ManyToManyField("sources.Citation", related_name="treaty_provisions")
    history = history(m2m_fields=[citations])

    class Meta(TreatyFact.Meta):
        ordering = ["treaty", "min_range_km", "slug"]
        constraints = [
            *TreatyFact.Meta.constraints,
            models.CheckConstraint(
                condition=Q(min_range_km__isnull=True)
                | Q(max_range_km__isnull=True)
                | Q(max_range_km__gt=F("min_range_km")),
                name="treaty_provision_range_ordered",
                violation_error_message="The upper bound of a range must exceed its lower bound.",
            ),
        ]

    def __str__(self):
        return f"{self.treaty}: {self.summary[:60]}"


class Quote(SourceSpan):
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
        default=False, help_text="The words are a translation of what the speaker said."
    )
    original_language = models.CharField(
        max_length=3, blank=True, validators=[language_code_validator]
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
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, db_index=True
    )
    # Maintained by a PostgreSQL trigger from `text`; unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = NaturalKeyManager.from_queryset(QuoteQuerySet)("source__slug", "start", "end")
    history = history(m2m_fields=[treaties], excluded_fields=["search_vector"])

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

    @property
    def said_on_display(self) -> str:
        return format_partial_date(self.said_on, self.said_on_precision)

    def clean(self):
        errors = {**self.span_errors(), **partial_date_errors_for(self, "said_on")}
        if self.is_translation and not self.original_language:
            errors["original_language"] = "A translated quote names its original language."
        if not self.is_translation and self.original_language:
            errors["is_translation"] = "A quote with an original language is a translation."
        if errors:
            raise ValidationError(errors)


class TroopFigure(TimeStampedModel):
    """A cited troop count: how many, whose, deployed by whom, where, as of when."""

    slug = models.SlugField(max_length=100, unique=True)
    count = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TROOP_COUNT)]
    )
    unit = models.CharField(max_length=50, default="soldiers", help_text="As the text counts.")
    contributing_country = models.CharField(
        max_length=2, blank=True, validators=[country_code_validator]
    )
    deploying_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="troop_figures",
    )
    location = models.CharField(max_length=200)
    as_of = models.DateField(null=True, blank=True)
    as_of_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    as_of_inferred = models.BooleanField(default=False)
    as_of_note = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        help_text="The larger figure this one is part of (900 of the 1,100).",
    )
    citations = models.ManyToManyField("sources.Citation", related_name="troop_figures")
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, db_index=True
    )

    objects = NaturalKeyManager.from_queryset(TroopFigureQuerySet)()
    history = history(m2m_fields=[citations])

    class Meta:
        ordering = ["as_of", "-count"]
        constraints = [
            *partial_date_constraints("as_of", "troop_figure"),
            models.CheckConstraint(condition=Q(count__gt=0), name="troop_figure_count_positive"),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="troop_figure_not_its_own_part"
            ),
        ]

    def __str__(self):
        return f"{self.count:,} {self.unit} in {self.location}"

    def natural_key(self):
        return (self.slug,)

    @property
    def as_of_display(self) -> str:
        return format_partial_date(self.as_of, self.as_of_precision)

    def clean(self):
        errors = partial_date_errors_for(self, "as_of")
        if self.parent is not None:
            errors.update(self.part_errors())
        if self.pk and self.count:
            parts = self.parts.exclude(pk=self.pk).aggregate(total=models.Sum("count"))["total"]
            if parts and parts > self.count:
                errors.setdefault(
                    "count", f"Its parts together ({parts:,}) exceed this figure ({self.count:,})."
                )
        if errors:
            raise ValidationError(errors)

    def part_errors(self) -> dict:
        """A part cannot exceed its whole, nor can the parts together; no cycles."""
        ancestor, seen = self.parent, {self.pk} if self.pk else set()
        while ancestor is not None:
            if ancestor.pk is not None and ancestor.pk in seen:
                return {"parent": "A figure cannot be part of itself."}
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
        if self.count and self.count > self.parent.count:
            return {
                "count": f"A part ({self.count:,}) cannot exceed its whole ({self.parent.count:,})."
            }
        siblings = {"total": 0}
        if self.parent.pk:  # a parent being created in the same form has no parts yet
            siblings = self.parent.parts.exclude(pk=self.pk).aggregate(total=models.Sum("count"))
        total = (siblings["total"] or 0) + (self.count or 0)
        if total > self.parent.count:
            whole = self.parent.count
            return {"count": f"The parts together ({total:,}) exceed their whole ({whole:,})."}
        return {}
