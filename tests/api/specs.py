"""One spec per resource of /api/v1/: what to create, replace, change and reject.

The specs feed every generic test, so that each resource's data is written once:
- the resource tests (tests/api/mixins.py, run by each tests/api/test_<resource>.py);
- the permission matrix (tests/api/test_permissions.py);
- the visibility rule (tests/api/test_visibility.py), for the reviewed resources;
- the bad-input catalogue (tests/api/test_bad_input.py): each spec's `reject` cases;
- Schemathesis (tests/api/test_schemathesis.py): each spec's `cohere` rule.

A body is built against the `World` (tests/api/conftest.py): one saved record of each kind,
related to each other as real data is. A value in a body may be a function of the world.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import factory

from tests.factories import (
    EventFactory,
    OrganizationFactory,
    OutletFactory,
    QuoteCandidateFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSuggestionFactory,
    TreatyFactory,
    TroopFigureCandidateFactory,
    TroopFigureFactory,
    span_of,
)

MISSING = object()  # as a value in a body: leave the field out
LONG = "x" * 1000


@dataclass(frozen=True)
class World:
    """The records every body is written against."""

    organization: Any
    speaker: Any
    other_speaker: Any  # its slug is "taken"
    outlet: Any
    source: Any  # cited: by `quote` and by `citation`
    bare_source: Any  # cited by nothing: its text may still change
    citation: Any
    quote: Any
    event: Any
    treaty: Any
    whole: Any  # a troop figure of 5,000, with `part` (4,000) as its only part
    part: Any
    draft_figure: Any
    quote_candidate: Any  # pending
    troop_figure_candidate: Any  # pending
    statement: Any  # `speaker`'s, with two published appearances (`appearance` the first)
    appearance: Any
    suggestion: Any  # pending: two quotes of `speaker` in no statement


def cite(source, passage):
    """A citation as the API takes it: the one occurrence of `passage` in `source`."""
    start, end = span_of(source.text, passage)
    return {"source": source.pk, "start": start, "end": end, "text": passage}


@dataclass(frozen=True)
class Reject:
    """A write the API refuses with a 400 naming `attrs`, and that writes nothing.

    A POST of the resource's valid body with `fields` changed; with `target` (a World
    attribute), a PATCH of `fields` to that record, or a PUT of them with method="PUT"; with
    `action` too, a POST to that record's action of the action's valid body (the spec's
    `actions`) with `fields` changed.
    """

    name: str
    attrs: tuple[str, ...]
    fields: dict
    target: str | None = None
    method: str = "POST"
    action: str | None = None


def post(case, attrs, /, **fields):
    """A POST of the valid body with `fields` changed: a 400 naming `attrs`."""
    return Reject(case, tuple(attrs), fields)


def patch(target, case, attrs, /, **fields):
    """A PATCH of `fields` to the world's `target`: a 400 naming `attrs`."""
    return Reject(case, tuple(attrs), fields, target=target, method="PATCH")


def act(target, action, case, attrs, /, **fields):
    """A POST to the world's `target`'s `action` of its valid body with `fields` changed."""
    return Reject(case, tuple(attrs), fields, target=target, action=action)


def resolve(value, world):
    """A body's value: itself, or what it says of the world; MISSING fields left out."""
    if callable(value):
        value = value(world)
    if isinstance(value, dict):
        return {k: resolve(v, world) for k, v in value.items() if v is not MISSING}
    if isinstance(value, list):
        return [resolve(v, world) for v in value]
    return value


