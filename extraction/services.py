"""Writes with rules: extracting a source's candidates, and accepting or rejecting them.

Every way in (the admin's review queue, the API, the commands) goes through these functions, so
that a candidate is accepted, rejected or proposed again the same way everywhere.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from core.dates import latest_today
from core.review import ReviewStatus
from extraction.extractor import EXTRACTOR_VERSION, Extractor
from extraction.models import CandidateStatus, QuoteCandidate, TroopFigureCandidate
from quotes.models import Quote, Speaker, TroopFigure
from quotes.statements import suggest_statements
from sources.models import Citation


@dataclass
class ExtractionSummary:
    """What extracting a source did."""

    quotes: int = 0
    troop_figures: int = 0
    kept: int = 0  # candidates already decided, left as they are and not proposed again
    already_quoted: int = 0  # spans that are already a quote
    message: str = ""
    errors: list[str] = field(default_factory=list)


def extract_source(source, extractor: Extractor | None = None) -> ExtractionSummary:
    """Propose the source's candidates afresh. Pending ones are replaced, unless a researcher
    has edited them; those, and accepted and rejected ones, are kept, and nothing that overlaps
    them is proposed again; nor is anything that overlaps a quote of the source."""
    # The extraction itself (the language model, up to a second for its first load) runs
    # before the transaction: on SQLite a transaction holds the database's one write lock
    # from its start (IMMEDIATE), and other writers would wait for all of it.
    extractor = extractor or Extractor.from_database()
    result = extractor.extract(
        source.text,
        published_on=source.published_on,
        precision=source.published_on_precision or None,
    )
    with transaction.atomic():
        return _propose(source, result)


def _propose(source, result) -> ExtractionSummary:
    summary = ExtractionSummary(message=result.message)
    for model in (QuoteCandidate, TroopFigureCandidate):
        model.objects.filter(source=source).pending().exclude(
            pk__in=_edited(model, source)
        ).delete()
    decided = list(QuoteCandidate.objects.filter(source=source).values_list("start", "end"))
    quoted = list(Quote.objects.filter(source=source).values_list("start", "end"))
    speakers = {s.slug: s for s in Speaker.objects.filter(slug__in=_slugs(result.quotes))}
    for proposal in result.quotes:
        span = (proposal.start, proposal.end)
        if _overlaps(span, decided):
            summary.kept += 1
            continue
        if _overlaps(span, quoted):
            summary.already_quoted += 1
            continue
        candidate = QuoteCandidate(
            source=source,
            start=proposal.start,
            end=proposal.end,
            text=proposal.text,
            kind=proposal.kind,
            cue=proposal.cue,
            cue_start=proposal.cue_start,
            cue_end=proposal.cue_end,
            verb=proposal.verb[:50],
            confidence=proposal.confidence,
            from_headline=proposal.from_headline,
            attribution_inferred=proposal.attribution_inferred,
            note=proposal.note,
            extractor_version=EXTRACTOR_VERSION,
        )
        if proposal.speaker is not None:
            candidate.speaker = speakers.get(proposal.speaker.slug or "")
            candidate.speaker_name = proposal.speaker.name[:200]
            candidate.speaker_role = proposal.speaker.role[:200]
            candidate.speaker_match = proposal.speaker.how[:50]
        if proposal.said_on is not None and proposal.said_on.value <= latest_today():
            # (A date after today is words about the future, "will meet on 5 May": not when
            # the quotation was said.)
            candidate.said_on = proposal.said_on.value
            candidate.said_on_precision = proposal.said_on.precision
            candidate.said_on_inferred = proposal.said_on.inferred
            candidate.said_on_note = proposal.said_on.note
        if proposal.event:
            candidate.event_id = _event_id(proposal.event)
        candidate.full_clean()
        candidate.save()
        if proposal.treaties:
            candidate.treaties.set(_treaty_ids(proposal.treaties))
        decided.append(span)
        summary.quotes += 1
    decided_figures = {
        (figure.start, figure.end, figure.count): figure
        for figure in TroopFigureCandidate.objects.filter(source=source)
    }
    made, proposed = [], {}
    for proposal in result.troop_figures:
        key = (proposal.start, proposal.end, proposal.count)
        if key in decided_figures or key in proposed:
            # Decided (or edited) before: kept as it is, and still the whole its parts are
            # part of. Proposed just now: the same count twice in one sentence; the first
            # stands, for itself and for the parts that follow it.
            summary.kept += key in decided_figures
            made.append(decided_figures.get(key) or proposed[key])
            continue
        figure = TroopFigureCandidate(
            source=source,
            start=proposal.start,
            end=proposal.end,
            text=proposal.text,
            count=proposal.count,
            unit=proposal.unit[:50],
            location=proposal.location[:200],
            contributing_country=proposal.contributing_country,
            confidence=proposal.confidence,
            extractor_version=EXTRACTOR_VERSION,
        )
        if proposal.as_of is not None:
            figure.as_of = proposal.as_of.value
            figure.as_of_precision = proposal.as_of.precision
            figure.as_of_inferred = proposal.as_of.inferred
            figure.as_of_note = proposal.as_of.note
        if proposal.part_of is not None and made[proposal.part_of] is not None:
            figure.part_of = made[proposal.part_of]
        try:
            with transaction.atomic():
                figure.full_clean()
                figure.save()
        except (ValidationError, IntegrityError) as exc:
            summary.errors.append(f"troop figure at {proposal.start}: {exc}")
            made.append(None)
            continue
        made.append(figure)
        proposed[key] = figure
        summary.troop_figures += 1
    return summary


def _edited(model, source):
    """The source's pending candidates a researcher has changed since they were proposed."""
    changes = model.history.filter(source_id=source.pk, history_type="~")
    return changes.values_list("id", flat=True)


