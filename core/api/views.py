"""ContentViewSet: the one base of every resource of the API (NetBox's NetBoxModelViewSet).

A resource's viewset declares a queryset, a serializer, a filterset, its ordering fields and a
docstring; this base gives it the rest, the same way for every resource:

- visibility (core.review): lists, details, history, the CSV export and every action built
  on `get_queryset()` show only what the user may see;
- ETags, 304 and If-Match (core.api.conditional) and the change history (core.api.history);
- counted keyset pages by default (`pagination_class`);
- a query parameter that the action does not read is a 400 naming it (`unknown_parameter`):
  a mistyped filter (`?speakr=`) would otherwise be ignored and match everything;
- declared options: `list_serializer_class` and `list_deferred_fields` (a lighter list form),
  `csv_export` (a `core.exports.CSVExport`: `?format=csv` on the list), `jsonld` (a
  `core.api.jsonld.JsonLd`: schema.org in JSON-LD on the list and the detail) and
  `deferred_page_join` (see `list()`).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework import mixins, renderers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from core import compiled, review
from core.api import jsonld
from core.api.conditional import ConditionalMixin, ConditionalReadMixin, ConditionalUpdateMixin
from core.api.errors import UNKNOWN_PARAMETER, unknown_names
from core.api.history import HistoryMixin
from core.api.pagination import CountedKeysetPagination
from core.api.permissions import ResearchersOnlyPermissions
from core.cache import mark_cacheable


class CSVRenderer(renderers.BaseRenderer):
    """Announces text/csv (?format=csv) for list endpoints; the view streams the rows itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("CSV lists are streamed by the view")


def filter_parameters(backend, view) -> set[str]:
    """The query parameters a filter backend reads: the filters of a django-filter filterset,
    or those the backend declares to the schema (DRF's get_schema_operation_parameters)."""
    if isinstance(backend, DjangoFilterBackend):
        filterset_class = backend.get_filterset_class(view, view.queryset)
        return set(filterset_class.base_filters) if filterset_class is not None else set()
    return {parameter["name"] for parameter in backend.get_schema_operation_parameters(view)}


