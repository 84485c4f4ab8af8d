"""Filters of statements and their suggestions, and the quote list's `one_per_statement`.

(Beside the API rather than in quotes/filtersets.py: they read what the API annotates, the
statements as a reader may see them, quotes.api.queries.)
"""

import calendar
import datetime

import django_filters
from django import forms
from django.db.models import OuterRef, Q, Subquery

from core import review
from core.dates import DatePrecision
from core.filtersets import (
    MAX_ID,
    SLUG_PATTERN,
    IsoDateFilter,
    RelatedFilter,
    by_id,
    by_slug,
    search_filter,
    strict_boolean,
)
from core.search import full_text_search, words_in_any
from quotes.filtersets import QuoteFilterSet
from quotes.models import Quote, Statement, StatementSuggestion
from quotes.models.statements import SuggestionMethod, SuggestionStatus, appearance_order
from sources.models import Source


class AppearsInFilter(RelatedFilter):
    """Statements with an appearance in one of these sources, among the appearances the user
    may see: a draft appearance does not reveal its statement to the public."""

    def filter(self, qs, value):
        if not value:
            return qs
        user = getattr(self.parent.request, "user", None)
        sources = Source.objects.filter(**{f"{self.to_field}__in": value}).values("pk")
        appearances = review.visible(Quote.objects.all(), user).filter(source__in=sources)
        return qs.filter(pk__in=appearances.order_by().values("statement"))


def appears_in_by_slug():
    return AppearsInFilter(
        field_name="appearances__source",
        to_field="slug",
        item_schema={"type": "string", "pattern": SLUG_PATTERN},
        item_field=forms.SlugField(),
        label="Source of an appearance (slug; repeat for several). An unknown slug matches "
        "nothing.",
    )


def appears_in_by_id():
    return AppearsInFilter(
        field_name="appearances__source",
        to_field="pk",
        item_schema={"type": "integer", "minimum": 1, "maximum": MAX_ID},
        item_field=forms.IntegerField(min_value=1, max_value=MAX_ID),
        label="Source of an appearance (id; repeat for several). An unknown id matches nothing.",
    )


