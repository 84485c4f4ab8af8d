"""Scoring the extractor against curated quotes (`make eval-extraction`, docs/extraction.md).

Candidates and gold quotes are paired one to one: exact spans first, then, among the rest, the
pairs whose spans overlap most, as long as the overlap (the shared characters over the longer
span) is at least `MIN_OVERLAP`. On the pairs: the share of exact spans, and whether the
speaker, the kind, the date, the headline mark and the inferred-attribution mark agree. A date
is invented when the candidate gives one that the gold does not contain: a date where the gold
has none, or another day, month or year.
"""

import datetime
from dataclasses import dataclass, field

from core.dates import DatePrecision

MIN_OVERLAP = 0.5

# What others report, on their own data and measures (docs/extraction.md gives the sources).
PUBLISHED = [
    (
        "GenderGapTracker (English, spaCy rules + coreference)",
        "quote F1 0.837 (overlap >= 0.3)",
        "speaker accuracy 0.865",
    ),
    ("BBC Citron (trained on PARC 3.0)", "F1 ~0.83 (overlap), ~0.57 (exact spans)", ""),
    ("Quotebank", "about a third of its quotes have no speaker", ""),
]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    speaker: str | None
    kind: str
    said_on: datetime.date | None
    precision: str
    from_headline: bool = False
    attribution_inferred: bool = False


@dataclass
class Score:
    gold: int = 0
    candidates: int = 0
    matched: int = 0
    exact: int = 0
    speaker: int = 0
    kind: int = 0
    date: int = 0
    headline: int = 0  # from_headline agrees
    inferred: int = 0  # attribution_inferred agrees
    invented_dates: int = 0
    misses: list = field(default_factory=list)  # (source, gold span) not found
    extras: list = field(default_factory=list)  # (source, candidate span) not in the gold
    wrong: list = field(default_factory=list)  # (source, span, what, got, expected)

    def add(self, other: "Score"):
        counts = ("gold", "candidates", "matched", "exact", "speaker", "kind", "date")
        for name in (*counts, "headline", "inferred"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.invented_dates += other.invented_dates
        self.misses += other.misses
        self.extras += other.extras
        self.wrong += other.wrong

    @staticmethod
    def ratio(a, b):
        return a / b if b else 0.0

    @property
    def precision(self):
        return self.ratio(self.matched, self.candidates)

    @property
    def recall(self):
        return self.ratio(self.matched, self.gold)

    @property
    def f1(self):
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def exact_rate(self):
        return self.ratio(self.exact, self.matched)

    @property
    def exact_f1(self):
        p, r = self.ratio(self.exact, self.candidates), self.ratio(self.exact, self.gold)
        return 2 * p * r / (p + r) if p + r else 0.0


def overlap(a: Span, b: Span) -> float:
    shared = min(a.end, b.end) - max(a.start, b.start)
    return max(0, shared) / max(a.end - a.start, b.end - b.start)


def interval(value: datetime.date, precision: str) -> tuple[datetime.date, datetime.date]:
    if precision == DatePrecision.YEAR:
        return datetime.date(value.year, 1, 1), datetime.date(value.year, 12, 31)
    if precision == DatePrecision.MONTH:
        nxt = (value.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return value.replace(day=1), nxt - datetime.timedelta(days=1)
    return value, value


def invented(candidate: Span, gold: Span) -> bool:
    """The candidate states a date the gold does not support."""
    if candidate.said_on is None:
        return False
    if gold.said_on is None:
        return True
    c_first, c_last = interval(candidate.said_on, candidate.precision)
    g_first, g_last = interval(gold.said_on, gold.precision)
    # Less precise and containing the gold's date is not invented; anything else is.
    return not (c_first <= g_first and g_last <= c_last)


def score(source: str, candidates: list[Span], gold: list[Span]) -> Score:
    result = Score(gold=len(gold), candidates=len(candidates))
    free_candidates, free_gold = list(candidates), list(gold)
    pairs = []
    for g in list(free_gold):
        exact = next((c for c in free_candidates if (c.start, c.end) == (g.start, g.end)), None)
        if exact is not None:
            pairs.append((exact, g))
            free_candidates.remove(exact)
            free_gold.remove(g)
    ranked = sorted(
        ((overlap(c, g), c, g) for c in free_candidates for g in free_gold),
        key=lambda item: -item[0],
    )
    for share, c, g in ranked:
        if share < MIN_OVERLAP:
            break
        if c in free_candidates and g in free_gold:
            pairs.append((c, g))
            free_candidates.remove(c)
            free_gold.remove(g)
    for c, g in pairs:
        result.matched += 1
        span = (g.start, g.end)
        result.exact += (c.start, c.end) == span
        if c.speaker == g.speaker:
            result.speaker += 1
        else:
            result.wrong.append((source, span, "speaker", c.speaker, g.speaker))
        if c.kind == g.kind:
            result.kind += 1
        else:
            result.wrong.append((source, span, "kind", c.kind, g.kind))
        if (c.said_on, c.precision or "") == (g.said_on, g.precision or ""):
            result.date += 1
        for what, attribute in (
            ("headline", "from_headline"),
            ("inferred", "attribution_inferred"),
        ):
            if getattr(c, attribute) == getattr(g, attribute):
                setattr(result, what, getattr(result, what) + 1)
            else:
                result.wrong.append(
                    (source, span, what, getattr(c, attribute), getattr(g, attribute))
                )
        if invented(c, g):
            result.invented_dates += 1
            result.wrong.append((source, span, "invented date", c.said_on, g.said_on))
    result.misses += [(source, (g.start, g.end)) for g in free_gold]
    result.extras += [(source, (c.start, c.end)) for c in free_candidates]
    return result
