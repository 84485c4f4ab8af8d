"""Propose the statements' suggestions afresh, for one speaker or everyone."""

from django.core.management.base import BaseCommand, CommandError

from quotes import statements
from quotes.models import Speaker, StatementSuggestion


class Command(BaseCommand):
    help = (
        "Propose statement suggestions for every quote (of --speaker, or of everyone): new "
        "pairs are proposed, pending ones that no longer hold withdrawn, decided ones kept "
        "(a dismissed pair is not proposed again). Researchers decide them in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--speaker", metavar="SLUG", help="Only this speaker's quotes.")

    def handle(self, *args, speaker, **options):
        who = None
        if speaker:
            who = Speaker.objects.filter(slug=speaker).first()
            if who is None:
                raise CommandError(f"No speaker with the slug {speaker!r}.")
        made = statements.refresh_suggestions(speaker=who)
        pending = StatementSuggestion.objects.pending()
        if who is not None:
            pending = pending.filter(quote__speaker=who)
        self.stdout.write(
            f"{len(made)} new suggestion(s); {pending.count()} pending in all"
            + (f" for {who}." if who else ".")
        )
