"""The review queue from the command line: list a source's candidates, and decide on them."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.dates import partial_date_display
from extraction import services
from extraction.models import QuoteCandidate, TroopFigureCandidate
from sources.models import Source

KINDS = {"quote": QuoteCandidate, "figure": TroopFigureCandidate}


class Command(BaseCommand):
    help = (
        "List a source's candidates in reading order (the default), or decide on them: "
        "--accept and --reject take candidate ids as the list prints them (quote-12, "
        "figure-3); --accept-above accepts every pending quote at or above a confidence; "
        "--extract proposes the candidates afresh first (with --accept-above, not with ids). "
        "Decisions are made as --user, and each is taken on its own: one refused does not "
        "undo the others."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The source's slug or id.")
        parser.add_argument("--extract", action="store_true", help="Propose candidates first.")
        parser.add_argument("--accept", nargs="+", default=[], metavar="ID")
        parser.add_argument("--reject", nargs="+", default=[], metavar="ID")
        parser.add_argument("--reason", default="", help="Why (required with --reject).")
        parser.add_argument("--accept-above", type=float, metavar="CONFIDENCE")
        parser.add_argument("--user", help="The researcher's username (required to decide).")

    def handle(self, *args, source, extract, accept, reject, reason, accept_above, user, **opts):
        source = self.source(source)
        deciding = bool(accept or reject or accept_above is not None)
        if reject and not reason.strip():
            raise CommandError("Say why with --reason: the reason is kept with the candidate.")
        if extract and (accept or reject):
            raise CommandError(
                "--extract replaces the pending candidates, and their ids with them: extract "
                "first, list the candidates, then accept or reject them by their new ids."
            )
        if accept_above is not None and not 0 <= accept_above <= 1:
            raise CommandError("--accept-above takes a confidence between 0 and 1.")
        researcher = self.researcher(user) if deciding else None
        # Every id is checked before anything is decided: a typo decides nothing.
        accepting = [self.candidate(source, key) for key in accept]
        rejecting = [self.candidate(source, key) for key in reject]
        if extract:
            summary = services.extract_source(source)
            self.stdout.write(
                f"Extracted: {summary.quotes} quotes, {summary.troop_figures} troop figures "
                f"proposed; {summary.kept} already decided, kept. {summary.message}".rstrip()
            )
        failures = 0
        for candidate in accepting:
            failures += self.decide(candidate, "accept", researcher)
        for candidate in rejecting:
            failures += self.decide(candidate, "reject", researcher, reason)
        if accept_above is not None:
            accepted, refused = services.accept_all(
                source, user=researcher, min_confidence=accept_above
            )
            self.stdout.write(f"Accepted {len(accepted)} quote(s) at or above {accept_above}.")
            for candidate, why in refused:
                self.stderr.write(f"quote-{candidate.pk}: not accepted: {why}")
            failures += len(refused)
        if not deciding:
            self.list(source)
        if failures:
            raise CommandError(f"{failures} decision(s) refused; the others were taken.")

    def source(self, given):
        found = Source.objects.filter(slug=given).first()
        if found is None and given.isdigit():
            found = Source.objects.filter(pk=int(given)).first()
        if found is None:
            raise CommandError(f"No source with slug or id {given!r}.")
        return found

    def researcher(self, username):
        if not username:
            raise CommandError("Say who decides with --user: decisions are recorded with a name.")
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc

    def candidate(self, source, key):
        kind, _, pk = key.partition("-")
        if kind not in KINDS or not pk.isdigit():
            raise CommandError(f"{key!r} is not a candidate id such as quote-12 or figure-3.")
        found = KINDS[kind].objects.filter(source=source, pk=int(pk)).first()
        if found is None:
            raise CommandError(f"No candidate {key} in source {source.slug}.")
        return found

    def decide(self, candidate, decision, user, reason="") -> int:
        key = f"{'quote' if isinstance(candidate, QuoteCandidate) else 'figure'}-{candidate.pk}"
        try:
            if decision == "reject":
                services.reject(candidate, user=user, reason=reason)
                self.stdout.write(f"{key}: rejected.")
            elif isinstance(candidate, QuoteCandidate):
                quote = services.accept_quote(candidate, user=user)
                self.stdout.write(f"{key}: accepted as draft quote {quote.pk}.")
            else:
                figure = services.accept_troop_figure(candidate, user=user)
                self.stdout.write(f"{key}: accepted as draft troop figure {figure.pk}.")
        except (services.ReviewRefused, ValidationError) as exc:
            self.stderr.write(f"{key}: refused: {services.refusal_message(exc)}")
            return 1
        return 0

    def list(self, source):
        quotes = QuoteCandidate.objects.filter(source=source).select_related("speaker")
        figures = TroopFigureCandidate.objects.filter(source=source)
        rows = sorted([*quotes, *figures], key=lambda c: (c.start, c.end))
        self.stdout.write(f"{source.title} ({source.slug}): {len(rows)} candidates")
        for c in rows:
            if isinstance(c, QuoteCandidate):
                who = c.speaker.name if c.speaker else f"new: {c.speaker_name or '?'}"
                said = partial_date_display(c, "said_on") or "date unknown"
                line = f"quote-{c.pk}  [{c.start}:{c.end}] {c.kind}, {who}, {said}: “{c.text}”"
            else:
                line = f"figure-{c.pk}  [{c.start}:{c.end}] {c}"
            self.stdout.write(f"{line}  ({c.status}, confidence {c.confidence:.2f})")
