"""CSV exports: one set of columns per resource, streamed the same way by the API and the admin.

Every text cell is written so that a spreadsheet cannot read it as a formula (OWASP's CSV
injection rule, https://owasp.org/www-community/attacks/CSV_Injection): a cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a single quote `'` in front. So that
the exact text stays recoverable, a cell that starts with one or more `'` followed by one of
those characters gets one too. Reading back: a cell that starts with `'`, then any number of
`'`, then one of those characters, had one `'` added; `recover_cell()` takes it off. Any other
cell is the text as stored. docs/security.md says the same for people.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.http import StreamingHttpResponse

# What makes a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a formula.
FORMULA_TRIGGERS = "=+-@\t\r"
ESCAPE = "'"
# Cells that are escaped on the way out: a trigger first, or quote marks and then a trigger
# (escaped as well, so that one rule undoes both).
_NEEDS_ESCAPE = re.compile(rf"'*[{re.escape(FORMULA_TRIGGERS)}]")
_WAS_ESCAPED = re.compile(rf"'+[{re.escape(FORMULA_TRIGGERS)}]")


def neutralize_cell(value):
    """The cell for `value`: text that a spreadsheet would run as a formula, quote-prefixed."""
    if isinstance(value, str) and _NEEDS_ESCAPE.match(value):
        return ESCAPE + value
    return value


def recover_cell(cell: str) -> str:
    """The text that `neutralize_cell` was given, from the cell it made (the exact inverse)."""
    return cell[1:] if _WAS_ESCAPED.match(cell) else cell


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

        writer.writerow([neutralize_cell(name) for name, _ in self.columns])
        yield flush()
        queryset = queryset.select_related(*self.select_related).prefetch_related(
            *self.prefetch_related
        )
        for record in queryset.defer(*self.defer).iterator(chunk_size=self.chunk_size):
            writer.writerow([neutralize_cell(value(record)) for _, value in self.columns])
            yield flush()

    def response(self, queryset, filename: str) -> StreamingHttpResponse:
        """The export of `queryset` as a streamed attachment."""
        response = StreamingHttpResponse(
            self.rows(queryset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
