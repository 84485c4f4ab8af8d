"""Statements: what a speaker said, recorded once, and the quotes that are its appearances.

The same words are reported again and again: across articles, and inside one (a headline, a
lede, the full quotation). A `Statement` groups those quotes: each `Quote` is in at most one
(`Quote.statement`, the statement's `appearances`), and all of a statement's appearances are
its speaker's. What a statement shows is derived from its appearances, in SQL:

- its first appearance: the appearance whose source was published first (below, for partial
  dates);
- its variants: the distinct wordings of its appearances (`sources.spans.normalize`d: the same
  words with another line break or quotation-mark style are one wording).

The statements are curated: the methods of quotes.matching propose `StatementSuggestion`s,
a researcher confirms or dismisses each (quotes.statements), and can undo a confirmation.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from core.dates import DatePrecision, format_partial_date
from core.history import history
from core.models import NaturalKeyManager, TimeStampedModel
from core.review import visible
from quotes.models.actors import Speaker
from sources.spans import normalize

# -- first appearance: the order of appearances --------------------------------------------
#
# An appearance is dated by its source's publication date, which may be partial: a year-
# precision date is stored as 1 January, a month-precision date as the 1st. Compared as stored,
# "2017" would come before "26 May 2017" by accident. Each date stands instead for the last day
# it may be: "2017" for 31 December 2017, "2017-05" for 31 May. The first appearance is the one
# known to have appeared earliest: the earliest such last day (a year-precision 2016 is before
# 5 January 2017; a year-precision 2017 is not before 26 May 2017, since it may be later). On a
# tie the more precise date comes first (31 December 2017, then December 2017, then 2017),
# then the source, then the place in its text (a headline before the body). Unknown dates come
# last. The sort key is (year, month or 13, day or 32): the same order, with no date arithmetic,
# so that every backend sorts alike.

_PRECISION = "source__published_on_precision"


def appearance_order(prefix: str = "") -> list:
    """Order expressions that put a statement's appearances (quotes) first appearance first.

    `prefix` reaches the quote from another model ("quote__").
    """
    date = f"{prefix}source__published_on"
    precision = f"{prefix}{_PRECISION}"
    month = Case(
        When(**{precision: DatePrecision.YEAR}, then=Value(13)),
        default=ExtractMonth(date),
        output_field=IntegerField(),
    )
    day = Case(
        When(**{f"{precision}__in": [DatePrecision.YEAR, DatePrecision.MONTH]}, then=Value(32)),
        default=ExtractDay(date),
        output_field=IntegerField(),
    )
    return [
        ExtractYear(date).asc(nulls_last=True),
        month.asc(nulls_last=True),
        day.asc(nulls_last=True),
        F(f"{prefix}source_id").asc(),
        F(f"{prefix}start").asc(),
        F(f"{prefix}pk").asc(),
    ]


def appearance_sort_key(quote) -> tuple:
    """`appearance_order()` in Python, for appearances already loaded (their source with them)."""
    source = quote.source
    value, precision = source.published_on, source.published_on_precision
    if value is None:
        dated = (1, 0, 0, 0)
    else:
        month = 13 if precision == DatePrecision.YEAR else value.month
        day = 32 if precision in (DatePrecision.YEAR, DatePrecision.MONTH) else value.day
        dated = (0, value.year, month, day)
    return (*dated, quote.source_id, quote.start, quote.pk)


def _appearances(visible_to):
    """The quotes that may be shown as appearances: all, or those `visible_to[0]` may see."""
    from quotes.models.quotes import Quote

    quotes = Quote.objects.all()
    if visible_to:
        quotes = visible(quotes, visible_to[0])
    return quotes


class StatementQuerySet(models.QuerySet):
    """Statements with what they derive from their appearances, each in the same query.

    The `user` argument restricts the appearances to the quotes that user may see
    (core.review: the public sees published quotes only); leave it out for every appearance.
    """

    def with_first_appearance(self, *user):
        """Annotate `appearance_count`, and `first_appearance_id`, `first_appeared_on` and
        `first_appeared_on_precision` (the source's date of the first appearance: None when
        no appearance has a dated source)."""
        quotes = _appearances(user).filter(statement=OuterRef("pk"))
        first = quotes.order_by(*appearance_order())
        counted = quotes.order_by().values("statement").annotate(n=Count("pk")).values("n")
        return self.annotate(
            appearance_count=Coalesce(Subquery(counted[:1]), 0),
            first_appearance_id=Subquery(first.values("pk")[:1]),
            first_appeared_on=Subquery(first.values("source__published_on")[:1]),
            first_appeared_on_precision=Subquery(first.values(_PRECISION)[:1]),
        )

    def with_appearances(self, *user):
        """Prefetch the appearances, first appearance first, each with its source (without
        its text) and speaker: `first_appearance` and `variants` then cost no query."""

        quotes = (
            _appearances(user)
            .select_related("source", "speaker")
            .defer("source__text", "source__search_vector", "search_vector")
            .order_by(*appearance_order())
        )
        return self.prefetch_related(Prefetch("appearances", queryset=quotes)).select_related(
            "speaker"
        )

    def visible_to(self, user):
        """The statements with at least one appearance `user` may see."""
        return self.filter(pk__in=_appearances((user,)).values("statement"))

    def with_appearance(self):
        """The statements that have an appearance (a statement stays when its last one is
        detached, with its history: quotes.statements.detach)."""
        return self.filter(appearances__isnull=False).distinct()


class Statement(TimeStampedModel):
    """What a speaker said, recorded once: its appearances are the quotes that report it."""

    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="statements")
    slug = models.SlugField(max_length=100, unique=True)
    text = models.TextField(
        help_text="Its canonical wording: by default the wording of its first appearance."
    )
    note = models.TextField(blank=True, help_text="How its appearances were grouped.")

    objects = NaturalKeyManager.from_queryset(StatementQuerySet)("slug")
    history = history()

    class Meta:
        ordering = ["speaker", "slug"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="statement_text_not_empty"),
        ]

    def __str__(self):
        return f"{self.speaker}: “{self.text_preview}”"

    def natural_key(self):
        return (self.slug,)

    @property
    def text_preview(self) -> str:
        text = normalize(self.text)
        return text if len(text) <= 80 else f"{text[:79]}…"

    def ordered_appearances(self) -> list:
        """The appearances, first appearance first (prefetched by with_appearances(), or
        queried)."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "appearances" in cache:
            return list(cache["appearances"])
        return list(
            self.appearances.select_related("source")
            .defer("source__text")
            .order_by(*appearance_order())
        )

    @property
    def first_appearance(self):
        """The appearance whose source was published first (see appearance_order())."""
        appearances = self.ordered_appearances()
        return appearances[0] if appearances else None

    @property
    def first_appeared_display(self) -> str:
        """The first appearance's source date, with only the parts it has ("2017-05-26",
        "2019"); empty when unknown."""
        first = self.first_appearance
        if first is None:
            return ""
        return format_partial_date(first.source.published_on, first.source.published_on_precision)

    @property
    def variants(self) -> list[str]:
        """The distinct wordings of its appearances, in the order they first appear."""
        seen = {}
        for quote in self.ordered_appearances():
            seen.setdefault(normalize(quote.text), None)
        return list(seen)

    def clean(self):
        if self.pk and self.speaker_id:
            others = self.appearances.exclude(speaker_id=self.speaker_id)
            if others.exists():
                raise ValidationError(
                    {
                        "speaker": "Every appearance of a statement is its speaker's: "
                        f"{others.count()} appearance(s) are another speaker's. Detach them "
                        "first."
                    }
                )


