"""Import one article as a source (and propose its candidates with --extract)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.dates import parse_partial_date, partial_date_display
from extraction.intake import import_file
from sources.models import Outlet


def import_options(parser):
    """The options import_source and import_sources share."""
    parser.add_argument("--encoding", help="Decode with this encoding instead of UTF-8.")
    parser.add_argument("--outlet", help="Slug of the outlet that published it.")
    parser.add_argument("--language", help="ISO 639 code of the text (default: detected).")
    parser.add_argument(
        "--extract", action="store_true", help="Propose its candidate quotes and troop figures."
    )


def outlet_from(slug):
    if not slug:
        return None
    try:
        return Outlet.objects.get(slug=slug)
    except Outlet.DoesNotExist as exc:
        known = ", ".join(Outlet.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"No outlet with slug {slug!r} (known: {known}).") from exc


class Command(BaseCommand):
    help = (
        "Import a text file as a source, byte for byte (UTF-8 unless --encoding), with its "
        "title and publication date proposed from the text where it states them. A text "
        "already imported (the same SHA-256) is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--title")
        parser.add_argument(
            "--published-on", help="YYYY-MM-DD, YYYY-MM or YYYY (default: as the text states)."
        )
        parser.add_argument("--url", default="", help="Where it was published.")
        import_options(parser)

    def handle(
        self, *args, file, title, published_on, url, encoding, outlet, language, extract, **options
    ):
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        try:
            published = parse_partial_date(published_on) if published_on else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = import_file(
            file,
            encoding=encoding,
            extract=extract,
            title=title,
            published_on=published,
            outlet=outlet_from(outlet),
            language=language,
            url=url,
        )
        if result.refused is not None:
            raise CommandError(f"{file.name}: {result.refused.message}")
        source = result.source
        self.stdout.write(f"Imported {file.name} as source {source.pk} ({source.slug}).")
        self.stdout.write(f"  title: {source.title}")
        date = partial_date_display(source, "published_on") or "unknown"
        self.stdout.write(f"  published: {date} — {source.published_on_note}")
        self.stdout.write(f"  language: {source.language}")
        if result.summary is not None:
            summary = result.summary
            self.stdout.write(
                f"  candidates: {summary.quotes} quotes, {summary.troop_figures} troop figures"
                + (f" ({summary.message})" if summary.message else "")
            )
