"""Generic API tests, declared per resource (NetBox's APIViewTestCases, for pytest).

A resource's test class sets `basename`, `make()` (one saved object), `create_data()` and
`update_data`; the mixins run list, detail, create, update and delete against it, with the
permission of each kind of user, and guard the query count of list and detail.
"""

from django.apps import apps
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.versioning import URLPathVersioning

from config.pagination import MAX_PAGE_SIZE


def list_url(basename):
    return reverse(f"{basename}-list", kwargs={"version": "v1"})


def detail_url(basename, pk):
    return reverse(f"{basename}-detail", kwargs={"version": "v1", "pk": pk})


# Every content table: models, many-to-many link tables and change history.
CONTENT_MODELS = [
    model
    for label in ("sources", "quotes")
    for model in apps.get_app_config(label).get_models(include_auto_created=True)
]


def row_counts():
    """Rows of every content table, in one query: a refused request must leave them as they are."""
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in CONTENT_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return {model._meta.label: count for model, count in zip(CONTENT_MODELS, row, strict=True)}


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


class ResourceTests:
    basename: str
    model = None
    brief_serializer = None
    brief_fields = ["display", "id", "slug", "url"]
    update_data: dict = {}
    max_list_queries = 6
    max_detail_queries = 6

    def make(self):
        raise NotImplementedError

    def create_data(self) -> dict:
        raise NotImplementedError

    # -- reading --------------------------------------------------------------------------

    def test_list_query_count_does_not_grow_with_the_page(self, anonymous, db):
        for _ in range(3):
            self.make()
        few, _ = count_queries(anonymous, list_url(self.basename), page_size=2)
        for _ in range(MAX_PAGE_SIZE + 2):
            self.make()
        many, body = count_queries(anonymous, list_url(self.basename), page_size=MAX_PAGE_SIZE)
        assert len(body["results"]) == MAX_PAGE_SIZE
        assert body["next"] is not None
        assert many == few, f"{many} queries for a full page, {few} for two rows: an N+1"
        assert many <= self.max_list_queries

    def test_list_default_page_and_envelope(self, anonymous, db):
        for _ in range(22):
            self.make()
        body = anonymous.get(list_url(self.basename)).json()
        assert {"next", "previous", "results"} <= set(body)
        assert len(body["results"]) == 20
        assert body["previous"] is None
        following = anonymous.get(body["next"]).json()
        assert len(following["results"]) == 2
        assert following["next"] is None
        first_ids = {row["id"] for row in body["results"]}
        assert first_ids.isdisjoint(row["id"] for row in following["results"])

    def test_detail(self, anonymous, db):
        obj = self.make()
        url = detail_url(self.basename, obj.pk)
        with CaptureQueriesContext(connection) as captured:
            response = anonymous.get(url)
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == obj.pk
        assert body["url"].endswith(url)
        assert body["display"] == str(obj)
        assert len(captured.captured_queries) <= self.max_detail_queries

    def test_detail_of_a_missing_object_is_a_404_in_the_error_format(self, anonymous, db):
        response = anonymous.get(detail_url(self.basename, 999_999))
        assert response.status_code == 404
        assert response.json()["type"] == "client_error"
        assert response.json()["errors"][0]["code"] == "not_found"

    def test_brief_form(self, db):
        obj = self.make()
        request = Request(APIRequestFactory().get("/api/v1/"))
        request.version, request.versioning_scheme = "v1", URLPathVersioning()
        data = self.brief_serializer(obj, context={"request": request}).data
        assert sorted(data) == sorted(self.brief_fields)
        assert data["id"] == obj.pk
        assert data["display"] == str(obj)
        assert data["url"].endswith(detail_url(self.basename, obj.pk))

    # -- writing --------------------------------------------------------------------------

    def test_anonymous_cannot_write(self, anonymous, db):
        obj = self.make()
        assert anonymous.post(list_url(self.basename), self.create_data()).status_code == 401
        url = detail_url(self.basename, obj.pk)
        assert anonymous.patch(url, self.update_data).status_code == 401
        assert anonymous.delete(url).status_code == 401

    def test_authenticated_user_without_permission_cannot_write(self, reader, db):
        obj = self.make()
        assert reader.post(list_url(self.basename), self.create_data()).status_code == 403
        url = detail_url(self.basename, obj.pk)
        assert reader.patch(url, self.update_data).status_code == 403
        assert reader.get(url).status_code == 200

    def test_researcher_creates(self, researcher, db):
        model = self.model
        before = model.objects.count()
        response = researcher.post(list_url(self.basename), self.create_data())
        assert response.status_code == 201, response.content
        assert model.objects.count() == before + 1
        created = model.objects.get(pk=response.json()["id"])
        self.check_created(created, response.json())

    def check_created(self, obj, body):
        """Resource-specific assertions on a created object."""

    def test_researcher_updates(self, researcher, db):
        obj = self.make()
        response = researcher.patch(detail_url(self.basename, obj.pk), self.update_data)
        assert response.status_code == 200, response.content
        obj.refresh_from_db()
        for name, value in self.update_data.items():
            assert response.json()[name] == value
            assert getattr(obj, name) == value

    def test_invalid_create_is_a_400_that_writes_nothing(self, researcher, db):
        before = self.model.objects.count()
        response = researcher.post(list_url(self.basename), {})
        assert response.status_code == 400
        body = response.json()
        assert body["type"] == "validation_error"
        assert all(error["attr"] for error in body["errors"])
        assert self.model.objects.count() == before

    def test_researcher_cannot_delete(self, researcher, db):
        obj = self.make()
        assert researcher.delete(detail_url(self.basename, obj.pk)).status_code == 403
        assert self.model.objects.filter(pk=obj.pk).exists()

    def test_staff_deletes(self, staff, db):
        obj = self.make()
        assert staff.delete(detail_url(self.basename, obj.pk)).status_code == 204
        assert not self.model.objects.filter(pk=obj.pk).exists()
