"""Writes with rules for statements: suggesting them, confirming, dismissing, detaching.

Every way in (the admin, the commands, later the API) goes through these functions:

- `suggest_statements(quote)`: the quotes of the same speaker that say the same words
  (quotes.matching: exact, containment, similarity), proposed as `StatementSuggestion`s, with
  the quote another appearance of theirs, or of the statement they are in. Called where a quote
  is created or its words change (the quote admin; `manage.py suggest_statements`);
  `refresh_suggestions()` does every quote of a speaker, or all.
- `confirm(suggestion, ...)`: makes the statement, or adds the quote to it.
- `dismiss(suggestion, ...)`: keeps the decision, so the pair is not proposed again.
- `detach(quote, ...)`: the undo; the quote leaves its statement, and is not proposed for it
  again. The statement stays, with its history, even with no appearance left.

The rules: a statement's appearances are all its speaker's; a quote is in at most one
statement (its foreign key); each decision is kept in the histories with who and why.
"""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BigIntegerField, BooleanField, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import MD5, Cast
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from core.review import is_visible, mark_written
from quotes import matching
from quotes.models import (
    Quote,
    Statement,
    StatementSuggestion,
    SuggestionMethod,
    SuggestionStatus,
)
from quotes.models.statements import appearance_sort_key

# Near-verbatim: pg_trgm's similarity (PostgreSQL) or rapidfuzz's ratio (elsewhere) from which
# a pair is proposed. Set from the seeds so that the two engines propose the same pairs there
# (docs/statements.md); either is stricter than pg_trgm's default of 0.3, which pairs any two
# sentences about NATO and Russia.
TRIGRAM_THRESHOLD = 0.5
RATIO_THRESHOLD = 0.8
# At most this many near-verbatim matches per quote, the most similar first; and at most this
# many longer quotes a fragment stands in (a phrase in hundreds of quotes is a stock phrase).
SIMILAR_LIMIT = 20
CONTAINMENT_LIMIT = 50
# Near-verbatim needs words to compare: two short phrases that share a word are not one
# wording ("direct confrontation", "instrument of confrontation").
MIN_SIMILAR_WORDS = 4
# A shorter quote inside a new one is looked up by the runs of up to this many of its words.
# A longer fragment inside a quote made after it is found from the fragment's side
# (refresh_suggestions(), or suggest_statements() on the fragment).
MAX_FRAGMENT_WORDS = 12

# From this many characters, the longer quotes holding a text are found by their length
# (PostgreSQL; at 1M quotes the trigram index is the faster below it: docs/statements.md).
LONG_TEXT_CHARS = 100

METHOD_RANK = {
    SuggestionMethod.EXACT: 3,
    SuggestionMethod.CONTAINMENT: 2,
    SuggestionMethod.SIMILARITY: 1,
}


@dataclass(frozen=True)
class Match:
    """Another quote of the speaker that says the same words, and how it was found."""

    quote_id: int
    method: str
    score: float
    statement_id: int | None = None


@dataclass(frozen=True)
class _Row:
    pk: int
    match_text: str
    source_id: int
    start: int
    end: int
    statement_id: int | None


def _md5(text: str) -> str:
    # A lookup key, compared with PostgreSQL's md5(match_text): not a secret.
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def uses_trigrams() -> bool:
    """Whether near-verbatim matching runs in the database (pg_trgm) or in Python."""
    return connection.vendor == "postgresql"


def _rows(queryset) -> list[_Row]:
    fields = ("pk", "match_text", "source_id", "start", "end", "statement_id")
    return [_Row(*values) for values in queryset.values_list(*fields)]


