"""Speakers, organisations, events, quotes, treaties and troop figures."""

import hashlib
import random

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Max, Min, Prefetch
from django.utils.decorators import method_decorator
from django.utils.http import parse_etags
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.conditional import ConditionalReadMixin
from core.api.errors import Conflict
from core.api.history import HistoryMixin
from core.api.pagination import KeysetPagination
from core.api.permissions import ResearchersOnlyPermissions
from core.api.views import ContentBehaviour, ContentViewSet
from quotes import exports
from quotes import statements as statement_services
from quotes.api.filtersets import (
    QuoteListFilterSet,
    StatementFilterSet,
    StatementSuggestionFilterSet,
)
from quotes.api.jsonld import QUOTE_JSONLD, SPEAKER_JSONLD, STATEMENT_JSONLD
from quotes.api.queries import statement_count, statements_for
from quotes.api.serializers import (
    ConfirmationSerializer,
    DetachmentSerializer,
    DismissalSerializer,
    EventSerializer,
    OrganizationSerializer,
    QuoteSerializer,
    SpeakerSerializer,
    StatementSerializer,
    StatementSuggestionSerializer,
    TreatySerializer,
    TroopFigureSerializer,
)
from quotes.filtersets import (
    EventFilterSet,
    OrganizationFilterSet,
    SpeakerFilterSet,
    TreatyFilterSet,
    TroopFigureFilterSet,
)
from quotes.models import (
    Event,
    Organization,
    Quote,
    Speaker,
    Statement,
    StatementSuggestion,
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
    last, and how many distinct statements those quotes report (`statement_count`: repeats
    counted once); `GET /api/v1/quotes/?speaker=<slug>&ordering=said_on` lists what they said
    over time, and `GET /api/v1/statements/?speaker=<slug>` each thing they said once.
    """

    queryset = Speaker.objects.select_related("organization").order_by("name", "pk")
    serializer_class = SpeakerSerializer
    filterset_class = SpeakerFilterSet
    ordering_fields = ["name", "slug", "kind", "country", "quote_count", "created_at"]
    jsonld = SPEAKER_JSONLD

    def get_queryset(self):
        # The statistics count only the quotes this user may see (published ones, for the public).
        user = self.request.user
        return (
            super()
            .get_queryset()
            .with_quote_statistics(user)
            .annotate(statement_count=statement_count(user))
        )


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

    `statement` is the statement the quote is an appearance of: the same words reported
    elsewhere. `?one_per_statement=true` drops the repeats from the list: one quote per
    statement (the first of its appearances the other filters match) and every quote in no
    statement. Creating a quote, or changing its text, speaker or source, proposes the
    statements it may repeat (`/api/v1/statement-suggestions/`).
    """

    queryset = (
        Quote.objects.select_related("speaker", "source", "event", "statement__speaker")
        .defer("search_vector", "source__text", "source__search_vector")
        .prefetch_related("treaties")
        .with_context()
        .order_by("pk")
    )
    serializer_class = QuoteSerializer
    filterset_class = QuoteListFilterSet
    # Uncounted: counting a million filtered quotes costs more than the page.
    pagination_class = KeysetPagination
    deferred_page_join = True
    csv_export = exports.QUOTE_EXPORT
    jsonld = QUOTE_JSONLD
    ordering_fields = ["said_on", "speaker__name", "kind", "start", "created_at", "updated_at"]

    # What a quote may repeat is proposed where quotes are made (as the admin does), inside the
    # write's transaction: a refused suggestion undoes the write.
    SUGGESTING_FIELDS = ("text", "speaker_id", "source_id")

    def perform_create(self, serializer):
        super().perform_create(serializer)
        statement_services.suggest_statements(serializer.instance)

    def perform_update(self, serializer):
        before = [getattr(serializer.instance, name) for name in self.SUGGESTING_FIELDS]
        super().perform_update(serializer)
        after = [getattr(serializer.instance, name) for name in self.SUGGESTING_FIELDS]
        if before != after:
            statement_services.suggest_statements(serializer.instance)

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


# -- statements -------------------------------------------------------------------------------


def refused(exc: DjangoValidationError) -> Conflict:
    """A decision the current state of the data does not allow (the suggestion already
    decided, a quote already in another statement, ...): a 409 saying why, in words."""
    return Conflict(" ".join(exc.messages))


class ReadViewSet(
    ContentBehaviour,
    ConditionalReadMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """A resource read through the API (list, detail, history) and changed only by its
    actions, each through a service of quotes.statements."""

    def decided(self, statement):
        """The statement as this reader now sees it, after an action changed it."""
        fresh = self.statement_queryset().get(pk=statement.pk)
        return Response(StatementSerializer(fresh, context=self.get_serializer_context()).data)

    def statement_queryset(self):
        user = self.request.user
        return statements_for(Statement.objects.select_related("speaker"), user).with_appearances(
            user
        )


@extend_schema_view(
    list=extend_schema(
        description="Statements, each what a speaker said recorded once, with the quotes "
        "that report it. The public sees a statement through its published appearances only "
        "(and those appearances only); researchers see every statement."
    )
)
class StatementViewSet(ReadViewSet):
    """What a speaker said, recorded once: its appearances are the quotes that report it (each
    a verified span of a source), first appearance first; its first appearance is the one
    whose source was published first (a partial date counting as the last day it may be:
    "2019" may be 31 December 2019); its variants are its distinct wordings.

    Statements are made by confirming a suggestion (`/api/v1/statement-suggestions/`) and
    undone by detaching a quote (`POST /api/v1/statements/{id}/detach/`), each kept in the
    histories with who and why. A statement whose appearances you may not see (all drafts,
    for the public) is a 404. JSON-LD: a schema.org `Claim` (docs/jsonld.md).
    """

    queryset = Statement.objects.select_related("speaker").order_by("pk")
    serializer_class = StatementSerializer
    filterset_class = StatementFilterSet
    ordering_fields = ["first_appeared", "appearance_count", "slug", "created_at", "updated_at"]
    jsonld = STATEMENT_JSONLD

    def get_queryset(self):
        queryset = statements_for(super().get_queryset(), self.user)
        if not self.answers_jsonld():  # (the JSON-LD prepares its own appearances)
            queryset = queryset.with_appearances(self.user)
        return queryset

    def retrieve(self, request, *args, **kwargs):
        if self.answers_jsonld():
            return super().retrieve(request, *args, **kwargs)
        # The ETag of what is shown: a statement's answer changes with its appearances (one
        # added, detached, published, its source redated), which its own `updated_at` does
        # not follow.
        data = self.get_serializer(self.get_object()).data
        etag = f'"s-{hashlib.sha256(orjson.dumps(data)).hexdigest()[:32]}"'
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})

    @extend_schema(
        summary="Detach a quote from the statement",
        description="Undo: the quote is no longer an appearance of the statement. The quote's "
        "history keeps the change with your name and the reason; the pairing is recorded as "
        "dismissed, so that it is not proposed again. The statement stays, with its history, "
        "even without appearances. 400 when the quote is not one of its appearances.",
        request=DetachmentSerializer,
        responses={200: StatementSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def detach(self, request, *args, **kwargs):
        statement = self.get_object()
        given = DetachmentSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        quote = given.validated_data["quote"]
        if quote.statement_id != statement.pk:
            raise serializers.ValidationError(
                {"quote": [f"Quote {quote.pk} is not an appearance of this statement."]}
            )
        try:
            statement_services.detach(
                quote, user=request.user, reason=given.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return self.decided(statement)


class StatementSuggestionViewSet(ReadViewSet):
    """The researchers' queue of statement suggestions: a quote that may be another appearance
    of what another quote of its speaker says, or of a statement, found by an exact match,
    containment or near-verbatim similarity (docs/statements.md). Confirm one to make the
    statement (or add the quote to it), or dismiss it with a reason: it is kept, and not
    proposed again. Decided suggestions stay, with who decided, when and why. Researchers
    only: anonymous clients get 401."""

    queryset = (
        StatementSuggestion.objects.select_related(
            "quote__speaker",
            "quote__source",
            "other_quote__speaker",
            "other_quote__source",
            "statement__speaker",
            "decided_by",
        )
        .defer(
            "quote__source__text",
            "quote__source__search_vector",
            "quote__search_vector",
            "other_quote__source__text",
            "other_quote__source__search_vector",
            "other_quote__search_vector",
        )
        .order_by("pk")
    )
    serializer_class = StatementSuggestionSerializer
    filterset_class = StatementSuggestionFilterSet
    permission_classes = [ResearchersOnlyPermissions]
    pagination_class = KeysetPagination
    ordering_fields = ["score", "decided_at", "created_at"]

    @extend_schema(
        summary="Confirm a statement suggestion",
        description="Confirm it: two quotes make a new statement (its text the first "
        "appearance's wording), a quote and a statement, the quote joins it. The reason is "
        "optional; the histories keep it with your name. Answers the statement. 409 when the "
        "suggestion is already decided, or when the data no longer allows it (a quote now "
        "in another statement).",
        request=ConfirmationSerializer,
        responses={200: StatementSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def confirm(self, request, *args, **kwargs):
        suggestion = self.get_object()
        given = ConfirmationSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            statement = statement_services.confirm(
                suggestion, user=request.user, reason=given.validated_data.get("reason", "")
            )
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return self.decided(statement)

    @extend_schema(
        summary="Dismiss a statement suggestion",
        description="Dismiss it, saying why: it is kept with the reason and your name, and "
        "the pair is not proposed again. 409 when it is already decided.",
        request=DismissalSerializer,
        responses={200: StatementSuggestionSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def dismiss(self, request, *args, **kwargs):
        suggestion = self.get_object()
        given = DismissalSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            statement_services.dismiss(
                suggestion, user=request.user, reason=given.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return Response(self.get_serializer(self.get_object()).data)