class SuggestionMethod(models.TextChoices):
    """How a suggestion was found (quotes.matching), or that a researcher decided it."""

    EXACT = "exact", "Exact match"
    CONTAINMENT = "containment", "Containment"
    SIMILARITY = "similarity", "Near-verbatim similarity"
    CURATED = "curated", "Decided by a researcher"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class StatementSuggestionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=SuggestionStatus.PENDING)

    def involving(self, quote):
        """The suggestions that name `quote` on either side."""
        return self.filter(Q(quote=quote) | Q(other_quote=quote))

    def for_queue(self):
        """Ready for the researchers' queue: both sides with their sources (without their
        texts), speakers and statements, and the statement's appearance count."""
        return (
            self.select_related(
                "quote__speaker",
                "quote__source",
                "quote__statement",
                "other_quote__source",
                "other_quote__speaker",
                "other_quote__statement",
                "statement__speaker",
                "decided_by",
            )
            .defer(
                "quote__source__text",
                "quote__source__search_vector",
                "other_quote__source__text",
                "other_quote__source__search_vector",
                "quote__search_vector",
                "other_quote__search_vector",
            )
            .annotate(statement_appearances=Count("statement__appearances", distinct=True))
        )


class StatementSuggestion(TimeStampedModel):
    """A proposal that a quote is another appearance of what another quote or a statement
    says (always one speaker's), waiting for a researcher's decision.

    A pair is proposed once: a dismissed suggestion stays, with who dismissed it, when and why,
    so that suggesting again does not propose it again. Two quotes are stored in the order of
    their ids; a quote and a statement name the quote that is not in it.
    """

    quote = models.ForeignKey(
        "quotes.Quote", on_delete=models.CASCADE, related_name="statement_suggestions"
    )
    other_quote = models.ForeignKey(
        "quotes.Quote",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="statement_suggestions_as_other",
        help_text="The quote it repeats, when neither is in a statement yet.",
    )
    statement = models.ForeignKey(
        Statement,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="suggestions",
        help_text="The statement it would join.",
    )
    method = models.CharField(max_length=12, choices=SuggestionMethod.choices)
    score = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="1 for an exact match; for containment the share of the longer text the "
        "shorter covers; for similarity pg_trgm's similarity (PostgreSQL) or rapidfuzz's ratio.",
    )
    status = models.CharField(
        max_length=10,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was confirmed or dismissed.")

    objects = StatementSuggestionQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["quote__speaker__name", "-score", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(other_quote__isnull=False, statement__isnull=True)
                | Q(other_quote__isnull=True, statement__isnull=False),
                name="statement_suggestion_one_target",
                violation_error_message="A suggestion pairs a quote with another quote or with "
                "a statement.",
            ),
            models.CheckConstraint(
                condition=Q(other_quote__isnull=True) | Q(quote__lt=F("other_quote")),
                name="statement_suggestion_quotes_in_order",
                violation_error_message="Two quotes are paired in the order of their ids.",
            ),
            models.UniqueConstraint(
                fields=["quote", "other_quote"],
                condition=Q(other_quote__isnull=False),
                name="statement_suggestion_unique_quotes",
            ),
            models.UniqueConstraint(
                fields=["quote", "statement"],
                condition=Q(statement__isnull=False),
                name="statement_suggestion_unique_statement",
            ),
            models.CheckConstraint(
                condition=Q(status=SuggestionStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=SuggestionStatus.PENDING) & Q(decided_at__isnull=False)),
                name="statement_suggestion_decided_when",
                violation_error_message="A decided suggestion says when; a pending one has "
                "no decision.",
            ),
            models.CheckConstraint(
                condition=~Q(status=SuggestionStatus.DISMISSED) | ~Q(reason=""),
                name="statement_suggestion_dismissal_has_reason",
                violation_error_message="A dismissal says why.",
            ),
            models.CheckConstraint(
                condition=~Q(method=SuggestionMethod.CURATED) | ~Q(status=SuggestionStatus.PENDING),
                name="statement_suggestion_curated_is_decided",
                violation_error_message="A researcher's own decision is never pending.",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1),
                name="statement_suggestion_score_range",
            ),
        ]

    def __str__(self):
        target = self.statement or self.other_quote
        return f"{self.quote.text_preview[:40]} ~ {target} ({self.get_method_display()})"