def find_matches(quote) -> list[Match]:
    """The quotes of `quote`'s speaker that say its words, each once, by its best method.

    Every query is on the speaker's quotes and index-friendly on PostgreSQL: equality on
    md5(match_text), LIKE through the trigram GIN index (migration quotes 0010), a long
    text's containment by length and similarity by number of trigrams (quotes 0011).
    Left out: the quote's own span and any quote overlapping it in the same source (a sentence
    recorded inside a longer quotation is not a second appearance of it), and a quotation
    whose sentence recorded on its own is matched too (that sentence is the appearance).
    """
    text = quote.match_text or matching.match_text(quote.text)
    if not text:
        return []
    # No ordering (the model's would join the sources): the index answers, unsorted. The
    # speaker as a bigint, the column's type: btree_gin's operator class has no cross-type
    # equality, so an integer literal would leave the speaker out of the GIN index scan.
    speaker = Cast(Value(quote.speaker_id), BigIntegerField())
    others = Quote.objects.filter(speaker_id=speaker).exclude(pk=quote.pk).order_by()
    found: dict[int, tuple[str, float, _Row]] = {}

    def keep(row, method, score):
        if row.source_id == quote.source_id and row.start < quote.end and quote.start < row.end:
            return
        best = found.get(row.pk)
        if best is None or METHOD_RANK[method] > METHOD_RANK[best[0]]:
            found[row.pk] = (method, round(score, 3), row)

    # Exact, and the shorter quotes inside this one: equality on the runs of its words.
    keys = [_md5(run) for run in matching.word_spans(text, MAX_FRAGMENT_WORDS)]
    equal = others.annotate(match_key=MD5("match_text")).filter(match_key__in=keys)
    for row in _rows(equal):
        if row.match_text == text:
            keep(row, SuggestionMethod.EXACT, 1.0)
        elif len(row.match_text) >= matching.MIN_FRAGMENT_CHARS:
            keep(
                row,
                SuggestionMethod.CONTAINMENT,
                matching.containment_score(text, row.match_text),
            )
    # The longer quotes this one stands inside, on whole words.
    if len(text) >= matching.MIN_FRAGMENT_CHARS:
        for row in _rows(_containing(others, text)[:CONTAINMENT_LIMIT]):
            if matching.contains_words(row.match_text, text):
                keep(
                    row,
                    SuggestionMethod.CONTAINMENT,
                    matching.containment_score(row.match_text, text),
                )
    for row, score in _similar(others, text):
        keep(row, SuggestionMethod.SIMILARITY, score)
    return _prefer_nested(quote, found)


def _containing(others, text: str):
    """The quotes whose match text holds `text` (LIKE '%text%'). On PostgreSQL a long text is
    looked up by length instead (a B-tree on (speaker_id, length(match_text)), migration
    quotes 0011) and strpos(): the trigram GIN index reads every posting list of the text's
    trigrams over all speakers, hundreds of milliseconds for a long text at 1M quotes, while
    few quotes are as long. The same rows: a match text has no LIKE wildcard (punctuation is
    removed), and a text inside another is no longer than it."""
    if uses_trigrams() and len(text) >= LONG_TEXT_CHARS:
        return others.filter(
            RawSQL(
                "length(match_text) >= %s AND strpos(match_text, %s) > 0",
                [len(text), text],
                output_field=BooleanField(),
            )
        )
    return others.filter(match_text__contains=text)


def _similar(others, text: str) -> list[tuple[_Row, float]]:
    """Near-verbatim wordings: pg_trgm's similarity on PostgreSQL (the candidates found by
    their number of trigrams in a B-tree, migration quotes 0011), rapidfuzz elsewhere. Both
    sides have at least MIN_SIMILAR_WORDS words."""
    if len(text.split()) < MIN_SIMILAR_WORDS:
        return []
    long_enough = [
        row for row in _similar_rows(others, text) if _words(row[0]) >= MIN_SIMILAR_WORDS
    ]
    return long_enough


def _words(row) -> int:
    return len(row.match_text.split())


def _similar_rows(others, text: str) -> list[tuple[_Row, float]]:
    if uses_trigrams():
        from django.contrib.postgres.search import TrigramSimilarity

        # similarity() >= the threshold is what pg_trgm's `%` tests. Its trigram GIN scan
        # reads every posting list of the text's trigrams over all speakers (seconds at 1M
        # for a long text of common words), so the candidates come instead from a B-tree on
        # (speaker_id, number of trigrams) (migration quotes 0011): similarity = shared /
        # (n + m - shared) >= t needs t*n <= m <= n/t, a necessary condition, so the rows
        # found are the same; the bounds are folded to constants by the planner.
        bound = RawSQL(
            "cardinality(show_trgm(match_text)) BETWEEN "
            "floor(cardinality(show_trgm(%s)) * %s)::integer "
            "AND ceil(cardinality(show_trgm(%s)) / %s)::integer",
            [text, TRIGRAM_THRESHOLD, text, TRIGRAM_THRESHOLD],
            output_field=BooleanField(),
        )
        rows = (
            others.filter(bound)
            .annotate(similarity=TrigramSimilarity("match_text", Value(text)))
            .filter(similarity__gte=TRIGRAM_THRESHOLD)
            .order_by("-similarity", "pk")[:SIMILAR_LIMIT]
        )
        fields = ("pk", "match_text", "source_id", "start", "end", "statement_id", "similarity")
        return [(_Row(*values[:-1]), values[-1]) for values in rows.values_list(*fields)]
    scored = [(row, matching.similarity(text, row.match_text)) for row in _rows(others)]
    scored = [(row, score) for row, score in scored if score >= RATIO_THRESHOLD]
    scored.sort(key=lambda item: (-item[1], item[0].pk))
    return scored[:SIMILAR_LIMIT]