@dataclass(frozen=True)
class Spec:
    """Everything the generic tests need to know of one resource of /api/v1/."""

    prefix: str  # its URL: /api/v1/<prefix>/
    factory: Any  # makes a saved record: factory(**overrides)
    create: Callable[[World], dict] | None  # a valid POST body (None: no one creates it)
    replace: Callable[[Any], dict] | None  # a valid PUT body (None: no one replaces it)
    change: dict | None  # a valid PATCH body (None: no one changes it, but by its actions)
    reject: tuple[Reject, ...] = ()
    # Schemathesis: make a generated body agree with what the schema cannot say (a span that
    # matches its source, a part that fits its whole): (body, the record written to or None).
    cohere: Callable[[dict, Any], None] | None = None
    max_queries: int = 6  # per list page and per detail, whatever the page's length
    brief_fields: tuple[str, ...] = ("id", "url", "display", "slug")  # its nested form
    researchers_only: bool = False  # reading it needs the view permission (candidates)
    # Schemathesis: the record a generated request writes to or reads (default: the first).
    pick: Callable[[], Any] | None = None
    # The POST actions on a record that change it, each with its valid body (of the world):
    # {action: (World attribute of the record, body)}. The control of their reject cases.
    actions: dict[str, tuple[str, Callable[[World], dict]]] | None = None

    @property
    def model(self):
        return self.factory._meta.model

    @property
    def basename(self):
        return self.model._meta.model_name

    def make(self, **overrides):
        return self.factory(**overrides)


fresh = itertools.count(1)


# -- quotes ---------------------------------------------------------------------------------


def quote_body(w):
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


def quote_replacement(quote):
    # Its own words and span: a published quote's cannot change while it stays published
    # (core.review; tests/api/test_review.py).
    return {
        "text": quote.text,
        "kind": "fragment",
        "speaker": quote.speaker_id,
        "source": quote.source_id,
        "start": quote.start,
        "end": quote.end,
        "said_on": "2017-05-26",
        "said_on_precision": "day",
        "note": "Replaced.",
    }


def cohere_status(body, record):
    """The fuzzer writes as a researcher, who moves records between draft and reviewed only
    (core.review): a status that would publish or unpublish is left as the record's own."""
    current = record.status if record is not None else "draft"
    if "status" in body and "published" in (current, body["status"]):
        body["status"] = current


def cohere_quote(body, quote):
    from quotes.models import Quote
    from sources.models import Source

    cohere_status(body, quote)
    if {"text", "start", "end", "source"} & body.keys():
        # A span of the first source not yet quoted: its start, end and exact text.
        source = Source.objects.order_by("pk").first()
        taken = set(Quote.objects.filter(source=source).values_list("start", "end"))
        for start in itertools.count(next(fresh) % 50):
            end = min(start + 12, len(source.text))
            if (start, end) not in taken and source.text[start:end].strip():
                body.update(source=source.pk, start=start, end=end, text=source.text[start:end])
                break
        if quote is not None and quote.status == "published":
            # A published quote keeps its words and span (core.review): its own, sent back.
            body.update(source=quote.source_id, start=quote.start, end=quote.end, text=quote.text)
    if {"is_translation", "original_language", "speaker_language"} & body.keys():
        translated = body.get("is_translation", quote.is_translation if quote else False)
        body["is_translation"] = translated
        body["original_language"] = (body.get("original_language") or "ru") if translated else ""
        if not translated:  # the speaker's language is then the words' own, or unknown
            body["speaker_language"] = ""
    if body.get("attribution_inferred"):
        body["attribution_note"] = body.get("attribution_note", "").strip() or "From the lede."