def _overlaps(span, spans) -> bool:
    start, end = span
    return any(start < other_end and other_start < end for other_start, other_end in spans)


def overlapping_quote(source, start, end):
    """A quote of `source` whose span overlaps start–end, if any."""
    return (
        Quote.objects.filter(source=source, start__lt=end, end__gt=start).order_by("start").first()
    )


def _slugs(proposals):
    return {p.speaker.slug for p in proposals if p.speaker and p.speaker.slug}


def _event_id(slug):
    from quotes.models import Event

    return Event.objects.filter(slug=slug).values_list("pk", flat=True).first()


def _treaty_ids(slugs):
    from quotes.models import Treaty

    return list(Treaty.objects.filter(slug__in=slugs).values_list("pk", flat=True))


class ReviewRefused(ValueError):
    """A decision that cannot be taken, in words a researcher can act on."""


def _check_pending(candidate):
    if candidate.status != CandidateStatus.PENDING:
        raise ReviewRefused(f"This candidate is already {candidate.get_status_display().lower()}.")


def _speaker_for(candidate) -> Speaker:
    """The candidate's speaker: the known one, or a new speaker as the text names them."""
    if candidate.speaker is not None:
        return candidate.speaker
    name = candidate.speaker_name.strip()
    if not name:
        raise ReviewRefused("Say who the speaker is (choose one, or give a name) before accepting.")
    existing = Speaker.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    base = slugify(name)[:90] or "speaker"
    slug, n = base, 2
    while Speaker.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    speaker = Speaker(name=name, slug=slug, kind="person", role=candidate.speaker_role)
    speaker.full_clean()
    speaker.save()
    return speaker


def attribution_note(candidate) -> str:
    """The draft quote's attribution note, from the candidate's cue."""
    parts = []
    if candidate.cue:
        parts.append(f"Cue: “{candidate.cue}”.")
    if candidate.from_headline:
        parts.append("A headline's words, given to the speaker the body quotes with them.")
    if candidate.note:
        parts.append(candidate.note)
    if candidate.speaker_match:
        parts.append(f"Speaker proposed by {candidate.speaker_match}.")
    return " ".join(parts)


