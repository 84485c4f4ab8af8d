"""Fill a database with deterministic synthetic data of realistic shape, for benchmarks.

    DJANGO_SETTINGS_MODULE=bench.settings manage.py generate_corpus --quotes 1000000 --seed 1 \
        [--replace] [--force] [--manifest FILE]

It is the benchmark's own command: the `bench` app is installed by bench/settings.py only, so
the served app never carries it (nor tqdm, its progress bar, which only the dev tools pin).

What it makes, for N quotes: about N/50 speakers (quoted along a Zipf curve: a few very often,
most rarely), N/5,000 organisations, N/20,000 outlets, N/20 sources (news articles of 5 to 35
quotes each), N/200 events, N/1,000 troop figures and a few treaties, each event, troop figure
and treaty cited by a span of a source. Every quote is a span of its source: the article is
written around the quotes, so `source.text[start:end] == quote.text` holds by construction and
is checked again in SQL on PostgreSQL. Quote lengths follow the seed corpus (fragments of a few
words, statements of one to a few sentences); the words are drawn along a Zipf curve from the
vocabulary of the seed texts (seeds/*.txt), extended by a long tail of made-up proper names,
so that full-text search has rare, medium and common terms. 94% of quotes are published.

Deterministic: the same --quotes and --seed give the same rows, ids included, on an empty
database (timestamps are fixed; every random choice comes from a `random.Random` seeded from
--seed). PostgreSQL is loaded with COPY, other databases with large batched INSERTs.

A database holding anything this command did not make (the curated seed data, say) is refused
unless --force; synthetic data already present is refused unless --replace, which deletes it
first. All of it runs in one transaction: a failure leaves the database as it was.
"""

import bisect
import datetime
import hashlib
import itertools
import json
import math
import queue
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count
from tqdm import tqdm

from core.dates import DatePrecision
from core.review import ReviewStatus
from quotes.choices import EventKind, OrganizationKind, QuoteKind, SpeakerKind
from quotes.matching import match_text
from quotes.models import Event, Organization, Quote, Speaker, Treaty, TroopFigure
from sources.models import Citation, Outlet, Source

# Every slug the generator writes starts with this: it tells synthetic rows from curated ones.
PREFIX = "synthetic-"
# Bumped whenever the same --quotes and --seed would give different data.
GENERATOR_VERSION = 1
# Fixed, so that two runs give identical rows.
TIMESTAMP = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"

# Zipf exponents: 1.0 is the textbook value for English words; speakers are less skewed (with
# 0.8 the most quoted of 20,000 speakers has about 3% of the quotes).
WORD_EXPONENT = 1.0
SPEAKER_EXPONENT = 0.8
# Made-up proper names after the seed vocabulary: the long tail where rare search terms live.
# They are the names of news text: a small share of its words, most of them rare.
TAIL_WORDS = 40_000
TAIL_SHARE = 0.08

QUOTES_PER_SOURCE = (5, 35)
FRAGMENT_SHARE = 0.4  # the seed corpus has 33 fragments in 47 quotes; news at large has fewer
FRAGMENT_WORDS = (1, 6)
STATEMENT_MEDIAN_WORDS = 22
STATEMENT_WORDS = (5, 150)
STATUS_WEIGHTS = {ReviewStatus.PUBLISHED: 94, ReviewStatus.REVIEWED: 2, ReviewStatus.DRAFT: 4}

# Share of quotes, by corpus size, that the benchmark's search terms should match.
SEARCH_TERM_SHARES = {"rare": 0.00005, "medium": 0.005, "common": 0.1}
MIN_RARE_MATCHES = 3

FIRST_DATE = datetime.date(2015, 1, 1)
DAYS = (datetime.date(2024, 12, 31) - FIRST_DATE).days

COUNTRIES = [
    *("RU", "US", "DE", "FR", "GB", "PL", "UA", "LT", "LV", "EE"),
    *("NO", "BE", "IT", "ES", "TR", "FI", "SE", "CA", "NL", "RO"),
]
PLACES = [
    *("Brussels", "Moscow", "Washington", "Warsaw", "Vilnius", "Riga", "Tallinn"),
    *("Berlin", "Paris", "London", "Kyiv", "Munich", "Madrid", "Vienna", "Helsinki"),
    *("Stockholm", "Oslo", "Ankara", "Bucharest", "Prague", "Geneva", "Minsk"),
]
ROLES = [
    *("Foreign Minister", "Defence Minister", "spokesperson", "Secretary General"),
    *("President", "Prime Minister", "Ambassador", "General", "senator", "analyst"),
    *("Deputy Foreign Minister", "Chief of the General Staff", "press secretary"),
]
SAYING_VERBS = ["said", "warned", "told reporters", "added", "stressed", "noted", "insisted"]
OUTLET_WORDS = ["Herald", "Times", "Post", "Agency", "Review", "Daily", "Observer", "Wire"]
SYLLABLES = [
    *("ka", "lo", "vi", "ren", "mar", "tov", "ski", "ber", "an", "dra", "gu", "lin"),
    *("sha", "pe", "tro", "nik", "ol", "za", "mir", "ev", "sen", "bo", "ria", "dal"),
    *("kor", "ut", "es", "vo", "len", "hal", "ris", "te", "ny", "gar", "os", "ma"),
]
QUOTE_MARKS = [("\u201c", "\u201d"), ('"', '"')]


