"""Print a text's candidate quotes as JSON lines, writing nothing: the extraction's contract."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.dates import parse_partial_date
from extraction.extractor import Extractor
from sources import importing
from sources.models import Source


class Command(BaseCommand):
    help = (
        "Extract the candidate quotes of a text file or of a source (by slug) and print them, "
        "one JSON object a line: start, end, text, kind, speaker {name, slug}, said_on, "
        "said_on_precision, confidence, and more. Nothing is written to the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("text", help="A text file's path, or a source's slug.")
        parser.add_argument(
            "--published-on",
            help="The publication date (YYYY-MM-DD, YYYY-MM or YYYY), that relative dates are "
            "read against (default: the source's, or the one the file states).",
        )
        parser.add_argument("--encoding", help="Decode the file with this encoding.")
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")

    def handle(self, *args, text, published_on, encoding, **options):
        path = Path(text)
        published = precision = None
        if path.is_file():
            try:
                content = importing.read_text(path.read_bytes(), encoding)
            except importing.ImportRefused as exc:
                raise CommandError(f"{path.name}: {exc.message}") from exc
            stated = importing.propose(content).published_on
            if stated is not None:
                published, precision = stated.value, stated.precision
        else:
            source = Source.objects.filter(slug=text).first()
            if source is None:
                raise CommandError(f"No file at {text!r} and no source with that slug.")
            content = source.text
            published, precision = source.published_on, source.published_on_precision or None
        if published_on:
            try:
                published, precision = parse_partial_date(published_on)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        result = Extractor.from_database().extract(
            content, published_on=published, precision=precision
        )
        if result.message:
            self.stderr.write(result.message)
        for candidate in result.quotes:
            self.stdout.write(json.dumps(as_json(candidate), ensure_ascii=False))


def as_json(candidate) -> dict:
    """A candidate as the contract gives it (docs/extraction.md): keep these keys stable."""
    speaker = candidate.speaker
    said = candidate.said_on
    return {
        "start": candidate.start,
        "end": candidate.end,
        "text": candidate.text,
        "kind": candidate.kind,
        "speaker": {
            "name": speaker.name if speaker else None,
            "slug": speaker.slug if speaker else None,
            "role": speaker.role if speaker else "",
            "how": speaker.how if speaker else "",
        },
        "said_on": said.value.isoformat() if said else None,
        "said_on_precision": said.precision if said else None,
        "said_on_inferred": said.inferred if said else False,
        "said_on_note": said.note if said else "",
        "confidence": candidate.confidence,
        "cue": candidate.cue,
        "cue_start": candidate.cue_start,
        "cue_end": candidate.cue_end,
        "verb": candidate.verb,
        "event": candidate.event,
        "treaties": candidate.treaties,
        "from_headline": candidate.from_headline,
        "attribution_inferred": candidate.attribution_inferred,
        "note": candidate.note,
    }
