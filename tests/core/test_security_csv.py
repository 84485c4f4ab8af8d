"""CSV exports neutralise formulas (OWASP's CSV-injection rule) in the API's ?format=csv and
the admin's export action alike, and the exact stored text is recovered from each cell."""

import csv
import io

import pytest

from core.exports import FORMULA_TRIGGERS, neutralize_cell, recover_cell
from quotes.models import Quote
from tests.admin_pages import admin_url
from tests.api.mixins import list_url
from tests.factories import QuoteFactory, SourceFactory, SpeakerFactory, span_of

# Every trigger first, the escape mark before a trigger, and text that only looks close.
TRICKY = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",  # genuinely starts with a quote mark, then a trigger
    "''+x",
    "'plain",  # a quote mark before no trigger: left alone
    "'",
    "a=b",
    "",
    "plain",
    "\n=1+1",  # a newline is no trigger: the cell is quoted by csv and left alone
]


@pytest.mark.parametrize("text", TRICKY, ids=repr)
def test_recover_cell_undoes_neutralize_cell_through_a_csv_file(text):
    out = io.StringIO(newline="")
    csv.writer(out).writerow([neutralize_cell(text), "next"])
    (cell, following), *_ = csv.reader(io.StringIO(out.getvalue(), newline=""))
    assert following == "next"
    assert not cell or cell[0] not in FORMULA_TRIGGERS, "a formula would run"
    assert recover_cell(cell) == text


def test_only_what_a_spreadsheet_would_run_is_changed():
    assert neutralize_cell("=1") == "'=1"
    assert neutralize_cell("'=1") == "''=1"
    assert neutralize_cell("'plain") == "'plain"
    assert neutralize_cell("a=b") == "a=b"
    assert neutralize_cell(-5) == -5, "numbers are written as numbers"
    assert neutralize_cell(None) is None


def read_csv(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    # newline="" as the csv module asks: a CR inside a cell then survives the reading.
    return list(csv.DictReader(io.StringIO(body, newline="")))


def dangerous_quote(passage_first: str) -> Quote:
    """A published quote whose text, speaker and source title all start with a trigger; its
    text is the source's own characters, a leading tab included."""
    source = SourceFactory(
        title="+Source =title", text=f"Opening line.\n{passage_first} said the minister.\n"
    )
    start, end = span_of(source.text, passage_first)
    return QuoteFactory(
        source=source,
        speaker=SpeakerFactory(name="@Speaker"),
        start=start,
        end=end,
        text=source.text[start:end],
    )


def check_export(rows, quote):
    (row,) = [row for row in rows if row["id"] == str(quote.pk)]
    for column, stored in [
        ("text", quote.text),
        ("speaker", quote.speaker.name),
        ("source", quote.source.title),
    ]:
        assert row[column][0] == "'", f"{column} {row[column]!r} is not neutralised"
        assert recover_cell(row[column]) == stored, f"{column} is not the stored text"


PASSAGE = '\t=HYPERLINK("http://evil.example","x")'


def test_api_csv_export_is_neutralised_and_recoverable(anonymous, db):
    quote = dangerous_quote(PASSAGE)
    assert quote.text.startswith("\t=")
    response = anonymous.get(list_url("quote"), {"format": "csv"})
    assert response.status_code == 200
    check_export(read_csv(response), quote)


def test_admin_csv_export_is_neutralised_and_recoverable(researcher_client, db):
    quote = dangerous_quote(PASSAGE)
    response = researcher_client.post(
        admin_url(Quote), {"action": "export_csv", "_selected_action": [quote.pk]}
    )
    check_export(read_csv(response), quote)


def test_a_leading_tab_written_through_the_api_is_exported_byte_for_byte(researcher, db):
    """The API keeps a quote's text as sent (its verbatim field), and the export too."""
    source = SourceFactory(text="Intro.\n\t-1 said she\n  with two  spaces.\n")
    passage = "\t-1 said she\n  with two  spaces."
    start, end = span_of(source.text, passage)
    body = {
        "text": passage,
        "kind": "statement",
        "speaker": SpeakerFactory().pk,
        "source": source.pk,
        "start": start,
        "end": end,
        "said_on": "2017-05-26",
        "said_on_precision": "day",
    }
    response = researcher.post(list_url("quote"), body, format="json")
    assert response.status_code == 201, response.content
    assert Quote.objects.get(pk=response.json()["id"]).text == passage
    rows = read_csv(researcher.get(list_url("quote"), {"format": "csv"}))
    (row,) = [row for row in rows if row["id"] == str(response.json()["id"])]
    assert row["text"] == "'" + passage
    assert recover_cell(row["text"]) == passage
