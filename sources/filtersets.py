"""Filters for outlets and sources (django-filter)."""

import django_filters
from django.db.models import Q

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


class RelatedBySlugFilter(django_filters.ModelMultipleChoiceFilter):
    """Named by slug in the URL, matched by the related object in SQL.

    (django-filter would compare the slug with the foreign key; naming the field itself, not
    `<field>__slug`, also lets drf-spectacular find and describe it.)
    """

    def get_filter_predicate(self, v):
        return {self.field_name: v}


def by_slug(field, model, noun):
    """`?<name>=<slug>` (repeatable): related objects by slug; an unknown slug is a 400."""
    return RelatedBySlugFilter(
        field_name=field,
        to_field_name="slug",
        queryset=model.objects.all(),
        label=f"{noun} (slug; repeat for several)",
    )


def by_id(field, model, noun):
    """`?<name>_id=<id>` (repeatable): related objects by id."""
    return django_filters.ModelMultipleChoiceFilter(
        field_name=field, queryset=model.objects.all(), label=f"{noun} (id; repeat for several)"
    )


def strict_boolean(field, label):
    """`true` or `false`; anything else is a 400 (django-filter's BooleanFilter ignores it)."""
    return django_filters.TypedChoiceFilter(
        field_name=field,
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        label=label,
    )


def slug_filter(noun):
    return django_filters.CharFilter(label=f"The {noun} with this slug")


def country_filter(field="country", label="ISO 3166-1 alpha-2 country code, such as RU"):
    return django_filters.CharFilter(field_name=field, label=label)


class OutletFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search the name and website")
    slug = slug_filter("outlet")
    country = country_filter()

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
    slug = slug_filter("source")
    language = django_filters.CharFilter(label="ISO 639 language code of the text")
    original_language = django_filters.CharFilter(
        label="ISO 639 code of the language a translated text was translated from"
    )
    published_on_after, published_on_before = date_range("published_on", "Published")

    class Meta:
        model = Source
        fields = ["q", "slug", "outlet", "outlet_id", "language", "original_language"]

    def search(self, queryset, name, value):
        return full_text_search(queryset, value, fallback_fields=["title", "text"])
