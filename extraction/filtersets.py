"""Filters for the candidates (django-filter)."""

import django_filters
from django import forms
from drf_spectacular.drainage import set_override

from core.filtersets import PresentMixin, by_id, by_slug
from extraction.models import CandidateStatus, QuoteCandidate, TroopFigureCandidate
from quotes.choices import QuoteKind


class CandidateFilterSet(django_filters.FilterSet):
    source = by_slug("source", "Source")
    source_id = by_id("source", "Source")
    status = django_filters.MultipleChoiceFilter(choices=CandidateStatus.choices)
    min_confidence = django_filters.NumberFilter(
        field_name="confidence", lookup_expr="gte", label="At least this confidence (0 to 1)"
    )
    min_confidence.field_class = type("ConfidenceField", (PresentMixin, forms.FloatField), {})
    min_confidence.extra.update(min_value=0, max_value=1)
    set_override(
        min_confidence,
        "field",
        {"type": "number", "minimum": 0, "maximum": 1, "description": min_confidence.label},
    )


class QuoteCandidateFilterSet(CandidateFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=QuoteKind.choices)
    speaker = by_slug("speaker", "Proposed speaker")
    speaker_id = by_id("speaker", "Proposed speaker")

    class Meta:
        model = QuoteCandidate
        fields = ["source", "source_id", "status", "kind", "speaker", "speaker_id"]


class TroopFigureCandidateFilterSet(CandidateFilterSet):
    class Meta:
        model = TroopFigureCandidate
        fields = ["source", "source_id", "status"]
