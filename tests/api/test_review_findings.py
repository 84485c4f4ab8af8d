"""Regressions for the bugs an internal review reproduced (each once allowed a leak, a 500 or
inconsistent data)."""

import base64
import json

import pytest
from django.contrib.auth.models import User

from quotes.models import Quote, TroopFigure
from tests.api.mixins import detail_url, list_url


@pytest.fixture
def draft_whole(seeded):
    whole = TroopFigure.objects.get(slug="nato-baltic-2016")
    TroopFigure.objects.filter(pk=whole.pk).update(status="draft")
    return whole


def test_a_draft_whole_is_hidden_behind_its_published_part(anonymous, researcher, draft_whole):
    part = TroopFigure.objects.get(slug="us-baltic-2016")
    assert anonymous.get(detail_url("troopfigure", part.pk)).json()["parent"] is None
    assert (
        researcher.get(detail_url("troopfigure", part.pk)).json()["parent"]["id"] == draft_whole.pk
    )


def test_filtering_by_a_hidden_parent_is_like_filtering_by_a_missing_one(anonymous, draft_whole):
    hidden = anonymous.get(list_url("troopfigure"), {"parent_id": draft_whole.pk})
    missing = anonymous.get(list_url("troopfigure"), {"parent_id": 999_999})
    assert hidden.status_code == missing.status_code == 200
    assert hidden.json()["results"] == missing.json()["results"] == []


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


def cursor(values, keys, reverse=False):
    raw = json.dumps({"v": values, "r": reverse, "k": keys}).encode()
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    ("params", "values", "keys"),
    [
        ({}, ["x"], ["pk"]),
        ({}, [[1]], ["pk"]),
        ({}, [{"a": 1}], ["pk"]),
        ({}, [10**30], ["pk"]),
        ({"ordering": "said_on"}, ["notadate", 1], ["said_on", "pk"]),
        ({"ordering": "said_on"}, ["2019-13-45", 1], ["said_on", "pk"]),
        ({"ordering": "created_at"}, ["garbage", 1], ["created_at", "pk"]),
        ({"ordering": "start"}, ["abc", 1], ["start", "pk"]),
        ({"q": "NATO"}, ["abc", 1], ["search_rank", "pk"]),
    ],
)
def test_tampered_cursors_are_a_400(anonymous, seeded, params, values, keys):
    response = anonymous.get(list_url("quote"), {**params, "cursor": cursor(values, keys)})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "cursor"


def test_ranked_search_pages_neither_repeat_nor_skip(anonymous, seeded):
    seen, url = [], list_url("quote") + "?q=NATO&page_size=2"
    while url:
        body = anonymous.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    everything = anonymous.get(list_url("quote"), {"q": "NATO", "page_size": 100}).json()
    assert seen == [row["id"] for row in everything["results"]]
    assert len(seen) == len(set(seen))


def test_a_nul_character_in_aliases_is_a_400(researcher, db):
    payload = {"name": "X", "slug": "x-nul", "kind": "person", "aliases": ["a\u0000b"]}
    response = researcher.post(list_url("speaker"), payload)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "aliases.0"


def test_a_whole_cannot_shrink_below_its_parts(researcher, seeded):
    whole = TroopFigure.objects.get(slug="nato-baltic-2016")
    response = researcher.patch(detail_url("troopfigure", whole.pk), {"count": 10})
    assert response.status_code == 400
    assert "exceed this figure" in response.json()["errors"][0]["detail"]
    whole.refresh_from_db()
    assert whole.count == 1100


def test_parts_added_together_in_the_admin_cannot_exceed_their_whole(client, seeded):
    client.force_login(User.objects.create_superuser("root", "r@example.org", "x"))
    whole = TroopFigure.objects.get(slug="nato-baltic-2016")
    citation = whole.citations.get()
    data = {
        "slug": whole.slug,
        "count": whole.count,
        "unit": whole.unit,
        "contributing_country": "",
        "deploying_organization": whole.deploying_organization_id,
        "location": whole.location,
        "as_of": "2016-01-01",
        "as_of_precision": "year",
        "as_of_inferred": "on",
        "as_of_note": whole.as_of_note,
        "citations": [citation.pk],
        "note": whole.note,
        "status": "published",
        "parts-TOTAL_FORMS": "3",
        "parts-INITIAL_FORMS": "1",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "1000",
    }
    existing = TroopFigure.objects.get(slug="us-baltic-2016")
    rows = [(existing.pk, existing.slug, 900), (None, "new-a", 150), (None, "new-b", 100)]
    for index, (pk, slug, count) in enumerate(rows):
        prefix = f"parts-{index}-"
        data.update(
            {
                f"{prefix}id": pk or "",
                f"{prefix}parent": whole.pk,
                f"{prefix}slug": slug,
                f"{prefix}count": count,
                f"{prefix}unit": "soldiers",
                f"{prefix}contributing_country": "",
                f"{prefix}location": "Baltic",
                f"{prefix}status": "draft",
                f"{prefix}citations": [citation.pk],
            }
        )
    url = f"/admin/quotes/troopfigure/{whole.pk}/change/"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "The parts together (1,150) exceed their whole (1,100)." in response.content.decode()
    assert not TroopFigure.objects.filter(slug__in=["new-a", "new-b"]).exists()