QUOTES = Spec(
    prefix="quotes",
    factory=QuoteFactory,
    brief_fields=("id", "url", "display"),  # a quote has no slug
    create=quote_body,
    replace=quote_replacement,
    change={"note": "Checked against the recording."},
    cohere=cohere_quote,
    reject=(
        post("quote-language-too-long", ["language"], language="engl"),
        post("quote-text-empty", ["text"], text=""),
        post("quote-kind-empty", ["kind"], kind=""),
        post("quote-text-whitespace-only", ["text"], text=" \n\t "),
        post("quote-start-missing", ["start"], start=MISSING),
        post("quote-speaker-null", ["speaker"], speaker=None),
        # Dates and partial dates (core/dates.py).
        post("quote-said-on-month-13", ["said_on"], said_on="2019-13-01"),
        post("quote-said-on-not-a-date", ["said_on"], said_on="not-a-date"),
        post("quote-said-on-february-30", ["said_on"], said_on="2019-02-30"),
        post("quote-said-on-day-first", ["said_on"], said_on="26/05/2017"),
        post("quote-said-on-a-number", ["said_on"], said_on=20170526),
        post("quote-said-on-a-datetime", ["said_on"], said_on="2017-05-26T10:00:00Z"),
        post("quote-said-in-the-future", ["said_on"], said_on="2999-01-01"),
        post(
            "quote-precision-without-date",
            ["said_on_precision"],
            said_on=None,
            said_on_precision="day",
        ),
        post(
            "quote-inferred-without-date",
            ["said_on_inferred"],
            said_on=None,
            said_on_precision="",
            said_on_inferred=True,
        ),
        post("quote-date-without-precision", ["said_on_precision"], said_on_precision=""),
        post("quote-precision-unknown", ["said_on_precision"], said_on_precision="week"),
        post("quote-year-precision-not-1-january", ["said_on"], said_on_precision="year"),
        post("quote-month-precision-not-the-1st", ["said_on"], said_on_precision="month"),
        patch(
            "quote", "patch-quote-year-precision-on-a-day", ["said_on"], said_on_precision="year"
        ),
        # Spans (sources/spans.py).
        post("quote-start-negative", ["start"], start=-1),
        post("quote-end-beyond-the-source", ["end"], end=lambda w: len(w.source.text) + 1),
        post("quote-empty-span", ["end"], end=lambda w: quote_body(w)["start"]),
        post("quote-end-before-start", ["end"], end=lambda w: quote_body(w)["start"] - 1),
        post("quote-text-not-at-the-span", ["text"], text="careless"),
        post("quote-text-of-another-span", ["text"], text="dangerous"),
        post("quote-start-2-to-the-31", ["start"], start=2**31),
        post("quote-end-2-to-the-63", ["end"], end=2**63),
        post("quote-start-a-word", ["start"], start="abc"),
        post("quote-start-a-fraction", ["start"], start=10.5),
        post(
            "quote-duplicate-span",
            ["non_field_errors"],
            text=lambda w: w.quote.text,
            start=lambda w: w.quote.start,
            end=lambda w: w.quote.end,
        ),
        patch("quote", "patch-quote-end-beyond-the-source", ["end"], end=10**6),
        patch("quote", "patch-quote-text-mismatch", ["text"], text="We will attack"),
        patch("quote", "patch-quote-start-after-its-end", ["end"], start=lambda w: w.quote.end + 1),
        # References.
        post("quote-speaker-missing", ["speaker"], speaker=999_999),
        post("quote-speaker-negative", ["speaker"], speaker=-1),
        post("quote-speaker-not-an-id", ["speaker"], speaker="abc"),
        post("quote-speaker-boolean", ["speaker"], speaker=True),
        post("quote-speaker-2-to-the-63", ["speaker"], speaker=2**63),
        post("quote-speaker-2-to-the-64", ["speaker"], speaker=2**64),
        post(
            "quote-speaker-as-the-nested-read-form",
            ["speaker"],
            speaker=lambda w: {"id": w.speaker.pk},
        ),
        post("quote-speaker-a-fraction", ["speaker"], speaker=lambda w: w.speaker.pk + 0.5),
        post("quote-treaty-a-fraction", ["treaties"], treaties=lambda w: [w.treaty.pk + 0.5]),
        post("quote-source-missing", ["source"], source=999_999),
        post("quote-event-missing", ["event"], event=999_999),
        post("quote-treaties-missing", ["treaties"], treaties=[999_999]),
        post("quote-treaties-not-a-list", ["treaties"], treaties=lambda w: w.treaty.pk),
        # Choices and codes.
        post("quote-kind-unknown", ["kind"], kind="rumour"),
        post("quote-status-unknown", ["status"], status="deleted"),
        post("quote-language-a-name", ["language"], language="English"),
        post("quote-is-translation-perhaps", ["is_translation"], is_translation="perhaps"),
        post("quote-translation-without-original", ["original_language"], is_translation=True),
        post("quote-original-without-translation", ["is_translation"], original_language="ru"),
        post(
            "quote-speaker-spoke-russian-not-translated", ["is_translation"], speaker_language="ru"
        ),
        post("quote-speaker-language-a-name", ["speaker_language"], speaker_language="Russian"),
        post(
            "quote-inferred-attribution-without-note",
            ["attribution_note"],
            attribution_inferred=True,
        ),
        post("quote-from-headline-perhaps", ["from_headline"], from_headline="perhaps"),
        post("quote-text-nul", ["text"], text="reck\x00less"),
    ),
)


