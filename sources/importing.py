"""Importing an article: its bytes decoded exactly, refused when it is no text or already here,
and its title, date and language proposed from what the text itself states.

Every way in (`manage.py import_source` and `import_sources`, `POST /api/v1/sources/import/`,
the admin's "Import article" page) goes through `read_text()` and `import_text()`, so the same
file gets the same answer everywhere.
"""

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from core.dates import DatePrecision, latest_today
from sources.models import Outlet, Source

# A news article is tens of kilobytes; a text above this is refused before it is read whole.
MAX_SOURCE_BYTES = 2 * 1024 * 1024

# Where a page states its own title and date: its first lines.
HEADER_LINES = 12
# The title is one of the first lines: past them, a short line is a subheading of the body.
TITLE_LINES = 5


class ImportRefused(ValueError):
    """A file or text that is not imported, with the reason in words and a short code."""

    code = "invalid"

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class DuplicateSource(ImportRefused):
    """The same text (the same SHA-256) is already a source."""

    code = "duplicate"

    def __init__(self, existing: Source):
        super().__init__(
            f"This text is already source {existing.pk}, “{existing.title}” "
            f"(slug {existing.slug}): the same SHA-256, {existing.sha256}."
        )
        self.existing = existing


# -- bytes to text --------------------------------------------------------------------------


def read_text(data: bytes, encoding: str | None = None) -> str:
    """The text of a file's bytes, decoded exactly: UTF-8 unless `encoding` is given.

    Refused: an empty file, one above MAX_SOURCE_BYTES, bytes that are not text (a NUL, or
    control characters a text does not hold) and bytes that are not valid in the encoding.
    Nothing is normalised: the text is the file, character for character.
    """
    if len(data) > MAX_SOURCE_BYTES:
        raise ImportRefused(
            f"The file is {len(data):,} bytes; the limit is {MAX_SOURCE_BYTES:,} "
            "(an article is far smaller: is this the right file?).",
            "too_large",
        )
    if not data.strip():
        raise ImportRefused("The file is empty: there is no text to import.", "empty")
    if b"\x00" in data:
        raise ImportRefused("The file is binary (it holds NUL bytes), not a text.", "binary")
    try:
        text = data.decode(encoding or "utf-8")
    except LookupError as exc:
        raise ImportRefused(f"Unknown encoding {encoding!r}.", "encoding") from exc
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"The file is not valid {encoding or 'UTF-8'} (byte {exc.start}). Give its encoding "
            "(--encoding, or `encoding` in the API) to decode it.",
            "encoding",
        ) from exc
    control = sum(
        1 for char in text if unicodedata.category(char) == "Cc" and char not in "\t\n\r\f"
    )
    if control > max(2, len(text) // 1000):
        raise ImportRefused(
            f"The file holds {control:,} control characters: it is not a plain text.", "binary"
        )
    return text


# -- what the text states about itself ------------------------------------------------------

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
WEEKDAY = "|".join(calendar.day_name)

DATE_PATTERNS = [
    # 2024-05-23
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    # 26/05/2017, 26.05.2017 (day first: the order of most of the world's datelines)
    ("numeric", re.compile(r"\b(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})\b")),
    # Thursday, May 23, 2024 / May 23, 2024
    (
        "month-day-year",
        re.compile(
            rf"\b(?:(?P<w>{WEEKDAY}),?\s+)?(?P<mn>{MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b",
            re.IGNORECASE,
        ),
    ),
    # Thursday 23 May 2024 / 23 May 2024
    (
        "day-month-year",
        re.compile(
            rf"\b(?:(?P<w>{WEEKDAY}),?\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mn>{MONTH})\.?,?\s+(?P<y>\d{{4}})\b",
            re.IGNORECASE,
        ),
    ),
]


@dataclass(frozen=True)
class ProposedDate:
    """A publication date as the text states it: never more precise than what it says."""

    value: datetime.date
    precision: str
    inferred: bool
    note: str


@dataclass
class Proposal:
    """What the text says of itself, for the researcher to confirm."""

    title: str | None = None
    title_line: int | None = None
    published_on: ProposedDate | None = None
    language: str | None = None
    notes: list[str] = field(default_factory=list)


def header(text: str) -> list[str]:
    """The first non-blank lines of a text, stripped."""
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line][:HEADER_LINES]


