"""factory_boy factories for every model; spans are computed from the source text, never typed."""

import factory
from factory.django import DjangoModelFactory

from extraction.models import QuoteCandidate, TroopFigureCandidate
from quotes.models import (
    Event,
    Organization,
    Quote,
    Speaker,
    Statement,
    StatementSuggestion,
    Treaty,
    TroopFigure,
)
from sources.models import Citation, Outlet, Source

SAMPLE_TEXT = (
    "Brussels, Monday.\n\n"
    "“We will defend every inch of allied territory,” the Secretary General said.\n"
    "The ministry called the move “reckless” and “dangerous”. Officials said 4,000 troops "
    "were deployed in the region, 1,000 of which came from one ally.\n"
)


def span_of(text: str, passage: str) -> tuple[int, int]:
    """Offsets of the one occurrence of `passage` in `text`."""
    start = text.index(passage)
    assert text.count(passage) == 1, f"{passage!r} is not unique in the sample text"
    return start, start + len(passage)


def citation_payload(source, passage: str) -> dict:
    """A citation as the API takes it: the one occurrence of `passage` in `source`."""
    start, end = span_of(source.text, passage)
    return {"source": source.pk, "start": start, "end": end, "text": passage}


class OutletFactory(DjangoModelFactory):
    class Meta:
        model = Outlet
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Outlet {n}")
    slug = factory.Sequence(lambda n: f"outlet-{n}")


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Source document {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    outlet = factory.SubFactory(OutletFactory)
    published_on = factory.Faker("date_object")
    published_on_precision = "day"
    # Each source's text must be unique (its SHA-256 is), so the sequence number is part of it.
    text = factory.Sequence(lambda n: f"{SAMPLE_TEXT}Document {n}.\n")


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")
    kind = "alliance"


class SpeakerFactory(DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.Sequence(lambda n: f"speaker-{n}")
    kind = "person"
    role = "Secretary General"
    organization = factory.SubFactory(OrganizationFactory)


class CitedFactory(DjangoModelFactory):
    """A fact cites at least one span: `citations=[...]`, or a new citation of its own."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def citations(self, create, extracted, **kwargs):
        if create:
            self.citations.set(extracted or [CitationFactory()])


class EventFactory(CitedFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    kind = "press_conference"


class TreatyFactory(CitedFactory):
    class Meta:
        model = Treaty

    name = factory.Sequence(lambda n: f"Treaty {n}")
    slug = factory.Sequence(lambda n: f"treaty-{n}")


class SpanFactoryMixin(factory.Factory):
    """Pins `passage` of the source text: start, end and text follow from it."""

    source = factory.SubFactory(SourceFactory)
    passage = "We will defend every inch of allied territory,"
    start = factory.LazyAttribute(lambda o: span_of(o.source.text, o.passage)[0])
    end = factory.LazyAttribute(lambda o: span_of(o.source.text, o.passage)[1])
    text = factory.LazyAttribute(lambda o: o.source.text[o.start : o.end])

    class Meta:
        exclude = ("passage",)


class CitationFactory(SpanFactoryMixin, DjangoModelFactory):
    class Meta:
        model = Citation

    passage = "Officials said 4,000 troops were deployed in the region"


class QuoteFactory(SpanFactoryMixin, DjangoModelFactory):
    class Meta:
        model = Quote

    speaker = factory.SubFactory(SpeakerFactory)
    kind = "statement"
    said_on = factory.Faker("date_object")
    said_on_precision = "day"
    status = "published"


class TroopFigureFactory(CitedFactory):
    class Meta:
        model = TroopFigure

    slug = factory.Sequence(lambda n: f"figure-{n}")
    count = 4000
    location = "the region"
    status = "published"
    deploying_organization = factory.SubFactory(OrganizationFactory)


class QuoteCandidateFactory(SpanFactoryMixin, DjangoModelFactory):
    """A pending candidate quote, as the extraction proposes one."""

    class Meta:
        model = QuoteCandidate

    speaker = factory.SubFactory(SpeakerFactory)
    kind = "statement"
    cue = "the Secretary General said"
    verb = "say"
    confidence = 0.9
    status = "pending"


class TroopFigureCandidateFactory(SpanFactoryMixin, DjangoModelFactory):
    """A pending candidate troop figure."""

    class Meta:
        model = TroopFigureCandidate

    passage = "Officials said 4,000 troops were deployed in the region"
    count = 4000
    unit = "troops"
    location = "the region"
    confidence = 0.7
    status = "pending"


class StatementFactory(DjangoModelFactory):
    """A statement of its own speaker; give it appearances with QuoteFactory(statement=...)."""

    class Meta:
        model = Statement

    speaker = factory.SubFactory(SpeakerFactory)
    slug = factory.Sequence(lambda n: f"statement-{n}")
    text = "We will defend every inch of allied territory."


class StatementSuggestionFactory(DjangoModelFactory):
    """A pending suggestion that two quotes of one speaker say the same words (the two are
    stored in the order of their ids)."""

    class Meta:
        model = StatementSuggestion

    quote = factory.SubFactory(QuoteFactory)
    other_quote = factory.SubFactory(QuoteFactory, speaker=factory.SelfAttribute("..quote.speaker"))
    method = "exact"
    score = 1.0
    status = "pending"