# -- speakers and organisations -------------------------------------------------------------


def cohere_speaker(body, speaker):
    if body.get("wikidata_id"):
        body["wikidata_id"] = f"Q{next(fresh)}"  # unique, like a slug


SPEAKERS = Spec(
    prefix="speakers",
    factory=SpeakerFactory,
    create=lambda w: {
        "name": "New Speaker",
        "slug": "new-speaker",
        "kind": "person",
        "organization": w.organization.pk,
        "aliases": ["Newcomer"],
    },
    replace=lambda speaker: {"name": "Renamed", "slug": speaker.slug, "kind": "institution"},
    change={"aliases": ["Makron", "macron"]},
    cohere=cohere_speaker,
    reject=(
        post("speaker-name-too-long", ["name"], name="n" * 201),
        post("speaker-slug-too-long", ["slug"], slug="s" * 101),
        post("speaker-slug-empty", ["slug"], slug=""),
        post("speaker-name-whitespace-only", ["name"], name="   "),
        post("speaker-name-missing", ["name"], name=MISSING),
        post("speaker-name-null", ["name"], name=None),
        post("speaker-aliases-null", ["aliases"], aliases=None),
        patch("speaker", "patch-speaker-name-empty", ["name"], name=""),
        Reject(
            "put-speaker-without-required-fields",
            ("slug", "kind"),
            {"name": "Only"},
            target="speaker",
            method="PUT",
        ),
        post("speaker-organization-missing", ["organization"], organization=999_999),
        post("speaker-kind-unknown", ["kind"], kind="alien"),
        post("speaker-country-lower-case", ["country"], country="ru"),
        post("speaker-wikidata-id-without-q", ["wikidata_id"], wikidata_id="7747"),
        post("speaker-aliases-a-string", ["aliases"], aliases="Makron"),
        post("speaker-aliases-duplicate", ["aliases"], aliases=["Makron", "Makron"]),
        post("speaker-aliases-blank", ["aliases"], aliases=[" "]),
        post("speaker-aliases-numbers", ["aliases"], aliases=[1, 2]),
        post("speaker-aliases-nul", ["aliases"], aliases=["a\x00b"]),
        post("speaker-slug-taken", ["slug"], slug=lambda w: w.speaker.slug),
        patch("speaker", "patch-speaker-slug-taken", ["slug"], slug="taken"),
        post("speaker-name-nul", ["name"], name="Jens\x00Stoltenberg"),
        post("speaker-note-nul", ["note"], note="\x00"),
        post("speaker-slug-nul", ["slug"], slug="a\x00b"),
        patch("speaker", "patch-speaker-name-nul", ["name"], name="\x00"),
        post("speaker-slug-emoji", ["slug"], slug="nato-\U0001f6e1"),
        post("speaker-slug-accented", ["slug"], slug="zo\u00eb"),
        post("speaker-slug-combining-mark", ["slug"], slug="zoe\u0301"),
        post("speaker-slug-rtl-mark", ["slug"], slug="\u200fslug"),
        post("speaker-slug-with-space", ["slug"], slug="two words"),
    ),
)

ORGANIZATIONS = Spec(
    prefix="organizations",
    factory=OrganizationFactory,
    create=lambda w: {"name": "New Org", "slug": "new-org", "kind": "alliance"},
    replace=lambda org: {"name": "Renamed", "slug": org.slug, "kind": "ministry"},
    change={"aliases": ["the Alliance"]},
    reject=(
        post("organization-country-too-long", ["country"], country="RUS"),
        post("organization-aliases-nul", ["aliases"], aliases=["NA\x00TO"]),
    ),
)


# -- events ---------------------------------------------------------------------------------


def cohere_event(body, event):
    if not {"starts_on", "ends_on"} & body.keys():
        return
    # An event ends on or after the day it starts: give both, the end a copy of the start.
    start = body.get("starts_on", event.starts_on.isoformat() if event else None)
    start_precision = body.get("starts_on_precision") or "day"
    if start is None:
        start, start_precision = "2019-01-01", "day"
    body.update(starts_on=start, starts_on_precision=start_precision)
    body.update(ends_on=start, ends_on_precision=start_precision, ends_on_inferred=False)


