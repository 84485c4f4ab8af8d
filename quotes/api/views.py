"""Speakers, organisations, events, quotes, treaties and troop figures."""

import random

from django.db.models import Max, Min, Prefetch
from django.http import StreamingHttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_orjson_renderer.renderers import ORJSONRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from config.conditional import ConditionalMixin
from config.history import HistoryMixin
from config.pagination import CountedKeysetPagination
from quotes import exports
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


class CSVRenderer(renderers.BaseRenderer):
    """Announces text/csv (?format=csv) for list endpoints; the view streams the rows itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("CSV lists are streamed by the view")


def cited(model, *related):
    """A prefetch queryset for a fact model, its citations ready to serialize."""
    return model.objects.select_related(*related).prefetch_related(
        Prefetch("citations", queryset=citations_with_context())
    )


class OrganizationViewSet(ConditionalMixin, HistoryMixin, viewsets.ModelViewSet):
    """Bodies people speak for: NATO, the Russian Foreign Ministry, the Kremlin, ..."""

    queryset = Organization.objects.order_by("name", "pk")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    pagination_class = CountedKeysetPagination
    ordering_fields = ["name", "slug", "kind", "country", "created_at", "updated_at"]


class SpeakerViewSet(ConditionalMixin, HistoryMixin, viewsets.ModelViewSet):
    """People and institutions that speak, with the spellings the texts use (`aliases`).

    Each carries how many quotes the database holds of them and the dates of the first and the
    last; `GET /api/v1/quotes/?speaker=<slug>&ordering=said_on` lists what they said over time.
    """

    queryset = Speaker.objects.select_related("organization").order_by("name", "pk")
    serializer_class = SpeakerSerializer
    filterset_class = SpeakerFilterSet
    pagination_class = CountedKeysetPagination
    ordering_fields = ["name", "slug", "kind", "country", "quote_count", "created_at"]

    def get_queryset(self):
        # The statistics count only the quotes this user may see (published ones, for the public).
        return super().get_queryset().with_quote_statistics(self.request.user)


class EventViewSet(ConditionalMixin, HistoryMixin, viewsets.ModelViewSet):
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


class QuoteViewSet(ConditionalMixin, HistoryMixin, viewsets.ModelViewSet):
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

    def get_queryset(self):
        # Drafts and reviewed quotes are for researchers; the public sees published ones.
        return super().get_queryset().visible_to(self.request.user)

    def get_keys_queryset(self):
        """The quotes this user may see, without the joins and the context: what a page's
        position and the filters need, and all that the database must look at for every
        match before the page is cut."""
        return Quote.objects.visible_to(self.request.user).order_by("pk")

    def rows_by_id(self, ids):
        return self.get_queryset().in_bulk(ids)

    def get_renderers(self):
        # (None: a method this URL does not allow, which gets its 405 whatever the format.)
        if self.action in {"list", None}:
            return [*super().get_renderers(), CSVRenderer()]
        return super().get_renderers()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=["json", "csv"],
                description="csv: every matching quote as CSV (columns as in the admin export).",
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
    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            queryset = self.filter_queryset(self.get_queryset())
            response = StreamingHttpResponse(
                exports.quote_csv_rows(queryset), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="quotes.csv"'
            return response
        # A deferred join (see KeysetPagination): the page from the narrow queryset, then its
        # rows with everything they show.
        keys = self.filter_queryset(self.get_keys_queryset())
        page = self.paginator.paginate_queryset(
            keys, request, view=self, rows_by_id=self.rows_by_id
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def handle_exception(self, exc):
        # Errors are JSON whatever format was asked for: the one error format.
        if getattr(self.request, "accepted_renderer", None) and isinstance(
            self.request.accepted_renderer, CSVRenderer
        ):
            self.request.accepted_renderer = ORJSONRenderer()
            self.request.accepted_media_type = ORJSONRenderer.media_type
        return super().handle_exception(exc)

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
        # there: index lookups however many quotes there are (ids with gaps before them are a
        # little more likely than others). Both on the narrow queryset: with the context's
        # join to the sources, MIN and MAX would scan and join both whole tables.
        keys = self.filter_queryset(self.get_keys_queryset()).order_by()
        bounds = keys.aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["low"] is None:
            raise NotFound("No quote matches the filters.")
        pivot = random.randint(bounds["low"], bounds["high"])
        chosen = keys.filter(pk__gte=pivot).order_by("pk").values_list("pk", flat=True)[:1]
        quote = next(iter(self.rows_by_id(list(chosen)).values()), None)
        if quote is None:  # deleted since the bounds were read
            raise NotFound("No quote matches the filters.")
        return Response(self.get_serializer(quote).data)


class TreatyViewSet(ConditionalMixin, HistoryMixin, viewsets.ModelViewSet):
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


class TroopFigureViewSet(ConditionalMixin, HistoryMixin, viewsets.ModelViewSet):
    """Cited troop counts: how many, whose, deployed by whom, where and as of when; `parent`
    and `parts` give the breakdowns (900 of the 1,100)."""

    queryset = (
        TroopFigure.objects.select_related("deploying_organization", "parent")
        .prefetch_related(Prefetch("citations", queryset=citations_with_context()))
        .order_by("pk")
    )
    serializer_class = TroopFigureSerializer
    filterset_class = TroopFigureFilterSet
    pagination_class = CountedKeysetPagination
    ordering_fields = ["count", "as_of", "location", "slug", "created_at", "updated_at"]

    def get_queryset(self):
        # The public sees published figures, and of a figure's parts the published ones.
        user = self.request.user
        parts = Prefetch("parts", queryset=TroopFigure.objects.visible_to(user))
        return super().get_queryset().visible_to(user).prefetch_related(parts)
