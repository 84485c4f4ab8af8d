"""Quotation marks, paired: which passages of a text stand between an opening and a closing mark.

News text mixes every convention: “…”, "…", «…», „…“, ‘…’, '…', nested quotes of the other
kind ("… 'a threat from the East'."), the apostrophe that is also a closing single mark
(Russia’s), multi-paragraph quotes that reopen each paragraph without closing the last, and
marks left unbalanced by the page the text was copied from. The pairing is a stack per kind of
mark; a mark is an opener or a closer by what stands on each side of it (Markdown's "flanking"
rule), and a mark that pairs with nothing is left alone rather than guessed at.
"""

from dataclasses import dataclass

# An opening mark and the closing marks that end it. „ closes with “ (German) or ” (Polish),
# « with » (and » with « in Danish), " and ' with themselves.
DOUBLE_PAIRS = {"“": "”", "„": "“”", "«": "»", "»": "«", '"': '"', "”": "”"}
SINGLE_PAIRS = {"‘": "’", "‚": "‘’", "‹": "›", "'": "'"}
OPENERS = {**DOUBLE_PAIRS, **SINGLE_PAIRS}
CLOSERS = set("”“»«\"’‘›'")
DOUBLE = set('“”„«»"')

# A quotation longer than this (characters) is a mark left open, not a quotation.
MAX_QUOTE_LENGTH = 3000
# Characters that may stand before an opening mark, or after a closing one, besides spaces.
OPEN_CONTEXT = "([{—–-/:;"
CLOSE_CONTEXT = ".,;:!?)]}—–-…/"


@dataclass(frozen=True)
class Quoted:
    """A passage between marks: offsets of its first and past its last character (the marks
    excluded), the marks themselves, and how deep it is nested in other quotations."""

    start: int
    end: int
    opening: str
    closing: str
    depth: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


def _is_space(char: str) -> bool:
    return char.isspace() or char == ""


def can_open(text: str, i: int) -> bool:
    """A mark at i opens: what follows is no space, what precedes is a space, the start of the
    text, an opening bracket or dash, or another opening mark."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if _is_space(after):
        return False
    return _is_space(before) or before in OPEN_CONTEXT or before in OPENERS


def can_close(text: str, i: int) -> bool:
    """A mark at i closes: what precedes is no space, and what follows is a space, the end of
    the text, punctuation or another closing mark."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if _is_space(before):
        return False
    return _is_space(after) or after in CLOSE_CONTEXT or after in CLOSERS


def is_apostrophe(text: str, i: int) -> bool:
    """’ or ' between letters (Russia’s, don't) or in a year ('90s) is an apostrophe."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return (before.isalnum() and after.isalpha()) or (after.isdigit() and not before.isalnum())


def paragraph_end(text: str, start: int, stop: int) -> int | None:
    """The end of the last character before the first paragraph break in text[start:stop]."""
    index = text.find("\n", start, stop)
    while index != -1:
        rest = text[index:stop]
        if rest.lstrip(" \t").startswith("\n") or not rest.strip():
            end = index
            while end > start and text[end - 1].isspace():
                end -= 1
            return end
        index = text.find("\n", index + 1, stop)
    return None


def pair(text: str) -> list[Quoted]:
    """Every quotation in `text`, in reading order, outer ones before the ones they hold."""
    found: list[Quoted] = []
    # The open quotations: (position of the mark, the mark, the marks that close it).
    stack: list[tuple[int, str, str]] = []
    for i, char in enumerate(text):
        if char not in OPENERS and char not in CLOSERS:
            continue
        if char in "’'" and is_apostrophe(text, i):
            continue
        closing = can_close(text, i)
        opening = can_open(text, i) and char in OPENERS
        # Close the innermost open quotation this mark can close, if any.
        if closing:
            for depth in range(len(stack) - 1, -1, -1):
                position, mark, closers = stack[depth]
                if char in closers and (char in DOUBLE) == (mark in DOUBLE):
                    if i - position - 1 <= MAX_QUOTE_LENGTH:
                        found.append(Quoted(position + 1, i, mark, char, depth))
                    del stack[depth:]  # what was opened inside and never closed is dropped
                    break
            else:
                closing = False
            if closing:
                continue
        if opening:
            same_kind = [entry for entry in stack if (entry[1] in DOUBLE) == (char in DOUBLE)]
            if same_kind:
                # A quotation of the same kind opened again: the last one ran to the end of its
                # paragraph (a multi-paragraph quotation reopens each paragraph), or was left
                # open by mistake.
                position, mark, _ = same_kind[-1]
                end = paragraph_end(text, position + 1, i)
                depth = stack.index(same_kind[-1])
                if end is not None and end - position - 1 <= MAX_QUOTE_LENGTH:
                    found.append(Quoted(position + 1, end, mark, "", depth))
                del stack[depth:]
            stack.append((i, char, OPENERS[char]))
    return sorted(found, key=lambda q: (q.start, -q.end))


def outermost(quotations: list[Quoted]) -> list[Quoted]:
    """The quotations that stand in no other one."""
    return [q for q in quotations if q.depth == 0]