EVENTS = Spec(
    prefix="events",
    factory=EventFactory,
    create=lambda w: {
        "name": "New Event",
        "slug": "new-event",
        "kind": "summit",
        "starts_on": "2018-02-01",
        "starts_on_precision": "month",
        "citations": [cite(w.source, "the Secretary General said")],
    },
    replace=lambda event: {
        "name": "Renamed",
        "slug": event.slug,
        "kind": "summit",
        "citations": [cite(SourceFactory(), "the Secretary General said")],
    },
    change={"place": "Brussels"},
    cohere=cohere_event,
    reject=(
        post("event-name-too-long", ["name"], name=LONG),
        post("event-starts-on-yesterday", ["starts_on"], starts_on="yesterday"),
        post(
            "event-end-without-start",
            ["starts_on"],
            starts_on=None,
            starts_on_precision="",
            ends_on="2018-02-03",
            ends_on_precision="day",
        ),
        # A rule about two fields: named as a whole, in words.
        post(
            "event-ends-before-it-starts",
            ["non_field_errors"],
            starts_on="2018-02-02",
            starts_on_precision="day",
            ends_on="2018-02-01",
            ends_on_precision="day",
        ),
        post(
            "event-citation-text-nul",
            ["citations.0.text"],
            citations=lambda w: [{**cite(w.source, "one ally"), "text": "one\x00ally"}],
        ),
    ),
)


# -- sources and outlets --------------------------------------------------------------------


def cohere_source(body, source):
    if "file" in body:
        # An import: a text that is one (a schema cannot say "UTF-8 text"), and new.
        from sources.models import Outlet

        body["file"] = f"An imported article {next(fresh)}\n\nIts body.\n".encode()
        body.pop("encoding", None)
        if body.get("outlet") is not None:
            body["outlet"] = str(Outlet.objects.order_by("pk").values_list("pk", flat=True)[0])
        if body.get("published_on"):
            body["published_on"] = "2024-05-23"
        return
    if "text" in body:
        # A cited text cannot change; a new source needs a text no other source has.
        body["text"] = source.text if source else f"{body['text']} {next(fresh)}"


SOURCES = Spec(
    prefix="sources",
    factory=SourceFactory,
    create=lambda w: {
        "title": "New Source",
        "slug": "new-source",
        "text": "Nothing said yet.",
        "published_on": "2024-04-04",
        "published_on_precision": "day",
        "outlet": w.outlet.pk,
    },
    replace=lambda source: {"title": "Replaced", "slug": source.slug, "text": source.text},
    change={"title": "A better title"},
    cohere=cohere_source,
    reject=(
        post("source-title-too-long", ["title"], title=LONG),
        post("source-link-too-long", ["link"], link="https://e.org/" + "a" * 500),
        post("source-text-empty", ["text"], text=""),
        post("source-text-whitespace-only", ["text"], text="\n\n  \n"),
        patch("bare_source", "patch-source-text-whitespace-only", ["text"], text="   "),
        post("source-published-on-year-0", ["published_on"], published_on="0000-01-01"),
        post("source-published-in-the-future", ["published_on"], published_on="2999-01-01"),
        post("source-outlet-not-an-id", ["outlet"], outlet="rt"),
        post("source-link-not-a-url", ["link"], link="not a url"),
        patch("source", "patch-cited-source-new-text", ["text"], text="Another text entirely."),
        post("source-text-nul", ["text"], text="A text\x00with a NUL."),
    ),
)

OUTLETS = Spec(
    prefix="outlets",
    factory=OutletFactory,
    create=lambda w: {"name": "New Outlet", "slug": "new-outlet", "country": "RU"},
    replace=lambda outlet: {"name": "Renamed", "slug": outlet.slug, "country": "RU"},
    change={"website": "https://example.org/"},
    reject=(
        post("outlet-name-empty", ["name"], name=""),
        post("outlet-website-javascript", ["website"], website="javascript:alert(1)"),
        post("outlet-name-taken", ["name"], name=lambda w: w.outlet.name),
        post("outlet-website-nul", ["website"], website="https://e.org/\x00"),
    ),
)


