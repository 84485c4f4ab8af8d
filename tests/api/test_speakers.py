"""Speakers: the generic resource tests, their quote statistics and their aliases."""

import datetime

from quotes.models import Quote
from tests.api.mixins import ResourceTests, detail_url, list_url
from tests.api.specs import SPECS
from tests.factories import QuoteFactory


class TestSpeakers(ResourceTests):
    spec = SPECS["speakers"]

    def test_detail_summarises_the_quotes(self, anonymous, db):
        speaker = self.spec.make()
        for day in (3, 1, 2):
            QuoteFactory(speaker=speaker, said_on=datetime.date(2019, 8, day))
        QuoteFactory(speaker=speaker, said_on=None, said_on_precision="")
        body = anonymous.get(detail_url("speaker", speaker.pk)).json()
        assert body["quote_count"] == 4
        assert body["first_quote_on"] == "2019-08-01"
        assert body["last_quote_on"] == "2019-08-03"

    def test_a_created_speaker_has_empty_statistics(self, researcher, world):
        body = researcher.post(list_url("speaker"), self.spec.create(world)).json()
        assert (body["quote_count"], body["first_quote_on"], body["last_quote_on"]) == (
            0,
            None,
            None,
        )


def test_speakers_are_found_by_alias(anonymous, seeded):
    for alias, slug in [("Makron", "emmanuel-macron"), ("trump", "donald-trump")]:
        results = anonymous.get(list_url("speaker"), {"q": alias}).json()["results"]
        assert [s["slug"] for s in results] == [slug]


def test_a_speaker_who_is_quoted_cannot_be_deleted_a_409(staff, seeded):
    speaker_id = Quote.objects.get(text="obsolete").speaker_id
    response = staff.delete(detail_url("speaker", speaker_id))
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "conflict"
