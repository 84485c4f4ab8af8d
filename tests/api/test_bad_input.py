"""A catalogue of bad input: every case is refused with a clear 4xx, in the one error format,
naming the offending field, and leaves the database as it was.

Write cases start from a body that is valid (test_the_valid_bodies_are_accepted proves it) and
break one thing, so that the error is about that thing and nothing else. Query cases try
malformed and hostile filter, search, ordering and cursor values: each is a 400 naming the
parameter, or a 200 whose results match the value literally. None may be a 500, and the tables
are still there afterwards.

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
from django.apps import apps
from django.contrib.auth.models import Permission, User
from django.db import connection

from quotes.models import Event, Organization, Quote, Speaker, Treaty, TroopFigure
from sources.models import Citation, Outlet, Source
from tests.api.conftest import client_for
from tests.api.mixins import detail_url, list_url, row_counts, state_of
from tests.factories import (
    CitationFactory,
    EventFactory,
    OrganizationFactory,
    OutletFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    TreatyFactory,
    TroopFigureFactory,
    span_of,
)

ON_SQLITE = connection.vendor == "sqlite"

# ------------------------------------------------------------------------------------------
# The world every case runs against
# ------------------------------------------------------------------------------------------


@dataclass
class World:
    organization: Organization
    speaker: Speaker
    outlet: Outlet
    source: Source  # cited: by `quote` and by `citation`
    bare_source: Source  # cited by nothing: its text may still change
    citation: Citation
    quote: Quote
    event: Event
    treaty: Treaty
    whole: TroopFigure  # 5,000, with `part` (4,000) as its only part
    part: TroopFigure
    draft_figure: TroopFigure


@pytest.fixture
def world(db):
    organization = OrganizationFactory()
    speaker = SpeakerFactory(organization=organization)
    outlet = OutletFactory()
    source = SourceFactory(outlet=outlet)
    citation = CitationFactory(source=source)
    quote = QuoteFactory(source=source, speaker=speaker, said_on="2017-05-26")
    event = EventFactory()
    event.citations.set([citation])
    treaty = TreatyFactory()
    treaty.citations.set([citation])
    whole = TroopFigureFactory(slug="whole", count=5000, citations=[citation])
    part = TroopFigureFactory(slug="part", count=4000, parent=whole, citations=[citation])
    draft = TroopFigureFactory(
        slug="draft-figure", count=2000, status="draft", citations=[citation]
    )
    return World(
        organization=organization,
        speaker=speaker,
        outlet=outlet,
        source=source,
        bare_source=SourceFactory(),
        citation=citation,
        quote=quote,
        event=event,
        treaty=treaty,
        whole=whole,
        part=part,
        draft_figure=draft,
    )


def cite(source, passage):
    start, end = span_of(source.text, passage)
    return {"source": source.pk, "start": start, "end": end, "text": passage}


def valid_quote(w):
    start, end = span_of(w.source.text, "reckless")
    return {
        "text": "reckless",
        "kind": "fragment",
        "speaker": w.speaker.pk,
        "source": w.source.pk,
        "start": start,
        "end": end,
        "said_on": "2017-05-26",
        "said_on_precision": "day",
        "event": w.event.pk,
        "treaties": [w.treaty.pk],
    }


# A valid POST body per resource; each case changes one thing in it.
VALID = {
    "quote": valid_quote,
    "speaker": lambda w: {
        "name": "New Speaker",
        "slug": "new-speaker",
        "kind": "person",
        "organization": w.organization.pk,
        "aliases": ["Newcomer"],
    },
    "organization": lambda w: {"name": "New Org", "slug": "new-org", "kind": "alliance"},
    "outlet": lambda w: {"name": "New Outlet", "slug": "new-outlet", "country": "RU"},
    "source": lambda w: {
        "title": "New Source",
        "slug": "new-source",
        "text": "Nothing said yet.",
        "published_on": "2024-04-04",
        "published_on_precision": "day",
        "outlet": w.outlet.pk,
    },
    "event": lambda w: {
        "name": "New Event",
        "slug": "new-event",
        "kind": "summit",
        "starts_on": "2018-02-01",
        "starts_on_precision": "month",
        "citations": [cite(w.source, "the Secretary General said")],
    },
    "treaty": lambda w: {
        "name": "New Treaty",
        "slug": "new-treaty",
        "signed_on": "1987-01-01",
        "signed_on_precision": "year",
        "citations": [cite(w.source, "Officials said 4,000 troops")],
    },
    "troopfigure": lambda w: {
        "slug": "new-figure",
        "count": 1000,
        "location": "the region",
        "citations": [cite(w.source, "1,000 of which came from one ally")],
    },
}

# ------------------------------------------------------------------------------------------
# Database state: row counts of every content table, and the fields of a changed object
# ------------------------------------------------------------------------------------------

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
# Write cases
# ------------------------------------------------------------------------------------------

MISSING = object()  # as a value in `fields`: leave the field out of the body


@dataclass(frozen=True)
class Raw:
    """A body sent as these bytes, with this Content-Type."""

    content: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class Write:
    """POST a valid body of `basename` with `fields` changed, or PATCH/PUT `fields` to the
    world's object `target`. A `fields` value may be a function of the world."""

    basename: str
    method: str
    fields: Any
    attrs: tuple | None
    status: int = 400
    target: str | None = None