def _prefer_nested(quote, found) -> list[Match]:
    """Drop a matched quotation when a quote recorded inside it is matched too, or when a
    quote nested in `quote` itself holds the match: the nested one is the appearance."""
    # By source: a quote lies inside another of the same source only (hundreds of matches
    # for a prolific speaker's long quote, so not every pair).
    by_source: dict[int, list[_Row]] = {}
    for _method, _score, row in found.values():
        by_source.setdefault(row.source_id, []).append(row)

    def inside(inner: _Row, outer: _Row) -> bool:
        return (
            inner.source_id == outer.source_id
            and outer.start <= inner.start
            and inner.end <= outer.end
            and (inner.start, inner.end) != (outer.start, outer.end)
        )

    nested_in_quote = [
        text
        for text in Quote.objects.filter(
            speaker_id=quote.speaker_id,
            source_id=quote.source_id,
            start__gte=quote.start,
            end__lte=quote.end,
        )
        .exclude(pk=quote.pk)
        .order_by()
        .values_list("match_text", flat=True)
    ]
    matches = []
    for pk, (method, score, row) in sorted(found.items()):
        if any(inside(other, row) for other in by_source[row.source_id] if other.pk != pk):
            continue
        if any(
            n == row.match_text or matching.contains_words(n, row.match_text)
            for n in nested_in_quote
        ):
            continue
        matches.append(Match(pk, method, score, row.statement_id))
    return matches


# -- proposing ---------------------------------------------------------------------------


def _target(quote, match):
    """What a match proposes, as (suggestion's quote, other quote, statement), or None when
    there is nothing to decide (both in one statement, or each in its own)."""
    if quote.statement_id and match.statement_id:
        return None
    if quote.statement_id:
        return (match.quote_id, None, quote.statement_id)
    if match.statement_id:
        return (quote.pk, None, match.statement_id)
    low, high = sorted((quote.pk, match.quote_id))
    return (low, high, None)


def _proposals(quotes) -> dict[tuple, tuple[str, float, set[int]]]:
    """{(quote, other quote, statement): (method, score, the quotes matched)} for `quotes`."""
    proposals: dict[tuple, tuple[str, float, set[int]]] = {}
    for quote in quotes:
        for match in find_matches(quote):
            target = _target(quote, match)
            if target is None:
                continue
            matched = {quote.pk, match.quote_id}
            best = proposals.get(target)
            if best is not None:
                matched |= best[2]
            if best is None or (METHOD_RANK[match.method], match.score) > (
                METHOD_RANK[best[0]],
                best[1],
            ):
                proposals[target] = (match.method, match.score, matched)
            else:
                proposals[target] = (best[0], best[1], matched)
    return proposals


def _key(suggestion) -> tuple:
    return (suggestion.quote_id, suggestion.other_quote_id, suggestion.statement_id)


