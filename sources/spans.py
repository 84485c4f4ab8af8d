"""Spans: the one place where provenance is computed.

A span is a pair of character offsets into a source text: `start` inclusive, `end` exclusive,
counted in Unicode code points (Python string indices), so that `text[start:end]` is the cited
passage. Quote marks are not part of a quote's span: it covers exactly the characters between
the opening and the closing mark, punctuation inside the marks included, as the text stands.

The seeds break lines inside quotes, carry page artifacts and mix typographic quote marks, so
a cited text is compared with its span after `normalize()`: runs of whitespace become one space
and typographic quote marks become ASCII ones. Nothing else is forgiven: a changed word, letter
or punctuation mark is a mismatch.
"""

import re
from dataclasses import dataclass

QUOTE_MARK_TRANSLATION = str.maketrans(
    {
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u2039": "'",  # ‹
        "\u203a": "'",  # ›
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u00ab": '"',  # «
        "\u00bb": '"',  # »
    }
)
WHITESPACE_RUN = re.compile(r"\s+")  # \s covers Unicode spaces, the no-break space included

# Opening mark -> closing marks that end it. Single marks only open after a non-letter, because
# ’ is also the apostrophe (Russia’s).
QUOTE_PAIRS = {"\u201c": "\u201d", "\u00ab": "\u00bb", '"': '"', "\u2018": "\u2019", "'": "'"}

DEFAULT_CONTEXT_CHARS = 200


@dataclass(frozen=True)
class Span:
    """A located passage: offsets into a source text and the text as it stands there."""

    start: int
    end: int
    text: str


def normalize(text: str) -> str:
    """Fold whitespace runs to one space and typographic quote marks to ASCII; strip the ends."""
    return WHITESPACE_RUN.sub(" ", text.translate(QUOTE_MARK_TRANSLATION)).strip()


def _normalized_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalize without stripping, keeping for each output character its offset in `text`."""
    chars: list[str] = []
    offsets: list[int] = []
    previous_was_space = False
    for index, char in enumerate(text.translate(QUOTE_MARK_TRANSLATION)):
        if char.isspace():
            if previous_was_space:
                continue
            char = " "
            previous_was_space = True
        else:
            previous_was_space = False
        chars.append(char)
        offsets.append(index)
    return "".join(chars), offsets


def span_errors(source_text: str, start: int | None, end: int | None, text: str) -> dict:
    """Return field errors for a span that does not lie in `source_text` or does not match `text`.

    An empty dict means the span is valid. Keys are the field names `start`, `end` and `text`.
    """
    if start is None or end is None:
        return {}
    length = len(source_text)
    errors = {}
    if start < 0:
        errors["start"] = f"The span must start at 0 or later (got {start})."
    if end > length:
        errors["end"] = f"The span must end inside the source text, at most {length} (got {end})."
    if end <= start:
        errors["end"] = f"The span must end after it starts (start {start}, end {end})."
    if errors:
        return errors
    at_span = source_text[start:end]
    if not normalize(text):
        return {"text": "The text is empty."}
    if normalize(text) != normalize(at_span):
        return {"text": describe_mismatch(text, at_span, start)}
    return {}


def describe_mismatch(text: str, at_span: str, start: int) -> str:
    """Say where a cited text first departs from the text at its span, so a person can fix it."""
    given, found = normalize(text), normalize(at_span)
    position = next(
        (i for i, (a, b) in enumerate(zip(given, found, strict=False)) if a != b),
        min(len(given), len(found)),
    )
    window = 30
    excerpt_from = max(0, position - window)
    return (
        f"The text does not match the source at characters {start}-{start + len(at_span)}. "
        f"They differ from character {position} of the normalised text: "
        f"given “…{given[excerpt_from : position + window]}…”, "
        f"source has “…{found[excerpt_from : position + window]}…”."
    )


def locate(source_text: str, text: str) -> list[Span]:
    """Find every occurrence of `text` in `source_text`, ignoring whitespace and quote-mark style.

    Returned spans are trimmed to the source's own characters: they start and end on the first
    and last non-space characters of the match, as the text stands in the source.
    """
    needle = normalize(text)
    if not needle:
        return []
    haystack, offsets = _normalized_with_offsets(source_text)
    spans = []
    position = haystack.find(needle)
    while position != -1:
        start = offsets[position]
        end = offsets[position + len(needle) - 1] + 1
        spans.append(Span(start, end, source_text[start:end]))
        position = haystack.find(needle, position + 1)
    return spans


def context(source_text: str, start: int, end: int, chars: int = DEFAULT_CONTEXT_CHARS):
    """Return the text before and after a span, at most `chars` characters each side."""
    return source_text[max(0, start - chars) : start], source_text[end : end + chars]


def quoted_passages(source_text: str) -> list[Span]:
    """Propose the passages between matching quotation marks, for a curator to attribute.

    A proposal, not a verdict: the attribution, and whether a pair of marks is a quotation at
    all, are decided by reading.
    """
    proposals = []
    index = 0
    length = len(source_text)
    while index < length:
        char = source_text[index]
        closing = QUOTE_PAIRS.get(char)
        single = char in "\u2018'"
        if closing is None or (single and index > 0 and source_text[index - 1].isalnum()):
            index += 1
            continue
        end = index + 1
        while end < length:
            candidate = source_text[end]
            follower = source_text[end + 1] if end + 1 < length else " "
            if candidate == closing and not (single and follower.isalnum()):
                break
            end += 1
        if end >= length:
            index += 1
            continue
        proposals.append(Span(index + 1, end, source_text[index + 1 : end]))
        index = end + 1
    return proposals
