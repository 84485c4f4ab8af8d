"""Review workflow and change history through the API."""

import csv
import io

import pytest

from quotes.models import Quote, Speaker, TroopFigure
from tests.api.mixins import detail_url, list_url

QUOTES = list_url("quote")


@pytest.fixture
def draft(seeded):
    quote = Quote.objects.get(text="obsolete")
    Quote.objects.filter(pk=quote.pk).update(status="draft")
    return quote


def ids(client, url, **params):
    body = client.get(url, {"page_size": 100, **params}).json()
    return {row["id"] for row in body["results"]}


def test_drafts_are_invisible_to_the_public(anonymous, draft):
    assert draft.pk not in ids(anonymous, QUOTES)
    assert anonymous.get(detail_url("quote", draft.pk)).status_code == 404
    assert anonymous.get(detail_url("quote", draft.pk) + "history/").status_code == 404
    assert ids(anonymous, QUOTES, status="draft") == set()
    for _ in range(10):
        random = anonymous.get(QUOTES + "random/", {"speaker": "donald-trump"}).json()
        assert random["id"] != draft.pk
    csv_rows = b"".join(anonymous.get(QUOTES, {"format": "csv"}).streaming_content).decode()
    assert "obsolete" not in csv_rows


def test_speaker_statistics_count_only_what_the_user_may_see(anonymous, researcher, draft):
    url = detail_url("speaker", Speaker.objects.get(slug="donald-trump").pk)
    assert anonymous.get(url).json()["quote_count"] == 4
    assert researcher.get(url).json()["quote_count"] == 5


def test_researchers_see_drafts(researcher, reader, draft):
    assert draft.pk in ids(researcher, QUOTES)
    assert ids(researcher, QUOTES, status="draft") == {draft.pk}
    assert researcher.get(detail_url("quote", draft.pk)).json()["status"] == "draft"
    # Authenticated without the view permission is the public.
    assert draft.pk not in ids(reader, QUOTES)


def test_draft_parts_of_a_figure_are_hidden_from_the_public(anonymous, researcher, seeded):
    part = TroopFigure.objects.get(slug="us-baltic-2016")
    TroopFigure.objects.filter(pk=part.pk).update(status="draft")
    whole = detail_url("troopfigure", part.parent_id)
    assert anonymous.get(whole).json()["parts"] == []
    assert [p["id"] for p in researcher.get(whole).json()["parts"]] == [part.pk]


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
    assert newest["changes"] == [{"field": "note", "old": "First look.", "new": "Second look."}]
    assert first_edit["changes"] == [{"field": "note", "old": "", "new": "First look."}]
    # The first version comes from the seed data, and has nothing before it.
    assert seeded["history_type"] == "created"
    assert seeded["history_user"] is None
    assert seeded["history_change_reason"] == "Curated seed data (fixtures/)"
    assert seeded["changes"] == []


def test_history_of_many_to_many_changes(researcher, seeded):
    quote = Quote.objects.get(text="obsolete")
    treaty_id = researcher.get(list_url("treaty"), {"slug": "inf-treaty"}).json()["results"][0][
        "id"
    ]
    url = detail_url("quote", quote.pk)
    researcher.patch(url, {"note": "x"})
    researcher.patch(url, {"treaties": [treaty_id]})
    [change] = researcher.get(url + "history/").json()["results"][0]["changes"]
    assert change["field"] == "treaties"
    assert change["old"] == []
    assert change["new"] == [{"quote": quote.pk, "treaty": treaty_id}]


def test_csv_export_honours_the_filters(anonymous, seeded):
    response = anonymous.get(QUOTES, {"format": "csv", "speaker": "dmitry-peskov"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 5
    assert {row["speaker_slug"] for row in rows} == {"dmitry-peskov"}
    assert rows[0].keys() >= {"id", "text", "said_on", "source_slug", "start", "end", "status"}


def test_csv_export_errors_are_json(anonymous, seeded):
    response = anonymous.get(QUOTES, {"format": "csv", "speaker_id": "abc"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"][0]["attr"] == "speaker_id"
