"""A detail's SQL compiled once per shape (core.compiled, ContentBehaviour.get_object).

Every resource's detail, for each kind of user and each format it answers, must run exactly
the SQL that DRF's own get_object() runs (statement for statement, parameters included) and
answer the same bytes. `test_the_guard_sees_a_shape_that_forgets_the_user` proves the
comparison fails when a shape leaves out what the queryset depends on.
"""

from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from rest_framework import generics

from config.api import router
from core import compiled, review
from core.api.permissions import ResearchersOnlyPermissions
from core.api.views import ContentBehaviour
from quotes.models import Quote
from tests.api.mixins import detail_url
from tests.factories import QuoteCandidateFactory, QuoteFactory

USERS = ["anonymous", "reader", "researcher", "editor", "staff"]


@pytest.fixture(autouse=True)
def _no_shapes_from_other_tests():
    compiled.clear()
    yield
    compiled.clear()


def drf_get_object():
    """DRF's own get_object() in place of the compiled read."""
    return mock.patch.object(ContentBehaviour, "get_object", generics.GenericAPIView.get_object)


def detail_urls(client):
    for _prefix, viewset, basename in router.registry:
        researchers_only = ResearchersOnlyPermissions in viewset.permission_classes
        if researchers_only and getattr(client, "user", None) is None:
            continue
        model = viewset.queryset.model
        # A draft and a published record of reviewed models: who may see which differs.
        ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:3])
        if review.is_reviewed(model):
            ids += list(
                model._default_manager.exclude(status=review.ReviewStatus.PUBLISHED)
                .order_by("pk")
                .values_list("pk", flat=True)[:2]
            )
        # And one with related records through each many-to-many (prefetched, compiled too).
        for field in model._meta.many_to_many:
            linked = model._default_manager.filter(**{f"{field.name}__isnull": False})
            ids += list(linked.order_by("pk").values_list("pk", flat=True)[:1])
        for pk in dict.fromkeys(ids):
            yield detail_url(basename, pk)
            if viewset.jsonld is not None:
                yield detail_url(basename, pk) + "?format=jsonld"


def answer(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, response.content, [q["sql"] for q in queries]


def differences(client):
    found = []
    for url in detail_urls(client):
        ours = answer(client, url)
        ours_again = answer(client, url)  # from the compiled shape, if the first compiled it
        with drf_get_object():
            generic = answer(client, url)
        if not ours == ours_again == generic:
            found.append(url)
    return found


@pytest.fixture
def drafts(seeded):
    QuoteFactory.create_batch(2, status=review.ReviewStatus.DRAFT)
    QuoteCandidateFactory.create_batch(2)


@pytest.mark.parametrize("user", USERS)
def test_every_detail_runs_the_sql_drf_runs(request, drafts, user):
    client = request.getfixturevalue(user)
    assert list(detail_urls(client))
    found = differences(client)
    assert found == []


def test_the_shapes_are_reused(anonymous, seeded):
    """The second detail of a shape compiles nothing, neither the quote's query nor that of
    its treaties (a many-to-many prefetch)."""
    first, second = Quote.objects.filter(status="published").order_by("pk")[:2]
    anonymous.get(detail_url("quote", first.pk))
    as_sql = SQLCompiler.as_sql
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=as_sql) as spy:
        response = anonymous.get(detail_url("quote", second.pk))
    assert response.status_code == 200
    assert response.json()["id"] == second.pk
    assert spy.call_args_list == []
    assert "treaties" in response.json()


def test_a_researcher_who_loses_the_role_no_longer_sees_drafts(researcher, drafts):
    draft = Quote.objects.filter(status=review.ReviewStatus.DRAFT).first()
    url = detail_url("quote", draft.pk)
    assert researcher.get(url).status_code == 200
    researcher.user.groups.remove(Group.objects.get(name="researchers"))
    assert researcher.get(url).status_code == 404


@pytest.mark.parametrize(
    "pk", ["abc", "0", "-1", "9" * 30, str(2**63), str(-(2**63)), "1.5", str(compiled.MARKER)]
)
def test_ids_that_match_nothing_are_the_same_404(anonymous, seeded, pk):
    url = f"/api/v1/quotes/{pk}/"
    ours = anonymous.get(url)
    with drf_get_object():
        generic = anonymous.get(url)
    assert ours.status_code == generic.status_code
    assert ours.content == generic.content


def test_a_shape_holding_the_id_twice_is_compiled_each_time(seeded):
    from django.db.models import Value

    quote = Quote.objects.order_by("pk").first()
    queryset = Quote.objects.annotate(marker=Value(compiled.MARKER))
    found = compiled.fetch_by_pk(queryset, compiled.db_value(queryset, quote.pk), ("test",))
    assert [q.pk for q in found] == [quote.pk]
    assert found[0].marker == compiled.MARKER
    assert compiled._shapes[(queryset.db, Quote, "test")] is compiled._NOT_REUSABLE


def test_the_guard_sees_a_shape_that_forgets_the_user(researcher, anonymous, drafts):
    """A shape without the user and what they may see: the researcher's SQL (no filter on
    the status) is served to the public, and the comparison above sees it."""
    shape = ContentBehaviour.shape

    def forgetful(view, visibility):
        return shape(view, visibility)[:-2]

    with mock.patch.object(ContentBehaviour, "shape", forgetful):
        for url in detail_urls(researcher):
            researcher.get(url)
        found = differences(anonymous)
    assert any("/quotes/" in url for url in found)


def test_accept_parameters_make_no_new_shapes(anonymous, seeded):
    """A shape is keyed on the renderer, not on the media type as the client wrote it: an
    Accept header with parameters of its own would otherwise make one shape per request
    (and, past MAX_SHAPES, push everyone's out)."""
    quote = Quote.objects.filter(status="published").order_by("pk").first()
    url = detail_url("quote", quote.pk)
    for n in range(5):
        response = anonymous.get(url, HTTP_ACCEPT=f"application/json; x={n}")
        assert response.status_code == 200
    assert len(compiled._shapes) == 2  # the quote's, and its treaties' prefetch
    ours = anonymous.get(url, HTTP_ACCEPT="application/ld+json")
    with drf_get_object():
        generic = anonymous.get(url, HTTP_ACCEPT="application/ld+json")
    assert ours.status_code == 200
    assert ours.content == generic.content
    assert len(compiled._shapes) == 4  # JSON-LD's own two
