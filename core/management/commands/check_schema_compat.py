"""Compare an OpenAPI schema with an older one and fail on a change that breaks clients."""

from django.core.management.base import BaseCommand, CommandError

from core.api.compat import breaking_changes, load_schema, major_version


class Command(BaseCommand):
    help = (
        "List the changes from OLD to NEW (OpenAPI schemas, YAML or JSON) that can break a "
        "client, and fail on any unless NEW's major version is higher than OLD's. "
        "The rules: docs/openapi/README.md."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "old", help="The released schema, e.g. docs/openapi/released/1.0.0.yaml"
        )
        parser.add_argument("new", help="The schema to check, e.g. docs/openapi/v1.yaml")

    def handle(self, *args, old, new, **options):
        try:
            old_schema, new_schema = load_schema(old), load_schema(new)
            changes = breaking_changes(old_schema, new_schema)
            old_major, new_major = major_version(old_schema), major_version(new_schema)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if not changes:
            self.stdout.write(f"No breaking change from {old} to {new}.")
            return
        for change in changes:
            self.stdout.write(change)
        versions = f"{old_schema['info']['version']} -> {new_schema['info']['version']}"
        if new_major > old_major:
            self.stdout.write(
                f"{len(changes)} breaking change(s), allowed by the new major version ({versions})."
            )
            return
        raise CommandError(
            f"{len(changes)} breaking change(s) from {old} to {new} without a new major "
            f"version ({versions})."
        )