# -- treaties and troop figures -------------------------------------------------------------

TREATIES = Spec(
    prefix="treaties",
    factory=TreatyFactory,
    create=lambda w: {
        "name": "New Treaty",
        "slug": "new-treaty",
        "signed_on": "1987-01-01",
        "signed_on_precision": "year",
        "citations": [cite(w.source, "Officials said 4,000 troops")],
    },
    replace=lambda treaty: {
        "name": "Renamed",
        "slug": treaty.slug,
        "citations": [cite(SourceFactory(), "Officials said 4,000 troops")],
    },
    change={"signed_place": "Washington"},
    # Each of a treaty's parties, signatories, status events and provisions is a prefetch.
    max_queries=12,
    reject=(
        post("treaty-name-whitespace-only", ["name"], name="\u00a0\u2003"),
        post("treaty-signed-on-29-feb-non-leap", ["signed_on"], signed_on="2019-02-29"),
        post("treaty-aliases-nul", ["aliases"], aliases=["INF\x00"]),
    ),
)


def cohere_troop_figure(body, figure):
    cohere_status(body, figure)
    if "parent" in body:
        body["parent"] = None  # a part must fit its whole: not a thing to leave to chance
    if "count" in body:
        body["count"] = max(body["count"], 100_000)  # never below the parts it already has


def one_ally(w):
    return [cite(w.source, "one ally")]


TROOP_FIGURES = Spec(
    prefix="troop-figures",
    factory=TroopFigureFactory,
    create=lambda w: {
        "slug": "new-figure",
        "count": 1000,
        "location": "the region",
        "citations": [cite(w.source, "1,000 of which came from one ally")],
    },
    replace=lambda figure: {
        "slug": figure.slug,
        "count": 1000,
        "location": "Lithuania",
        "citations": [cite(SourceFactory(), "1,000 of which came from one ally")],
    },
    change={"location": "Lithuania"},
    cohere=cohere_troop_figure,
    reject=(
        post("figure-location-too-long", ["location"], location=LONG),
        post("figure-unit-too-long", ["unit"], unit="u" * 51),
        post("figure-location-empty", ["location"], location=""),
        post("figure-as-of-month-13", ["as_of"], as_of="2019-13-01", as_of_precision="month"),
        # Counts and breakdowns.
        post("figure-count-negative", ["count"], count=-1),
        post("figure-count-zero", ["count"], count=0),
        post("figure-count-10-to-the-12", ["count"], count=10**12),
        post("figure-count-2-to-the-63", ["count"], count=2**63),
        post("figure-count-2-to-the-64", ["count"], count=2**64),
        post("figure-count-fraction", ["count"], count=1000.5),
        post("figure-count-word", ["count"], count="many"),
        post("figure-count-empty-string", ["count"], count=""),
        post("figure-count-boolean", ["count"], count=True),
        post("figure-count-null", ["count"], count=None),
        post("figure-count-list", ["count"], count=[1000]),
        post("figure-part-exceeds-its-whole", ["count"], count=6000, parent=lambda w: w.whole.pk),
        post(
            "figure-parts-together-exceed-the-whole",
            ["count"],
            count=1500,
            parent=lambda w: w.whole.pk,
        ),
        patch("whole", "patch-whole-below-its-parts", ["count"], count=3000),
        patch("part", "patch-part-above-its-whole", ["count"], count=5001),
        patch("part", "patch-figure-part-of-itself", ["parent"], parent=lambda w: w.part.pk),
        patch("whole", "patch-figure-cycle", ["parent"], parent=lambda w: w.part.pk),
        post("figure-parent-missing", ["parent"], parent=999_999),
        post("figure-parent-not-an-id", ["parent"], parent="abc"),
        post("figure-parent-a-fraction", ["parent"], parent=lambda w: w.whole.pk + 0.5),
        post(
            "figure-organization-2-to-the-63",
            ["deploying_organization"],
            deploying_organization=2**63,
        ),
        # Citations: the list and each span in it.
        post("figure-citations-empty", ["citations"], citations=[]),
        post("figure-citations-missing", ["citations"], citations=MISSING),
        post("figure-citations-not-a-list", ["citations"], citations="1"),
        post(
            "figure-citation-beyond-the-source",
            ["citations.0.end"],
            citations=lambda w: [{**one_ally(w)[0], "end": len(w.source.text) + 1}],
        ),
        post(
            "figure-citation-text-mismatch",
            ["citations.0.text"],
            citations=lambda w: [{**one_ally(w)[0], "text": "two allies"}],
        ),
        post(
            "figure-citation-source-missing",
            ["citations.0.source"],
            citations=lambda w: [{**one_ally(w)[0], "source": 999_999}],
        ),
        post(
            "figure-citation-start-missing",
            ["citations.0.start"],
            citations=lambda w: [{**one_ally(w)[0], "start": MISSING}],
        ),
    ),
)


