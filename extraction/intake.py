"""Importing files as sources, and proposing their candidates: what the commands, the API and
the admin share (sources.importing reads the file; extraction.services proposes)."""

from dataclasses import dataclass
from pathlib import Path

from extraction import services
from sources import importing


@dataclass
class Imported:
    """One file's import: the source made (or None), the candidates proposed, or why not."""

    name: str
    source: object = None
    proposal: importing.Proposal | None = None
    summary: services.ExtractionSummary | None = None
    refused: importing.ImportRefused | None = None


def import_file(
    path: Path,
    *,
    encoding=None,
    extract=False,
    extractor=None,
    **fields,
) -> Imported:
    """Import one file (atomically: the source and its candidates, or nothing)."""
    try:
        if path.stat().st_size > importing.MAX_SOURCE_BYTES:
            raise importing.ImportRefused(
                f"The file is {path.stat().st_size:,} bytes; the limit is "
                f"{importing.MAX_SOURCE_BYTES:,}.",
                "too_large",
            )
        text = importing.read_text(path.read_bytes(), encoding)
        return import_text(text, name=path.name, extract=extract, extractor=extractor, **fields)
    except importing.ImportRefused as refused:
        return Imported(path.name, refused=refused)


def import_text(text, *, name="", extract=False, extractor=None, **fields) -> Imported:
    from django.db import transaction

    with transaction.atomic():
        source, proposal = importing.import_text(text, **fields)
        summary = services.extract_source(source, extractor) if extract else None
    return Imported(name, source, proposal, summary)