TARGETS = {"whole": "troopfigure", "part": "troopfigure", "bare_source": "source"}


def post(basename, attrs, **fields):
    """POST a valid body of `basename` with `fields` changed: a 400 naming `attrs`."""
    return Write(basename, "POST", fields, attrs)


def patch(target, attrs, **fields):
    """PATCH `fields` to the world's object `target`: a 400 naming `attrs`."""
    return Write(TARGETS.get(target, target), "PATCH", fields, attrs, target=target)


def raw(basename, content, content_type="application/json", status=400, method="POST", target=None):
    return Write(basename, method, Raw(content, content_type), None, status, target=target)


def resolve(value, w):
    return value(w) if callable(value) else value


def without_missing(value):
    """The body with every MISSING field left out, at any depth."""
    if isinstance(value, dict):
        return {k: without_missing(v) for k, v in value.items() if v is not MISSING}
    if isinstance(value, list):
        return [without_missing(v) for v in value]
    return value


def body_for(case, w):
    if isinstance(case.fields, Raw):
        return case.fields.content, case.fields.content_type
    base = VALID[case.basename](w) if case.method == "POST" else {}
    for name, value in case.fields.items():
        base[name] = resolve(value, w)
    body = without_missing(base)
    # json.dumps escapes everything outside ASCII, so NULs and surrogates travel as \u escapes.
    return json.dumps(body).encode(), "application/json"


LONG = "x" * 1000


def case(name, write, bug=None):
    """A named case; `bug="BUG: ..."` runs it as xfail(strict=True) until the bug is fixed."""
    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
    return pytest.param(write, id=name, marks=marks)


