"""The world the resource specs write against (tests/api/specs.py)."""

import pytest

from tests.api.specs import World
from tests.factories import (
    CitationFactory,
    EventFactory,
    OrganizationFactory,
    OutletFactory,
    QuoteCandidateFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSuggestionFactory,
    TreatyFactory,
    TroopFigureCandidateFactory,
    TroopFigureFactory,
)


@pytest.fixture
def world(db):
    """One record of each kind, related as real data is (tests/api/specs.py)."""
    organization = OrganizationFactory()
    speaker = SpeakerFactory(organization=organization)
    outlet = OutletFactory()
    source = SourceFactory(outlet=outlet)
    citation = CitationFactory(source=source)
    whole = TroopFigureFactory(slug="whole", count=5000, citations=[citation])
    statement = StatementFactory(speaker=speaker, text="We will defend every inch.")
    appearance = QuoteFactory(speaker=speaker, statement=statement)
    QuoteFactory(speaker=speaker, statement=statement)
    suggestion = StatementSuggestionFactory(
        quote=QuoteFactory(speaker=speaker), other_quote=QuoteFactory(speaker=speaker)
    )
    return World(
        organization=organization,
        speaker=speaker,
        other_speaker=SpeakerFactory(slug="taken"),
        outlet=outlet,
        source=source,
        bare_source=SourceFactory(),
        citation=citation,
        quote=QuoteFactory(source=source, speaker=speaker, said_on="2017-05-26"),
        event=EventFactory(citations=[citation]),
        treaty=TreatyFactory(citations=[citation]),
        whole=whole,
        part=TroopFigureFactory(slug="part", count=4000, parent=whole, citations=[citation]),
        draft_figure=TroopFigureFactory(
            slug="draft-figure", count=2000, status="draft", citations=[citation]
        ),
        quote_candidate=QuoteCandidateFactory(source=source, passage="the Secretary General said"),
        troop_figure_candidate=TroopFigureCandidateFactory(source=source),
        statement=statement,
        appearance=appearance,
        suggestion=suggestion,
    )
