"""Score the extractor on the curated sources, their quotes as the gold (make eval-extraction)."""

from django.core.management.base import BaseCommand, CommandError

from extraction.evaluation import MIN_OVERLAP, PUBLISHED, Score, Span, score
from extraction.extractor import Extractor
from quotes.models import Quote
from sources.models import Source

TARGETS = [
    ("quote recall", "recall", 0.95),
    ("quote precision", "precision", 0.90),
    ("exact-span rate", "exact_rate", 0.90),
    ("speaker accuracy", "speaker_accuracy", 0.95),
]


def nested_in_another(quote) -> bool:
    """A sentence recorded inside a longer quotation of the same speaker, as the appearance of
    a statement (docs/statements.md): the extractor proposes the quotation, not it."""
    return (
        Quote.objects.filter(
            source_id=quote.source_id,
            speaker_id=quote.speaker_id,
            start__lte=quote.start,
            end__gte=quote.end,
        )
        .exclude(pk=quote.pk)
        .exists()
    )


class Command(BaseCommand):
    help = (
        "Extract the candidates of every curated source (those with a seed file) and score "
        "them against the source's curated quotes: precision, recall and F1 with exact spans "
        "and with overlapping ones, and speaker, kind and date accuracy on the matched quotes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--details", action="store_true", help="List each miss and error.")
        parser.add_argument(
            "--check", action="store_true", help="Exit 1 when a target is missed (for CI)."
        )

    def handle(self, *args, details, check, **options):
        sources = Source.objects.exclude(seed_file="").order_by("seed_file")
        if not sources:
            raise CommandError("No curated sources: run manage.py seed first.")
        extractor = Extractor.from_database()
        total = Score()
        for source in sources:
            result = extractor.extract(
                source.text,
                published_on=source.published_on,
                precision=source.published_on_precision or None,
            )
            candidates = [
                Span(
                    c.start,
                    c.end,
                    c.speaker.slug if c.speaker else None,
                    c.kind,
                    c.said_on.value if c.said_on else None,
                    c.said_on.precision if c.said_on else "",
                    c.from_headline,
                    c.attribution_inferred,
                )
                for c in result.quotes
            ]
            gold = [
                Span(
                    q.start,
                    q.end,
                    q.speaker.slug,
                    q.kind,
                    q.said_on,
                    q.said_on_precision,
                    q.from_headline,
                    q.attribution_inferred,
                )
                for q in Quote.objects.filter(source=source).select_related("speaker")
                if not nested_in_another(q)
            ]
            total.add(score(source.slug, candidates, gold))
        speaker_accuracy = total.ratio(total.speaker, total.matched)
        self.stdout.write(
            f"Extraction on {len(sources)} curated sources: {total.gold} curated quotes, "
            f"{total.candidates} candidates, {total.matched} matched (overlap >= {MIN_OVERLAP})."
        )
        rows = [
            ("quote precision (overlap)", total.precision),
            ("quote recall (overlap)", total.recall),
            ("quote F1 (overlap)", total.f1),
            ("quote F1 (exact spans)", total.exact_f1),
            ("exact-span rate of matches", total.exact_rate),
            ("speaker accuracy (matched)", speaker_accuracy),
            ("kind accuracy (matched)", total.ratio(total.kind, total.matched)),
            ("date accuracy (matched)", total.ratio(total.date, total.matched)),
            ("headline marks (matched)", total.ratio(total.headline, total.matched)),
            ("inferred attribution (matched)", total.ratio(total.inferred, total.matched)),
        ]
        for name, value in rows:
            self.stdout.write(f"  {name:<30} {value:6.3f}")
        self.stdout.write(f"  {'invented dates':<30} {total.invented_dates:6d}")
        self.stdout.write("Published figures (their own data and measures):")
        for system, quotes, speakers in PUBLISHED:
            self.stdout.write(f"  {system}: {quotes}" + (f"; {speakers}" if speakers else ""))
        values = {
            "recall": total.recall,
            "precision": total.precision,
            "exact_rate": total.exact_rate,
            "speaker_accuracy": speaker_accuracy,
        }
        missed = [name for name, key, target in TARGETS if values[key] < target]
        if total.invented_dates:
            missed.append("no invented date")
        self.stdout.write(
            "Targets: "
            + ", ".join(f"{name} >= {target}" for name, _, target in TARGETS)
            + ", no invented date: "
            + ("all met." if not missed else f"missed: {', '.join(missed)}.")
        )
        if details:
            for source, span in total.misses:
                self.stdout.write(f"  missed  {source} {span}")
            for source, span in total.extras:
                self.stdout.write(f"  extra   {source} {span}")
            for source, span, what, got, expected in total.wrong:
                self.stdout.write(f"  {what:<8} {source} {span}: {got!r}, curated {expected!r}")
        if check and missed:
            raise CommandError("Extraction targets missed: " + ", ".join(missed))
