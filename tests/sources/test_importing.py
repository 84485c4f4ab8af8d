"""Importing an article (sources/importing.py): bytes decoded exactly or refused, and the title,
date and language proposed from what the text states."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from sources import importing
from sources.models import Source
from tests.factories import OutletFactory

SEEDS = Path(settings.BASE_DIR) / "seeds"


def seed(name):
    path = next(SEEDS.glob(f"{name}_*.txt"))
    return importing.read_text(path.read_bytes())


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"  \n\n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Caf\u00e9 au lait".encode("latin-1"), "encoding"),
        (b"x" * (importing.MAX_SOURCE_BYTES + 1), "too_large"),
        (b"text\x01\x02\x03\x04\x05\x06 with controls", "binary"),
    ],
    ids=["empty", "blank", "binary", "latin-1", "too-large", "control-characters"],
)
def test_what_is_not_a_text_is_refused_with_a_reason(data, code):
    with pytest.raises(importing.ImportRefused) as excinfo:
        importing.read_text(data)
    assert excinfo.value.code == code
    assert excinfo.value.message.strip()


def test_a_text_is_decoded_exactly():
    data = "\ufeffLine one\r\n“Quoted” — Ещё\n".encode()
    text = importing.read_text(data)
    assert text.encode() == data  # the byte-order mark and the CRLF are kept


def test_another_encoding_is_read_when_given():
    assert importing.read_text("Café".encode("latin-1"), "latin-1") == "Café"
    with pytest.raises(importing.ImportRefused) as excinfo:
        importing.read_text(b"x", "no-such-encoding")
    assert excinfo.value.code == "encoding"


@pytest.mark.parametrize(
    ("name", "title", "date"),
    [
        (
            "000",
            "Russia to NATO: Stop Dominating World, Warns of Arms Race",
            datetime.date(2017, 5, 26),
        ),
        (
            "001",
            "NATO reveals what Russia will get if it wants ‘less’ of US-led military bloc",
            datetime.date(2024, 5, 23),
        ),
        (
            "002",
            "Belgium: We 'strive for a better relationship with Russia' — Stoltenberg ahead of "
            "NATO meetings",
            None,
        ),
        ("004", "Russia and NATO already in ‘direct confrontation’ – Kremlin", None),
    ],
)
def test_title_and_date_are_read_from_the_header_never_invented(name, title, date):
    proposal = importing.propose(seed(name))
    assert proposal.title == title
    assert proposal.language == "en"
    if date is None:
        assert proposal.published_on is None
    else:
        assert proposal.published_on.value == date
        assert proposal.published_on.precision == "day"
        assert proposal.published_on.inferred is False
        assert "Read from the text's header" in proposal.published_on.note


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("2024-05-23", datetime.date(2024, 5, 23)),
        ("Published 23 May 2024", datetime.date(2024, 5, 23)),
        ("Thursday, May 23, 2024", datetime.date(2024, 5, 23)),
        ("31.12.2019", datetime.date(2019, 12, 31)),
        ("05/06/2019", None),  # day first or month first: not guessed
        ("Friday, May 23, 2024", None),  # 23 May 2024 was a Thursday
        ("31/02/2019", None),
    ],
)
def test_dates_are_proposed_only_when_they_cannot_be_misread(line, shown):
    date, _ = importing.date_in(line)
    assert (date.value if date else None) == shown


def test_a_text_in_another_language_is_not_taken_for_english():
    assert importing.detect_language("Москва бросает вызов: что в НАТО говорят " * 10) is None
    assert importing.detect_language("La France et l'Allemagne ont signé un accord " * 5) is None


@pytest.mark.django_db
def test_an_import_keeps_the_text_and_what_was_given():
    outlet = OutletFactory()
    source, _ = importing.import_text(
        seed("000"), outlet=outlet, url="https://example.org/a", seed_file=""
    )
    assert source.text == seed("000")
    assert source.sha256 == Source.digest(seed("000"))
    assert source.slug == "russia-to-nato-stop-dominating-world-warns-of-arms-race"
    assert (source.published_on, source.published_on_precision) == (
        datetime.date(2017, 5, 26),
        "day",
    )
    assert source.outlet == outlet


@pytest.mark.django_db
def test_a_text_already_imported_is_refused_with_a_pointer_to_it():
    first, _ = importing.import_text(seed("001"))
    with pytest.raises(importing.DuplicateSource) as excinfo:
        importing.import_text(seed("001"), title="Another title")
    assert excinfo.value.existing == first
    assert first.slug in excinfo.value.message
    assert Source.objects.count() == 1


@pytest.mark.django_db
def test_a_text_that_states_no_title_needs_one():
    with pytest.raises(importing.ImportRefused) as excinfo:
        importing.import_text("12:45\n\n3.5 C\n")
    assert excinfo.value.code == "title"
    source, _ = importing.import_text("12:45\n\n3.5 C\n", title="Weather")
    assert source.language == "und"  # not English prose: undetermined, not guessed
    assert source.published_on is None


@pytest.mark.django_db
def test_a_date_after_today_is_never_the_publication_date():
    text = (
        "Allies plan another summit in Brussels\n\nBrussels, 14 March 2999\n\n"
        "The allies will meet again next year."
    )
    source, _ = importing.import_text(text)
    assert source.published_on is None
    assert "2999-03-14, which is after today: not proposed" in source.published_on_note
    future = (datetime.date(2999, 1, 1), "year")
    with pytest.raises(importing.ImportRefused, match="after today") as refused:
        importing.import_text(text + " Again.", published_on=future)
    assert refused.value.code == "published_on"
    assert not Source.objects.filter(text=text + " Again.").exists()
