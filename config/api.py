"""The v1 API router: every resource of /api/v1/ is registered here."""

from rest_framework.routers import DefaultRouter

from extraction.api.views import QuoteCandidateViewSet, TroopFigureCandidateViewSet
from quotes.api.views import (
    EventViewSet,
    OrganizationViewSet,
    QuoteViewSet,
    SpeakerViewSet,
    StatementSuggestionViewSet,
    StatementViewSet,
    TreatyViewSet,
    TroopFigureViewSet,
)
from sources.api.views import OutletViewSet, SourceViewSet

router = DefaultRouter()
router.register("quotes", QuoteViewSet)
router.register("speakers", SpeakerViewSet)
router.register("organizations", OrganizationViewSet)
router.register("events", EventViewSet)
router.register("sources", SourceViewSet)
router.register("outlets", OutletViewSet)
router.register("treaties", TreatyViewSet)
router.register("troop-figures", TroopFigureViewSet)
router.register("statements", StatementViewSet)
router.register("statement-suggestions", StatementSuggestionViewSet)
router.register("quote-candidates", QuoteCandidateViewSet)
router.register("troop-figure-candidates", TroopFigureCandidateViewSet)
