"""A catalogue of bad input: every case is refused with a clear 4xx, in the one error format,
naming the offending field, and leaves the database as it was.

Write cases are each resource's `reject` cases (tests/api/specs.py): each starts from the
resource's valid body (test_the_valid_bodies_are_accepted proves it) and breaks one thing, so
that the error is about that thing and nothing else. Body cases break the request itself.
Query cases try malformed and hostile filter, search, ordering and cursor values: each is a 400
naming the parameter, or a 200 whose results match the value literally. None may be a 500, and
the tables are still there afterwards.

What is valid text and what is not (decided here, for every string field):
- any Unicode text is stored exactly as sent, not normalised (a quote is verbatim): right-to-left
  marks, combining characters, emoji, CJK;
- a NUL character is refused with a 400 on every backend (PostgreSQL cannot store it);
- a lone surrogate cannot be sent: it is not valid JSON text, so the body is a parse error;
- slugs are ASCII letters, digits, hyphens and underscores only.

Run it on SQLite and on PostgreSQL: NUL bytes and integers past 64 bits only break on the latter,
and some overflows only on the former.
"""

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection

from quotes.models import Speaker, TroopFigure
from tests.api.mixins import detail_url, list_url, row_counts, state_of
from tests.api.specs import SPECS, resolve
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    OutletFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    TroopFigureFactory,
    span_of,
)

ON_SQLITE = connection.vendor == "sqlite"

# ------------------------------------------------------------------------------------------
# The one error format
# ------------------------------------------------------------------------------------------


def assert_error_format(response, status, attrs):
    """`{"type", "errors": [{"code", "detail", "attr"}]}`; `attrs` are the fields named (None for
    an error about the request as a whole, such as a body that is not JSON)."""
    assert response.status_code == status, response.content[:600]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"type", "errors"}
    assert body["errors"], "an error response names at least one error"
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr"}
        assert isinstance(error["code"], str)
        assert error["code"]
        assert isinstance(error["detail"], str)
        assert error["detail"].strip(), "a message a person can act on"
    named = {error["attr"] for error in body["errors"]}
    if attrs is None:
        assert body["type"] == "client_error"
        assert named == {None}
    else:
        assert body["type"] == "validation_error"
        # Exactly the expected fields, or parts of them ("aliases.0", "citations.0.end").
        assert all(
            any(attr == name or attr.startswith(f"{name}.") for name in attrs) for attr in named
        ), f"{named} names fields besides {attrs}"
        assert all(
            any(attr == name or attr.startswith(f"{name}.") for attr in named) for name in attrs
        ), f"{named} does not name {attrs}"


# ------------------------------------------------------------------------------------------
# Write cases: every resource's reject cases (tests/api/specs.py)
# ------------------------------------------------------------------------------------------

WRITE_CASES = [
    pytest.param(spec, reject, id=reject.name) for spec in SPECS.values() for reject in spec.reject
]


def write_request(spec, reject, world):
    """(method, url, JSON body, the record written to or None) of a reject case."""
    target = getattr(world, reject.target) if reject.target else None
    if reject.action is not None:
        body = spec.actions[reject.action][1](world)
    else:
        body = spec.create(world) if reject.method == "POST" else {}
    body.update(reject.fields)
    url = detail_url(spec.basename, target.pk) if target else list_url(spec.basename)
    if reject.action is not None:
        url += f"{reject.action}/"
    # json.dumps escapes everything outside ASCII, so NULs and surrogates travel as \u escapes.
    return reject.method, url, json.dumps(resolve(body, world)).encode(), target


@pytest.mark.parametrize(("spec", "reject"), WRITE_CASES)
def test_bad_writes_are_a_400_in_the_error_format_and_write_nothing(
    researcher, world, spec, reject
):
    researcher.raise_request_exception = False  # a crash must show as a 500, not abort the test
    method, url, content, target = write_request(spec, reject, world)
    counts, before = row_counts(), state_of(target)

    response = researcher.generic(method, url, content, content_type="application/json")

    assert_error_format(response, 400, reject.attrs)
    assert row_counts() == counts, "a refused write wrote something"
    assert state_of(target) == before, "a refused update changed the object"


