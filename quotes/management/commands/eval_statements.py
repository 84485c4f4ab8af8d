"""Score the statement suggestions on the curated seeds (make eval-statements)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from quotes import statements
from quotes.evaluation import score
from quotes.models import Quote, Statement, StatementSuggestion

# Set from what the suggestions achieve on the seeds (docs/statements.md), a little below it.
# Every curated statement must be found: those the issue names, and the others.
TARGETS = [
    ("statements found", "statement_recall", 1.0),
    ("pair recall", "pair_recall", 0.85),
    ("pair precision", "pair_precision", 0.9),
    ("suggestion precision", "suggestion_precision", 0.9),
]


class Command(BaseCommand):
    help = (
        "Make the statement suggestions from scratch (every quote out of its statement, no "
        "suggestion) and score them against the curated statements: pair precision and "
        "recall of the groups confirming them would make, the suggestions' own precision, and "
        "the statements found. Writes nothing: the run is rolled back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--details", action="store_true", help="List misses and errors.")
        parser.add_argument(
            "--check", action="store_true", help="Exit 1 when a target is missed (for CI)."
        )

    def handle(self, *args, details, check, **options):
        gold = {}
        for pk, slug in Quote.objects.filter(statement__isnull=False).values_list(
            "pk", "statement__slug"
        ):
            gold.setdefault(slug, set()).add(pk)
        if not gold:
            raise CommandError("No curated statements: run manage.py seed first.")
        with transaction.atomic():
            Quote.objects.update(statement=None)
            StatementSuggestion.objects.all().delete()
            Statement.objects.all().delete()
            statements.refresh_suggestions()
            made = list(
                StatementSuggestion.objects.values_list("quote_id", "other_quote_id", "method")
            )
            texts = dict(Quote.objects.values_list("pk", "match_text"))
            transaction.set_rollback(True)
        result = score(gold, made)
        engine = "pg_trgm" if statements.uses_trigrams() else "rapidfuzz"
        self.stdout.write(
            f"Statement suggestions on the seeds (near-verbatim by {engine}): "
            f"{result.statements} curated statements, {result.gold_pairs} curated pairs; "
            f"{result.suggestions} suggestions, {result.predicted_pairs} pairs grouped."
        )
        rows = [
            ("pair precision", result.pair_precision),
            ("pair recall", result.pair_recall),
            ("pair F1", result.pair_f1),
            ("suggestion precision", result.suggestion_precision),
            ("statements found", result.statement_recall),
            ("statements complete", result.ratio(result.complete, result.statements)),
        ]
        for name, value in rows:
            self.stdout.write(f"  {name:<22} {value:6.3f}")
        for method, (total, correct) in sorted(result.by_method.items()):
            self.stdout.write(f"  by {method:<19} {correct}/{total} right")
        missed = [name for name, key, target in TARGETS if getattr(result, key) < target]
        self.stdout.write(
            "Targets: "
            + ", ".join(f"{name} >= {target}" for name, _key, target in TARGETS)
            + ": "
            + ("all met." if not missed else f"missed: {', '.join(missed)}.")
        )
        if details:
            for name, pks in result.missed:
                words = "; ".join(f"“{texts[pk][:50]}”" for pk in pks)
                self.stdout.write(f"  not reached  {name}: {words}")
            for a, b, method in result.wrong:
                self.stdout.write(f"  wrong        {method}: “{texts[a][:40]}” ~ “{texts[b][:40]}”")
        if check and missed:
            raise CommandError("Statement suggestion targets missed: " + ", ".join(missed))