WRITE_CASES = [
    # -- strings: too long, empty, blank, missing, null ------------------------------------
    case("speaker-name-too-long", post("speaker", ["name"], name="n" * 201)),
    case("speaker-slug-too-long", post("speaker", ["slug"], slug="s" * 101)),
    case("source-title-too-long", post("source", ["title"], title=LONG)),
    case("event-name-too-long", post("event", ["name"], name=LONG)),
    case("figure-location-too-long", post("troopfigure", ["location"], location=LONG)),
    case("figure-unit-too-long", post("troopfigure", ["unit"], unit="u" * 51)),
    case("organization-country-too-long", post("organization", ["country"], country="RUS")),
    case("quote-language-too-long", post("quote", ["language"], language="engl")),
    case("source-link-too-long", post("source", ["link"], link="https://e.org/" + "a" * 500)),
    case("outlet-name-empty", post("outlet", ["name"], name="")),
    case("speaker-slug-empty", post("speaker", ["slug"], slug="")),
    case("quote-text-empty", post("quote", ["text"], text="")),
    case("source-text-empty", post("source", ["text"], text="")),
    case("figure-location-empty", post("troopfigure", ["location"], location="")),
    case("quote-kind-empty", post("quote", ["kind"], kind="")),
    case("speaker-name-whitespace-only", post("speaker", ["name"], name="   ")),
    case("quote-text-whitespace-only", post("quote", ["text"], text=" \n\t ")),
    case("source-text-whitespace-only", post("source", ["text"], text="\n\n  \n")),
    case("treaty-name-whitespace-only", post("treaty", ["name"], name="\u00a0\u2003")),
    case("speaker-name-missing", post("speaker", ["name"], name=MISSING)),
    case("quote-start-missing", post("quote", ["start"], start=MISSING)),
    case("speaker-name-null", post("speaker", ["name"], name=None)),
    case("quote-speaker-null", post("quote", ["speaker"], speaker=None)),
    case("speaker-aliases-null", post("speaker", ["aliases"], aliases=None)),
    case("patch-speaker-name-empty", patch("speaker", ["name"], name="")),
    case("patch-source-text-whitespace-only", patch("bare_source", ["text"], text="   ")),
    case(
        "put-speaker-without-required-fields",
        Write("speaker", "PUT", {"name": "Only"}, ["slug", "kind"], target="speaker"),
    ),
    # -- dates and partial dates (sources/dates.py) -----------------------------------------
    case("quote-said-on-month-13", post("quote", ["said_on"], said_on="2019-13-01")),
    case("quote-said-on-not-a-date", post("quote", ["said_on"], said_on="not-a-date")),
    case("quote-said-on-february-30", post("quote", ["said_on"], said_on="2019-02-30")),
    case("quote-said-on-day-first", post("quote", ["said_on"], said_on="26/05/2017")),
    case("quote-said-on-a-number", post("quote", ["said_on"], said_on=20170526)),
    case("quote-said-on-a-datetime", post("quote", ["said_on"], said_on="2017-05-26T10:00:00Z")),
    case("source-published-on-year-0", post("source", ["published_on"], published_on="0000-01-01")),
    case("treaty-signed-on-29-feb-non-leap", post("treaty", ["signed_on"], signed_on="2019-02-29")),
    case(
        "figure-as-of-month-13",
        post("troopfigure", ["as_of"], as_of="2019-13-01", as_of_precision="month"),
    ),
    case("event-starts-on-yesterday", post("event", ["starts_on"], starts_on="yesterday")),
    case(
        "quote-precision-without-date",
        post("quote", ["said_on_precision"], said_on=None, said_on_precision="day"),
    ),
    case(
        "quote-inferred-without-date",
        post(
            "quote", ["said_on_inferred"], said_on=None, said_on_precision="", said_on_inferred=True
        ),
    ),
    case(
        "quote-date-without-precision", post("quote", ["said_on_precision"], said_on_precision="")
    ),
    case("quote-precision-unknown", post("quote", ["said_on_precision"], said_on_precision="week")),
    case(
        "quote-year-precision-not-1-january", post("quote", ["said_on"], said_on_precision="year")
    ),
    case(
        "quote-month-precision-not-the-1st", post("quote", ["said_on"], said_on_precision="month")
    ),
    case(
        "event-end-without-start",
        post(
            "event",
            ["starts_on"],
            starts_on=None,
            starts_on_precision="",
            ends_on="2018-02-03",
            ends_on_precision="day",
        ),
    ),
    # A rule about two fields: named as a whole, in words.
    case(
        "event-ends-before-it-starts",
        post(
            "event",
            ["non_field_errors"],
            starts_on="2018-02-02",
            starts_on_precision="day",
            ends_on="2018-02-01",
            ends_on_precision="day",
        ),
    ),
    case(
        "patch-quote-year-precision-on-a-day", patch("quote", ["said_on"], said_on_precision="year")
    ),
    # -- troop figures: counts and breakdowns ----------------------------------------------
    case("figure-count-negative", post("troopfigure", ["count"], count=-1)),
    case("figure-count-zero", post("troopfigure", ["count"], count=0)),
    case("figure-count-10-to-the-12", post("troopfigure", ["count"], count=10**12)),
    case("figure-count-2-to-the-63", post("troopfigure", ["count"], count=2**63)),
    case("figure-count-2-to-the-64", post("troopfigure", ["count"], count=2**64)),
    case("figure-count-fraction", post("troopfigure", ["count"], count=1000.5)),
    case("figure-count-word", post("troopfigure", ["count"], count="many")),
    case("figure-count-empty-string", post("troopfigure", ["count"], count="")),
    case("figure-count-boolean", post("troopfigure", ["count"], count=True)),
    case("figure-count-null", post("troopfigure", ["count"], count=None)),
    case("figure-count-list", post("troopfigure", ["count"], count=[1000])),
    case("figure-count-infinity", raw("troopfigure", b'{"slug": "f", "count": 1e400}')),
    case(
        "figure-part-exceeds-its-whole",
        post("troopfigure", ["count"], count=6000, parent=lambda w: w.whole.pk),
    ),
    case(
        "figure-parts-together-exceed-the-whole",
        post("troopfigure", ["count"], count=1500, parent=lambda w: w.whole.pk),
    ),
    case("patch-whole-below-its-parts", patch("whole", ["count"], count=3000)),
    case("patch-part-above-its-whole", patch("part", ["count"], count=5001)),
    case("patch-figure-part-of-itself", patch("part", ["parent"], parent=lambda w: w.part.pk)),
    case("patch-figure-cycle", patch("whole", ["parent"], parent=lambda w: w.part.pk)),
    case("figure-parent-missing", post("troopfigure", ["parent"], parent=999_999)),
    case("figure-parent-not-an-id", post("troopfigure", ["parent"], parent="abc")),
    case("figure-citations-empty", post("troopfigure", ["citations"], citations=[])),
    case("figure-citations-missing", post("troopfigure", ["citations"], citations=MISSING)),
    case("figure-citations-not-a-list", post("troopfigure", ["citations"], citations="1")),
    case(
        "figure-citation-beyond-the-source",
        post(
            "troopfigure",
            ["citations.0.end"],
            citations=lambda w: [{**cite(w.source, "one ally"), "end": len(w.source.text) + 1}],
        ),
    ),
    case(
        "figure-citation-text-mismatch",
        post(
            "troopfigure",
            ["citations.0.text"],
            citations=lambda w: [{**cite(w.source, "one ally"), "text": "two allies"}],
        ),
    ),
    case(
        "figure-citation-source-missing",
        post(
            "troopfigure",
            ["citations.0.source"],
            citations=lambda w: [{**cite(w.source, "one ally"), "source": 999_999}],
        ),
    ),
    case(
        "figure-citation-start-missing",
        post(
            "troopfigure",
            ["citations.0.start"],
            citations=lambda w: [{**cite(w.source, "one ally"), "start": MISSING}],
        ),
    ),
    # -- quote spans -----------------------------------------------------------------------
    case("quote-start-negative", post("quote", ["start"], start=-1)),
    case(
        "quote-end-beyond-the-source", post("quote", ["end"], end=lambda w: len(w.source.text) + 1)
    ),
    case("quote-empty-span", post("quote", ["end"], end=lambda w: valid_quote(w)["start"])),
    case(
        "quote-end-before-start", post("quote", ["end"], end=lambda w: valid_quote(w)["start"] - 1)
    ),
    case("quote-text-not-at-the-span", post("quote", ["text"], text="careless")),
    case("quote-text-of-another-span", post("quote", ["text"], text="dangerous")),
    case("quote-start-2-to-the-31", post("quote", ["start"], start=2**31)),
    case("quote-end-2-to-the-63", post("quote", ["end"], end=2**63)),
    case("quote-start-a-word", post("quote", ["start"], start="abc")),
    case("quote-start-a-fraction", post("quote", ["start"], start=10.5)),
    case(
        "quote-duplicate-span",
        post(
            "quote",
            ["non_field_errors"],
            text=lambda w: w.quote.text,
            start=lambda w: w.quote.start,
            end=lambda w: w.quote.end,
        ),
    ),
    case("patch-quote-end-beyond-the-source", patch("quote", ["end"], end=10**6)),
    case("patch-quote-text-mismatch", patch("quote", ["text"], text="We will attack")),
    case(
        "patch-quote-start-after-its-end", patch("quote", ["end"], start=lambda w: w.quote.end + 1)
    ),
    # -- unknown references ----------------------------------------------------------------
    case("quote-speaker-missing", post("quote", ["speaker"], speaker=999_999)),
    case("quote-speaker-negative", post("quote", ["speaker"], speaker=-1)),
    case("quote-speaker-not-an-id", post("quote", ["speaker"], speaker="abc")),
    case("quote-speaker-boolean", post("quote", ["speaker"], speaker=True)),
    case("quote-speaker-2-to-the-63", post("quote", ["speaker"], speaker=2**63)),
    case("quote-speaker-2-to-the-64", post("quote", ["speaker"], speaker=2**64)),
    case(
        "quote-speaker-as-the-nested-read-form",
        post("quote", ["speaker"], speaker=lambda w: {"id": w.speaker.pk}),
    ),
    case(
        "quote-speaker-a-fraction", post("quote", ["speaker"], speaker=lambda w: w.speaker.pk + 0.5)
    ),
    case(
        "quote-treaty-a-fraction",
        post("quote", ["treaties"], treaties=lambda w: [w.treaty.pk + 0.5]),
    ),
    case(
        "figure-parent-a-fraction",
        post("troopfigure", ["parent"], parent=lambda w: w.whole.pk + 0.5),
    ),
    case("quote-source-missing", post("quote", ["source"], source=999_999)),
    case("quote-event-missing", post("quote", ["event"], event=999_999)),
    case("quote-treaties-missing", post("quote", ["treaties"], treaties=[999_999])),
    case("quote-treaties-not-a-list", post("quote", ["treaties"], treaties=lambda w: w.treaty.pk)),
    case("speaker-organization-missing", post("speaker", ["organization"], organization=999_999)),
    case("source-outlet-not-an-id", post("source", ["outlet"], outlet="rt")),
    case(
        "figure-organization-2-to-the-63",
        post("troopfigure", ["deploying_organization"], deploying_organization=2**63),
    ),
    # -- choices, codes, formats, uniqueness -----------------------------------------------
    case("quote-kind-unknown", post("quote", ["kind"], kind="rumour")),
    case("quote-status-unknown", post("quote", ["status"], status="deleted")),
    case("speaker-kind-unknown", post("speaker", ["kind"], kind="alien")),
    case("speaker-country-lower-case", post("speaker", ["country"], country="ru")),
    case("speaker-wikidata-id-without-q", post("speaker", ["wikidata_id"], wikidata_id="7747")),
    case("quote-language-a-name", post("quote", ["language"], language="English")),
    case(
        "quote-is-translation-perhaps", post("quote", ["is_translation"], is_translation="perhaps")
    ),
    case(
        "quote-translation-without-original",
        post("quote", ["original_language"], is_translation=True),
    ),
    case(
        "quote-original-without-translation",
        post("quote", ["is_translation"], original_language="ru"),
    ),
    case("outlet-website-javascript", post("outlet", ["website"], website="javascript:alert(1)")),
    case("source-link-not-a-url", post("source", ["link"], link="not a url")),
    case("speaker-aliases-a-string", post("speaker", ["aliases"], aliases="Makron")),
    case("speaker-aliases-duplicate", post("speaker", ["aliases"], aliases=["Makron", "Makron"])),
    case("speaker-aliases-blank", post("speaker", ["aliases"], aliases=[" "])),
    case("speaker-aliases-numbers", post("speaker", ["aliases"], aliases=[1, 2])),
    case("outlet-name-taken", post("outlet", ["name"], name=lambda w: w.outlet.name)),
    case("speaker-slug-taken", post("speaker", ["slug"], slug=lambda w: w.speaker.slug)),
    case("patch-speaker-slug-taken", patch("speaker", ["slug"], slug="taken")),
    case("patch-cited-source-new-text", patch("source", ["text"], text="Another text entirely.")),
    # -- the body itself -------------------------------------------------------------------
    case("body-malformed-json", raw("speaker", b'{"name": "x",')),
    case("body-trailing-garbage", raw("speaker", b'{"name": "x"} trailing')),
    case("body-single-quotes", raw("speaker", b"{'name': 'x'}")),
    case("body-nan", raw("speaker", b'{"name": NaN}')),
    case("body-invalid-utf8", raw("speaker", b'{"name": "\xff\xfe"}')),
    case(
        "body-nested-3000-deep", raw("speaker", b'{"aliases": ' + b"[" * 3000 + b"]" * 3000 + b"}")
    ),
    case("body-json-array", Write("speaker", "POST", Raw(b"[]"), ["non_field_errors"])),
    case(
        "body-json-array-of-objects",
        Write("speaker", "POST", Raw(b'[{"name": "x"}]'), ["non_field_errors"]),
    ),
    case("body-json-number", Write("speaker", "POST", Raw(b"42"), ["non_field_errors"])),
    case("body-json-string", Write("speaker", "POST", Raw(b'"x"'), ["non_field_errors"])),
    case("body-json-true", Write("speaker", "POST", Raw(b"true"), ["non_field_errors"])),
    case("body-json-null", Write("speaker", "POST", Raw(b"null"), ["non_field_errors"])),
    case("body-empty", Write("speaker", "POST", Raw(b""), ["name", "slug", "kind"])),
    case("content-type-text-plain", raw("speaker", b'{"name": "x"}', "text/plain", status=415)),
    case(
        "content-type-xml",
        raw("speaker", b"<speaker><name>x</name></speaker>", "application/xml", status=415),
    ),
    case(
        "content-type-form",
        raw(
            "speaker", b"name=x&slug=x&kind=person", "application/x-www-form-urlencoded", status=415
        ),
    ),
    case(
        "content-type-multipart",
        raw("speaker", b"--b\r\n\r\nx\r\n--b--", "multipart/form-data; boundary=b", status=415),
    ),
    case("content-type-missing", raw("speaker", b'{"name": "x"}', "", status=415)),
    case("patch-malformed-json", raw("speaker", b'{"name": ', method="PATCH", target="speaker")),
    case(
        "patch-json-array",
        Write("speaker", "PATCH", Raw(b'[{"name": "x"}]'), ["non_field_errors"], target="speaker"),
    ),
    case(
        "patch-text-plain",
        raw("speaker", b"name=x", "text/plain", status=415, method="PATCH", target="speaker"),
    ),
    # -- unicode that must be refused ------------------------------------------------------
    case("speaker-name-nul", post("speaker", ["name"], name="Jens\x00Stoltenberg")),
    case("speaker-note-nul", post("speaker", ["note"], note="\x00")),
    case("speaker-slug-nul", post("speaker", ["slug"], slug="a\x00b")),
    case("quote-text-nul", post("quote", ["text"], text="reck\x00less")),
    case("source-text-nul", post("source", ["text"], text="A text\x00with a NUL.")),
    case("outlet-website-nul", post("outlet", ["website"], website="https://e.org/\x00")),
    case("organization-aliases-nul", post("organization", ["aliases"], aliases=["NA\x00TO"])),
    case("treaty-aliases-nul", post("treaty", ["aliases"], aliases=["INF\x00"])),
    case(
        "event-citation-text-nul",
        post(
            "event",
            ["citations.0.text"],
            citations=lambda w: [{**cite(w.source, "one ally"), "text": "one\x00ally"}],
        ),
    ),
    case("patch-speaker-name-nul", patch("speaker", ["name"], name="\x00")),
    case(
        "speaker-name-lone-surrogate",
        raw("speaker", b'{"name": "\\ud800", "slug": "s", "kind": "person"}'),
    ),
    case(
        "speaker-name-reversed-surrogates",
        raw("speaker", b'{"name": "\\udc00\\ud800", "slug": "s", "kind": "person"}'),
    ),
    case("speaker-slug-emoji", post("speaker", ["slug"], slug="nato-\U0001f6e1")),
    case("speaker-slug-accented", post("speaker", ["slug"], slug="zo\u00eb")),
    case("speaker-slug-combining-mark", post("speaker", ["slug"], slug="zoe\u0301")),
    case("speaker-slug-rtl-mark", post("speaker", ["slug"], slug="\u200fslug")),
    case("speaker-slug-with-space", post("speaker", ["slug"], slug="two words")),
]