@pytest.mark.parametrize(
    "spec", [s for s in SPECS.values() if s.create], ids=lambda spec: spec.prefix
)
def test_the_valid_bodies_are_accepted(researcher, world, spec):
    """The control: each reject case breaks one thing in a body that is otherwise accepted."""
    before = row_counts()
    response = researcher.post(list_url(spec.basename), resolve(spec.create(world), world))
    assert response.status_code == 201, response.content
    label = spec.model._meta.label
    assert row_counts()[label] == before[label] + 1


@pytest.mark.parametrize(
    "spec", [s for s in SPECS.values() if not s.create and s.change], ids=lambda spec: spec.prefix
)
def test_the_valid_changes_are_accepted(researcher, world, spec):
    """The control of the resources no one creates through the API: their change is accepted
    (each of their reject cases breaks one thing in a PATCH of the world's record)."""
    target = next(getattr(world, r.target) for r in spec.reject if r.target and not r.action)
    response = researcher.patch(detail_url(spec.basename, target.pk), spec.change)
    assert response.status_code == 200, response.content


ACTIONS = [
    pytest.param(spec, action, id=f"{spec.prefix}-{action}")
    for spec in SPECS.values()
    for action in spec.actions or {}
]


@pytest.mark.parametrize(("spec", "action"), ACTIONS)
def test_the_valid_actions_are_accepted(researcher, world, spec, action):
    """The control of the reject cases of an action (detach, confirm, dismiss): its valid
    body is accepted, and it writes."""
    target, body = spec.actions[action]
    record = getattr(world, target)
    before = state_of(record)
    url = detail_url(spec.basename, record.pk) + f"{action}/"
    response = researcher.post(url, resolve(body(world), world))
    assert response.status_code == 200, response.content
    if action == "detach":  # the quote leaves; the statement stays as it was
        assert state_of(world.appearance)["statement"] is None
    else:
        assert state_of(record) != before
    assert any(r.action == action for r in spec.reject), f"{action}: no bad input is tried"


def test_every_resource_has_reject_cases():
    for spec in SPECS.values():
        assert spec.reject, f"{spec.prefix}: no bad input is tried"


# ------------------------------------------------------------------------------------------
# Body cases: the request itself is broken (not JSON, not an object, the wrong content type)
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """`content` sent with `content_type` to speakers/ (or PATCHed to the world's speaker):
    refused with `status`, naming `attrs` (None: the request as a whole)."""

    content: bytes
    content_type: str = "application/json"
    status: int = 400
    attrs: tuple | None = None
    method: str = "POST"
    basename: str = "speaker"


def body(name, content, content_type="application/json", **kwargs):
    return pytest.param(Body(content, content_type, **kwargs), id=name)


