"""Generic API tests, run for each resource from its spec (NetBox's APIViewTestCases, for pytest).

A resource's test class sets `spec` (tests/api/specs.py); these tests then read its list and
detail, guard their query counts, check its brief form, and create and update through it.
Who may do what is the permission matrix's (tests/api/test_permissions.py).
"""

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.versioning import URLPathVersioning

from core.api.pagination import MAX_PAGE_SIZE
from core.api.serializers import serializer_for
from core.registry import content_models
from tests.api.specs import Spec


def list_url(basename):
    return reverse(f"{basename}-list", kwargs={"version": "v1"})


def detail_url(basename, pk):
    return reverse(f"{basename}-detail", kwargs={"version": "v1", "pk": pk})


def row_counts():
    """Rows of every content table (records, links and history), in one query: a refused
    request must leave them as they are."""
    tables = content_models(include_links=True, include_history=True)
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return {model._meta.label: count for model, count in zip(tables, row, strict=True)}


def state_of(obj):
    """Every stored field of `obj`, its many-to-many links included (None once deleted)."""
    if obj is None:
        return None
    fresh = type(obj)._base_manager.filter(pk=obj.pk).first()
    if fresh is None:
        return None
    state = model_to_dict(fresh)
    state["updated_at"] = fresh.updated_at
    for field in fresh._meta.many_to_many:
        state[field.name] = sorted(item.pk for item in state[field.name])
    return state


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()


def api_request(path="/api/v1/", **params):
    """A DRF request as the views see it, for serializers used outside a view."""
    request = Request(APIRequestFactory().get(path, params))
    request.version, request.versioning_scheme = "v1", URLPathVersioning()
    return request


class ReadTests:
    """Reading a resource: its list, its detail, its brief form."""

    spec: Spec

    @property
    def basename(self):
        return self.spec.basename

    @pytest.fixture
    def reading_client(self, request):
        """Who reads it: anyone, or a researcher for what only researchers see."""
        return request.getfixturevalue("researcher" if self.spec.researchers_only else "anonymous")

    def test_list_query_count_does_not_grow_with_the_page(self, reading_client, db):
        for _ in range(3):
            self.spec.make()
        few, _ = count_queries(reading_client, list_url(self.basename), page_size=2)
        for _ in range(MAX_PAGE_SIZE + 2):
            self.spec.make()
        many, body = count_queries(reading_client, list_url(self.basename), page_size=MAX_PAGE_SIZE)
        assert len(body["results"]) == MAX_PAGE_SIZE
        assert body["next"] is not None
        assert many == few, f"{many} queries for a full page, {few} for two rows: an N+1"
        assert many <= self.spec.max_queries

    def test_list_default_page_and_envelope(self, reading_client, db):
        for _ in range(22):
            self.spec.make()
        body = reading_client.get(list_url(self.basename)).json()
        assert {"next", "previous", "results"} <= set(body)
        assert len(body["results"]) == 20
        assert body["previous"] is None
        following = reading_client.get(body["next"]).json()
        assert len(following["results"]) == 2
        assert following["next"] is None
        first_ids = {row["id"] for row in body["results"]}
        assert first_ids.isdisjoint(row["id"] for row in following["results"])

    def test_detail(self, reading_client, db):
        obj = self.spec.make()
        url = detail_url(self.basename, obj.pk)
        with CaptureQueriesContext(connection) as captured:
            response = reading_client.get(url)
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == obj.pk
        assert body["url"].endswith(url)
        assert body["display"] == str(obj)
        assert len(captured.captured_queries) <= self.spec.max_queries

    def test_detail_of_a_missing_object_is_a_404_in_the_error_format(self, reading_client, db):
        response = reading_client.get(detail_url(self.basename, 999_999))
        assert response.status_code == 404
        assert response.json()["type"] == "client_error"
        assert response.json()["errors"][0]["code"] == "not_found"

    def test_brief_form(self, db):
        """`<Resource>Serializer(nested=True)` is the resource as others nest it."""
        obj = self.spec.make()
        serializer_class = serializer_for(self.spec.model)
        data = serializer_class(obj, nested=True, context={"request": api_request()}).data
        assert tuple(data) == self.spec.brief_fields
        assert data["id"] == obj.pk
        assert data["display"] == str(obj)
        assert data["url"].endswith(detail_url(self.basename, obj.pk))


class CreateTests:
    """Creating through a resource."""

    spec: Spec

    def test_researcher_creates(self, researcher, world):
        model = self.spec.model
        before = model.objects.count()
        response = researcher.post(list_url(self.basename), self.spec.create(world))
        assert response.status_code == 201, response.content
        assert model.objects.count() == before + 1
        created = model.objects.get(pk=response.json()["id"])
        self.check_created(created, response.json())
        # The 201 carries the ETag a read of the new record gives: a client can write
        # under If-Match at once.
        assert response["ETag"]
        read = researcher.get(detail_url(self.basename, created.pk))
        assert response["ETag"] == read["ETag"]

    def check_created(self, obj, body):
        """Resource-specific assertions on a created object."""

    def test_invalid_create_is_a_400_that_writes_nothing(self, researcher, db):
        before = row_counts()
        response = researcher.post(list_url(self.basename), {})
        assert response.status_code == 400
        body = response.json()
        assert body["type"] == "validation_error"
        assert all(error["attr"] for error in body["errors"])
        assert row_counts() == before


class UpdateTests:
    """Changing a record through a resource."""

    spec: Spec

    def test_researcher_updates(self, researcher, db):
        obj = self.spec.make()
        response = researcher.patch(detail_url(self.basename, obj.pk), self.spec.change)
        assert response.status_code == 200, response.content
        obj.refresh_from_db()
        for name, value in self.spec.change.items():
            assert response.json()[name] == value
            assert getattr(obj, name) == value


class ResourceTests(ReadTests, CreateTests, UpdateTests):
    """A resource anyone reads and researchers write."""


class ResearchResourceTests(ReadTests, UpdateTests):
    """A resource only researchers read, and change (candidates): nothing creates it through
    the API, the extraction does."""
