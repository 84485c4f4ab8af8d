"""Every resource through the generic API tests, plus what is particular to each."""

import pytest

from quotes.api.serializers import (
    BriefEventSerializer,
    BriefOrganizationSerializer,
    BriefSpeakerSerializer,
    BriefTreatySerializer,
    BriefTroopFigureSerializer,
)
from quotes.models import Event, Organization, Quote, Speaker, Treaty, TroopFigure
from sources.api.serializers import BriefOutletSerializer, BriefSourceSerializer
from sources.models import Outlet, Source
from tests.api.mixins import ResourceTests, detail_url, list_url
from tests.factories import (
    CitationFactory,
    EventFactory,
    OrganizationFactory,
    OutletFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    TreatyFactory,
    TroopFigureFactory,
    citation_payload,
    span_of,
)


class TestOutlets(ResourceTests):
    basename, model, brief_serializer = "outlet", Outlet, BriefOutletSerializer
    update_data = {"website": "https://example.org/"}

    def make(self):
        return OutletFactory()

    def create_data(self):
        return {"name": "TASS", "slug": "tass", "country": "RU"}


class TestSources(ResourceTests):
    basename, model, brief_serializer = "source", Source, BriefSourceSerializer
    update_data = {"title": "A better title"}

    def make(self):
        return SourceFactory()

    def create_data(self):
        return {
            "title": "A new document",
            "slug": "a-new-document",
            "text": "Nothing said yet.",
            "published_on": "2024-04-04",
            "published_on_precision": "day",
        }

    def check_created(self, obj, body):
        assert obj.sha256 == Source.digest("Nothing said yet.")
        assert body["sha256"] == obj.sha256

    def test_list_leaves_the_text_out_and_detail_has_it(self, anonymous, db):
        source = self.make()
        listed = anonymous.get(list_url("source")).json()["results"][0]
        assert "text" not in listed
        assert anonymous.get(detail_url("source", source.pk)).json()["text"] == source.text


class TestOrganizations(ResourceTests):
    basename, model, brief_serializer = "organization", Organization, BriefOrganizationSerializer
    update_data = {"aliases": ["the Alliance"]}

    def make(self):
        return OrganizationFactory()

    def create_data(self):
        return {"name": "Kremlin", "slug": "kremlin", "kind": "government", "country": "RU"}


class TestSpeakers(ResourceTests):
    basename, model, brief_serializer = "speaker", Speaker, BriefSpeakerSerializer
    update_data = {"aliases": ["Makron", "macron"]}

    def make(self):
        return SpeakerFactory()

    def create_data(self):
        return {
            "name": "Emmanuel Macron",
            "slug": "emmanuel-macron",
            "kind": "person",
            "organization": OrganizationFactory().pk,
        }

    def test_detail_summarises_the_quotes(self, anonymous, db):
        import datetime

        speaker = self.make()
        for day in (3, 1, 2):
            QuoteFactory(speaker=speaker, said_on=datetime.date(2019, 8, day))
        QuoteFactory(speaker=speaker, said_on=None, said_on_precision="")
        body = anonymous.get(detail_url("speaker", speaker.pk)).json()
        assert body["quote_count"] == 4
        assert body["first_quote_on"] == "2019-08-01"
        assert body["last_quote_on"] == "2019-08-03"

    def test_a_created_speaker_has_empty_statistics(self, researcher, db):
        body = researcher.post(list_url("speaker"), self.create_data()).json()
        assert (body["quote_count"], body["first_quote_on"], body["last_quote_on"]) == (
            0,
            None,
            None,
        )


class TestEvents(ResourceTests):
    basename, model, brief_serializer = "event", Event, BriefEventSerializer
    update_data = {"place": "Brussels"}

    def make(self):
        event = EventFactory()
        event.citations.set([CitationFactory()])
        return event

    def create_data(self):
        source = SourceFactory()
        return {
            "name": "Doorstep",
            "slug": "doorstep",
            "kind": "doorstep",
            "starts_on": "2018-02-01",
            "starts_on_precision": "month",
            "citations": [citation_payload(source, "the Secretary General said")],
        }

    def check_created(self, obj, body):
        assert obj.citations.get().text == "the Secretary General said"
        assert body["starts_on_display"] == "2018-02"


class TestQuotes(ResourceTests):
    basename, model = "quote", Quote
    brief_fields = []  # quotes are never nested
    update_data = {"note": "Checked against the recording."}

    def make(self):
        return QuoteFactory()

    def create_data(self):
        source = SourceFactory()
        start, end = span_of(source.text, "reckless")
        return {
            "text": "reckless",
            "kind": "fragment",
            "speaker": SpeakerFactory().pk,
            "source": source.pk,
            "start": start,
            "end": end,
            "said_on": "2017-05-26",
            "said_on_precision": "day",
            "treaties": [TreatyFactory().pk],
        }

    def test_brief_form(self, db):
        pytest.skip("quotes have no brief form: nothing nests a quote")

    def check_created(self, obj, body):
        assert obj.text == "reckless"
        assert body["context_before"].endswith("The ministry called the move “")
        assert body["context_after"].startswith("” and “dangerous”")
        assert [t["id"] for t in body["treaties"]] == [obj.treaties.get().pk]


class TestTreaties(ResourceTests):
    basename, model, brief_serializer = "treaty", Treaty, BriefTreatySerializer
    update_data = {"signed_place": "Washington"}
    max_list_queries = max_detail_queries = 12

    def make(self):
        treaty = TreatyFactory()
        treaty.citations.set([CitationFactory()])
        return treaty

    def create_data(self):
        source = SourceFactory()
        return {
            "name": "Treaty of Testing",
            "slug": "treaty-of-testing",
            "signed_on": "1987-01-01",
            "signed_on_precision": "year",
            "citations": [citation_payload(source, "Officials said 4,000 troops")],
        }


class TestTroopFigures(ResourceTests):
    basename, model, brief_serializer = "troopfigure", TroopFigure, BriefTroopFigureSerializer
    update_data = {"location": "Lithuania"}

    def make(self):
        return TroopFigureFactory()

    def create_data(self):
        source = SourceFactory()
        return {
            "slug": "baltic-4000",
            "count": 4000,
            "location": "the region",
            "deploying_organization": OrganizationFactory().pk,
            "citations": [citation_payload(source, "4,000 troops were deployed in the region")],
        }

    def test_a_part_is_listed_under_its_whole(self, anonymous, db):
        whole = self.make()
        part = TroopFigureFactory(count=1000, parent=whole)
        body = anonymous.get(detail_url("troopfigure", whole.pk)).json()
        assert [p["id"] for p in body["parts"]] == [part.pk]
        part_body = anonymous.get(detail_url("troopfigure", part.pk)).json()
        assert part_body["parent"]["id"] == whole.pk