BODY_CASES = [
    body("body-malformed-json", b'{"name": "x",'),
    body("body-trailing-garbage", b'{"name": "x"} trailing'),
    body("body-single-quotes", b"{'name': 'x'}"),
    body("body-nan", b'{"name": NaN}'),
    body("body-invalid-utf8", b'{"name": "\xff\xfe"}'),
    body("body-nested-3000-deep", b'{"aliases": ' + b"[" * 3000 + b"]" * 3000 + b"}"),
    body("body-json-array", b"[]", attrs=("non_field_errors",)),
    body("body-json-array-of-objects", b'[{"name": "x"}]', attrs=("non_field_errors",)),
    body("body-json-number", b"42", attrs=("non_field_errors",)),
    body("body-json-string", b'"x"', attrs=("non_field_errors",)),
    body("body-json-true", b"true", attrs=("non_field_errors",)),
    body("body-json-null", b"null", attrs=("non_field_errors",)),
    body("body-empty", b"", attrs=("name", "slug", "kind")),
    body("figure-count-infinity", b'{"slug": "f", "count": 1e400}', basename="troopfigure"),
    body("speaker-name-lone-surrogate", b'{"name": "\\ud800", "slug": "s", "kind": "person"}'),
    body(
        "speaker-name-reversed-surrogates",
        b'{"name": "\\udc00\\ud800", "slug": "s", "kind": "person"}',
    ),
    body("content-type-text-plain", b'{"name": "x"}', "text/plain", status=415),
    body("content-type-xml", b"<speaker><name>x</name></speaker>", "application/xml", status=415),
    body(
        "content-type-form",
        b"name=x&slug=x&kind=person",
        "application/x-www-form-urlencoded",
        status=415,
    ),
    body(
        "content-type-multipart",
        b"--b\r\n\r\nx\r\n--b--",
        "multipart/form-data; boundary=b",
        status=415,
    ),
    body("content-type-missing", b'{"name": "x"}', "", status=415),
    body("patch-malformed-json", b'{"name": ', method="PATCH"),
    body("patch-json-array", b'[{"name": "x"}]', attrs=("non_field_errors",), method="PATCH"),
    body("patch-text-plain", b"name=x", "text/plain", status=415, method="PATCH"),
]


@pytest.mark.parametrize("case", BODY_CASES)
def test_broken_bodies_are_a_4xx_in_the_error_format_and_write_nothing(researcher, world, case):
    researcher.raise_request_exception = False
    target = world.speaker if case.method == "PATCH" else None
    url = detail_url(case.basename, target.pk) if target else list_url(case.basename)
    counts, before = row_counts(), state_of(target)

    response = researcher.generic(case.method, url, case.content, content_type=case.content_type)

    assert_error_format(response, case.status, case.attrs)
    assert row_counts() == counts, "a refused write wrote something"
    assert state_of(target) == before, "a refused update changed the object"


# ------------------------------------------------------------------------------------------
# Text that is valid: stored exactly as sent
# ------------------------------------------------------------------------------------------

VALID_TEXT = {
    "rtl-marks": "\u200fמאיר\u200e Meir",
    "bidi-override": "\u202eabc\u202c",
    "combining-marks": "Zoe\u0301 Ange\u0301lique",  # not normalised to NFC
    "precomposed": "Zoë Angélique",
    "emoji": "NATO \U0001f6e1\ufe0f",
    "zwj-sequence": "\U0001f469\u200d\U0001f4bb team",
    "cjk": "北大西洋公约组织",
    "cyrillic": "Мария Захарова",
    "astral-math": "\U0001d4dd\U0001d4d0\U0001d4e3\U0001d4de",
}


@pytest.mark.parametrize("text", VALID_TEXT.values(), ids=VALID_TEXT.keys())
def test_unicode_text_is_stored_exactly_as_sent(researcher, db, text):
    body = {
        "name": text,
        "slug": "unicode",
        "kind": "person",
        "aliases": [text + "!"],
        "note": text,
    }
    response = researcher.post(list_url("speaker"), body)
    assert response.status_code == 201, response.content
    assert response.json()["name"] == text
    speaker = Speaker.objects.get(slug="unicode")
    assert (speaker.name, speaker.aliases, speaker.note) == (text, [text + "!"], text)


def test_spans_count_code_points_after_astral_and_combining_characters(researcher, db):
    """Offsets are Python string indices (code points) on both backends: the context cut in SQL
    agrees with the Python slice even after emoji (outside the BMP) and combining marks."""
    text = (
        "Le chef \U0001f6e1\ufe0f de l\u2019OTAN, Zoe\u0301, "
        "a dit\u00a0: \u00abnous tiendrons\u00bb.\n"
    )
    source = SourceFactory(text=text)
    passage = "nous tiendrons"
    start, end = span_of(text, passage)
    body = {**valid_quote_for(source), "text": passage, "start": start, "end": end}
    response = researcher.post(list_url("quote"), body)
    assert response.status_code == 201, response.content
    listed = researcher.get(list_url("quote")).json()["results"][0]
    assert listed["context_before"] == text[:start]
    assert listed["context_after"] == text[end:]