# ---------------------------------------------------------------------------- vocabulary


def seed_words() -> list[str]:
    """The words of the seed texts, most frequent first, each in its most frequent spelling."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))  # page markup
        for word in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text):
            counts[word.lower()] += 1
            spellings.setdefault(word.lower(), Counter())[word] += 1
    # most_common() keeps first-seen order among equal counts: deterministic.
    return [spellings[word].most_common(1)[0][0] for word, _ in counts.most_common()]


def made_up_name(rng, syllables=(2, 4)) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(*syllables))).capitalize()


def zipf_weights(count: int, exponent: float, total: float = 1.0) -> list[float]:
    """Weights proportional to 1 / rank**exponent, adding up to `total`."""
    weights = [1.0 / rank**exponent for rank in range(1, count + 1)]
    scale = total / sum(weights)
    return [weight * scale for weight in weights]


@dataclass
class Vocabulary:
    """Words with Zipf-distributed frequencies: the seed vocabulary in the order of its
    frequency in the seeds, and a tail of made-up names with a Zipf curve of its own."""

    words: list[str]
    tail: list[str]
    cum_weights: list[float] = field(init=False)

    def __post_init__(self):
        weights = zipf_weights(len(self.words), WORD_EXPONENT, 1 - TAIL_SHARE)
        weights += zipf_weights(len(self.tail), WORD_EXPONENT, TAIL_SHARE)
        self.words = self.words + self.tail
        self.cum_weights = list(itertools.accumulate(weights))

    @classmethod
    def build(cls, rng) -> "Vocabulary":
        words = seed_words()
        if not words:
            raise CommandError(f"No seed texts in {SEEDS_DIR}: the vocabulary comes from them.")
        known = {word.lower() for word in words}
        tail = []
        while len(tail) < TAIL_WORDS:
            name = made_up_name(rng)
            if name.lower() not in known:
                known.add(name.lower())
                tail.append(name)
        return cls(words, tail)

    def sample(self, rng, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=count)


# ---------------------------------------------------------------------------- the corpus


def table_columns(model, exclude=("search_vector",)) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column not in exclude]


@dataclass
class Table:
    """Rows for one table, in the order of `columns` (all concrete columns but derived ones)."""

    model: type
    next_id: int = 1
    rows: list[tuple] = field(default_factory=list)
    columns: list[str] = field(init=False)

    def __post_init__(self):
        self.columns = table_columns(self.model)

    def add(self, **values) -> int:
        """Append a row (id assigned here) and return its id."""
        row_id = self.next_id
        self.next_id += 1
        values.setdefault("created_at", TIMESTAMP)
        values.setdefault("updated_at", TIMESTAMP)
        row = {"id": row_id, **values}
        if self.model._meta.auto_created:  # a many-to-many table: no timestamps
            row.pop("created_at")
            row.pop("updated_at")
        try:
            self.rows.append(tuple(row.pop(column) for column in self.columns))
        except KeyError as exc:
            raise CommandError(f"{self.model.__name__}: no value for column {exc}") from exc
        if row:
            raise CommandError(f"{self.model.__name__}: unknown columns {sorted(row)}")
        return row_id


# Dependency order: a table is written after the tables it refers to.
MODELS = [
    Organization,
    Outlet,
    Speaker,
    Treaty,
    Event,
    TroopFigure,
    Source,
    Citation,
    Quote,
    Quote.treaties.through,
    Event.citations.through,
    Treaty.citations.through,
    TroopFigure.citations.through,
]


@dataclass
class EventInfo:
    id: int
    name: str
    place: str
    starts_on: datetime.date
    precision: str
    cited: bool = False


@dataclass
class SpeakerInfo:
    id: int
    name: str
    role: str


class CorpusGenerator:
    """Makes the rows, a batch of sources (with their quotes and citations) at a time."""

    SOURCES_PER_BATCH = 500

    def __init__(self, quotes: int, seed: int, first_ids: dict):
        self.quote_count = quotes
        self.seed = seed
        self.first_ids = first_ids
        self.rng = self.stream("main")
        self.vocabulary = Vocabulary.build(self.stream("vocabulary"))
        self.tables = {model: Table(model, next_id=first_ids[model]) for model in MODELS}
        # How many quotes each source holds, drawn up front so that everything placed in
        # sources (troop figures, treaties) knows how many sources there will be.
        sizes, total = [], 0
        sizing = self.stream("sizes")
        while total < quotes:
            sizes.append(min(quotes - total, sizing.randint(*QUOTES_PER_SOURCE)))
            total += sizes[-1]
        self.source_sizes = sizes
        self.statuses = list(STATUS_WEIGHTS)
        self.status_cum_weights = list(itertools.accumulate(STATUS_WEIGHTS.values()))

    def stream(self, name: str) -> random.Random:
        """An independent random stream: a change to one part leaves the others' draws alone."""
        return random.Random(f"{self.seed}:{name}")

    # -- helpers ----------------------------------------------------------------------

    def date(self, rng) -> datetime.date:
        return FIRST_DATE + datetime.timedelta(days=rng.randrange(DAYS))

    def words(self, rng, count: int) -> list[str]:
        return self.vocabulary.sample(rng, count)

    def sentence(self, rng, count: int, end: str = ".") -> str:
        words = self.words(rng, count)
        for index in range(1, len(words) - 1):
            if rng.random() < 0.07:
                words[index] += ","
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words) + end

    def title_words(self, rng, count: int) -> str:
        return " ".join(w[:1].upper() + w[1:] for w in self.words(rng, count))

    def unique_name(self, make, taken: set) -> str:
        name = make()
        while name in taken:
            name = make()
        taken.add(name)
        return name

    # -- the small tables -------------------------------------------------------------

    def make_reference_tables(self):
        rng = self.stream("reference")
        n = self.quote_count
        organizations = self.tables[Organization]
        taken: set[str] = set()
        self.organization_ids = []
        self.organization_names = {}
        for index in range(max(3, n // 5_000)):
            kind = rng.choice(OrganizationKind.values)
            name = self.unique_name(
                lambda kind=kind: f"{made_up_name(rng)} {kind.replace('_', ' ').title()}", taken
            )
            org_id = organizations.add(
                name=name,
                slug=f"{PREFIX}organization-{index + 1}",
                kind=kind,
                country=rng.choice([*COUNTRIES, ""]),
                aliases=[],
                note="",
            )
            self.organization_ids.append(org_id)
            self.organization_names[org_id] = name

        outlets = self.tables[Outlet]
        taken = set()
        self.outlet_ids = []
        for index in range(max(2, n // 20_000)):
            name = self.unique_name(
                lambda: f"The {made_up_name(rng)} {rng.choice(OUTLET_WORDS)}", taken
            )
            self.outlet_ids.append(
                outlets.add(
                    name=name,
                    slug=f"{PREFIX}outlet-{index + 1}",
                    website=f"https://{name.lower().replace(' ', '')}.example",
                    country=rng.choice(COUNTRIES),
                    note="",
                )
            )

        speakers = self.tables[Speaker]
        self.speakers = []
        for index in range(max(1, round(n / 50))):
            institution = rng.random() < 0.08
            if institution:
                name = (
                    f"{made_up_name(rng)} Ministry of {rng.choice(['Defence', 'Foreign Affairs'])}"
                )
                role = ""
            else:
                name = f"{made_up_name(rng, (2, 3))} {made_up_name(rng)}"
                role = rng.choice(ROLES)
            speaker_id = speakers.add(
                name=name,
                slug=f"{PREFIX}speaker-{index + 1}",
                kind=SpeakerKind.INSTITUTION if institution else SpeakerKind.PERSON,
                role=role,
                organization_id=rng.choice(self.organization_ids) if rng.random() < 0.8 else None,
                country=rng.choice(COUNTRIES),
                aliases=[name.split()[-1]] if not institution and rng.random() < 0.1 else [],
                wikidata_id="",
                note="",
            )
            self.speakers.append(SpeakerInfo(speaker_id, name, role))
        # Zipf over speakers, in a shuffled order: the most quoted is not simply the first.
        self.speaker_order = list(range(len(self.speakers)))
        rng.shuffle(self.speaker_order)
        self.speaker_cum_weights = list(
            itertools.accumulate(zipf_weights(len(self.speakers), SPEAKER_EXPONENT))
        )

        treaties = self.tables[Treaty]
        taken = set()
        self.treaty_ids = []
        self.treaty_names = {}
        for index in range(max(2, min(12, n // 50_000))):
            name = self.unique_name(
                lambda: f"Treaty on {self.title_words(rng, 2)} {made_up_name(rng)}", taken
            )
            signed_on = self.date(rng).replace(month=1, day=1)
            treaty_id = treaties.add(
                name=name,
                short_name="".join(word[0] for word in name.split() if word[0].isupper()),
                slug=f"{PREFIX}treaty-{index + 1}",
                aliases=[],
                signed_on=signed_on,
                signed_on_precision=DatePrecision.YEAR,
                signed_on_inferred=False,
                signed_on_note="",
                signed_place=rng.choice(PLACES),
                note="",
            )
            self.treaty_ids.append(treaty_id)
            self.treaty_names[treaty_id] = (name, signed_on.year)

        events = self.tables[Event]
        self.events = []
        for index in range(max(1, n // 200)):
            kind = rng.choice(EventKind.values)
            place = rng.choice(PLACES)
            starts_on = self.date(rng)
            precision = DatePrecision.DAY if rng.random() < 0.8 else DatePrecision.MONTH
            if precision == DatePrecision.MONTH:
                starts_on = starts_on.replace(day=1)
            two_days = kind in (EventKind.SUMMIT, EventKind.CONFERENCE)
            ends_on = starts_on + datetime.timedelta(days=1) if two_days else None
            name = f"{kind.replace('_', ' ').capitalize()} in {place}, {starts_on:%B %Y}"
            event_id = events.add(
                name=name,
                slug=f"{PREFIX}event-{index + 1}",
                kind=kind,
                starts_on=starts_on,
                starts_on_precision=precision,
                starts_on_inferred=False,
                starts_on_note="",
                ends_on=ends_on,
                ends_on_precision=precision if ends_on else "",
                ends_on_inferred=False,
                ends_on_note="",
                place=place,
                country=rng.choice(COUNTRIES),
                organization_id=rng.choice(self.organization_ids) if rng.random() < 0.5 else None,
                note="",
            )
            self.events.append(EventInfo(event_id, name, place, starts_on, precision))

        # Troop figures: each is stated (and cited) in one source; some are parts of another.
        figures = self.tables[TroopFigure]
        self.figures_by_source: dict[int, list[tuple[int, str]]] = {}
        wholes: list[tuple[int, int]] = []
        for index in range(max(1, n // 1_000)):
            location = f"{rng.choice(PLACES)} region"
            parent_id, count = None, rng.randint(100, 50_000)
            if wholes and rng.random() < 0.2:
                # A part of an earlier figure, smaller than it; one part per whole.
                parent_id, whole_count = wholes.pop(rng.randrange(len(wholes)))
                count = max(1, whole_count * rng.randint(20, 80) // 100)
            organization_id = rng.choice(self.organization_ids)
            figure_id = figures.add(
                slug=f"{PREFIX}troop-figure-{index + 1}",
                count=count,
                unit="soldiers",
                contributing_country=rng.choice([*COUNTRIES, ""]),
                deploying_organization_id=organization_id,
                location=location,
                as_of=self.date(rng).replace(month=1, day=1),
                as_of_precision=DatePrecision.YEAR,
                as_of_inferred=False,
                as_of_note="",
                parent_id=parent_id,
                note="",
                status=ReviewStatus.PUBLISHED if rng.random() < 0.95 else ReviewStatus.DRAFT,
            )
            if parent_id is None:
                wholes.append((figure_id, count))
            sentence = (
                f"The {self.organization_names[organization_id]} has {count:,} soldiers "
                f"deployed in the {location}."
            )
            source_index = rng.randrange(len(self.source_sizes))
            self.figures_by_source.setdefault(source_index, []).append((figure_id, sentence))

    # -- sources and quotes -----------------------------------------------------------

    def quote_text(self, rng) -> tuple[str, str]:
        if rng.random() < FRAGMENT_SHARE:
            return QuoteKind.FRAGMENT, " ".join(self.words(rng, rng.randint(*FRAGMENT_WORDS)))
        length = round(rng.lognormvariate(math.log(STATEMENT_MEDIAN_WORDS), 0.6))
        length = min(max(length, STATEMENT_WORDS[0]), STATEMENT_WORDS[1])
        sentences = []
        while length > 0:
            size = length if length < 30 else rng.randint(8, 25)
            sentences.append(self.sentence(rng, size))
            length -= size
        return QuoteKind.STATEMENT, " ".join(sentences)

    def pick_speaker(self, rng) -> SpeakerInfo:
        rank = bisect.bisect(self.speaker_cum_weights, rng.random() * self.speaker_cum_weights[-1])
        return self.speakers[self.speaker_order[min(rank, len(self.speakers) - 1)]]

    def make_source(self, index: int, quote_count: int):
        rng = self.rng
        sources, quotes = self.tables[Source], self.tables[Quote]
        source_id = sources.next_id  # reserved now, the row is added once the text is whole
        event = rng.choice(self.events) if rng.random() < 0.7 else None
        if event is not None:
            published_on = event.starts_on + datetime.timedelta(days=rng.randint(0, 3))
        else:
            published_on = self.date(rng)
        title = self.title_words(rng, rng.randint(6, 12))
        speakers = [self.pick_speaker(rng) for _ in range(rng.randint(1, 4))]

        pieces: list[str] = []
        length = 0

        def add(text: str) -> int:
            """Append to the source text; return where the text starts."""
            nonlocal length
            pieces.append(text)
            length += len(text)
            return length - len(text)

        citations = []  # (model of the cited fact, its id, start, text)

        def cite(through_model, fact_id, sentence):
            start = add(sentence)
            citations.append((through_model, fact_id, start, sentence))

        add(f"{title}\n\n{published_on:%d/%m/%Y}\n\n\n\n")
        if event is not None and not event.cited:
            event.cited = True
            cite(Event.citations.through, event.id, f"The {event.name} opened in {event.place}.")
            add(" ")
        if index < len(self.treaty_ids):  # each treaty stated in one of the first sources
            treaty_id = self.treaty_ids[index]
            name, year = self.treaty_names[treaty_id]
            cite(Treaty.citations.through, treaty_id, f"The {name} was signed in {year}.")
            add(" ")
        figures = list(self.figures_by_source.get(index, []))  # stated between the quotes

        for _ in range(quote_count):
            speaker = rng.choice(speakers)
            kind, text = self.quote_text(rng)
            opening, closing = rng.choice(QUOTE_MARKS)
            who = speaker.name
            if speaker.role and rng.random() < 0.3:
                who = f"{speaker.role[0].upper()}{speaker.role[1:]} {speaker.name}"
            verb = rng.choice(SAYING_VERBS)
            if kind == QuoteKind.FRAGMENT:
                add(f"{who} {verb} it was {opening}")
                start = add(text)
                add(f"{closing}, {' '.join(self.words(rng, rng.randint(4, 12)))}.")
            elif rng.random() < 0.5:
                add(opening)
                start = add(text)
                add(f"{closing} {who} {verb}.")
            else:
                add(f"{who} {verb}: {opening}")
                start = add(text)
                add(closing)
            if rng.random() < 0.5:
                add(" " + self.sentence(rng, rng.randint(10, 30)))
            if figures and rng.random() < 0.3:
                add(" ")
                cite(TroopFigure.citations.through, *figures.pop())
            add("\n\n" if rng.random() < 0.5 else " ")
            self.add_quote(rng, source_id, start, text, kind, speaker, event, published_on)
        for figure in figures:
            cite(TroopFigure.citations.through, *figure)
            add("\n\n")

        text = "".join(pieces)
        outlet_id = rng.choice(self.outlet_ids)
        added = sources.add(
            title=title,
            original_title="",
            slug=f"{PREFIX}source-{index + 1}",
            outlet_id=outlet_id,
            outlet_note="",
            published_on=published_on,
            published_on_precision=DatePrecision.DAY,
            published_on_inferred=False,
            published_on_note="",
            language="en",
            original_language="",
            text=text,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            seed_file="",
            url=f"https://outlet-{outlet_id}.example/{published_on:%Y/%m}/{PREFIX}{index + 1}",
        )
        if added != source_id:
            raise CommandError(f"Source id {added} was given as {source_id}: a generator bug.")
        for through_model, fact_id, start, sentence in citations:
            citation_id = self.tables[Citation].add(
                source_id=source_id, start=start, end=start + len(sentence), text=sentence
            )
            fact_column, _ = table_columns(through_model)[1:]
            self.tables[through_model].add(**{fact_column: fact_id, "citation_id": citation_id})
        # Every span lies in the text and says what the text says there.
        for row in quotes.rows[-quote_count:]:
            start, end, quote = row[self.quote_span_columns[0] : self.quote_span_columns[1]]
            if text[start:end] != quote:
                raise CommandError(f"Quote [{start}:{end}] of source {source_id}: a generator bug.")

    def add_quote(self, rng, source_id, start, text, kind, speaker, event, published_on):
        quote_event = event if event is not None and rng.random() < 0.8 else None
        said_on, precision, inferred, note = None, "", False, ""
        roll = rng.random()
        if quote_event is not None and quote_event.precision == DatePrecision.DAY:
            said_on, precision, inferred = quote_event.starts_on, DatePrecision.DAY, True
            note = "The date of the event."
        elif roll < 0.6:
            said_on, precision = published_on, DatePrecision.DAY
            inferred = rng.random() < 0.5
            if inferred:
                note = f"“on {published_on:%A}” in an article of {published_on:%d/%m/%Y}."
        elif roll < 0.85:
            said_on, precision = published_on.replace(month=1, day=1), DatePrecision.YEAR
        translated = rng.random() < 0.1
        status = self.statuses[
            bisect.bisect(self.status_cum_weights, rng.random() * self.status_cum_weights[-1])
        ]
        quote_id = self.tables[Quote].add(
            source_id=source_id,
            start=start,
            end=start + len(text),
            text=text,
            speaker_id=speaker.id,
            kind=kind,
            said_on=said_on,
            said_on_precision=precision,
            said_on_inferred=inferred,
            said_on_note=note,
            event_id=quote_event.id if quote_event else None,
            language="en",
            is_translation=translated,
            original_language="ru" if translated else "",
            speaker_language="ru" if translated else "",
            attribution_note="",
            attribution_inferred=False,
            from_headline=False,
            note="",
            status=status,
            statement_id=None,
            # What the pre_save receiver would set (COPY skips it): the app's own function.
            match_text=match_text(text),
        )
        if rng.random() < 0.05:
            self.tables[Quote.treaties.through].add(
                quote_id=quote_id, treaty_id=rng.choice(self.treaty_ids)
            )

    @property
    def quote_span_columns(self) -> tuple[int, int]:
        columns = self.tables[Quote].columns
        start = columns.index("start")
        if columns[start : start + 3] != ["start", "end", "text"]:
            raise CommandError("Quote columns are not start, end, text in a row: update me.")
        return start, start + 3

    def batches(self, progress):
        """Yield {model: rows} batches: first the small tables, then sources with their quotes."""
        self.make_reference_tables()
        yield self.take_rows()
        batch_quotes = 0
        for index, size in enumerate(self.source_sizes):
            self.make_source(index, size)
            batch_quotes += size
            if (index + 1) % self.SOURCES_PER_BATCH == 0:
                yield self.take_rows()
                progress.update(batch_quotes)
                batch_quotes = 0
        yield self.take_rows()
        progress.update(batch_quotes)

    def take_rows(self) -> dict:
        rows = {}
        for model, table in self.tables.items():
            if table.rows:
                rows[model], table.rows = table.rows, []
        return rows

    def counts(self) -> dict[str, int]:
        return {
            model._meta.db_table: table.next_id - self.first_ids[model]
            for model, table in self.tables.items()
        }


# ---------------------------------------------------------------------------- writers


class Writer:
    """Writes batches of rows, table by table in dependency order, and times itself."""

    busy_seconds = 0.0

    def write_batch(self, batch: dict):
        started = time.perf_counter()
        for model in MODELS:
            if model in batch:
                self.write(model, batch[model])
        self.busy_seconds += time.perf_counter() - started

    def write(self, model, rows):
        raise NotImplementedError

    def close(self):
        pass


class CopyWriter(Writer):
    """PostgreSQL: COPY FROM STDIN, through psycopg's C-accelerated copy."""

    def __init__(self, cursor):
        self.cursor = cursor  # a psycopg cursor: the writer may run in another thread

    def write(self, model, rows):
        qn = connection.ops.quote_name
        columns = table_columns(model)
        fields = {f.column: f for f in model._meta.concrete_fields}
        json_columns = {
            i for i, c in enumerate(columns) if fields[c].get_internal_type() == "JSONField"
        }
        sql = f"COPY {qn(model._meta.db_table)} ({', '.join(map(qn, columns))}) FROM STDIN"
        with self.cursor.copy(sql) as copy:
            for row in rows:
                if json_columns:
                    row = tuple(
                        json.dumps(v) if i in json_columns else v for i, v in enumerate(row)
                    )
                copy.write_row(row)


class InsertWriter(Writer):
    """Any other database: INSERTs of many rows at a time, values prepared by the fields."""

    ROWS_PER_STATEMENT = 2_000

    def __init__(self, cursor):
        self.cursor = cursor

    def write(self, model, rows):
        qn = connection.ops.quote_name
        columns = table_columns(model)
        by_column = {f.column: f for f in model._meta.concrete_fields}
        fields = [by_column[c] for c in columns]
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(map(qn, columns))}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        prepared = (
            tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True))
            for row in rows
        )
        while batch := list(itertools.islice(prepared, self.ROWS_PER_STATEMENT)):
            self.cursor.executemany(sql, batch)


class BackgroundWriter:
    """Runs a writer in a thread, so that PostgreSQL's share of the work (parsing rows,
    search vectors, span triggers, indexes) overlaps with the generation of the next batch.

    Only the thread touches the connection until close(), which re-raises its error.
    """

    def __init__(self, writer: Writer):
        self.writer = writer
        self.batches: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        # A daemon: an interrupted command exits without waiting for it.
        self.thread = threading.Thread(target=self.run, name="corpus-writer", daemon=True)
        self.thread.start()

    def run(self):
        for batch in iter(self.batches.get, None):
            if self.error is None:  # after a failure, drain the queue so nobody blocks
                try:
                    self.writer.write_batch(batch)
                except BaseException as exc:  # re-raised in the main thread by close()
                    self.error = exc

    def write_batch(self, batch: dict):
        if self.error is not None:
            self.close()
        self.batches.put(batch)

    def close(self):
        if self.thread.is_alive():
            self.batches.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error

    @property
    def busy_seconds(self) -> float:
        return self.writer.busy_seconds


# ---------------------------------------------------------------------------- the command


SYNTHETIC_BY_SLUG = [Organization, Outlet, Speaker, Treaty, Event, TroopFigure, Source]


class Command(BaseCommand):
    help = (
        "Fill the database with deterministic synthetic quotes, speakers, sources, events, "
        "treaties and troop figures, for benchmarks. Refuses a database holding curated data "
        "unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quotes", type=int, required=True, help="How many quotes.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database holds data this command did not make.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the synthetic data already in the database first.",
        )
        parser.add_argument(
            "--manifest",
            type=Path,
            help="Write what was made (counts, search terms, timings) to this JSON file.",
        )

    def handle(self, *args, quotes, seed, force, replace, manifest, **options):
        if quotes < 1:
            raise CommandError("--quotes must be at least 1.")
        self.verbosity = options["verbosity"]
        self.postgres = connection.vendor == "postgresql"
        timings = self.timings = {}
        started = time.perf_counter()
        with transaction.atomic():
            curated = self.check_database(force, replace)
            if replace:
                if curated or not self.postgres:
                    self.delete_synthetic()
                else:
                    self.truncate()
            first_ids = {model: self.next_id(model) for model in MODELS}
            generator = CorpusGenerator(quotes, seed, first_ids)
            self.load(generator)
            timings["load_seconds"] = round(time.perf_counter() - started, 1)
            if self.postgres:
                step = time.perf_counter()
                self.verify_spans(first_ids)
                timings["verify_seconds"] = round(time.perf_counter() - step, 1)
        step = time.perf_counter()
        self.vacuum_analyze()
        timings["vacuum_analyze_seconds"] = round(time.perf_counter() - step, 1)
        step = time.perf_counter()
        report = {
            "generator_version": GENERATOR_VERSION,
            "quotes": quotes,
            "seed": seed,
            "vendor": connection.vendor,
            "rows": generator.counts(),
            **self.describe(generator, first_ids),
        }
        timings["describe_seconds"] = round(time.perf_counter() - step, 1)
        timings["total_seconds"] = round(time.perf_counter() - started, 1)
        report["timings"] = timings
        if self.postgres:
            report["database_bytes"] = self.scalar("SELECT pg_database_size(current_database())")
        if manifest:
            manifest.parent.mkdir(parents=True, exist_ok=True)
            manifest.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        if self.verbosity:
            self.stdout.write(json.dumps(report, indent=2))

    def vacuum_analyze(self):
        """Fresh planner statistics; on PostgreSQL, also the visibility map that index-only
        scans need and hint bits set once here rather than by the first readers."""
        qn = connection.ops.quote_name
        # VACUUM cannot run in a transaction (a caller's, such as a test's): ANALYZE can.
        command = (
            "VACUUM (ANALYZE)" if self.postgres and not connection.in_atomic_block else "ANALYZE"
        )
        self.log(f"{command} ...")
        with connection.cursor() as cursor:
            for model in MODELS:
                cursor.execute(f"{command} {qn(model._meta.db_table)}")

    def log(self, message):
        if self.verbosity:
            self.stderr.write(message)

    def scalar(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    # -- refusing and deleting --------------------------------------------------------

    def check_database(self, force, replace):
        curated = {
            model._meta.verbose_name_plural: n
            for model in SYNTHETIC_BY_SLUG
            if (n := model.objects.exclude(slug__startswith=PREFIX).count())
        }
        if curated and not force:
            held = ", ".join(f"{n} {name}" for name, n in curated.items())
            raise CommandError(
                f"The database holds data this command did not make ({held}): refusing to add "
                "synthetic data to it. Use an empty database, or pass --force."
            )
        synthetic = Source.objects.filter(slug__startswith=PREFIX).count()
        if synthetic and not replace:
            raise CommandError(
                f"The database already holds synthetic data ({synthetic} sources): pass "
                "--replace to delete it and generate anew."
            )
        return curated

    def truncate(self):
        """Empty the generator's tables at once (ids start from 1 again): only when they
        hold nothing but synthetic data, and whatever refers to it (CASCADE)."""
        qn = connection.ops.quote_name
        tables = ", ".join(qn(model._meta.db_table) for model in MODELS)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")

    def delete_synthetic(self):
        """Delete every synthetic row, and their links, in raw SQL: no signals, no history."""
        qn = connection.ops.quote_name

        def synthetic(model):
            return f"SELECT id FROM {qn(model._meta.db_table)} WHERE slug LIKE %s"

        quotes_of_synthetic_sources = (
            f"SELECT id FROM {qn(Quote._meta.db_table)} WHERE source_id IN ({synthetic(Source)})"
        )
        links = [
            (Quote.treaties.through, "quote_id", quotes_of_synthetic_sources),
            (Quote.treaties.through, "treaty_id", synthetic(Treaty)),
            (Quote, "source_id", synthetic(Source)),
            (Event.citations.through, "event_id", synthetic(Event)),
            (Treaty.citations.through, "treaty_id", synthetic(Treaty)),
            (TroopFigure.citations.through, "troopfigure_id", synthetic(TroopFigure)),
            (Citation, "source_id", synthetic(Source)),
        ]
        like = [f"{PREFIX}%"]
        with connection.cursor() as cursor:
            for model, column, ids in links:
                table = qn(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table} WHERE {qn(column)} IN ({ids})", like)
            # A troop figure may be part of another: unlink the parts first.
            table = qn(TroopFigure._meta.db_table)
            cursor.execute(f"UPDATE {table} SET parent_id = NULL WHERE slug LIKE %s", like)
            for model in [TroopFigure, Event, Source, Treaty, Speaker, Outlet, Organization]:
                cursor.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE slug LIKE %s", like)

    def next_id(self, model) -> int:
        qn = connection.ops.quote_name
        return 1 + self.scalar(f"SELECT coalesce(max(id), 0) FROM {qn(model._meta.db_table)}")

    # -- loading ----------------------------------------------------------------------

    def load(self, generator):
        with connection.cursor() as cursor:
            if self.postgres:
                # The span-bounds trigger reads the source's text for every row, which would
                # double the load time; verify_spans() checks more, once, in one query.
                self.set_span_triggers(cursor, enabled=False)
                writer = BackgroundWriter(CopyWriter(cursor.cursor))
            else:
                writer = InsertWriter(cursor)
            with tqdm(
                total=generator.quote_count,
                unit=" quotes",
                unit_scale=True,
                disable=not self.verbosity,
                file=self.stderr._out,
            ) as progress:
                for batch in generator.batches(progress):
                    writer.write_batch(batch)
                writer.close()
            self.timings["write_seconds"] = round(writer.busy_seconds, 1)
            if self.postgres:
                # A table with foreign-key checks pending cannot be altered: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                self.set_span_triggers(cursor, enabled=True)
            # Ids were given explicitly: move the sequences past them.
            for statement in connection.ops.sequence_reset_sql(no_style(), MODELS):
                cursor.execute(statement)

    @staticmethod
    def set_span_triggers(cursor, enabled: bool):
        """Switch the triggers of sources.db.CreateSpanBoundsTrigger, for this transaction
        (ALTER TABLE is transactional: a failed run leaves them on)."""
        qn = connection.ops.quote_name
        for model in (Quote, Citation):
            table = model._meta.db_table
            cursor.execute(
                f"ALTER TABLE {qn(table)} {'ENABLE' if enabled else 'DISABLE'} "
                f"TRIGGER {qn(table + '_span_within_source')}"
            )

    def verify_spans(self, first_ids):
        """Check in SQL that each new quote and citation is its source's text at its span:
        the span trigger's rule (the span lies inside the text), and more."""
        qn = connection.ops.quote_name
        for model in (Quote, Citation):
            table = qn(model._meta.db_table)
            mismatches = self.scalar(
                f"""SELECT count(*) FROM {table} span
                JOIN {qn(Source._meta.db_table)} source ON source.id = span.source_id
                WHERE span.id >= %s
                AND substr(source.text, span.start + 1, span."end" - span.start) <> span.text""",
                [first_ids[model]],
            )
            if mismatches:
                raise CommandError(f"{mismatches} rows of {table} do not match their source.")

    # -- what was made ----------------------------------------------------------------

    def describe(self, generator, first_ids) -> dict:
        """Facts the benchmark needs: the busiest speaker, a deep page, the search terms."""
        published = Quote.objects.filter(
            id__gte=first_ids[Quote], status=ReviewStatus.PUBLISHED
        ).order_by("id")
        published_count = published.count()
        busiest = (
            published.values("speaker__slug")
            .annotate(n=Count("id"))
            .order_by("-n", "speaker__slug")
            .first()
        )
        # The page 90% of the way down the list: what a deep page costs.
        deep = (
            published.values_list("id", flat=True)[int(published_count * 0.9)]
            if (published_count)
            else None
        )
        return {
            "published_quotes": published_count,
            "quote_ids": [first_ids[Quote], generator.tables[Quote].next_id - 1],
            "busiest_speaker": {"slug": busiest["speaker__slug"], "quotes": busiest["n"]},
            "deep_page_after_id": deep,
            "search_terms": self.search_terms(first_ids, generator) if self.postgres else None,
        }

    def search_terms(self, first_ids, generator) -> dict:
        """A rare, a medium and a common search term, picked by how many quotes match them."""
        qn = connection.ops.quote_name
        quote_table = qn(Quote._meta.db_table)
        with connection.cursor() as cursor:
            # Lexemes as the English configuration makes them, with the words that give them.
            cursor.execute(
                "SELECT word, to_tsvector('english', word)::text FROM unnest(%s::text[]) word",
                [generator.vocabulary.words],
            )
            word_of = {}
            for word, vector in cursor.fetchall():
                match = re.fullmatch(r"'([a-z]+)':1", vector)
                if match:  # a plain word that is no stop word
                    word_of.setdefault(match.group(1), word)
            cursor.execute(
                "SELECT word, ndoc FROM ts_stat(%s) ORDER BY word",
                [
                    f"SELECT search_vector FROM {quote_table} "
                    f"WHERE id >= {int(first_ids[Quote])} AND status = 'published'"
                ],
            )
            frequencies = [(word, n) for word, n in cursor.fetchall() if word in word_of]
        published = Quote.objects.filter(id__gte=first_ids[Quote], status=ReviewStatus.PUBLISHED)
        total = published.count()
        terms = {}
        for name, share in SEARCH_TERM_SHARES.items():
            target = max(MIN_RARE_MATCHES, total * share)
            lexeme, matches = min(
                frequencies, key=lambda item: (abs(math.log(item[1] / target)), item[0])
            )
            terms[name] = {"term": word_of[lexeme].lower(), "lexeme": lexeme, "quotes": matches}
        return terms
