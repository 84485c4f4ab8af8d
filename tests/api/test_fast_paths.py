"""The shortcuts the benchmark (bench/, docs/performance.md) led to, held to what they replace.

Each shortcut writes out what DRF or the ORM would otherwise do generically; these tests hold
its output to the generic one on the curated corpus, and hold the SQL to the shape that made
it fast at a million quotes.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.versioning import URLPathVersioning

from config.api import router
from config.pagination import KeysetPagination
from config.serializers import BriefRelatedField, IdentityURLField, StrictModelSerializer
from quotes.models import Quote
from tests.api.mixins import detail_url, list_url

VIEWSETS = [viewset for _, viewset, _ in router.registry]


def api_request(path="/api/v1/quotes/", **params):
    request = Request(APIRequestFactory().get(path, params))
    request.version, request.versioning_scheme = "v1", URLPathVersioning()
    return request


def some_of(model, count=5):
    return list(model._default_manager.order_by("pk")[:count])


def brief_relations(serializer):
    """(name, BriefRelatedField) of a serializer's brief relations, to-many ones included."""
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, BriefRelatedField):
            yield name, field


@pytest.mark.parametrize("viewset", VIEWSETS, ids=lambda viewset: viewset.__name__)
@pytest.mark.parametrize("params", [{}, {"format": "json"}], ids=["plain", "format"])
def test_read_plan_shows_what_drf_shows(seeded, viewset, params):
    """StrictModelSerializer reads plain columns directly; the output is DRF's, field for field."""
    request = api_request(**params)
    serializer = viewset.serializer_class(context={"request": request, "format": None})
    objects = some_of(viewset.queryset.model)
    assert objects, f"the curated corpus has no {viewset.queryset.model.__name__}"
    for obj in objects:
        fast = StrictModelSerializer.to_representation(serializer, obj)
        generic = serializers.Serializer.to_representation(serializer, obj)
        assert fast == generic
        assert list(fast) == list(generic), "the same fields, in the same order"


@pytest.mark.parametrize("viewset", VIEWSETS, ids=lambda viewset: viewset.__name__)
def test_brief_relations_show_their_brief_serializer(seeded, viewset):
    request = api_request()
    serializer = viewset.serializer_class(context={"request": request})
    checked = 0
    for _, field in brief_relations(serializer):
        brief = field.serializer_class(context={"request": request})
        for obj in some_of(field.serializer_class.Meta.model):
            generic = serializers.Serializer.to_representation(brief, obj)
            assert field.to_representation(obj) == generic
            checked += 1
    if viewset.__name__ in {"QuoteViewSet", "SpeakerViewSet", "SourceViewSet"}:
        assert checked, "these serializers have brief relations to check"


@pytest.mark.parametrize("params", [{}, {"format": "json"}, {"page_size": "3"}])
def test_identity_urls_are_those_reverse_gives(seeded, params):
    request = api_request(**params)
    templated = IdentityURLField(view_name="quote-detail")
    generic = serializers.HyperlinkedIdentityField(view_name="quote-detail")
    for obj in some_of(Quote, 10):
        fast = templated.get_url(obj, "quote-detail", request, None)
        assert fast == generic.get_url(obj, "quote-detail", request, None)
        assert fast == f"http://testserver/api/v1/quotes/{obj.pk}/" + (
            "?format=json" if params.get("format") else ""
        )


def test_a_brief_form_must_have_the_brief_fields():
    class NotBrief(serializers.ModelSerializer):
        class Meta:
            model = Quote
            fields = ["id", "url", "display", "text"]

    with pytest.raises(TypeError, match="a brief form has"):
        BriefRelatedField(NotBrief, read_only=True)


# -- SQL ------------------------------------------------------------------------------------


def captured_sql(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response, [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize(
    "params",
    [{}, {"ordering": "said_on"}, {"q": "treaty"}, {"speaker": "vladimir-putin"}],
    ids=["plain", "ordering", "search", "speaker"],
)
def test_a_list_page_is_found_before_its_rows_are_joined(anonymous, seeded, params):
    """The deferred join: the page's keys from the quotes alone, then its rows by id."""
    response, sql = captured_sql(anonymous, list_url("quote"), page_size=2, **params)
    keys = next(s for s in sql if 'FROM "quotes_quote"' in s and "LIMIT 3" in s)
    assert "sources_source" not in keys, "no join to the sources (their text) for the keys"
    rows = next(s for s in sql if "context_before" in s or "SUBSTR" in s.upper())
    assert "LIMIT" not in rows
    ids = [row["id"] for row in response.json()["results"]]
    assert len(ids) == 2
    assert all(str(pk) in rows for pk in ids), "the rows are fetched by the page's ids"


def test_a_slug_filter_is_resolved_to_ids_first(anonymous, seeded):
    """Rows are filtered on their foreign key, whose statistics the planner then uses."""
    _, sql = captured_sql(anonymous, list_url("quote"), speaker="vladimir-putin")
    assert any('"quotes_speaker"."slug" IN' in s and "quotes_quote" not in s for s in sql)
    keys = next(s for s in sql if 'FROM "quotes_quote"' in s and "LIMIT" in s)
    assert '"quotes_quote"."speaker_id" IN (' in keys
    assert "quotes_speaker" not in keys


def test_random_quote_bounds_do_not_join(anonymous, seeded):
    _, sql = captured_sql(anonymous, list_url("quote") + "random/")
    bounds = next(s for s in sql if "MIN(" in s)
    assert "JOIN" not in bounds


def test_a_row_gone_between_the_two_queries_is_left_out(seeded):
    pagination = KeysetPagination()
    request = api_request(page_size="3")
    first, second, third = Quote.objects.order_by("pk")[:3]

    def rows_by_id(ids):  # as if the second had been deleted in between
        assert ids == [first.pk, second.pk, third.pk]
        return Quote.objects.filter(pk__in=[first.pk, third.pk]).in_bulk()

    queryset = Quote.objects.order_by("pk")
    page = pagination.paginate_queryset(queryset, request, rows_by_id=rows_by_id)
    assert page == [first, third]
    body = pagination.get_paginated_response([]).data
    assert body["next"], "the cursor still comes from the keys"


def test_a_detail_ignores_the_lists_filters(anonymous, seeded):
    """A record is found by its id alone: list parameters are not a detail's (nor in the
    schema), so they neither hide it nor make it a 400."""
    quote = Quote.objects.filter(status="published").first()
    for params in [{"speaker": "ronald-reagan"}, {"speaker": "not a slug"}, {"q": "zzz"}]:
        response = anonymous.get(detail_url("quote", quote.pk), params)
        assert response.status_code == 200, params
        assert response.json()["id"] == quote.pk
