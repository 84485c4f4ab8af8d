"""Load the curated seed data from fixtures/, idempotently."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from core.history import record_baselines
from core.registry import content_models

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


def history_models():
    """The content models that keep a change history."""
    return [model for model in content_models() if hasattr(model, "history")]


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
        with transaction.atomic():
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command(
                    "loaddata", *[str(path) for path in fixtures], verbosity=options["verbosity"]
                )
            # Then one first version per record that has none, so that the first edit shows
            # what it changed. Already versioned records are left alone: idempotent.
            versions = record_baselines(history_models(), "Curated seed data (fixtures/)")
        if options["verbosity"]:
            self.stdout.write(f"Recorded {versions} first version(s) in the change history.")
