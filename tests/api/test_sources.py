"""Sources: the generic resource tests, the list without the text, the text byte for byte."""

from sources.models import Source
from tests.api.mixins import ResourceTests, detail_url, list_url, state_of
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
