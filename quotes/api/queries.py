"""What the API reads of statements, for a reader: the statements they may see, and a
speaker's count of them. The rules themselves are quotes.models.statements' and core.review's."""

from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from core import review
from core.dates import DatePrecision
from quotes.models import Quote, Speaker

# Sorts a statement whose first appearance has no date (or that has no appearance) after every
# dated one: above any (year, month, day) key below.
UNDATED = 10**8


def sees_every_statement(user) -> bool:
    """Whether `user` sees every statement: those who see every quote (researchers). The
    public sees a statement only through a published appearance."""
    return review.sees_drafts(user, Quote)


def statements_for(queryset, user):
    """`queryset` (of statements) as `user` may see them, with what each derives from the
    appearances `user` may see, in SQL: `appearance_count`, the first appearance's date and
    precision, and `first_appeared`, the key of docs/statements.md's order (a partial date
    counts as the last day it may be) in one integer, YYYY·10⁴ + MM·10² + DD with 13 for an
    unknown month and 32 for an unknown day, UNDATED when no date is known."""
    queryset = queryset.with_first_appearance(user)
    if not sees_every_statement(user):
        queryset = queryset.visible_to(user)
    return queryset.annotate(first_appeared=first_appeared_key())


def first_appeared_key():
    """The `first_appeared` annotation (see statements_for())."""
    precision = "first_appeared_on_precision"
    month = Case(
        When(**{precision: DatePrecision.YEAR}, then=Value(13)),
        default=ExtractMonth("first_appeared_on"),
        output_field=IntegerField(),
    )
    day = Case(
        When(**{f"{precision}__in": [DatePrecision.YEAR, DatePrecision.MONTH]}, then=Value(32)),
        default=ExtractDay("first_appeared_on"),
        output_field=IntegerField(),
    )
    key = ExtractYear("first_appeared_on") * Value(10_000) + month * Value(100) + day
    return Coalesce(key, Value(UNDATED), output_field=IntegerField())


def statement_count(user):
    """The number of distinct statements among a speaker's quotes that `user` may see, as an
    expression on speakers (a correlated subquery: computed for a page's rows only)."""
    quotes = (
        review.visible(Quote.objects.all(), user)
        .filter(speaker=OuterRef("pk"), statement__isnull=False)
        .order_by()
        .values("speaker")
        .annotate(n=Count("statement", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(quotes[:1]), Value(0), output_field=IntegerField())


def count_statements(speaker, user) -> int:
    """`statement_count()` for one speaker (after a write, when no annotation was made)."""
    return (
        Speaker.objects.filter(pk=speaker.pk)
        .annotate(n=statement_count(user))
        .values_list("n", flat=True)
        .get()
    )
