"""Filters for outlets and sources (django-filter)."""

import django_filters
from django.db.models import Q

from core.filtersets import (
    TextFilter,
    by_id,
    by_slug,
    country_filter,
    date_range,
    search_filter,
    slug_filter,
)
from core.search import full_text_search
from sources.models import Outlet, Source


class OutletFilterSet(django_filters.FilterSet):
    q = search_filter("Search the name and website")
    slug = slug_filter("outlet")
    country = country_filter()

    class Meta:
        model = Outlet
        fields = ["q", "slug", "country"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(website__icontains=value))


class SourceFilterSet(django_filters.FilterSet):
    q = search_filter("Full-text search of the title and text (ranked on PostgreSQL)")
    outlet = by_slug("outlet", "Outlet")
    outlet_id = by_id("outlet", "Outlet")
    slug = slug_filter("source")
    language = TextFilter(label="ISO 639 language code of the text")
    original_language = TextFilter(
        label="ISO 639 code of the language a translated text was translated from"
    )
    published_on_after, published_on_before = date_range("published_on", "Published")

    class Meta:
        model = Source
        fields = ["q", "slug", "outlet", "outlet_id", "language", "original_language"]

    def search(self, queryset, name, value):
        return full_text_search(queryset, value, fallback_fields=["title", "text"])
