"""Keyset pagination (core/api/pagination.py), through the quotes list: every ordering, both
directions, NULLs, a stable order, and cursors that were not ours."""

import base64
import datetime
import json
from urllib.parse import parse_qs, urlparse

import pytest

from quotes.models import Quote
from tests.api.mixins import list_url
from tests.factories import QuoteFactory, SourceFactory, SpeakerFactory

QUOTES = list_url("quote")


@pytest.fixture
def quotes_with_ties_and_nulls(db):
    """18 quotes: dates with ties, some unknown, and speakers sharing names."""
    source = SourceFactory()
    speakers = [SpeakerFactory(name=name) for name in ("Ann", "Bob", "Bob")]
    passages = ["“reckless”", "“dangerous”", "We will defend", "defend every inch", "allied"]
    made = []
    for index in range(18):
        said_on = None if index % 5 == 0 else datetime.date(2019, 1, 1 + index % 3)
        made.append(
            QuoteFactory(
                source=SourceFactory() if index >= len(passages) else source,
                passage=passages[index % len(passages)],
                speaker=speakers[index % 3],
                said_on=said_on,
                said_on_precision="day" if said_on else "",
            )
        )
    return made


def walk(client, **params):
    pages, response = [], client.get(QUOTES, params)
    while True:
        body = response.json()
        assert response.status_code == 200, body
        pages.append(body)
        if not body["next"]:
            return pages
        response = client.get(body["next"])


def expected_order(ordering):
    """The order the database should give, worked out in Python (NULLs greatest)."""
    field = ordering.lstrip("-")
    descending = ordering.startswith("-")
    getter = {
        "said_on": lambda q: q.said_on,
        "speaker__name": lambda q: q.speaker.name,
        "kind": lambda q: q.kind,
    }[field]

    def key(q):
        value = getter(q)
        return (value is None, value if value is not None else 0, q.pk)

    rows = sorted(Quote.objects.select_related("speaker"), key=key, reverse=descending)
    return [q.pk for q in rows]


@pytest.mark.parametrize("ordering", ["said_on", "-said_on", "speaker__name", "-speaker__name"])
@pytest.mark.parametrize("page_size", [1, 4, 7])
def test_forward_walk_returns_every_row_once_in_order(
    anonymous, quotes_with_ties_and_nulls, ordering, page_size
):
    pages = walk(anonymous, ordering=ordering, page_size=page_size)
    ids = [row["id"] for page in pages for row in page["results"]]
    assert ids == expected_order(ordering)
    assert all(len(page["results"]) == page_size for page in pages[:-1])


@pytest.mark.parametrize("ordering", ["said_on", "-said_on", "-speaker__name", "kind"])
def test_backward_walk_mirrors_the_forward_walk(anonymous, quotes_with_ties_and_nulls, ordering):
    forward = walk(anonymous, ordering=ordering, page_size=4)
    backward, url = [], forward[-1]["previous"]
    while url:
        body = anonymous.get(url).json()
        backward.insert(0, [row["id"] for row in body["results"]])
        url = body["previous"]
    assert backward == [[row["id"] for row in page["results"]] for page in forward[:-1]]


def test_default_order_is_by_id(anonymous, quotes_with_ties_and_nulls):
    ids = [row["id"] for page in walk(anonymous, page_size=5) for row in page["results"]]
    assert ids == sorted(q.pk for q in quotes_with_ties_and_nulls)


def test_page_size_is_capped_at_100(anonymous, db):
    source = SourceFactory()
    text = source.text
    for start in range(110):
        QuoteFactory(source=source, passage=None, start=start, end=start + 1, text=text[start])
    body = anonymous.get(QUOTES, {"page_size": 500}).json()
    assert len(body["results"]) == 100


def test_a_cursor_from_another_ordering_is_refused(anonymous, quotes_with_ties_and_nulls):
    cursor_url = anonymous.get(QUOTES, {"page_size": 2, "ordering": "said_on"}).json()["next"]
    cursor = cursor_url.split("cursor=")[1].split("&")[0]
    response = anonymous.get(QUOTES, {"cursor": cursor, "ordering": "-speaker__name"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "cursor"


def test_counted_resources_give_the_total(anonymous, db):
    for _ in range(3):
        SpeakerFactory()
    body = anonymous.get(list_url("speaker"), {"page_size": 2}).json()
    assert body["count"] == 3
    assert "count" not in anonymous.get(QUOTES).json()


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


def test_each_page_gives_its_cursors_beside_its_links(anonymous, quotes_with_ties_and_nulls):
    """A client that calls the list with its own parameters (a generated SDK) takes the cursor
    alone: the same pages as following the links."""
    by_link = walk(anonymous, ordering="said_on", page_size=5)
    by_cursor, params = [], {"ordering": "said_on", "page_size": 5}
    while True:
        body = anonymous.get(QUOTES, params).json()
        by_cursor.append(body)
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert [p["results"] for p in by_cursor] == [p["results"] for p in by_link]
    assert len(by_cursor) == 4
    for page in by_cursor:
        for direction in ("next", "previous"):
            link, cursor = page[direction], page[f"{direction}_cursor"]
            assert (link is None) == (cursor is None)
            if link:
                assert parse_qs(urlparse(link).query)["cursor"] == [cursor]
    first, last = by_cursor[0], by_cursor[-1]
    assert first["previous_cursor"] is None
    back = anonymous.get(QUOTES, {**params, "cursor": last["previous_cursor"]}).json()
    assert back["results"] == by_cursor[-2]["results"]