# -- extraction candidates ------------------------------------------------------------------


def cohere_candidate(body, candidate):
    if "source" in body:  # accept-all and extract name a source
        from sources.models import Source

        body["source"] = Source.objects.order_by("pk").values_list("pk", flat=True).first()
    if {"text", "start", "end"} & body.keys() and candidate is not None:
        body.update(start=candidate.start, end=candidate.end, text=candidate.text)


def pending(factory):
    """The candidate Schemathesis writes to: a pending one (deciding makes it not pending)."""

    def pick():
        model = factory._meta.model
        return model.objects.filter(status="pending").order_by("pk").first() or factory()

    return pick


QUOTE_CANDIDATES = Spec(
    prefix="quote-candidates",
    factory=QuoteCandidateFactory,
    create=None,
    replace=lambda c: {"start": c.start, "end": c.end, "text": c.text, "kind": "fragment"},
    change={"kind": "fragment", "note": "Checked against the recording."},
    brief_fields=("id", "url", "display"),
    researchers_only=True,
    cohere=cohere_candidate,
    pick=pending(QuoteCandidateFactory),
    reject=(
        patch("quote_candidate", "candidate-kind-unknown", ["kind"], kind="rumour"),
        patch("quote_candidate", "candidate-text-not-at-the-span", ["text"], text="careless"),
        patch("quote_candidate", "candidate-speaker-missing", ["speaker"], speaker=999_999),
        patch(
            "quote_candidate",
            "candidate-said-on-without-precision",
            ["said_on_precision"],
            said_on="2019-01-01",
            said_on_precision="",
        ),
        patch("quote_candidate", "candidate-end-beyond-the-source", ["end"], end=10**6),
    ),
)

TROOP_FIGURE_CANDIDATES = Spec(
    prefix="troop-figure-candidates",
    factory=TroopFigureCandidateFactory,
    create=None,
    replace=lambda c: {"start": c.start, "end": c.end, "text": c.text, "count": 900},
    change={"location": "Lithuania"},
    brief_fields=("id", "url", "display"),
    researchers_only=True,
    cohere=cohere_candidate,
    pick=pending(TroopFigureCandidateFactory),
    reject=(
        patch("troop_figure_candidate", "candidate-count-zero", ["count"], count=0),
        patch(
            "troop_figure_candidate",
            "candidate-country-lower-case",
            ["contributing_country"],
            contributing_country="us",
        ),
    ),
)


# -- statements and their suggestions -------------------------------------------------------


class AppearingStatementFactory(StatementFactory):
    """A statement with one published appearance of its speaker (a statement the public sees:
    it has no other way in)."""

    class Meta:
        skip_postgeneration_save = True

    appearance = factory.RelatedFactory(
        QuoteFactory, "statement", speaker=factory.SelfAttribute("..speaker")
    )


class SuggestionFactory(StatementSuggestionFactory):
    """A pending suggestion of two quotes of one speaker, whichever side is given: the quotes
    are stored in the order of their ids (a given `other_quote` may be the older one), and a
    `quote` made for a given `other_quote` takes its speaker."""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        quote, other = kwargs["quote"], kwargs["other_quote"]
        if quote.speaker_id != other.speaker_id:
            quote.speaker = other.speaker
            quote.save()
        if quote.pk > other.pk:
            kwargs["quote"], kwargs["other_quote"] = other, quote
        return super()._create(model_class, *args, **kwargs)


