"""Load the curated seed data from fixtures/, idempotently."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = "Load the curated seed data (fixtures/*.json). Running it twice changes nothing."

    def handle(self, *args, **options):
        fixtures = sorted(FIXTURES_DIR.glob("*.json"))
        if not fixtures:
            self.stdout.write("No fixtures to load.")
            return
        # Natural keys make loaddata update rows in place. History is switched off: loading
        # the curated state is not an edit (django-simple-history would otherwise record the
        # many-to-many links it sets, at every run).
        with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command(
                "loaddata", *[str(path) for path in fixtures], verbosity=options["verbosity"]
            )
