"""Filters for speakers, organisations, events, quotes, treaties and troop figures."""

import django_filters

from core.filtersets import (
    TextFilter,
    by_id,
    by_slug,
    country_filter,
    date_range,
    search_filter,
    slug_filter,
    strict_boolean,
)
from core.review import ReviewStatus
from core.search import full_text_search, words_in_any
from quotes.choices import EventKind, OrganizationKind, QuoteKind, SpeakerKind
from quotes.models import Event, Organization, Quote, Speaker, Treaty, TroopFigure


class OrganizationFilterSet(django_filters.FilterSet):
    q = search_filter("Search the name and aliases")
    slug = slug_filter("organization")
    kind = django_filters.MultipleChoiceFilter(choices=OrganizationKind.choices)
    country = country_filter()

    class Meta:
        model = Organization
        fields = ["q", "slug", "kind", "country"]

    def search(self, queryset, name, value):
        return queryset.filter(words_in_any(["name", "aliases"], value))


class SpeakerFilterSet(django_filters.FilterSet):
    q = search_filter("Search the name, the aliases (Makron, trump, ...) and the role")
    slug = slug_filter("speaker")
    kind = django_filters.MultipleChoiceFilter(choices=SpeakerKind.choices)
    country = country_filter()
    organization = by_slug("organization", "Organization")
    organization_id = by_id("organization", "Organization")

    class Meta:
        model = Speaker
        fields = ["q", "slug", "kind", "organization", "organization_id", "country"]

    def search(self, queryset, name, value):
        return queryset.filter(words_in_any(["name", "aliases", "role"], value))


class EventFilterSet(django_filters.FilterSet):
    q = search_filter("Search the name and place")
    slug = slug_filter("event")
    kind = django_filters.MultipleChoiceFilter(choices=EventKind.choices)
    country = country_filter()
    organization = by_slug("organization", "Organizing organization")
    organization_id = by_id("organization", "Organizing organization")
    starts_on_after, starts_on_before = date_range("starts_on", "Starting")

    class Meta:
        model = Event
        fields = ["q", "slug", "kind", "organization", "organization_id", "country"]

    def search(self, queryset, name, value):
        return queryset.filter(words_in_any(["name", "place"], value))


class QuoteFilterSet(django_filters.FilterSet):
    q = search_filter(
        'Full-text search of the quote (PostgreSQL: ranked, with "phrases", OR and '
        "-exclusions; SQLite: every word must occur)",
    )
    speaker = by_slug("speaker", "Speaker")
    speaker_id = by_id("speaker", "Speaker")
    organization = by_slug("speaker__organization", "Speaker's organization")
    organization_id = by_id("speaker__organization", "Speaker's organization")
    source = by_slug("source", "Source")
    source_id = by_id("source", "Source")
    outlet = by_slug("source__outlet", "Outlet of the source")
    outlet_id = by_id("source__outlet", "Outlet of the source")
    event = by_slug("event", "Event")
    event_id = by_id("event", "Event")
    treaty = by_slug("treaties", "Treaty the quote is about")
    treaty_id = by_id("treaties", "Treaty the quote is about")
    kind = django_filters.MultipleChoiceFilter(choices=QuoteKind.choices)
    language = TextFilter(label="ISO 639 language code of the recorded text")
    said_on_after, said_on_before = date_range("said_on", "Said")
    is_translation = strict_boolean("is_translation", "The words are a translation")
    speaker_language = TextFilter(label="ISO 639 code of the language the speaker used")
    attribution_inferred = strict_boolean(
        "attribution_inferred", "The speaker is worked out from the text around the quote"
    )
    from_headline = strict_boolean("from_headline", "The quote is in the source's headline")
    status = django_filters.MultipleChoiceFilter(
        choices=ReviewStatus.choices, label="Review status (the public sees published only)"
    )

    class Meta:
        model = Quote
        fields = [
            "q",
            "speaker",
            "speaker_id",
            "organization",
            "organization_id",
            "source",
            "source_id",
            "outlet",
            "outlet_id",
            "event",
            "event_id",
            "treaty",
            "treaty_id",
            "kind",
            "language",
            "is_translation",
            "speaker_language",
            "attribution_inferred",
            "from_headline",
        ]

    def search(self, queryset, name, value):
        return full_text_search(queryset, value, fallback_fields=["text"])


class TreatyFilterSet(django_filters.FilterSet):
    q = search_filter("Search the names and aliases")
    slug = slug_filter("treaty")
    party = TextFilter(
        field_name="parties__country", label="Country code of a party (US, SU, RU, ...)"
    )
    signed_on_after, signed_on_before = date_range("signed_on", "Signed")

    class Meta:
        model = Treaty
        fields = ["q", "slug", "party"]

    def search(self, queryset, name, value):
        return queryset.filter(words_in_any(["name", "short_name", "aliases"], value))


class TroopFigureFilterSet(django_filters.FilterSet):
    q = search_filter("Search the location and note")
    slug = slug_filter("troop figure")
    country = country_filter("contributing_country", "Contributing country (ISO 3166-1 alpha-2)")
    organization = by_slug("deploying_organization", "Deploying organization")
    organization_id = by_id("deploying_organization", "Deploying organization")
    location = TextFilter(lookup_expr="icontains", label="Location contains")
    parent_id = by_id("parent", "The figure this one is part of")
    status = django_filters.MultipleChoiceFilter(
        choices=ReviewStatus.choices, label="Review status (the public sees published only)"
    )
    as_of_after, as_of_before = date_range("as_of", "As of")

    class Meta:
        model = TroopFigure
        fields = ["q", "slug", "country", "organization", "organization_id", "location"]

    def search(self, queryset, name, value):
        return queryset.filter(words_in_any(["location", "note"], value))
