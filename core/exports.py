"""CSV exports: one set of columns per resource, streamed the same way by the API and the admin."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.http import StreamingHttpResponse


@dataclass(frozen=True)
class CSVExport:
    """The columns of a resource's CSV export, and what to load with each row."""

    columns: list[tuple[str, Callable]]  # (header, record -> cell)
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    defer: tuple[str, ...] = ()
    chunk_size: int = field(default=2000)

    def rows(self, queryset) -> Iterator[str]:
        """CSV lines, the header first, for the records of `queryset`, a chunk at a time."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def flush():
            line = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return line

        writer.writerow([name for name, _ in self.columns])
        yield flush()
        queryset = queryset.select_related(*self.select_related).prefetch_related(
            *self.prefetch_related
        )
        for record in queryset.defer(*self.defer).iterator(chunk_size=self.chunk_size):
            writer.writerow([value(record) for _, value in self.columns])
            yield flush()

    def response(self, queryset, filename: str) -> StreamingHttpResponse:
        """The export of `queryset` as a streamed attachment."""
        response = StreamingHttpResponse(
            self.rows(queryset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