def valid_quote_for(source):
    return {"kind": "fragment", "speaker": SpeakerFactory().pk, "source": source.pk}


# ------------------------------------------------------------------------------------------
# Whitespace: what is trimmed and what is kept (a source's text: tests/api/test_sources.py)
# ------------------------------------------------------------------------------------------


def test_names_are_trimmed_and_inner_whitespace_kept(researcher, db):
    """Names are data entry: surrounding whitespace is dropped, what is inside is kept."""
    body = {"name": "  Jens   Stoltenberg \n", "slug": "jens", "kind": "person"}
    assert researcher.post(list_url("speaker"), body).status_code == 201
    assert Speaker.objects.get(slug="jens").name == "Jens   Stoltenberg"


# ------------------------------------------------------------------------------------------
# Query parameters: filters, search, ordering, cursors
# ------------------------------------------------------------------------------------------

INJECTION_TEXT = (
    "In the form they typed ' OR 1=1 -- and then 1; DROP TABLE quotes_quote, "
    "saying they were 100% sure about snake_case names.\n"
)
LITERAL_PASSAGES = ["' OR 1=1 --", "1; DROP TABLE quotes_quote", "100% sure", "snake_case"]


@dataclass
class Tricky:
    """Objects whose text holds the hostile strings literally (`literal`), and others that do
    not (`decoys`): a filter that was bypassed would return the decoys too."""

    literal: dict[str, set[int]]
    decoys: dict[str, set[int]]
    draft_figure: TroopFigure


@pytest.fixture
def tricky(world):
    source = SourceFactory(title="Injection attempts", slug="injections", text=INJECTION_TEXT)
    quotes = {QuoteFactory(source=source, passage=passage).pk for passage in LITERAL_PASSAGES}
    literal = {
        "quote": quotes,
        "source": {source.pk},
        "speaker": {
            SpeakerFactory(name="Ann 100% Sure", slug="ann").pk,
            SpeakerFactory(name="Bob Under_score", slug="bob").pk,
            SpeakerFactory(name="Carl ' OR 1=1 -- Jones", slug="carl").pk,
        },
        "organization": {OrganizationFactory(name="Org ' OR 1=1 --", slug="org-or").pk},
        "outlet": {OutletFactory(name="100% News", slug="news-100").pk},
        "event": {EventFactory(name="Under_score summit", slug="under-score").pk},
        "troopfigure": {TroopFigureFactory(slug="odd", location="100% of the_region").pk},
        "treaty": set(),
    }
    decoys = {
        "quote": {world.quote.pk},
        "source": {world.source.pk, world.bare_source.pk},
        "speaker": {world.speaker.pk},
        "organization": {world.organization.pk},
        "outlet": {world.outlet.pk},
        "event": {world.event.pk},
        "troopfigure": {world.whole.pk, world.part.pk},
        "treaty": {world.treaty.pk},
    }
    return Tricky(literal, decoys, world.draft_figure)


def cursor(values, keys):
    raw = json.dumps({"v": values, "r": False, "k": keys}).encode()
    return base64.urlsafe_b64encode(raw).decode()


@dataclass(frozen=True)
class Query:
    """GET `basename`'s list (or `path` under it) with `params`, as an anonymous user.

    expect: "400" (naming `attr`), "literal" (200, only rows that hold the value literally),
    "empty" (200, no rows), "400-or-empty" (unknown references: either answer is a policy, as
    long as it is the same for a missing object and a hidden one), "404", "406".
    """

    basename: str
    params: Any
    expect: str
    attr: str | None = None
    path: str = ""
    headers: dict = field(default_factory=dict)


def query(name, q):
    return pytest.param(q, id=name)