def with_appearance():
    """The statement Schemathesis reads or detaches from: one with an appearance left."""
    from quotes.models import Statement

    found = Statement.objects.filter(appearances__isnull=False).order_by("pk").first()
    return found or AppearingStatementFactory()


def cohere_statement(body, statement):
    if "quote" in body and statement is not None:  # one of its appearances, to detach
        body["quote"] = statement.appearances.order_by("pk").values_list("pk", flat=True)[0]


STATEMENTS = Spec(
    prefix="statements",
    factory=AppearingStatementFactory,
    create=None,  # made by confirming a suggestion
    replace=None,
    change=None,
    researchers_only=False,
    pick=with_appearance,
    cohere=cohere_statement,
    actions={
        "detach": (
            "statement",
            lambda w: {"quote": w.appearance.pk, "reason": "Another speech: not the same words."},
        )
    },
    reject=(
        act("statement", "detach", "detach-reason-missing", ["reason"], reason=MISSING),
        act("statement", "detach", "detach-reason-blank", ["reason"], reason=" \n "),
        act("statement", "detach", "detach-reason-nul", ["reason"], reason="a\x00b"),
        act("statement", "detach", "detach-reason-too-long", ["reason"], reason=LONG + "x"),
        act("statement", "detach", "detach-quote-missing", ["quote"], quote=MISSING),
        act("statement", "detach", "detach-quote-unknown", ["quote"], quote=999_999),
        act("statement", "detach", "detach-quote-not-an-id", ["quote"], quote="seven"),
        act(
            "statement",
            "detach",
            "detach-quote-not-an-appearance",
            ["quote"],
            quote=lambda w: w.quote.pk,
        ),
        act("statement", "detach", "detach-unknown-field", ["quotes"], quotes=[1]),
    ),
)


def pending_suggestion():
    from quotes.models import StatementSuggestion

    return StatementSuggestion.objects.pending().order_by("pk").first() or SuggestionFactory()


STATEMENT_SUGGESTIONS = Spec(
    prefix="statement-suggestions",
    factory=SuggestionFactory,
    create=None,  # made by the methods of quotes.matching
    replace=None,
    change=None,
    brief_fields=("id", "url", "display"),
    researchers_only=True,
    pick=pending_suggestion,
    actions={
        "confirm": ("suggestion", lambda w: {"reason": "The same words, reported twice."}),
        "dismiss": ("suggestion", lambda w: {"reason": "Two different speeches."}),
    },
    reject=(
        act("suggestion", "dismiss", "dismiss-reason-missing", ["reason"], reason=MISSING),
        act("suggestion", "dismiss", "dismiss-reason-empty", ["reason"], reason=""),
        act("suggestion", "dismiss", "dismiss-reason-whitespace", ["reason"], reason="\t "),
        act("suggestion", "dismiss", "dismiss-reason-a-number", ["reason"], reason=7),
        act("suggestion", "dismiss", "dismiss-reason-nul", ["reason"], reason="\x00"),
        act("suggestion", "dismiss", "dismiss-unknown-field", ["resaon"], resaon="typo"),
        act("suggestion", "confirm", "confirm-reason-null", ["reason"], reason=None),
        act("suggestion", "confirm", "confirm-reason-a-list", ["reason"], reason=["why"]),
        act("suggestion", "confirm", "confirm-reason-too-long", ["reason"], reason=LONG + "x"),
        act("suggestion", "confirm", "confirm-unknown-field", ["statement"], statement=1),
    ),
)


SPECS = {
    spec.prefix: spec
    for spec in (
        QUOTES,
        SPEAKERS,
        ORGANIZATIONS,
        EVENTS,
        SOURCES,
        OUTLETS,
        TREATIES,
        TROOP_FIGURES,
        QUOTE_CANDIDATES,
        TROOP_FIGURE_CANDIDATES,
        STATEMENTS,
        STATEMENT_SUGGESTIONS,
    )
}


def spec_for(model) -> Spec:
    """The spec of the resource that serves `model`."""
    return next(spec for spec in SPECS.values() if spec.model is model)
