"""Filters for outlets and sources (django-filter)."""

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from sources.models import Outlet, Source
from sources.search import full_text_search


def date_range(field, noun):
    """Two filters, `<field>_after` and `<field>_before` (inclusive), so an error names its
    own parameter."""
    return (
        django_filters.DateFilter(
            field_name=field, lookup_expr="gte", label=f"{noun} on or after (YYYY-MM-DD)"
        ),
        django_filters.DateFilter(
            field_name=field, lookup_expr="lte", label=f"{noun} on or before (YYYY-MM-DD)"
        ),
    )


@extend_schema_field(OpenApiTypes.STR)
class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Related objects by slug; unknown slugs are a 400 naming the parameter."""


def by_slug(field, model, noun):
    """`?<name>=<slug>` (repeatable): related objects by slug."""
    return SlugMultipleChoiceFilter(
        field_name=f"{field}__slug",
        to_field_name="slug",
        queryset=model.objects.all(),
        label=f"{noun} (slug; repeat for several)",
    )


def by_id(field, model, noun):
    """`?<name>_id=<id>` (repeatable): related objects by id."""
    return django_filters.ModelMultipleChoiceFilter(
        field_name=field, queryset=model.objects.all(), label=f"{noun} (id; repeat for several)"
    )


class OutletFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search the name and website")
    country = django_filters.CharFilter(label="ISO 3166-1 alpha-2 country code")

    class Meta:
        model = Outlet
        fields = ["q", "slug", "country"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(website__icontains=value))


class SourceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label="Full-text search of the title and text (ranked on PostgreSQL)"
    )
    outlet = by_slug("outlet", Outlet, "Outlet")
    outlet_id = by_id("outlet", Outlet, "Outlet")
    language = django_filters.CharFilter(label="ISO 639 language code of the text")
    published_on_after, published_on_before = date_range("published_on", "Published")

    class Meta:
        model = Source
        fields = ["q", "slug", "outlet", "outlet_id", "language", "original_language"]

    def search(self, queryset, name, value):
        return full_text_search(queryset, value, fallback_fields=["title", "text"])
