"""What the texts say: who speaks, where, the quotes themselves, treaties and troop figures.

Every quote is a span of a source (it inherits `SourceSpan`); every fact cites at least one
`Citation`. The span rules themselves live in `sources.spans`. A statement groups the quotes
that report the same words (`quotes.models.statements`).
"""

from quotes.models.actors import Organization, Speaker
from quotes.models.events import Event
from quotes.models.quotes import Quote
from quotes.models.statements import (
    Statement,
    StatementSuggestion,
    SuggestionMethod,
    SuggestionStatus,
)
from quotes.models.treaties import (
    Treaty,
    TreatyFact,
    TreatyParty,
    TreatyProvision,
    TreatySignatory,
    TreatyStatusEvent,
)
from quotes.models.troops import TroopFigure

__all__ = [
    "Event",
    "Organization",
    "Quote",
    "Speaker",
    "Statement",
    "StatementSuggestion",
    "SuggestionMethod",
    "SuggestionStatus",
    "Treaty",
    "TreatyFact",
    "TreatyParty",
    "TreatyProvision",
    "TreatySignatory",
    "TreatyStatusEvent",
    "TroopFigure",
]
