"""Propose quotation spans in a text, for a curator to attribute by reading."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sources import spans
from sources.models import Source


class Command(BaseCommand):
    help = (
        "List the passages between quotation marks in a source (by slug) or a text file, with "
        "their offsets and surrounding sentence, as JSON lines. A proposal, not an attribution."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="A source slug, or the path of a text file.")
        parser.add_argument("--context", type=int, default=120, help="Characters of context.")

    def handle(self, *args, source, context, **options):
        path = Path(source)
        if path.is_file():
            text = path.read_bytes().decode("utf-8")
        else:
            try:
                text = Source.objects.get(slug=source).text
            except Source.DoesNotExist as exc:
                raise CommandError(
                    f"No source with slug {source!r} and no file at that path."
                ) from exc
        for span in spans.quoted_passages(text):
            before, after = spans.context(text, span.start, span.end, context)
            line = {
                "start": span.start,
                "end": span.end,
                "text": span.text,
                "before": before,
                "after": after,
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