def _sync(proposals, existing, withdrawable) -> list[StatementSuggestion]:
    """Make the suggestions agree with `proposals`: new pairs proposed, pending ones updated,
    and the pending ones that `withdrawable` accepts withdrawn when no longer proposed; decided
    ones are left alone. A pair is not proposed when it was dismissed, or, for a statement,
    when the quote was dismissed from a pairing with one of the appearances it matched.

    `existing`: every suggestion that names a quote of the proposals or in scope.
    """
    by_key = {_key(s): s for s in existing}
    dismissed = {_key(s) for s in existing if s.status == SuggestionStatus.DISMISSED}
    made = []
    for key, (method, score, matched) in proposals.items():
        quote_id, _other_id, statement_id = key
        blocked = key in dismissed or (
            statement_id is not None
            and any((*sorted((quote_id, m)), None) in dismissed for m in matched if m != quote_id)
        )
        suggestion = by_key.get(key)
        if suggestion is not None:
            pending = suggestion.status == SuggestionStatus.PENDING and not blocked
            if pending and (suggestion.method, suggestion.score) != (method, score):
                suggestion.method, suggestion.score = method, score
                suggestion.save(update_fields=["method", "score", "updated_at"])
            continue
        if blocked:
            continue
        suggestion = StatementSuggestion(
            quote_id=quote_id,
            other_quote_id=_other_id,
            statement_id=statement_id,
            method=method,
            score=score,
        )
        # The fields' own rules, in Python. Not asked of the database one row at a time (a
        # query per foreign key and per constraint, hundreds of suggestions for a quote of a
        # prolific speaker): the quotes and statements were just read, a pair proposed once
        # is unique among `existing`, and the table's own constraints still hold every row.
        suggestion.full_clean(
            exclude=["quote", "other_quote", "statement", "decided_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        made.append(suggestion)
    # One INSERT for the suggestions and one for their history (who, when: as save() would).
    bulk_create_with_history(made, StatementSuggestion)
    stale = [
        s.pk
        for key, s in by_key.items()
        if s.status == SuggestionStatus.PENDING and key not in proposals and withdrawable(s)
    ]
    StatementSuggestion.objects.filter(pk__in=stale).delete()
    return made


def _suggestions_naming(quote_ids) -> list[StatementSuggestion]:
    # Unordered: the model's ordering joins the quotes and speakers for nothing here.
    return list(
        StatementSuggestion.objects.filter(
            Q(quote_id__in=quote_ids) | Q(other_quote_id__in=quote_ids)
        ).order_by()
    )


@transaction.atomic
def suggest_statements(quote) -> list[StatementSuggestion]:
    """Propose `quote` as another appearance of what its speaker's other quotes say (or of the
    statement they are in), and withdraw its pending suggestions that no longer hold (its words
    changed). Returns the suggestions made."""
    proposals = _proposals([quote])
    named = {quote.pk} | {m for _method, _score, matched in proposals.values() for m in matched}
    return _sync(
        proposals,
        _suggestions_naming(named),
        withdrawable=lambda s: quote.pk in (s.quote_id, s.other_quote_id),
    )


@transaction.atomic
def refresh_suggestions(*, speaker=None) -> list[StatementSuggestion]:
    """Propose afresh for every quote (of `speaker`, or of everyone): new pairs proposed,
    pending ones that no longer hold withdrawn, decisions kept. Returns the suggestions made."""
    quotes = Quote.objects.order_by("speaker_id", "pk")
    if speaker is not None:
        quotes = quotes.filter(speaker=speaker)
    fields = ("speaker_id", "source_id", "start", "end", "text", "match_text", "statement_id")
    quotes = list(quotes.only(*fields))
    return _sync(
        _proposals(quotes),
        _suggestions_naming([q.pk for q in quotes]),
        withdrawable=lambda s: True,
    )


# -- deciding ----------------------------------------------------------------------------


def _refuse(message: str, field: str | None = None):
    raise ValidationError({field: message} if field else message)


def _pending(suggestion) -> StatementSuggestion:
    locked = StatementSuggestion.objects.select_for_update().filter(pk=suggestion.pk).first()
    if locked is None:
        _refuse("This suggestion no longer exists: the quotes' words changed since.")
    if locked.status != SuggestionStatus.PENDING:
        _refuse(f"This suggestion was already {locked.get_status_display().lower()}.")
    return locked


def _decide(suggestion, status, *, user, reason):
    suggestion.status = status
    suggestion.decided_by = user if getattr(user, "pk", None) else None
    suggestion.decided_at = timezone.now()
    suggestion.reason = (reason or "").strip()
    suggestion.full_clean()
    mark_written(suggestion, user=user, reason=_history_reason(reason))
    suggestion.save()


def _history_reason(reason: str) -> str:
    # simple-history's change reason is a column of 100 characters (core.review).
    reason = (reason or "").strip()
    return reason if len(reason) <= 100 else f"{reason[:99]}…"


def _join(quote, statement, *, user, reason):
    """Make `quote` an appearance of `statement`, refusing another speaker's quote or a quote
    already in another statement."""
    if quote.speaker_id != statement.speaker_id:
        _refuse(
            f"“{quote.text_preview}” is {quote.speaker}'s and the statement is "
            f"{statement.speaker}'s: every appearance of a statement is its speaker's.",
            "statement",
        )
    if quote.statement_id == statement.pk:
        return
    if quote.statement_id is not None:
        _refuse(
            f"“{quote.text_preview}” is already an appearance of another statement "
            f"(“{quote.statement.text_preview}”): a quote is in one statement at most. Detach "
            "it from that one first.",
            "statement",
        )
    quote.statement = statement
    quote.full_clean()
    mark_written(quote, user=user, reason=_history_reason(reason))
    quote.save(update_fields=["statement", "updated_at"])


def unique_slug(text: str) -> str:
    """A slug for a new statement, from its words, unique among statements."""
    base = slugify(" ".join(matching.match_text(text).split()[:8]))[:80] or "statement"
    slug, n = base, 2
    while Statement.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _new_statement(quotes, *, user, reason) -> Statement:
    # The first appearance's wording, among those the public may read when there are any: a
    # draft's words must not reach the public through the statement's text.
    public = [quote for quote in quotes if is_visible(quote, None)]
    first = min(public or quotes, key=appearance_sort_key)
    statement = Statement(
        speaker_id=first.speaker_id,
        slug=unique_slug(first.text),
        text=" ".join(first.text.split()),
    )
    statement.full_clean()
    mark_written(statement, user=user, reason=_history_reason(reason))
    statement.save()
    return statement


def _locked_quotes(*pks) -> list:
    rows = Quote.objects.select_for_update(of=("self",)).filter(pk__in=pks)
    by_pk = {q.pk: q for q in rows.select_related("source", "speaker", "statement")}
    return [by_pk[pk] for pk in pks]


@transaction.atomic
def confirm(suggestion, *, user, reason: str = "") -> Statement:
    """Confirm `suggestion`: its quote joins the statement, or the two quotes make one (or the
    one joins the statement the other is in by now). Returns the statement."""
    suggestion = _pending(suggestion)
    why = reason.strip() or f"Confirmed statement suggestion {suggestion.pk}."
    if suggestion.statement_id is not None:
        [quote] = _locked_quotes(suggestion.quote_id)
        statement = Statement.objects.select_for_update().get(pk=suggestion.statement_id)
        _join(quote, statement, user=user, reason=why)
    else:
        quote, other = _locked_quotes(suggestion.quote_id, suggestion.other_quote_id)
        if quote.speaker_id != other.speaker_id:
            _refuse(
                f"The two quotes are two speakers' ({quote.speaker}, {other.speaker}): a "
                "statement is one speaker's.",
                "statement",
            )
        if quote.statement_id and other.statement_id and quote.statement_id != other.statement_id:
            _refuse(
                "The two quotes are each in a statement of their own: a quote is in one "
                "statement at most. Detach one of them first.",
                "statement",
            )
        statement = quote.statement or other.statement
        if statement is None:
            statement = _new_statement([quote, other], user=user, reason=why)
        for member in (quote, other):
            _join(member, statement, user=user, reason=why)
    _decide(suggestion, SuggestionStatus.CONFIRMED, user=user, reason=reason)
    _withdraw_settled(statement)
    return statement


def _withdraw_settled(statement):
    """Withdraw the pending suggestions that the statement now settles: two of its
    appearances, or one of them and the statement itself."""
    members = list(statement.appearances.values_list("pk", flat=True))
    StatementSuggestion.objects.pending().filter(
        Q(quote_id__in=members, other_quote_id__in=members)
        | Q(quote_id__in=members, statement=statement)
    ).delete()


@transaction.atomic
def dismiss(suggestion, *, user, reason: str) -> StatementSuggestion:
    """Dismiss `suggestion`, saying why: the pair is kept, and not proposed again."""
    if not (reason or "").strip():
        _refuse("Say why the suggestion is dismissed: the reason is kept with your name.", "reason")
    suggestion = _pending(suggestion)
    _decide(suggestion, SuggestionStatus.DISMISSED, user=user, reason=reason)
    return suggestion


@transaction.atomic
def detach(quote, *, user, reason: str) -> Statement:
    """Undo: `quote` is no longer an appearance of its statement. The quote's history keeps
    the change with `user` and `reason`; the pairing is recorded as dismissed (a confirmed
    suggestion of it is turned so), so that it is not proposed again. The statement stays,
    even without appearances: its history and decisions hang on it. Returns the statement."""
    if not (reason or "").strip():
        _refuse(
            "Say why the quote leaves its statement: the reason is kept with your name.", "reason"
        )
    [quote] = _locked_quotes(quote.pk)
    statement = quote.statement
    if statement is None:
        _refuse(f"“{quote.text_preview}” is not an appearance of any statement.", "statement")
    quote.statement = None
    quote.full_clean()
    mark_written(quote, user=user, reason=_history_reason(reason))
    quote.save(update_fields=["statement", "updated_at"])
    record = StatementSuggestion.objects.filter(quote=quote, statement=statement).first()
    if record is None:
        record = StatementSuggestion(
            quote=quote, statement=statement, method=SuggestionMethod.CURATED
        )
    _decide(record, SuggestionStatus.DISMISSED, user=user, reason=f"Detached: {reason.strip()}")
    # Its pending suggestions with the statement's other appearances would bring it back.
    members = list(statement.appearances.values_list("pk", flat=True))
    StatementSuggestion.objects.pending().filter(
        Q(quote=quote, other_quote_id__in=members) | Q(other_quote=quote, quote_id__in=members)
    ).delete()
    return statement
