"""The change history of a record through the API: GET <resource>/{id}/history/."""

import io
import json
from types import SimpleNamespace

import pytest
import yaml
from django.core.management import call_command

from core.api.history import HistoryMixin
from core.history import HistoryType
from quotes.models import Quote, TroopFigure
from tests.api.mixins import detail_url, list_url
from tests.factories import (
    QuoteCandidateFactory,
    SourceFactory,
    TreatyFactory,
    TroopFigureFactory,
    citation_payload,
)


@pytest.fixture(scope="module")
def schemas():
    """The components of the OpenAPI schema, as generated now."""
    out = io.StringIO()
    call_command("spectacular", stdout=out)
    return yaml.safe_load(out.getvalue())["components"]["schemas"]


def newest_changes(client, basename, pk):
    """The changes of the newest version of a record, by field."""
    newest = client.get(detail_url(basename, pk) + "history/").json()["results"][0]
    return {change["field"]: change for change in newest["changes"]}


def test_history_records_who_changed_what(anonymous, researcher, seeded):
    quote = Quote.objects.get(text="obsolete")
    url = detail_url("quote", quote.pk)
    assert researcher.patch(url, {"note": "First look."}).status_code == 200
    assert researcher.patch(url, {"note": "Second look.", "kind": "fragment"}).status_code == 200
    history = anonymous.get(url + "history/").json()
    assert history["previous"] is None
    newest, first_edit, seeded = history["results"]
    assert newest["history_user"] == first_edit["history_user"] == "researcher"
    assert newest["history_type"] == first_edit["history_type"] == "changed"
    # The quote was already a fragment: only the note changed.
    assert newest["changes"] == [{"field": "note", "old": "First look.", "new": "Second look."}]
    assert first_edit["changes"] == [{"field": "note", "old": "", "new": "First look."}]
    # The first version comes from the seed data, and has nothing before it.
    assert seeded["history_type"] == "created"
    assert seeded["history_user"] is None
    assert seeded["history_change_reason"] == "Curated seed data (fixtures/)"
    assert seeded["changes"] == []


def test_many_to_many_changes_are_the_related_ids_under_the_resource_field(researcher, seeded):
    quote = Quote.objects.get(text="obsolete")
    inf = researcher.get(list_url("treaty"), {"slug": "inf-treaty"}).json()["results"][0]["id"]
    other = TreatyFactory().pk
    url = detail_url("quote", quote.pk)
    researcher.patch(url, {"note": "x"})
    assert researcher.patch(url, {"treaties": [inf]}).status_code == 200
    assert newest_changes(researcher, "quote", quote.pk) == {
        "treaties": {"field": "treaties", "old": [], "new": [inf]}
    }
    # Ids ascending, whatever order they were written in.
    assert researcher.patch(url, {"treaties": [other, inf]}).status_code == 200
    assert newest_changes(researcher, "quote", quote.pk)["treaties"] == {
        "field": "treaties",
        "old": [inf],
        "new": sorted([inf, other]),
    }


def test_candidate_treaty_changes_are_treaty_ids(researcher, db):
    candidate, treaty = QuoteCandidateFactory(), TreatyFactory()
    url = detail_url("quotecandidate", candidate.pk)
    assert researcher.patch(url, {"treaties": [treaty.pk]}).status_code == 200, url
    changes = newest_changes(researcher, "quotecandidate", candidate.pk)
    assert changes["treaties"] == {"field": "treaties", "old": [], "new": [treaty.pk]}


def test_citation_changes_are_the_ids_of_the_citations_the_resource_shows(researcher, db):
    source = SourceFactory()
    said, troops = (
        citation_payload(source, passage)
        for passage in ("the Secretary General said", "Officials said 4,000 troops")
    )
    event = {"name": "Summit", "slug": "summit", "kind": "summit", "citations": [said]}
    created = researcher.post(list_url("event"), event, format="json")
    assert created.status_code == 201, created.content
    url = detail_url("event", created.json()["id"])
    changed = researcher.patch(url, {"citations": [troops, said]}, format="json")
    assert changed.status_code == 200, changed.content

    def ids(response):
        return sorted(citation["id"] for citation in response.json()["citations"])

    changes = newest_changes(researcher, "event", created.json()["id"])
    assert changes["citations"] == {"field": "citations", "old": ids(created), "new": ids(changed)}
    assert len(ids(changed)) == 2


def test_a_list_of_related_ids_leaves_out_what_the_reader_may_not_see(reader, researcher, db):
    # No many-to-many field points at a reviewed model yet; one that does follows the rule of
    # a foreign key to a draft (it reads as null): the draft is left out of the list.
    published, draft = TroopFigureFactory(), TroopFigureFactory(status="draft")
    field = SimpleNamespace(name="figures", is_relation=True, related_model=TroopFigure)
    model = SimpleNamespace(_meta=SimpleNamespace(concrete_fields=[], many_to_many=[field]))
    ids = sorted([published.pk, draft.pk])
    assert HistoryMixin._reference_hider(model, reader.user)("figures", ids) == [published.pk]
    assert HistoryMixin._reference_hider(model, researcher.user)("figures", ids) == ids


def test_history_type_is_an_enum_of_the_words_the_api_sends(anonymous, schemas, seeded):
    prop = schemas["HistoricalRecord"]["properties"]["history_type"]
    [ref] = [branch["$ref"] for branch in prop.get("allOf", [prop]) if "$ref" in branch]
    enum = schemas[ref.rsplit("/", 1)[-1]]
    assert ref == "#/components/schemas/HistoryTypeEnum"
    assert enum["enum"] == ["created", "changed", "deleted"] == list(HistoryType.values)
    quote = Quote.objects.get(text="obsolete")
    [seeded_version] = anonymous.get(detail_url("quote", quote.pk) + "history/").json()["results"]
    assert seeded_version["history_type"] in enum["enum"]


def test_schema_types_a_change_value_as_the_resource_fields_can_be(schemas):
    change = schemas["FieldChange"]["properties"]
    for side in ("old", "new"):
        branches = change[side]["anyOf"]
        assert {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}} in (
            branches
        )
        assert {branch["type"] for branch in branches} == {
            "string",
            "integer",
            "number",
            "boolean",
            "array",
        }
        assert any(branch.get("nullable") for branch in branches)


def test_public_history_leaves_out_what_was_drafted(anonymous, researcher, editor, seeded):
    quote = Quote.objects.get(text="obsolete")
    url = detail_url("quote", quote.pk)
    # Unpublishing and publishing are an editor's, with a reason (core.review).
    unpublish = {"status": "draft", "note": "secret draft note", "change_reason": "To check."}
    assert editor.patch(url, unpublish).status_code == 200
    assert researcher.patch(url, {"note": "Published note."}).status_code == 200
    publish = {"status": "published", "change_reason": "Checked."}
    assert editor.patch(url, publish).status_code == 200
    public = anonymous.get(url + "history/").json()["results"]
    assert "secret draft note" not in json.dumps(public)
    newest = public[0]
    assert {"field": "note", "old": "", "new": "Published note."} in newest["changes"]
    assert len(researcher.get(url + "history/").json()["results"]) == 4