class ContentBehaviour:
    """What every resource's viewset does the same way; see the module docstring."""

    pagination_class = CountedKeysetPagination

    # The list's own serializer, and the columns it does not show (so not loaded), if any.
    list_serializer_class = None
    list_deferred_fields: tuple[str, ...] = ()

    # A core.exports.CSVExport: the list also answers ?format=csv (or Accept: text/csv).
    csv_export = None

    # A core.api.jsonld.JsonLd: the list and the detail also answer schema.org in JSON-LD
    # (Accept: application/ld+json, or ?format=jsonld).
    jsonld = None

    # A deferred join: the page is first found as its sort keys in the table alone, with the
    # filters and the ordering (`get_keys_queryset()`), then its rows are fetched by id from
    # `get_queryset()`, with the joins and computed columns. PostgreSQL cannot push a LIMIT
    # below a join or an expression it must sort by: without it, a search ranking 5,000
    # matches would join (and cut contexts for) 5,000 rows to keep 21. One query more per page.
    deferred_page_join = False

    @property
    def user(self):
        return getattr(self.request, "user", None)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list" and self.list_deferred_fields:
            queryset = queryset.defer(*self.list_deferred_fields)
        if self.answers_jsonld() and self.jsonld.prepare is not None:
            queryset = self.jsonld.prepare(queryset, self.request)
        return review.visible(queryset, self.user)

    def answers_jsonld(self) -> bool:
        """Whether this request's answer is the JSON-LD one (content negotiation chose it)."""
        renderer = getattr(getattr(self, "request", None), "accepted_renderer", None)
        return self.jsonld is not None and isinstance(renderer, jsonld.JsonLdRenderer)

    def get_keys_queryset(self):
        """The table alone, with what the user may see: what the filters and a page's position
        need, and all the database must look at for every match before the page is cut."""
        model = self.queryset.model
        return review.visible(
            model._default_manager.order_by(*self.queryset.query.order_by), self.user
        )

    def known_query_parameters(self) -> set[str]:
        """The query parameters this request's action reads, which the schema lists for it.

        Any request: `format`. A GET of a collection (the list, random): the filters and the
        ordering; a detail ignores them (ConditionalReadMixin.filter_queryset). A GET that
        answers a page (the list, a history): the cursor and the page size; retrieve answers
        one record, and an action that does sets pagination_class=None (random).
        """
        known = {api_settings.URL_FORMAT_OVERRIDE} - {None}
        if self.request.method not in {"GET", "HEAD"}:
            return known
        if not self.detail:
            for backend in self.filter_backends:
                known |= filter_parameters(backend(), self)
        if self.action != "retrieve" and self.paginator is not None:
            parameters = self.paginator.get_schema_operation_parameters(self)
            known |= {parameter["name"] for parameter in parameters}
        return known

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticated, allowed, not throttled
        # (No action: a method this URL does not allow, which gets its 405. OPTIONS reads no
        # parameter, and a browser's CORS preflight carries the real request's query string.)
        if self.action in {None, "metadata"}:
            return
        known = self.known_query_parameters()
        unknown = [name for name in request.query_params if name not in known]
        if unknown:
            raise ValidationError(
                unknown_names(unknown, known, what="query parameter", code=UNKNOWN_PARAMETER)
            )

    def get_object(self):
        # A detail's read: its SQL compiled once per shape (core.compiled), a third of the
        # request's CPU otherwise. Writes and actions find their record as DRF does.
        if not self.reads_compiled_detail():
            return super().get_object()
        with review.recording_visibility() as visibility:
            queryset = self.filter_queryset(self.get_queryset())
        model = queryset.model
        pk = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        try:
            value = compiled.db_value(queryset, pk)
        except (TypeError, ValueError, DjangoValidationError):
            value = None  # not an id: matches nothing, as DRF's get_object_or_404 has it
        found = (
            [] if value is None else compiled.fetch_by_pk(queryset, value, self.shape(visibility))
        )
        if not found:  # as django.shortcuts.get_object_or_404 says it
            raise Http404(f"No {model._meta.object_name} matches the given query.")
        if len(found) > 1:  # as QuerySet.get() says it
            count = len(found)
            limit = compiled.MAX_GET_RESULTS
            raise model.MultipleObjectsReturned(
                f"get() returned more than one {model._meta.object_name} -- it returned "
                f"{count if count < limit else f'more than {limit - 1}'}!"
            )
        self.check_object_permissions(self.request, found[0])
        return found[0]

    def reads_compiled_detail(self) -> bool:
        return (
            self.action == "retrieve"
            and self.request.method in {"GET", "HEAD"}
            and self.lookup_field in {"pk", self.queryset.model._meta.pk.name}
        )

    def shape(self, visibility) -> tuple:
        """Everything `get_queryset()` may depend on for a detail, but its id: the view, its
        action, the renderer (its class, not the media type the client wrote: parameters in
        an Accept header would make a shape of each request), the URL and query parameters,
        the user, and what it decided about the records the user may see (`visibility`,
        core.review.recording_visibility(), asked each time: a researcher whose role changes
        gets another shape)."""
        request = self.request
        lookup = self.lookup_url_kwarg or self.lookup_field
        return (
            type(self),
            self.action,
            type(request.accepted_renderer),
            request.version,
            tuple(sorted((k, v) for k, v in self.kwargs.items() if k != lookup)),
            tuple(sorted((k, tuple(v)) for k, v in request.query_params.lists())),
            getattr(self.user, "pk", None),
            tuple(visibility),
        )

    def get_serializer_class(self):
        if self.action == "list" and self.list_serializer_class is not None:
            return self.list_serializer_class
        return super().get_serializer_class()

    def get_renderers(self):
        # (None: a method this URL does not allow, which gets its 405 whatever the format.)
        offered = super().get_renderers()
        if self.csv_export is not None and self.action in {"list", None}:
            offered.append(CSVRenderer())
        if self.jsonld is not None and self.action in {"list", "retrieve", None}:
            offered.append(jsonld.JsonLdRenderer())
        return offered

    def list(self, request, *args, **kwargs):
        if self.csv_export is not None and request.accepted_renderer.format == "csv":
            queryset = self.filter_queryset(self.get_queryset())
            return self.csv_export.response(queryset, self.csv_filename())
        if self.answers_jsonld():
            return self.jsonld_list(request)
        if not self.deferred_page_join:
            return super().list(request, *args, **kwargs)
        return self.get_paginated_response(self.get_serializer(self.page(request), many=True).data)

    def page(self, request):
        """The records of the requested page, found as `list()` finds them."""
        if not self.deferred_page_join:
            return self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        keys = self.filter_queryset(self.get_keys_queryset())
        return self.paginator.paginate_queryset(keys, request, view=self, rows=self.get_queryset())

    def jsonld_list(self, request):
        """The page as a schema.org ItemList; its neighbours in the Link header."""
        nodes = [self.jsonld.node(record, request) for record in self.page(request)]
        envelope = self.get_paginated_response(nodes).data
        body = jsonld.item_list(nodes, request, envelope.get("count"))
        links = {"next": envelope.get("next"), "prev": envelope.get("previous")}
        return jsonld.response(request, body, links)

    def retrieve(self, request, *args, **kwargs):
        if self.answers_jsonld():
            body = jsonld.document(self.jsonld.for_detail(self.get_object(), request), request)
            return jsonld.response(request, body)
        return super().retrieve(request, *args, **kwargs)

    def csv_filename(self) -> str:
        """quotes.csv, troop-figures.csv, ...: the resource's plural name."""
        return str(self.queryset.model._meta.verbose_name_plural).replace(" ", "-") + ".csv"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Lists and details are the same for every anonymous reader: the response cache may
        # keep them (core.cache decides whether this request's answer is stored).
        if self.action in {"list", "retrieve"}:
            mark_cacheable(response)
        return response

    def handle_exception(self, exc):
        # Errors are JSON whatever format was asked for: the one error format.
        renderer = getattr(self.request, "accepted_renderer", None)
        if isinstance(renderer, CSVRenderer | jsonld.JsonLdRenderer):
            self.request.accepted_renderer = ORJSONRenderer()
            self.request.accepted_media_type = ORJSONRenderer.media_type
        return super().handle_exception(exc)


class ContentViewSet(ContentBehaviour, ConditionalMixin, HistoryMixin, viewsets.ModelViewSet):
    """A resource of the API: read by anyone, written by researchers, deleted by staff."""


class ResearchViewSet(
    ContentBehaviour,
    ConditionalReadMixin,
    ConditionalUpdateMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A resource for researchers only (extraction candidates): made by the system, read and
    edited by researchers, never shown to anyone else; its actions decide on it."""

    permission_classes = [ResearchersOnlyPermissions]
