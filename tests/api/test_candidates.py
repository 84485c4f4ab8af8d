"""The review queue through the API: candidate quotes and troop figures, researchers only."""

import pytest

from extraction.models import QuoteCandidate
from quotes.models import Quote, TroopFigure
from tests.api.mixins import ResearchResourceTests, detail_url, list_url, row_counts
from tests.api.specs import SPECS
from tests.factories import QuoteCandidateFactory, TroopFigureCandidateFactory


class TestQuoteCandidates(ResearchResourceTests):
    spec = SPECS["quote-candidates"]


class TestTroopFigureCandidates(ResearchResourceTests):
    spec = SPECS["troop-figure-candidates"]


@pytest.mark.parametrize("basename", ["quotecandidate", "troopfigurecandidate"])
def test_no_one_but_researchers_sees_a_candidate(anonymous, reader, researcher, db, basename):
    candidate = (
        QuoteCandidateFactory if basename == "quotecandidate" else TroopFigureCandidateFactory
    )()
    for url in (list_url(basename), detail_url(basename, candidate.pk)):
        assert anonymous.get(url).status_code == 401
        assert reader.get(url).status_code == 403
        assert researcher.get(url).status_code == 200


def test_accepting_through_the_api_makes_a_draft_quote(researcher, anonymous, db):
    candidate = QuoteCandidateFactory()
    response = researcher.post(detail_url("quotecandidate", candidate.pk) + "accept/")
    assert response.status_code == 201, response.content
    quote = Quote.objects.get(pk=response.json()["id"])
    assert response["Location"].endswith(detail_url("quote", quote.pk))
    assert (quote.status, quote.text, quote.speaker) == ("draft", candidate.text, candidate.speaker)
    assert anonymous.get(detail_url("quote", quote.pk)).status_code == 404  # a draft
    again = researcher.post(detail_url("quotecandidate", candidate.pk) + "accept/")
    assert again.status_code == 409
    assert again.json()["errors"][0]["detail"] == "This candidate is already accepted."


def test_accepting_a_troop_figure_cites_its_span(researcher, db):
    candidate = TroopFigureCandidateFactory()
    response = researcher.post(detail_url("troopfigurecandidate", candidate.pk) + "accept/")
    assert response.status_code == 201, response.content
    figure = TroopFigure.objects.get(pk=response.json()["id"])
    citation = figure.citations.get()
    assert (citation.source, citation.start, citation.end) == (
        candidate.source,
        candidate.start,
        candidate.end,
    )
    assert figure.status == "draft"


def test_rejecting_needs_a_reason_and_writes_nothing_without_one(researcher, db):
    candidate = QuoteCandidateFactory()
    url = detail_url("quotecandidate", candidate.pk) + "reject/"
    before = row_counts()
    blank = researcher.post(url, {"reason": "  "})
    assert blank.status_code == 400
    assert blank.json()["errors"][0]["attr"] == "reason"
    assert row_counts() == before
    rejected = researcher.post(url, {"reason": "A paraphrase, not the words."})
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == (
        "rejected",
        "A paraphrase, not the words.",
    )
    assert rejected.json()["reviewed_by"] == "researcher"


def test_a_decided_candidate_cannot_be_edited(researcher, db):
    candidate = QuoteCandidateFactory(status="rejected", rejection_reason="No.")
    response = researcher.patch(detail_url("quotecandidate", candidate.pk), {"kind": "fragment"})
    assert response.status_code == 409
    assert QuoteCandidate.objects.get(pk=candidate.pk).kind == "statement"


def test_accept_all_takes_the_pending_ones_above_the_confidence(researcher, db):
    sure = QuoteCandidateFactory(confidence=0.95)
    source = sure.source
    unsure = QuoteCandidateFactory(
        source=source, passage="the Secretary General said", confidence=0.4
    )
    response = researcher.post(
        list_url("quotecandidate") + "accept-all/", {"source": source.pk, "min_confidence": 0.9}
    )
    assert response.status_code == 200, response.content
    assert len(response.json()["accepted"]) == 1
    assert QuoteCandidate.objects.get(pk=sure.pk).status == "accepted"
    assert QuoteCandidate.objects.get(pk=unsure.pk).status == "pending"


def test_extracting_a_source_through_the_api(researcher, seeded):
    from sources.models import Source

    source = Source.objects.get(slug="russia-nato-direct-confrontation-kremlin")
    response = researcher.post(list_url("quotecandidate") + "extract/", {"source": source.pk})
    assert response.status_code == 200, response.content
    # Every quotation of the seed is curated already: nothing new to propose.
    assert (
        response.json()["already_quoted"]
        == response.json()["quotes"] + response.json()["already_quoted"]
    )


def test_a_candidate_that_cannot_be_accepted_is_a_readable_400(researcher, db):
    """No speaker, none named: nothing to attribute the quote to. The code is one the
    operation documents (tests/error_contract.py checks it)."""
    candidate = QuoteCandidateFactory(speaker=None, speaker_name="")
    response = researcher.post(detail_url("quotecandidate", candidate.pk) + "accept/")
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["code"] == "invalid"
    assert not Quote.objects.filter(text=candidate.text).exists()
    assert QuoteCandidate.objects.get(pk=candidate.pk).status == "pending"


@pytest.mark.parametrize("basename", ["quotecandidate", "troopfigurecandidate"])
def test_an_accept_refuses_a_body_rather_than_ignore_it(researcher, db, basename):
    """Accepting takes the candidate as it stands: a field sent along (a corrected speaker,
    say) would be silently dropped. Edit the candidate first."""
    factory = QuoteCandidateFactory if basename == "quotecandidate" else TroopFigureCandidateFactory
    candidate = factory()
    url = detail_url(basename, candidate.pk) + "accept/"
    counts = row_counts()
    response = researcher.post(url, {"speaker": 3}, format="json")
    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
        ("speaker", "unknown_field")
    ]
    assert row_counts() == counts
    assert type(candidate).objects.get(pk=candidate.pk).status == "pending"
    assert researcher.post(url).status_code == 201  # and without a body, it is accepted