THOUSAND_WORDS = " ".join(["zq"] * 1000)


SQL = ["' OR 1=1 --", "1; DROP TABLE quotes_quote", "%", "_"]

QUERY_CASES = [
    # -- search and free-text filters: the value is text, matched literally ----------------
    *[query(f"quotes-q-{i}", Query("quote", {"q": v}, "literal")) for i, v in enumerate(SQL)],
    *[query(f"speakers-q-{i}", Query("speaker", {"q": v}, "literal")) for i, v in enumerate(SQL)],
    *[query(f"sources-q-{i}", Query("source", {"q": v}, "literal")) for i, v in enumerate(SQL)],
    query("organizations-q-or", Query("organization", {"q": "' OR 1=1 --"}, "literal")),
    query("outlets-q-percent", Query("outlet", {"q": "%"}, "literal")),
    query("events-q-underscore", Query("event", {"q": "_"}, "literal")),
    query("figures-location-percent", Query("troopfigure", {"location": "%"}, "literal")),
    query("figures-location-underscore", Query("troopfigure", {"location": "_"}, "literal")),
    query("figures-q-or", Query("troopfigure", {"q": "' OR 1=1 --"}, "literal")),
    query("quotes-language-or", Query("quote", {"language": "' OR 1=1 --"}, "empty")),
    query("speakers-slug-or", Query("speaker", {"slug": "' OR 1=1 --"}, "empty")),
    query("speakers-slug-percent", Query("speaker", {"slug": "%"}, "empty")),
    query(
        "figures-country-drop",
        Query("troopfigure", {"country": "1; DROP TABLE quotes_quote"}, "empty"),
    ),
    query("treaties-party-percent", Query("treaty", {"party": "%"}, "empty")),
    query("quotes-q-backslash", Query("quote", {"q": "\\"}, "literal")),
    query("quotes-q-quote-marks", Query("quote", {"q": '"\'"'}, "literal")),
    query("quotes-q-tsquery-operators", Query("quote", {"q": "!!! ::: && || <->"}, "literal")),
    # -- values that cannot be what the parameter takes: a 400 naming it -------------------
    query("quotes-speaker-or", Query("quote", {"speaker": "' OR 1=1 --"}, "400", "speaker")),
    query("quotes-speaker-percent", Query("quote", {"speaker": "%"}, "400", "speaker")),
    query(
        "quotes-speaker-id-drop",
        Query("quote", {"speaker_id": "1; DROP TABLE quotes_quote"}, "400", "speaker_id"),
    ),
    query("quotes-speaker-id-or", Query("quote", {"speaker_id": "1 OR 1=1"}, "400", "speaker_id")),
    query("quotes-speaker-id-fraction", Query("quote", {"speaker_id": "1.5"}, "400", "speaker_id")),
    query("quotes-kind-or", Query("quote", {"kind": "' OR 1=1 --"}, "400", "kind")),
    query("quotes-status-or", Query("quote", {"status": "published' OR 1=1 --"}, "400", "status")),
    query(
        "quotes-said-on-after-drop",
        Query("quote", {"said_on_after": "1; DROP TABLE quotes_quote"}, "400", "said_on_after"),
    ),
    query(
        "quotes-said-on-before-feb-30",
        Query("quote", {"said_on_before": "2019-02-30"}, "400", "said_on_before"),
    ),
    query(
        "figures-as-of-after-not-a-date",
        Query("troopfigure", {"as_of_after": "not-a-date"}, "400", "as_of_after"),
    ),
    query(
        "quotes-is-translation-or",
        Query("quote", {"is_translation": "1 OR 1=1"}, "400", "is_translation"),
    ),
    query("quotes-page-size-or", Query("quote", {"page_size": "1 OR 1=1"}, "400", "page_size")),
    query("quotes-page-size-zero", Query("quote", {"page_size": "0"}, "400", "page_size")),
    *[
        query(f"quotes-ordering-{i}", Query("quote", {"ordering": v}, "400", "ordering"))
        for i, v in enumerate(SQL)
    ],
    query(
        "quotes-ordering-then-drop",
        Query("quote", {"ordering": "said_on; DROP TABLE quotes_quote"}, "400", "ordering"),
    ),
    query(
        "quotes-ordering-a-relation",
        Query("quote", {"ordering": "speaker__user__password"}, "400", "ordering"),
    ),
    query("speakers-ordering-minus", Query("speaker", {"ordering": "-"}, "400", "ordering")),
    query("speakers-ordering-commas", Query("speaker", {"ordering": ",,"}, "400", "ordering")),
    *[
        query(f"quotes-cursor-{i}", Query("quote", {"cursor": v}, "400", "cursor"))
        for i, v in enumerate(SQL)
    ],
    query(
        "quotes-cursor-pk-or",
        Query("quote", {"cursor": cursor(["1 OR 1=1"], ["pk"])}, "400", "cursor"),
    ),
    query(
        "quotes-cursor-said-on-or",
        Query(
            "quote",
            {"ordering": "said_on", "cursor": cursor(["' OR 1=1 --", 1], ["said_on", "pk"])},
            "400",
            "cursor",
        ),
    ),
    query(
        "quotes-cursor-keys-or",
        Query("quote", {"cursor": cursor([1], ["pk' OR 1=1 --"])}, "400", "cursor"),
    ),
    query(
        "figures-cursor-drop",
        Query(
            "troopfigure",
            {"cursor": cursor(["1; DROP TABLE quotes_quote"], ["pk"])},
            "400",
            "cursor",
        ),
    ),
    query(
        "history-cursor-or",
        Query("quote", {"cursor": "' OR 1=1 --"}, "400", "cursor", path="history"),
    ),
    query(
        "history-cursor-pk-or",
        Query(
            "quote",
            {"cursor": cursor(["1 OR 1=1", 1], ["history_id", "pk"])},
            "400",
            "cursor",
            path="history",
        ),
    ),
    # NUL in any parameter: a 400, also on PostgreSQL (which cannot even compare with it).
    query("quotes-q-nul", Query("quote", {"q": "arms\x00race"}, "400", "q")),
    query("sources-q-nul", Query("source", {"q": "\x00"}, "400", "q")),
    query("quotes-speaker-nul", Query("quote", {"speaker": "a\x00b"}, "400", "speaker")),
    query("quotes-language-nul", Query("quote", {"language": "e\x00n"}, "400", "language")),
    query("figures-location-nul", Query("troopfigure", {"location": "\x00"}, "400", "location")),
    query("speakers-slug-nul", Query("speaker", {"slug": "\x00"}, "400", "slug")),
    query("treaties-party-nul", Query("treaty", {"party": "U\x00S"}, "400", "party")),
    query("quotes-ordering-nul", Query("quote", {"ordering": "said_on\x00"}, "400", "ordering")),
    query("quotes-cursor-nul", Query("quote", {"cursor": "\x00"}, "400", "cursor")),
    # -- references to objects that do not exist (or that the user may not see) -----------
    query(
        "quotes-speaker-unknown", Query("quote", {"speaker": "nobody"}, "400-or-empty", "speaker")
    ),
    query(
        "quotes-speaker-id-unknown",
        Query("quote", {"speaker_id": "999999"}, "400-or-empty", "speaker_id"),
    ),
    query(
        "quotes-speaker-id-negative",
        Query("quote", {"speaker_id": "-1"}, "400-or-empty", "speaker_id"),
    ),
    query(
        "quotes-speaker-id-2-to-the-63",
        Query("quote", {"speaker_id": str(2**63)}, "400-or-empty", "speaker_id"),
    ),
    query(
        "quotes-source-id-2-to-the-64",
        Query("quote", {"source_id": str(2**64)}, "400-or-empty", "source_id"),
    ),
    query(
        "quotes-treaty-id-2-to-the-63",
        Query("quote", {"treaty_id": str(2**63)}, "400-or-empty", "treaty_id"),
    ),
    query(
        "speakers-organization-id-2-to-the-63",
        Query("speaker", {"organization_id": str(2**63)}, "400-or-empty", "organization_id"),
    ),
    query(
        "figures-parent-id-2-to-the-63",
        Query("troopfigure", {"parent_id": str(2**63)}, "400-or-empty", "parent_id"),
    ),
    query(
        "figures-parent-id-a-draft",
        Query(
            "troopfigure", {"parent_id": lambda t: t.draft_figure.pk}, "400-or-empty", "parent_id"
        ),
    ),
    # -- sizes: a long search is answered (or refused as too long), never blamed on the db --
    query(
        "quotes-q-1000-words",
        Query("quote", {"q": THOUSAND_WORDS}, "400-or-empty", "q"),
    ),
    query(
        "speakers-q-1000-words",
        Query("speaker", {"q": THOUSAND_WORDS}, "400-or-empty", "q"),
    ),
    # -- formats and representations -------------------------------------------------------
    query("quotes-format-unknown", Query("quote", {"format": "xml"}, "406")),
    query("quotes-format-or", Query("quote", {"format": "csv' OR 1=1 --"}, "406")),
    query(
        "speakers-accept-xml",
        Query("speaker", {}, "406", headers={"HTTP_ACCEPT": "application/xml"}),
    ),
    query(
        "quote-detail-accept-csv",
        Query("quote", {}, "406", path="detail", headers={"HTTP_ACCEPT": "text/csv"}),
    ),
]


