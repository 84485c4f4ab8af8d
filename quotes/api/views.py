"""Speakers, organisations, events, quotes, treaties and troop figures."""

import random

from django.db.models import Max, Min, Prefetch
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.pagination import KeysetPagination
from core.api.views import ContentViewSet
from quotes import exports
from quotes.api.jsonld import QUOTE_JSONLD, SPEAKER_JSONLD
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
from sources.models import Citation


def cited(model, *related):
    """A prefetch queryset for a fact model, its citations ready to serialize."""
    return model.objects.select_related(*related).prefetch_related(
        Prefetch("citations", queryset=Citation.objects.with_source_and_context())
    )


class OrganizationViewSet(ContentViewSet):
    """Bodies people speak for: NATO, the Russian Foreign Ministry, the Kremlin, ..."""

    queryset = Organization.objects.order_by("name", "pk")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["name", "slug", "kind", "country", "created_at", "updated_at"]


class SpeakerViewSet(ContentViewSet):
    """People and institutions that speak, with the spellings the texts use (`aliases`).

    Each carries how many quotes the database holds of them and the dates of the first and the
    last; `GET /api/v1/quotes/?speaker=<slug>&ordering=said_on` lists what they said over time.
    """

    queryset = Speaker.objects.select_related("organization").order_by("name", "pk")
    serializer_class = SpeakerSerializer
    filterset_class = SpeakerFilterSet
    ordering_fields = ["name", "slug", "kind", "country", "quote_count", "created_at"]
    jsonld = SPEAKER_JSONLD

    def get_queryset(self):
        # The statistics count only the quotes this user may see (published ones, for the public).
        return super().get_queryset().with_quote_statistics(self.request.user)


class EventViewSet(ContentViewSet):
    """Where statements were made: summits, conferences, press briefings, written statements."""

    queryset = (
        Event.objects.select_related("organization")
        .prefetch_related(
            Prefetch("citations", queryset=Citation.objects.with_source_and_context())
        )
        .order_by("pk")
    )
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    ordering_fields = ["name", "slug", "kind", "starts_on", "created_at", "updated_at"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=["json", "csv", "jsonld"],
                description="csv: every matching quote as CSV (columns as in the admin export). "
                "jsonld: the page as schema.org in JSON-LD (as Accept: application/ld+json).",
            )
        ],
        responses={
            200: QuoteSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="With ?format=csv (or Accept: text/csv): every matching quote, not "
                "one page, as CSV with a header row.",
            ),
        },
    )
)
class QuoteViewSet(ContentViewSet):
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
    # Uncounted: counting a million filtered quotes costs more than the page.
    pagination_class = KeysetPagination
    deferred_page_join = True
    csv_export = exports.QUOTE_EXPORT
    jsonld = QUOTE_JSONLD
    ordering_fields = ["said_on", "speaker__name", "kind", "start", "created_at", "updated_at"]

    @extend_schema(
        summary="A random quote",
        description="One quote drawn at random from those matching the filters (the same "
        "filters as the list), every matching quote equally likely. 404 when none match.",
        filters=True,
        responses=QuoteSerializer,
    )
    @method_decorator(never_cache)
    @action(detail=False, methods=["get"], pagination_class=None)
    def random(self, request, *args, **kwargs):
        # On the narrow queryset: with the context's join to the sources, MIN and MAX would
        # scan and join both whole tables.
        keys = self.filter_queryset(self.get_keys_queryset()).order_by()
        # Drawn again when the quote drawn is deleted before it is read (or the count and the
        # offset disagree for the same reason): only no match at all is a 404.
        for _ in range(3):
            chosen = random_key(keys)
            if chosen is None:
                continue
            quote = self.get_queryset().in_bulk([chosen]).get(chosen)
            if quote is not None:
                return Response(self.get_serializer(quote).data)
        raise NotFound("No quote matches the filters.")


# How many random ids one query tries before counting: enough that a filter matching one id
# in a hundred of its range still hits at once nearly three times in four (1 - 0.99**128).
RANDOM_PROBES = 128


def random_key(keys):
    """A primary key drawn uniformly from `keys` (the matching rows), or None if none match.

    Ids drawn uniformly between the lowest and the highest match, taken in the order drawn:
    the first that matches is uniform over the matches, however the ids are spread (picking
    the first match after a random id would favour an id that follows a gap). The draws are
    tested in one query, on the primary key's index; when none matches, an exact count and
    an offset decide, uniform too.
    """
    bounds = keys.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return None
    draws = [random.randint(bounds["low"], bounds["high"]) for _ in range(RANDOM_PROBES)]
    matching = set(keys.filter(pk__in=set(draws)).values_list("pk", flat=True))
    chosen = next((draw for draw in draws if draw in matching), None)
    if chosen is not None:
        return chosen
    count = keys.count()
    if not count:
        return None
    offset = random.randrange(count)
    return next(iter(keys.order_by("pk").values_list("pk", flat=True)[offset : offset + 1]), None)


class TreatyViewSet(ContentViewSet):
    """Treaties with their cited facts: names, signing, parties, signatories, the dated changes
    of their status and their key provisions (for the INF Treaty, the range bands it banned)."""

    queryset = Treaty.objects.prefetch_related(
        Prefetch("citations", queryset=Citation.objects.with_source_and_context()),
        Prefetch("parties", queryset=cited(TreatyParty)),
        Prefetch("signatories", queryset=cited(TreatySignatory, "speaker")),
        Prefetch("status_events", queryset=cited(TreatyStatusEvent)),
        Prefetch("provisions", queryset=cited(TreatyProvision)),
    ).order_by("pk")
    serializer_class = TreatySerializer
    filterset_class = TreatyFilterSet
    ordering_fields = ["name", "slug", "signed_on", "created_at", "updated_at"]


class TroopFigureViewSet(ContentViewSet):
    """Cited troop counts: how many, whose, deployed by whom, where and as of when; `parent`
    and `parts` give the breakdowns (900 of the 1,100)."""

    queryset = (
        TroopFigure.objects.select_related("deploying_organization", "parent")
        .prefetch_related(
            Prefetch("citations", queryset=Citation.objects.with_source_and_context()), "parts"
        )
        .order_by("pk")
    )
    serializer_class = TroopFigureSerializer
    filterset_class = TroopFigureFilterSet
    ordering_fields = ["count", "as_of", "location", "slug", "created_at", "updated_at"]
