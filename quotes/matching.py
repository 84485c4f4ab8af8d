"""How two quotes' words are compared to find repeats of one statement (quotes.statements).

Everything is compared on `match_text()`: the words of a text, case-folded, without
punctuation or quotation marks of any kind, one space between words. Three methods, in the
order they are trusted:

- exact: the same match text;
- containment: one match text inside the other, on whole words ("direct confrontation" in
  "… to the level of direct confrontation"; "less" is not inside "regardless");
- similarity: near-verbatim wordings. On PostgreSQL pg_trgm's trigram similarity, through a
  GIN index (quotes.statements); elsewhere rapidfuzz's normalised Indel ratio (`similarity()`).

Pure functions: no models here, so that the Quote model can keep its match text up to date.
"""

import unicodedata

from rapidfuzz import fuzz

# Apostrophes inside a word join it ("don’t" and "dont" match); every other punctuation mark,
# quotation marks included, separates words.
APOSTROPHES = {"'", "\u2019", "\u2018", "\u02bc", "\u02b9", "`", "\u00b4", "\u2032"}

# Below this, a match text is too short to be found inside another (a letter, "no").
MIN_FRAGMENT_CHARS = 3


def match_text(text: str) -> str:
    """The words of `text` as the methods compare them: NFKC, case-folded, no punctuation or
    quotation marks (« » „ “ ” ‘ ’ ‹ › " ' …), whitespace folded to single spaces."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    out = []
    for index, char in enumerate(text):
        if char in APOSTROPHES:
            before = text[index - 1] if index else " "
            after = text[index + 1] if index + 1 < len(text) else " "
            # Inside a word it joins (don't); around a word it is a quotation mark.
            out.append("" if before.isalnum() and after.isalnum() else " ")
        elif unicodedata.category(char).startswith("P") or char.isspace():
            out.append(" ")
        else:
            out.append(char)
    return " ".join("".join(out).split())


def contains_words(longer: str, shorter: str) -> bool:
    """Whether match text `shorter` stands inside match text `longer` on whole words."""
    if not shorter or len(shorter) >= len(longer):
        return False
    return f" {shorter} " in f" {longer} "


def word_spans(text: str, max_words: int) -> set[str]:
    """Every run of 1 to `max_words` consecutive words of match text `text`, and `text` itself:
    the match texts a shorter quote would have if it stood inside this one."""
    words = text.split()
    runs = {text} if text else set()
    for start in range(len(words)):
        for length in range(1, min(max_words, len(words) - start) + 1):
            runs.add(" ".join(words[start : start + length]))
    return runs


def containment_score(longer: str, shorter: str) -> float:
    """How much of the longer text the shorter one covers (0 to 1)."""
    return len(shorter) / len(longer) if longer else 0.0


def similarity(a: str, b: str) -> float:
    """The near-verbatim score of two match texts where pg_trgm is not available: rapidfuzz's
    normalised Indel similarity (1 - edits / total length), from 0 to 1."""
    return fuzz.ratio(a, b) / 100