def date_in(line: str) -> tuple[ProposedDate | None, str | None]:
    """The date a line states, or (None, why not) when it states one that cannot be read
    without guessing; (None, None) when it states none."""
    for kind, pattern in DATE_PATTERNS:
        match = pattern.search(line)
        if not match:
            continue
        groups = match.groupdict()
        year, day = int(groups["y"]), int(groups["d"])
        month = MONTHS[groups["mn"].lower()] if groups.get("mn") else int(groups["m"])
        if kind == "numeric" and day <= 12 and month <= 12 and day != month:
            return None, f"“{match[0]}” could be day first or month first: not proposed."
        try:
            value = datetime.date(year, month, day)
        except ValueError:
            return None, f"“{match[0]}” is not a date of the calendar: not proposed."
        weekday = match.groupdict().get("w")
        if weekday and WEEKDAYS[weekday.lower()] != value.weekday():
            return None, f"“{match[0]}”: that day of the month is not a {weekday}: not proposed."
        order = " (day first)" if kind == "numeric" else ""
        note = (
            f"Read from the text's header: “{match[0]}”{order}. Check that it is the date of "
            "publication (a saved page's date line can be the day it was saved)."
        )
        return ProposedDate(value, DatePrecision.DAY, False, note), None
    return None, None


def looks_like_a_title(line: str) -> bool:
    """A headline: a few words, mostly letters, not a sentence of the body (which ends with a
    full stop), nor a date, a time or a measurement."""
    words = re.findall(r"[^\W\d_]+", line)
    if not 3 <= len(words) <= 30 or len(line) > 300 or line.rstrip().endswith("."):
        return False
    letters = sum(char.isalpha() for char in line)
    if letters < 0.6 * len(line.replace(" ", "")):
        return False
    return date_in(line) == (None, None)


# The commonest words of English prose: a text whose words are mostly not these is not English.
ENGLISH_WORDS = frozenset(
    """
    the of and to a in is that for it as was with be by on not he this are or his from at which
    but have an they you were her she there been has their we its will would said who more also
    no if all one than
    """.split()
)


def detect_language(text: str) -> str | None:
    """ "en" when the text reads as English prose, else None (unknown: nothing is guessed)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 20:
        return None
    latin = sum(1 for word in words if word.isascii())
    english = sum(1 for word in words if word in ENGLISH_WORDS)
    return "en" if latin > 0.8 * len(words) and english > 0.2 * len(words) else None


def propose(text: str) -> Proposal:
    """The title, publication date and language a text states, from its first lines. The
    title is searched for until the body starts (a line that ends with a full stop)."""
    proposal = Proposal(language=detect_language(text))
    body_started = False
    for number, line in enumerate(header(text)):
        if proposal.published_on is None:
            date, why_not = date_in(line)
            if date is not None:
                proposal.published_on = date
            elif why_not:
                proposal.notes.append(why_not)
        searching = proposal.title is None and not body_started and number < TITLE_LINES
        if searching and looks_like_a_title(line):
            proposal.title, proposal.title_line = line, number
        body_started = body_started or line.rstrip().endswith(".")
    return proposal


# -- the import -----------------------------------------------------------------------------


def unique_slug(title: str) -> str:
    base = slugify(title)[:90].strip("-") or "source"
    slug, n = base, 2
    while Source.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def import_text(
    text: str,
    *,
    title: str | None = None,
    published_on: tuple[datetime.date, str] | None = None,
    outlet: Outlet | None = None,
    language: str | None = None,
    url: str = "",
    seed_file: str = "",
) -> tuple[Source, Proposal]:
    """A new source holding `text` exactly, with what was given (`published_on` as a date and
    its precision), and the rest proposed from the text: a date the text does not state is
    left unknown, a language it is not written in is "und" (undetermined). Refused: a text
    already here, or no title given nor stated.
    """
    existing = Source.objects.filter(sha256=Source.digest(text)).first()
    if existing is not None:
        raise DuplicateSource(existing)
    proposal = propose(text)
    title = (title or "").strip() or proposal.title
    if not title:
        raise ImportRefused(
            "The text does not state a title in its first lines: give one (--title).", "title"
        )
    source = Source(
        title=title[:500],
        slug=unique_slug(title),
        outlet=outlet,
        language=language or proposal.language or "und",
        text=text,
        url=url,
        seed_file=seed_file,
    )
    today = latest_today()
    stated = proposal.published_on
    if published_on is not None:
        if published_on[0] > today:
            raise ImportRefused(
                f"The publication date given, {published_on[0].isoformat()}, is after today.",
                "published_on",
            )
        source.published_on, source.published_on_precision = published_on
        source.published_on_note = "Given at import."
    elif stated is not None and stated.value <= today:
        source.published_on, source.published_on_precision = stated.value, stated.precision
        source.published_on_inferred, source.published_on_note = stated.inferred, stated.note
    elif stated is not None:
        source.published_on_note = (
            f"The text's header states {stated.value.isoformat()}, which is after today: "
            "not proposed."
        )
    else:
        source.published_on_note = " ".join(
            ["The text states no date of publication in its first lines.", *proposal.notes]
        )
    source.full_clean()
    source.save()
    return source, proposal