def ids_in(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("q", QUERY_CASES)
def test_hostile_query_parameters_are_a_400_or_filter_literally(anonymous, tricky, q):
    anonymous.raise_request_exception = False  # a crash must show as a 500, not abort the test
    params = {name: resolve(value, tricky) for name, value in q.params.items()}
    url = list_url(q.basename)
    if q.path:
        some = next(iter(tricky.decoys[q.basename]))
        url = detail_url(q.basename, some) + ("history/" if q.path == "history" else "")
    counts = row_counts()

    response = anonymous.get(url, params, **q.headers)

    if q.expect == "400-or-empty" and response.status_code == 200:
        assert ids_in(response) == set()
    elif q.expect in ("400", "400-or-empty"):
        assert_error_format(response, 400, [q.attr])
    elif q.expect in ("404", "406"):
        assert_error_format(response, int(q.expect), None)
    else:
        assert response.status_code == 200, response.content[:600]
        found = ids_in(response)
        # Never the decoys: a value that escaped into the SQL would match every row.
        assert not found & tricky.decoys[q.basename]
        if q.expect == "empty":
            assert found == set()
        else:
            assert found <= tricky.literal[q.basename]
    # The tables are all still there, with the same rows (row_counts reads each of them).
    assert row_counts() == counts


ONLY_SQLITE = pytest.mark.skipif(
    not ON_SQLITE, reason="on PostgreSQL quotes are searched with a text-search query, not LIKE"
)


@pytest.mark.parametrize(
    ("basename", "param", "field", "value"),
    [
        ("speaker", "q", "name", "%"),
        ("speaker", "q", "name", "_"),
        ("outlet", "q", "name", "%"),
        ("event", "q", "name", "_"),
        ("troopfigure", "location", "location", "%"),
        ("troopfigure", "location", "location", "_"),
        pytest.param("quote", "q", "text", "%", marks=ONLY_SQLITE),
        pytest.param("quote", "q", "text", "_", marks=ONLY_SQLITE),
    ],
)
def test_like_wildcards_are_matched_literally(anonymous, tricky, basename, param, field, value):
    """% and _ are LIKE wildcards: unescaped, `?q=%` would match every row. The rows returned
    are exactly those that hold the character."""
    response = anonymous.get(list_url(basename), {param: value, "page_size": 100})
    assert response.status_code == 200
    model = next(spec.model for spec in SPECS.values() if spec.basename == basename)
    holding = set(
        model.objects.filter(**{f"{field}__contains": value}).values_list("pk", flat=True)
    )
    assert holding, "the fixture has rows holding the character"
    assert ids_in(response) == holding


@pytest.mark.parametrize(
    "path",
    ["999999", "-1", "0", str(2**63), "99999999999999999999", "%00", "1%20OR%201=1", "0x10", "abc"],
)
def test_unknown_ids_in_urls_are_a_404(anonymous, researcher, staff, world, path):
    researcher.raise_request_exception = staff.raise_request_exception = False
    anonymous.raise_request_exception = False
    counts = row_counts()
    for url in (f"/api/v1/quotes/{path}/", f"/api/v1/quotes/{path}/history/"):
        assert_error_format(anonymous.get(url), 404, None)
    assert_error_format(researcher.patch(f"/api/v1/quotes/{path}/", {"note": "x"}), 404, None)
    assert_error_format(staff.delete(f"/api/v1/speakers/{path}/"), 404, None)
    assert row_counts() == counts


@pytest.mark.parametrize("path", ["/api/v1/quotes/", "/api/v1/quotes/random/", "/api/v1/"])
def test_too_many_query_parameters_is_a_400_in_the_error_format(anonymous, db, path):
    from django.conf import settings

    query = "&".join(f"p{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = anonymous.get(f"{path}?{query}")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "too_many_parameters"
    assert str(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS) in error["detail"]


@pytest.mark.parametrize(
    ("path", "offered"),
    [
        ("/api/v1/quotes/?format=xml", "api, csv, json, jsonld"),
        ("/api/v1/quotes/1/?format=csv", "api, json, jsonld"),
        ("/api/v1/speakers/?format=yaml", "api, json, jsonld"),
        ("/api/v1/events/?format=jsonld", "api, json"),
    ],
)
def test_a_format_not_offered_is_a_406_naming_those_that_are(anonymous, seeded, path, offered):
    response = anonymous.get(path)
    assert response.status_code == 406
    [error] = response.json()["errors"]
    assert error["code"] == "not_acceptable"
    assert error["detail"].endswith(f"these are: {offered}.")


def list_operations_and_parameters():
    """(path, parameter) for every query parameter of every list operation of the schema."""
    import yaml
    from django.conf import settings

    committed = settings.BASE_DIR / "docs" / "openapi" / "v1.yaml"
    schema = yaml.safe_load(committed.read_text(encoding="utf-8"))
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            # Not filters: an empty `cursor` is the first page, an empty `format` the default
            # one, as the schema allows (both are free strings there).
            if parameter["in"] == "query" and parameter["name"] not in {"cursor", "format"}:
                yield path, parameter["name"]


@pytest.mark.parametrize(("path", "parameter"), list(list_operations_and_parameters()))
def test_an_empty_value_of_any_list_parameter_is_a_400_naming_it(researcher, db, path, parameter):
    response = researcher.get(f"{path}?{parameter}=")
    assert response.status_code == 400, (path, parameter, response.content[:200])
    assert parameter in {error["attr"] for error in response.json()["errors"]}


@pytest.mark.parametrize("value", [" ", "%0A", "%09%20"])
def test_a_blank_filter_value_is_a_400_as_the_schema_says(researcher, db, value):
    for path, parameter in [("/api/v1/quotes/", "language"), ("/api/v1/quotes/", "speaker")]:
        response = researcher.get(f"{path}?{parameter}={value}")
        assert response.status_code == 400, (parameter, value)
        [error] = response.json()["errors"]
        assert (error["attr"], error["code"]) == (parameter, "blank")


@pytest.mark.parametrize("value", ["+3", "\u0663", "\u00853", " 3", "3.0"])
def test_a_page_size_is_ascii_digits_only(anonymous, db, value):
    response = anonymous.get("/api/v1/treaties/", {"page_size": value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "page_size"
