"""The change history of a record through the API: GET <resource>/{id}/history/."""

import json

from quotes.models import Quote
from tests.api.mixins import detail_url, list_url


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


def test_public_history_leaves_out_what_was_drafted(anonymous, researcher, seeded):
    quote = Quote.objects.get(text="obsolete")
    url = detail_url("quote", quote.pk)
    researcher.patch(url, {"status": "draft", "note": "secret draft note"})
    researcher.patch(url, {"note": "Published note."})
    researcher.patch(url, {"status": "published"})
    public = anonymous.get(url + "history/").json()["results"]
    assert "secret draft note" not in json.dumps(public)
    newest = public[0]
    assert {"field": "note", "old": "", "new": "Published note."} in newest["changes"]
    assert len(researcher.get(url + "history/").json()["results"]) == 4