def target_of(case, w):
    return getattr(w, case.target) if case.target else None


def url_of(case, target):
    return detail_url(case.basename, target.pk) if target else list_url(case.basename)


@pytest.fixture
def taken_slug(world):
    # For patch-speaker-slug-taken: another speaker holds the slug.
    return SpeakerFactory(slug="taken")


@pytest.mark.parametrize("write", WRITE_CASES)
def test_bad_writes_are_a_4xx_in_the_error_format_and_write_nothing(
    researcher, world, taken_slug, write
):
    researcher.raise_request_exception = False  # a crash must show as a 500, not abort the test
    target = target_of(write, world)
    content, content_type = body_for(write, world)
    counts, before = row_counts(), state_of(target) if target else None

    response = researcher.generic(
        write.method, url_of(write, target), content, content_type=content_type
    )

    assert_error_format(response, write.status, write.attrs)
    assert row_counts() == counts, "a refused write wrote something"
    if target is not None:
        assert state_of(target) == before, "a refused update changed the object"


@pytest.mark.parametrize("basename", sorted(VALID))
def test_the_valid_bodies_are_accepted(researcher, world, basename):
    """The control: each case above breaks one thing in a body that is otherwise accepted."""
    before = row_counts()
    response = researcher.post(list_url(basename), VALID[basename](world))
    assert response.status_code == 201, response.content
    model = apps.get_model(
        "quotes" if basename not in ("source", "outlet") else "sources", basename
    )
    assert row_counts()[model._meta.label] == before[model._meta.label] + 1


