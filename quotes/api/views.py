"""Speakers, organisations, events, quotes, treaties and troop figures."""

import random

from django.db.models import Max, Min, Prefetch
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from config.pagination import CountedKeysetPagination
from quotes.api.serializers import (
    EventSerializer,
    OrganizationSerializer,
    QuoteSerializer,
    SpeakerSerializer,
    TreatySerializer,
    TroopFigureSerializer,
)
from quotes.filtersets import (
    EventFilterSet,
    OrganizationFilterSet,
    QuoteFilterSet,
    SpeakerFilterSet,
    TreatyFilterSet,
    TroopFigureFilterSet,
)
from quotes.models import (
    Event,
    Organization,
    Quote,
    Speaker,
    Treaty,
    TreatyParty,
    TreatyProvision,
    TreatySignatory,
    TreatyStatusEvent,
    TroopFigure,
)
from sources.api.views import citations_with_context


def cited(model, *related):
    """A prefetch queryset for a fact model, its citations ready to serialize."""
    return model.objects.select_related(*related).prefetch_related(
        Prefetch("citations", queryset=citations_with_context())
    )


class OrganizationViewSet(viewsets.ModelViewSet):
    """Bodies people speak for: NATO, the Russian Foreign Ministry, the Kremlin, ..."""

    queryset = Organization.objects.order_by("name", "pk")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    pagination_class = CountedKeysetPagination
    ordering_fields = ["name", "slug", "kind", "country", "created_at", "updated_at"]


class SpeakerViewSet(viewsets.ModelViewSet):
    """People and institutions that speak, with the spellings the texts use (`aliases`).

    Each carries how many quotes the database holds of them and the dates of the first and the
    last; `GET /api/v1/quotes/?speaker=<slug>&ordering=said_on` lists what they said over time.
    """

    queryset = (
        Speaker.objects.select_related("organization")
        .with_quote_statistics()
        .order_by("name", "pk")
    )
    serializer_class = SpeakerSerializer
    filterset_class = SpeakerFilterSet
    pagination_class = CountedKeysetPagination
    ordering_fields = ["name", "slug", "kind", "country", "quote_count", "created_at"]


class EventViewSet(viewsets.ModelViewSet):
    """Where statements were made: summits, conferences, press briefings, written statements."""

    queryset = (
        Event.objects.select_related("organization")
        .prefetch_related(Prefetch("citations", queryset=citations_with_context()))
        .order_by("pk")
    )
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    pagination_class = CountedKeysetPagination
    ordering_fields = ["name", "slug", "kind", "starts_on", "created_at", "updated_at"]


class QuoteViewSet(viewsets.ModelViewSet):
    """Verbatim quotes, each attributed to a speaker and pinned to its span in a source text.

    `start` and `end` are character offsets into the source's text (Unicode code points, end
    exclusive); `context_before` and `context_after` show the text around the span. A write
    must give the text exactly as it stands at the span (whitespace and quote-mark style
    aside), or it is refused with a message saying where they differ.
    """

    queryset = (
        Quote.objects.select_related("speaker", "source", "event")
        .defer("search_vector", "source__text", "source__search_vector")
        .prefetch_related("treaties")
        .with_context()
        .order_by("pk")
    )
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilterSet
    ordering_fields = ["said_on", "speaker__name", "kind", "start", "created_at", "updated_at"]

    @extend_schema(
        summary="A random quote",
        description="One quote drawn at random from those matching the filters (the same "
        "filters as the list). 404 when none match.",
        filters=True,
        responses=QuoteSerializer,
    )
    @method_decorator(never_cache)
    @action(detail=False, methods=["get"], pagination_class=None)
    def random(self, request, *args, **kwargs):
        # A random id between the lowest and highest that match, then the first match from
        # there: two index lookups however many quotes there are (ids with gaps before them
        # are a little more likely than others).
        queryset = self.filter_queryset(self.get_queryset()).order_by()
        bounds = queryset.aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["low"] is None:
            raise NotFound("No quote matches the filters.")
        pivot = random.randint(bounds["low"], bounds["high"])
        quote = queryset.filter(pk__gte=pivot).order_by("pk").first()
        return Response(self.get_serializer(quote).data)


class TreatyViewSet(viewsets.ModelViewSet):
    """Treaties with their cited facts: names, signing, parties, signatories, the dated changes
    of their status and their key provisions (for the INF Treaty, the range bands it banned)."""

    queryset = Treaty.objects.prefetch_related(
        Prefetch("citations", queryset=citations_with_context()),
        Prefetch("parties", queryset=cited(TreatyParty)),
        Prefetch("signatories", queryset=cited(TreatySignatory, "speaker")),
        Prefetch("status_events", queryset=cited(TreatyStatusEvent)),
        Prefetch("provisions", queryset=cited(TreatyProvision)),
    ).order_by("pk")
    serializer_class = TreatySerializer
    filterset_class = TreatyFilterSet
    pagination_class = CountedKeysetPagination
    ordering_fields = ["name", "slug", "signed_on", "created_at", "updated_at"]


class TroopFigureViewSet(viewsets.ModelViewSet):
    """Cited troop counts: how many, whose, deployed by whom, where and as of when; `parent`
    and `parts` give the breakdowns (900 of the 1,100)."""

    queryset = (
        TroopFigure.objects.select_related("deploying_organization", "parent")
        .prefetch_related("parts", Prefetch("citations", queryset=citations_with_context()))
        .order_by("pk")
    )
    serializer_class = TroopFigureSerializer
    filterset_class = TroopFigureFilterSet
    pagination_class = CountedKeysetPagination
    ordering_fields = ["count", "as_of", "location", "slug", "created_at", "updated_at"]
