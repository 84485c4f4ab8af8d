"""Sources: the generic resource tests, the list without the text, the text byte for byte."""

import pytest

from sources.models import Source
from tests.api.mixins import ResourceTests, detail_url, list_url, row_counts, state_of
from tests.api.specs import SPECS


class TestSources(ResourceTests):
    spec = SPECS["sources"]

    def check_created(self, obj, body):
        assert obj.sha256 == Source.digest("Nothing said yet.")
        assert body["sha256"] == obj.sha256

    def test_list_leaves_the_text_out_and_detail_has_it(self, anonymous, db):
        source = self.spec.make()
        listed = anonymous.get(list_url("source")).json()["results"][0]
        assert "text" not in listed
        assert anonymous.get(detail_url("source", source.pk)).json()["text"] == source.text


def test_a_sources_text_is_stored_byte_for_byte(researcher, db):
    text = "  An indented first line.\nThe last line ends with a newline.\n"
    body = {"title": "Spaced", "slug": "spaced", "text": text}
    response = researcher.post(list_url("source"), body)
    assert response.status_code == 201, response.content
    source = Source.objects.get(slug="spaced")
    assert source.text == text
    assert source.sha256 == Source.digest(text)


def test_a_cited_source_sent_back_unchanged_is_accepted(researcher, world):
    url = detail_url("source", world.source.pk)
    read = researcher.get(url).json()
    writable = ["title", "original_title", "slug", "outlet_note", "language", "text"]
    body = {name: read[name] for name in writable}
    before = state_of(world.source)
    response = researcher.put(url, body)
    assert response.status_code == 200, response.content
    assert Source.objects.get(pk=world.source.pk).text == before["text"]


def upload(client, content, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile("article.txt", content), **fields}
    return client.post(list_url("source") + "import/", data, format="multipart")


ARTICLE = "A headline of the test\n\n26/05/2017\n\nThe body of the article, with words.\n"


def test_a_file_is_imported_byte_for_byte_with_its_title_and_date(researcher, db):
    response = upload(researcher, ARTICLE.encode())
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["published_on"], body["published_on_precision"]) == (
        "A headline of the test",
        "2017-05-26",
        "day",
    )
    assert response["Location"].endswith(detail_url("source", body["id"]))
    assert response["ETag"]
    assert Source.objects.get(pk=body["id"]).text == ARTICLE


def test_what_is_given_wins_over_what_is_proposed(researcher, db):
    response = upload(researcher, ARTICLE.encode(), title="Given", published_on="2017")
    assert response.status_code == 201, response.content
    assert (response.json()["title"], response.json()["published_on_display"]) == ("Given", "2017")


def test_the_same_text_again_is_a_409_naming_the_source(researcher, db):
    first = upload(researcher, ARTICLE.encode()).json()
    counts = row_counts()
    again = upload(researcher, ARTICLE.encode())
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "conflict"
    assert detail_url("source", first["id"]) in again.json()["errors"][0]["detail"]
    json_post = researcher.post(list_url("source"), {"title": "x", "slug": "x", "text": ARTICLE})
    assert json_post.status_code == 409
    assert row_counts() == counts


@pytest.mark.parametrize(
    ("content", "fields", "attr", "code"),
    [
        (b"", {}, "file", "empty"),
        (b"\x00\x01\x02", {}, "file", "invalid"),
        ("Caf\u00e9 au lait, a title\n\nBody.".encode("latin-1"), {}, "file", "invalid"),
        (b"12:45\n", {}, "title", "required"),
        (ARTICLE.encode(), {"published_on": "26/05/2017"}, "published_on", "invalid"),
        (ARTICLE.encode(), {"published_on": "2999-01-01"}, "published_on", "invalid"),
    ],
    ids=["empty", "binary", "not-utf-8", "no-title", "bad-date", "future-date"],
)
def test_a_file_that_is_no_text_is_a_400_and_imports_nothing(
    researcher, db, content, fields, attr, code
):
    counts = row_counts()
    response = upload(researcher, content, **fields)
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert (error["attr"], error["code"]) == (attr, code)
    assert row_counts() == counts


def test_another_encoding_is_read_when_given(researcher, db):
    content = "Caf\u00e9 au lait, a title\n\nBody.".encode("latin-1")
    response = upload(researcher, content, encoding="latin-1")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Café au lait, a title"


def test_only_researchers_import(anonymous, reader, db):
    assert upload(anonymous, ARTICLE.encode()).status_code == 401
    assert upload(reader, ARTICLE.encode()).status_code == 403
