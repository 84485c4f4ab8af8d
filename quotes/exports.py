"""The CSV export of quotes: one set of columns for the admin action and the API."""

from core.dates import partial_date_display
from core.exports import CSVExport

QUOTE_EXPORT = CSVExport(
    columns=[
        ("id", lambda q: q.pk),
        # As stored, byte for byte (a leading tab, line breaks): the API's `text`, not normalised.
        ("text", lambda q: q.text),
        ("speaker", lambda q: q.speaker.name),
        ("speaker_slug", lambda q: q.speaker.slug),
        ("kind", lambda q: q.kind),
        ("said_on", lambda q: partial_date_display(q, "said_on")),
        ("said_on_inferred", lambda q: q.said_on_inferred),
        ("event", lambda q: q.event.slug if q.event else ""),
        ("source", lambda q: q.source.title),
        ("source_slug", lambda q: q.source.slug),
        ("start", lambda q: q.start),
        ("end", lambda q: q.end),
        ("language", lambda q: q.language),
        ("is_translation", lambda q: q.is_translation),
        ("original_language", lambda q: q.original_language),
        ("speaker_language", lambda q: q.speaker_language),
        ("attribution_inferred", lambda q: q.attribution_inferred),
        ("from_headline", lambda q: q.from_headline),
        ("treaties", lambda q: ";".join(t.slug for t in q.treaties.all())),
        ("status", lambda q: q.status),
    ],
    select_related=("speaker", "source", "event"),
    prefetch_related=("treaties",),
    defer=("source__text",),
)
