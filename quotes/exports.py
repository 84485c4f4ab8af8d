"""CSV export of quotes: one set of columns for the admin action and the API."""

import csv
import io

from sources.dates import format_partial_date
from sources.spans import normalize

QUOTE_COLUMNS = [
    ("id", lambda q: q.pk),
    ("text", lambda q: normalize(q.text)),
    ("speaker", lambda q: q.speaker.name),
    ("speaker_slug", lambda q: q.speaker.slug),
    ("kind", lambda q: q.kind),
    ("said_on", lambda q: format_partial_date(q.said_on, q.said_on_precision)),
    ("said_on_inferred", lambda q: q.said_on_inferred),
    ("event", lambda q: q.event.slug if q.event else ""),
    ("source", lambda q: q.source.title),
    ("source_slug", lambda q: q.source.slug),
    ("start", lambda q: q.start),
    ("end", lambda q: q.end),
    ("language", lambda q: q.language),
    ("is_translation", lambda q: q.is_translation),
    ("original_language", lambda q: q.original_language),
    ("treaties", lambda q: ";".join(t.slug for t in q.treaties.all())),
    ("status", lambda q: q.status),
]


def quote_csv_rows(queryset, chunk_size=2000):
    """Yield CSV lines (header first) for the quotes of `queryset`, a chunk at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        line = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return line

    writer.writerow([name for name, _ in QUOTE_COLUMNS])
    yield flush()
    queryset = queryset.select_related("speaker", "source", "event").prefetch_related("treaties")
    for quote in queryset.defer("source__text").iterator(chunk_size=chunk_size):
        writer.writerow([value(quote) for _, value in QUOTE_COLUMNS])
        yield flush()
