"""Writes with rules: citing spans."""

from django.db import transaction

from sources.models import Citation


@transaction.atomic
def set_citations(instance, spans: list[dict]) -> list[Citation]:
    """Make `instance` cite exactly `spans` (dicts of source, start, end, text).

    A span already cited elsewhere is reused, keeping its text as recorded; each new span must
    have been validated against its source (CitationSerializer does).
    """
    citations = [
        Citation.objects.get_or_create(
            source=span["source"],
            start=span["start"],
            end=span["end"],
            defaults={"text": span["text"]},
        )[0]
        for span in spans
    ]
    instance.citations.set(citations)
    return citations