def test_a_writer_who_cannot_see_drafts_cannot_attach_to_one(world):
    """A user who may add figures but not view drafts (no built-in role has this combination:
    Django permissions allow it) must not learn a draft's id from the answer, nor attach to it."""
    user = User.objects.create_user("blind-writer")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["sources", "quotes"], codename__regex=r"^(add|change)_"
        )
    )
    client = client_for(user)
    body = {**VALID["troopfigure"](world), "count": 10}
    missing = client.post(list_url("troopfigure"), {**body, "parent": 999_999})
    assert_error_format(missing, 400, ["parent"])
    counts = row_counts()
    hidden = client.post(list_url("troopfigure"), {**body, "parent": world.draft_figure.pk})
    assert_error_format(hidden, 400, ["parent"])
    assert hidden.json()["errors"][0]["code"] == missing.json()["errors"][0]["code"]
    assert row_counts() == counts


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
# Whitespace: what is trimmed and what is kept
# ------------------------------------------------------------------------------------------


def test_a_sources_text_is_stored_byte_for_byte(researcher, db):
    text = "  An indented first line.\nThe last line ends with a newline.\n"
    body = {"title": "Spaced", "slug": "spaced", "text": text}
    response = researcher.post(list_url("source"), body)
    assert response.status_code == 201, response.content
    source = Source.objects.get(slug="spaced")
    assert source.text == text
    assert source.sha256 == Source.digest(text)


def test_a_cited_source_sent_back_unchanged_is_accepted(researcher, world):
    url = detail_url("source", world.source.pk)
    read = researcher.get(url).json()
    writable = ["title", "original_title", "slug", "outlet_note", "language", "text"]
    body = {name: read[name] for name in writable}
    before = state_of(world.source)
    response = researcher.put(url, body)
    assert response.status_code == 200, response.content
    assert Source.objects.get(pk=world.source.pk).text == before["text"]


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


def query(name, q, bug=None, bug_if=True):
    """A named case; `bug="BUG: ..."` runs it as xfail(strict=True) (where `bug_if` holds)
    until the bug is fixed."""
    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug and bug_if else []
    return pytest.param(q, id=name, marks=marks)


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
    query("quotes-format-unknown", Query("quote", {"format": "xml"}, "404")),
    query("quotes-format-or", Query("quote", {"format": "csv' OR 1=1 --"}, "404")),
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
    model = apps.get_model("sources" if basename == "outlet" else "quotes", basename)
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