def _last_day_of_month(day: datetime.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def first_appeared_on_or_before(day: datetime.date) -> Q:
    """Statements whose first appearance is known to be on or before `day`: its date, taken as
    the last day it may be ("2017" as 31 December 2017, "2017-05" as 31 May), is not after
    `day` (docs/statements.md)."""
    this_month = day.replace(day=1)
    whole_month = _last_day_of_month(day)
    month_cutoff = this_month if whole_month else _previous_month(this_month)
    whole_year = (day.month, day.day) == (12, 31)
    year_cutoff = day.replace(month=1, day=1) if whole_year else _previous_year(day)
    on, precision = "first_appeared_on", "first_appeared_on_precision"
    return (
        Q(**{precision: DatePrecision.DAY, f"{on}__lte": day})
        | _on_or_before(precision, DatePrecision.MONTH, on, month_cutoff)
        | _on_or_before(precision, DatePrecision.YEAR, on, year_cutoff)
    )


def _on_or_before(precision_field, precision, date_field, cutoff) -> Q:
    if cutoff is None:  # before the first day of the calendar: nothing
        return Q(pk__in=[])
    return Q(**{precision_field: precision, f"{date_field}__lte": cutoff})


def first_appeared_on_or_after(day: datetime.date) -> Q:
    """Statements whose first appearance, its date taken as the last day it may be, is on or
    after `day`: "2017" is on or after 1 June 2017 (it may be 31 December)."""
    on, precision = "first_appeared_on", "first_appeared_on_precision"
    return (
        Q(**{precision: DatePrecision.DAY, f"{on}__gte": day})
        | Q(**{precision: DatePrecision.MONTH, f"{on}__gte": day.replace(day=1)})
        | Q(**{precision: DatePrecision.YEAR, f"{on}__gte": datetime.date(day.year, 1, 1)})
    )


def _previous_month(first: datetime.date) -> datetime.date | None:
    if first == datetime.date.min:
        return None
    return (first - datetime.timedelta(days=1)).replace(day=1)


def _previous_year(day: datetime.date) -> datetime.date | None:
    return datetime.date(day.year - 1, 1, 1) if day.year > datetime.MINYEAR else None


PARTIAL_DATES = (
    "A partial date counts as the last day it may be (2017 as 2017-12-31, 2017-05 as "
    "2017-05-31), as the first appearance is chosen; an unknown date matches neither bound"
)


class StatementFilterSet(django_filters.FilterSet):
    q = search_filter(
        "Search the wording: the statement's text and the words of its appearances (as the "
        "quote list's q searches them)"
    )
    speaker = by_slug("speaker", "Speaker")
    speaker_id = by_id("speaker", "Speaker")
    source = appears_in_by_slug()
    source_id = appears_in_by_id()
    first_appeared_after = IsoDateFilter(
        method="filter_first_appeared_after",
        label=f"First appeared on or after (YYYY-MM-DD). {PARTIAL_DATES}.",
    )
    first_appeared_before = IsoDateFilter(
        method="filter_first_appeared_before",
        label=f"First appeared on or before (YYYY-MM-DD). {PARTIAL_DATES}.",
    )

    class Meta:
        model = Statement
        fields = ["q", "speaker", "speaker_id", "source", "source_id"]

    def search(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        quotes = review.visible(Quote.objects.all(), user).filter(statement__isnull=False)
        wording = full_text_search(quotes, value, fallback_fields=["text"]).order_by()
        return queryset.filter(
            words_in_any(["text"], value) | Q(pk__in=wording.values("statement"))
        )

    def filter_first_appeared_after(self, queryset, name, value):
        return queryset.filter(first_appeared_on_or_after(value))

    def filter_first_appeared_before(self, queryset, name, value):
        return queryset.filter(first_appeared_on_or_before(value))


class NamingQuoteFilter(RelatedFilter):
    """Suggestions that name one of these quotes, on either side."""

    def filter(self, qs, value):
        if not value:
            return qs
        user = getattr(self.parent.request, "user", None)
        quotes = review.visible(Quote.objects.all(), user).filter(pk__in=value).values("pk")
        return qs.filter(Q(quote__in=quotes) | Q(other_quote__in=quotes))


class StatementSuggestionFilterSet(django_filters.FilterSet):
    quote_id = NamingQuoteFilter(
        field_name="quote",
        to_field="pk",
        item_schema={"type": "integer", "minimum": 1, "maximum": MAX_ID},
        item_field=forms.IntegerField(min_value=1, max_value=MAX_ID),
        label="A quote on either side (id; repeat for several). An unknown id matches nothing.",
    )
    speaker = by_slug("quote__speaker", "Speaker of both sides")
    speaker_id = by_id("quote__speaker", "Speaker of both sides")
    statement = by_slug("statement", "The statement the quote would join")
    statement_id = by_id("statement", "The statement the quote would join")
    status = django_filters.MultipleChoiceFilter(
        choices=SuggestionStatus.choices, label="pending, confirmed or dismissed"
    )
    method = django_filters.MultipleChoiceFilter(
        choices=SuggestionMethod.choices, label="How it was found"
    )

    class Meta:
        model = StatementSuggestion
        fields = [
            "quote_id",
            "speaker",
            "speaker_id",
            "statement",
            "statement_id",
            "status",
            "method",
        ]


class QuoteListFilterSet(QuoteFilterSet):
    """The quote list's filters, and `one_per_statement`: the repeats dropped."""

    one_per_statement = strict_boolean(
        "one_per_statement",
        "true: drop the repeats. One quote per statement, the first of its appearances "
        "that the other filters match (by its source's date, a partial date counting as the "
        "last day it may be, then the source, then its place in the text), and every quote that "
        "is in no statement. false, or left out: every quote.",
    )

    class Meta(QuoteFilterSet.Meta):
        fields = [*QuoteFilterSet.Meta.fields, "one_per_statement"]

    def filter_queryset(self, queryset):
        one_per_statement = self.form.cleaned_data.get("one_per_statement")
        for name, value in self.form.cleaned_data.items():
            if name != "one_per_statement":
                queryset = self.filters[name].filter(queryset, value)
        if one_per_statement:
            queryset = first_of_each_statement(queryset)
        return queryset


def first_of_each_statement(quotes):
    """`quotes` (filtered) without repeats: of each statement's appearances among them, only
    the first (quotes.models.statements.appearance_order), and every quote in no statement.

    A condition on each row, not a DISTINCT: the list keeps its ordering and its keyset pages
    (each row is in or out whatever the page), and the count and the CSV export agree.
    """
    first = (
        quotes.filter(statement_id=OuterRef("statement_id"))
        .order_by(*appearance_order())
        .values("pk")[:1]
    )
    return quotes.filter(Q(statement__isnull=True) | Q(pk=Subquery(first)))
