"""The review queue through the API: candidates, and the decisions on them (researchers only)."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.errors import UNKNOWN_FIELD, Conflict, unknown_names
from core.api.pagination import KeysetPagination
from core.api.serializers import UnknownFieldsMixin
from core.api.views import ResearchViewSet
from extraction import services
from extraction.api.serializers import (
    AcceptAllSerializer,
    AcceptedAllSerializer,
    ExtractionSummarySerializer,
    ExtractSerializer,
    QuoteCandidateSerializer,
    RejectionSerializer,
    TroopFigureCandidateSerializer,
)
from extraction.filtersets import QuoteCandidateFilterSet, TroopFigureCandidateFilterSet
from extraction.models import CandidateStatus, QuoteCandidate, TroopFigureCandidate
from quotes.api.serializers import QuoteSerializer, TroopFigureSerializer

# What an HTML form (the browsable API's) sends along with any post.
IGNORED_FORM_FIELDS = UnknownFieldsMixin.ignored_form_fields


def refused(exc):
    """A decision that cannot be taken: 409 when the candidate is already decided, else 400."""
    if isinstance(exc, services.ReviewRefused):
        message = str(exc)
        if "already" in message:
            return Conflict(message)
        return exceptions.ValidationError({"non_field_errors": [message]})
    detail = (
        exc.message_dict if hasattr(exc, "message_dict") else {"non_field_errors": exc.messages}
    )
    return exceptions.ValidationError(detail)


class CandidateViewSet(ResearchViewSet):
    """Shared by both kinds of candidate: edit while pending, then accept or reject."""

    pagination_class = KeysetPagination
    ordering_fields = ["start", "confidence", "created_at"]
    accepted_serializer = None  # the serializer of what accepting makes

    def perform_update(self, serializer):
        if serializer.instance.status != CandidateStatus.PENDING:
            raise Conflict("Only a pending candidate can be edited: this one is decided.")
        serializer.save()

    def refuse_a_body(self, request):
        """An accept takes no body: a field sent with it would be ignored, so it is refused
        (as every write refuses a field it does not know)."""
        if not isinstance(request.data, Mapping):
            return
        names = [name for name in request.data if name not in IGNORED_FORM_FIELDS]
        if names:
            raise exceptions.ValidationError(
                unknown_names(names, (), what="field", code=UNKNOWN_FIELD)
            )

    def accepted(self, record):
        data = self.accepted_serializer(record, context=self.get_serializer_context()).data
        name = type(record)._meta.model_name
        location = reverse(f"{name}-detail", kwargs={"pk": record.pk}, request=self.request)
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Reject a candidate",
        description="Reject it, saying why. It is kept, with the reason, and extracting its "
        "source again does not propose it again.",
        request=RejectionSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request, *args, **kwargs):
        given = RejectionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            candidate = services.reject(
                self.get_object(), user=request.user, reason=given.validated_data["reason"]
            )
        except services.ReviewRefused as exc:
            raise refused(exc) from exc
        return Response(self.get_serializer(candidate).data)


class QuoteCandidateViewSet(CandidateViewSet):
    """Candidate quotes that the extraction proposed from a source, in reading order, for a
    researcher to confirm: accept one to make a draft quote with its verified span and the
    attribution note filled from its cue, edit it first if need be, or reject it with a reason.
    Only researchers see candidates: anonymous clients get 401."""

    queryset = (
        QuoteCandidate.objects.select_related("source", "speaker", "event", "quote", "reviewed_by")
        .prefetch_related("treaties")
        .order_by("source", "start", "end", "pk")
    )
    serializer_class = QuoteCandidateSerializer
    filterset_class = QuoteCandidateFilterSet
    accepted_serializer = QuoteSerializer

    @extend_schema(
        summary="Accept a candidate quote",
        description="Make it a draft quote (and its speaker, when it names a new one): its "
        "span, text, kind, speaker, date, event and treaties as the candidate has them, the "
        "cue in its attribution note. 409 when the candidate is already decided.",
        request=None,
        responses={201: QuoteSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request, *args, **kwargs):
        self.refuse_a_body(request)
        try:
            quote = services.accept_quote(self.get_object(), user=request.user)
        except (services.ReviewRefused, DjangoValidationError) as exc:
            raise refused(exc) from exc
        return self.accepted(quote)

    @extend_schema(
        summary="Accept a source's candidates above a confidence",
        description="Accept every pending candidate quote of the source whose confidence is "
        "at least `min_confidence`, each on its own; say which could not be, and why.",
        request=AcceptAllSerializer,
        responses={200: AcceptedAllSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="accept-all",
        filter_backends=[],
        pagination_class=None,
    )
    def accept_all(self, request, *args, **kwargs):
        given = AcceptAllSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        accepted, not_accepted = services.accept_all(
            given.validated_data["source"],
            user=request.user,
            min_confidence=given.validated_data["min_confidence"],
        )
        body = {
            "accepted": [quote.pk for quote in accepted],
            "refused": [{"candidate": c.pk, "reason": why} for c, why in not_accepted],
        }
        return Response(AcceptedAllSerializer(body).data)

    @extend_schema(
        summary="Extract a source's candidates",
        description="Propose the source's candidate quotes and troop figures afresh: pending "
        "ones are replaced; accepted and rejected ones are kept, and not proposed again. A "
        "text that is not English gets none, and the message says so.",
        request=ExtractSerializer,
        responses={200: ExtractionSummarySerializer},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def extract(self, request, *args, **kwargs):
        given = ExtractSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        summary = services.extract_source(given.validated_data["source"])
        return Response(ExtractionSummarySerializer(summary).data)


class TroopFigureCandidateViewSet(CandidateViewSet):
    """Candidate troop figures that the extraction proposed from a source: accept one to make
    a draft troop figure citing its span, or reject it with a reason. Researchers only."""

    queryset = TroopFigureCandidate.objects.select_related(
        "source", "part_of", "troop_figure", "reviewed_by"
    ).order_by("source", "start", "end", "pk")
    serializer_class = TroopFigureCandidateSerializer
    filterset_class = TroopFigureCandidateFilterSet
    accepted_serializer = TroopFigureSerializer

    @extend_schema(
        summary="Accept a candidate troop figure",
        description="Make it a draft troop figure citing its span (part of the figure its "
        "larger candidate became, if that was accepted first). 409 when already decided.",
        request=None,
        responses={201: TroopFigureSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request, *args, **kwargs):
        self.refuse_a_body(request)
        try:
            figure = services.accept_troop_figure(self.get_object(), user=request.user)
        except (services.ReviewRefused, DjangoValidationError) as exc:
            raise refused(exc) from exc
        return self.accepted(figure)