@transaction.atomic
def accept_quote(candidate: QuoteCandidate, *, user) -> Quote:
    """Make the candidate a draft quote with its verified span and its attribution note."""
    candidate = QuoteCandidate.objects.select_for_update().get(pk=candidate.pk)
    _check_pending(candidate)
    source = candidate.source
    existing = overlapping_quote(source, candidate.start, candidate.end)
    if existing is not None:
        raise ReviewRefused(
            f"Its span overlaps quote {existing.pk} (characters {existing.start}–{existing.end}, "
            f"“{existing.text_preview}”): edit the candidate's words, or reject it."
        )
    speaker = _speaker_for(candidate)
    quote = Quote(
        source=source,
        start=candidate.start,
        end=candidate.end,
        text=candidate.text,
        speaker=speaker,
        kind=candidate.kind,
        said_on=candidate.said_on,
        said_on_precision=candidate.said_on_precision,
        said_on_inferred=candidate.said_on_inferred,
        said_on_note=candidate.said_on_note,
        event=candidate.event,
        language=source.language if source.language != "und" else "en",
        is_translation=bool(source.original_language),
        original_language=source.original_language,
        attribution_note=attribution_note(candidate),
        attribution_inferred=candidate.attribution_inferred,
        from_headline=candidate.from_headline,
        status=ReviewStatus.DRAFT,
    )
    quote.full_clean()
    quote._change_reason = f"Accepted from extraction candidate {candidate.pk}"
    quote.save()
    quote.treaties.set(candidate.treaties.all())
    candidate.quote = quote
    candidate.speaker = speaker
    _decide(candidate, CandidateStatus.ACCEPTED, user)
    # What the new quote may repeat is proposed where it is made, in the same transaction.
    suggest_statements(quote)
    return quote


@transaction.atomic
def accept_troop_figure(candidate: TroopFigureCandidate, *, user) -> TroopFigure:
    """Make the candidate a draft troop figure citing its span."""
    candidate = TroopFigureCandidate.objects.select_for_update().get(pk=candidate.pk)
    _check_pending(candidate)
    parent = candidate.part_of.troop_figure if candidate.part_of_id else None
    base = slugify(f"{candidate.source.slug[:60]}-{candidate.count}")[:90]
    slug, n = base, 2
    while TroopFigure.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    figure = TroopFigure(
        slug=slug,
        count=candidate.count,
        unit=candidate.unit,
        contributing_country=candidate.contributing_country,
        location=candidate.location or "unknown",
        as_of=candidate.as_of,
        as_of_precision=candidate.as_of_precision,
        as_of_inferred=candidate.as_of_inferred,
        as_of_note=candidate.as_of_note,
        parent=parent,
        status=ReviewStatus.DRAFT,
    )
    figure.full_clean()
    figure._change_reason = f"Accepted from extraction candidate {candidate.pk}"
    figure.save()
    citation, _ = Citation.objects.get_or_create(
        source=candidate.source,
        start=candidate.start,
        end=candidate.end,
        defaults={"text": candidate.text},
    )
    figure.citations.set([citation])
    # Its parts accepted before it become its parts now.
    for part in TroopFigure.objects.filter(
        candidate__part_of=candidate, parent__isnull=True
    ).select_for_update():
        part.parent = figure
        part.full_clean()
        part._change_reason = f"Its whole accepted from extraction candidate {candidate.pk}"
        part.save()
    candidate.troop_figure = figure
    _decide(candidate, CandidateStatus.ACCEPTED, user)
    return figure


@transaction.atomic
def reject(candidate, *, user, reason: str):
    """Reject the candidate, saying why; it is kept, and not proposed again."""
    candidate = type(candidate).objects.select_for_update().get(pk=candidate.pk)
    _check_pending(candidate)
    if not (reason or "").strip():
        raise ReviewRefused("Say why it is rejected: the reason is kept with the candidate.")
    candidate.rejection_reason = reason.strip()
    _decide(candidate, CandidateStatus.REJECTED, user)
    return candidate


def accept_all(source, *, user, min_confidence: float) -> tuple[list, list[tuple]]:
    """Accept every pending quote candidate of `source` at or above `min_confidence`; each in
    its own transaction. Returns (the quotes made, [(candidate, why it was not accepted)])."""
    accepted, refused = [], []
    pending = QuoteCandidate.objects.filter(source=source, confidence__gte=min_confidence).pending()
    for candidate in pending.in_reading_order():
        try:
            accepted.append(accept_quote(candidate, user=user))
        except (ReviewRefused, ValidationError) as exc:
            refused.append((candidate, refusal_message(exc)))
    return accepted, refused


def _decide(candidate, status, user):
    candidate.status = status
    candidate.reviewed_by = user if getattr(user, "pk", None) else None
    candidate.reviewed_at = timezone.now()
    candidate._change_reason = f"{status.label} by review"
    candidate.save()


def refusal_message(exc) -> str:
    """Why a decision was refused, in one line (a ReviewRefused, or the model's own checks)."""
    if isinstance(exc, ValidationError):
        return (
            "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
            )
            if hasattr(exc, "message_dict")
            else " ".join(exc.messages)
        )
    return str(exc)
