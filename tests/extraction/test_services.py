"""Extracting a source's candidates and deciding on them (extraction/services.py)."""

import pytest
from django.contrib.auth.models import User

from extraction import services
from extraction.models import CandidateStatus, QuoteCandidate, TroopFigureCandidate
from quotes.models import Quote, Speaker
from sources import importing

ARTICLE = """NATO and Russia trade warnings over the Baltic

Brussels, 14 March 2024

“We will defend every inch of allied territory,” NATO Secretary General Jens Stoltenberg said
on Wednesday.

Kremlin spokesman Dmitry Peskov said that the deployment was “a provocation”.

Finnish President Alexander Stubb told reporters that Finland would “not be intimidated”.

Last year NATO stationed 1,100 soldiers in the Baltic region, 900 of which were U.S. troops.
"""


# Peskov's words again, in a new article (as in seed 004).
PESKOV = (
    "Russia and NATO in ‘direct confrontation’ – Kremlin\n\n"
    "Relations are a “direct confrontation,” Kremlin spokesman Dmitry Peskov has said.\n\n"
    "The alliance marked the anniversary of its founding treaty with a meeting of its "
    "foreign ministers, who discussed the war and the support of their governments.\n"
)


@pytest.fixture
def article(seeded):
    source, _ = importing.import_text(ARTICLE)
    return source


@pytest.fixture
def user(db):
    return User.objects.create_user("ada")


def candidate(source, text):
    return QuoteCandidate.objects.get(source=source, text=text)


def test_extraction_proposes_candidates_with_their_speakers(article):
    summary = services.extract_source(article)
    assert (summary.quotes, summary.troop_figures) == (3, 2)
    defend = candidate(article, "We will defend every inch of allied territory,")
    assert defend.speaker.slug == "jens-stoltenberg"
    assert (defend.kind, defend.status) == ("statement", "pending")
    assert defend.cue == "NATO Secretary General Jens Stoltenberg said"
    assert defend.said_on.isoformat() == "2024-03-13"
    assert defend.said_on_inferred
    stubb = candidate(article, "not be intimidated")
    assert stubb.speaker is None
    assert (stubb.speaker_name, stubb.speaker_role) == ("Alexander Stubb", "Finnish President")
    whole, part = TroopFigureCandidate.objects.filter(source=article).order_by("-count")
    assert part.part_of == whole


def test_accepting_makes_a_draft_quote_with_its_span_and_cue(article, user):
    services.extract_source(article)
    defend = candidate(article, "We will defend every inch of allied territory,")
    quote = services.accept_quote(defend, user=user)
    assert quote.status == "draft"
    assert (quote.source, quote.start, quote.end, quote.text) == (
        article,
        defend.start,
        defend.end,
        defend.text,
    )
    assert quote.speaker.slug == "jens-stoltenberg"
    assert "Cue: “NATO Secretary General Jens Stoltenberg said”." in quote.attribution_note
    defend.refresh_from_db()
    assert (defend.status, defend.quote, defend.reviewed_by) == ("accepted", quote, user)
    assert quote.history.first().history_change_reason.startswith("Accepted from extraction")
    with pytest.raises(services.ReviewRefused, match="already accepted"):
        services.accept_quote(defend, user=user)


def test_accepting_a_headline_quote_marks_it_and_says_the_attribution_is_inferred(seeded, user):
    source, _ = importing.import_text(
        "Russia and NATO in ‘direct confrontation’ – Kremlin\n\n"
        "Relations are a “direct confrontation,” Kremlin spokesman Dmitry Peskov has said.\n\n"
        "The alliance marked the anniversary of its founding treaty with a meeting of its "
        "foreign ministers, who discussed the war and the support of their governments.\n"
    )
    services.extract_source(source)
    headline = QuoteCandidate.objects.get(source=source, from_headline=True)
    quote = services.accept_quote(headline, user=user)
    assert (quote.from_headline, quote.attribution_inferred) == (True, True)
    assert quote.speaker.slug == "dmitry-peskov"
    assert "The headline does not name the speaker" in quote.attribution_note
    body = services.accept_quote(candidate(source, "direct confrontation,"), user=user)
    assert (body.from_headline, body.attribution_inferred) == (False, False)


def test_accepting_proposes_the_statements_the_new_quote_repeats(seeded, user):
    """What an accepted quote repeats is proposed at once, in the accept's transaction (as the
    admin and the API do for the quotes they make): Peskov's "direct confrontation" is an
    appearance of his seeded statement."""
    from quotes.models import Statement, StatementSuggestion

    source, _ = importing.import_text(PESKOV)
    services.extract_source(source)
    statement = Statement.objects.get(slug="russia-nato-direct-confrontation")
    quote = services.accept_quote(candidate(source, "direct confrontation,"), user=user)
    [suggestion] = StatementSuggestion.objects.filter(quote=quote)
    assert (suggestion.statement, suggestion.method, suggestion.status) == (
        statement,
        "exact",
        "pending",
    )


def test_a_refused_accept_proposes_nothing(seeded, user, monkeypatch):
    """The suggestion is part of the accept: when it fails, no quote is made either."""
    from quotes.models import StatementSuggestion

    def broken(quote):
        raise RuntimeError("the matching failed")

    monkeypatch.setattr(services, "suggest_statements", broken)
    source, _ = importing.import_text(PESKOV)
    services.extract_source(source)
    words = candidate(source, "direct confrontation,")
    before = (Quote.objects.count(), StatementSuggestion.objects.count())
    with pytest.raises(RuntimeError):
        services.accept_quote(words, user=user)
    assert (Quote.objects.count(), StatementSuggestion.objects.count()) == before
    words.refresh_from_db()
    assert words.status == CandidateStatus.PENDING


def test_accepting_a_new_speaker_makes_the_speaker(article, user):
    services.extract_source(article)
    quote = services.accept_quote(candidate(article, "not be intimidated"), user=user)
    assert (quote.speaker.name, quote.speaker.role) == ("Alexander Stubb", "Finnish President")
    assert Speaker.objects.filter(slug="alexander-stubb").exists()


def test_rejecting_needs_a_reason_and_is_remembered(article, user):
    services.extract_source(article)
    provocation = candidate(article, "a provocation")
    with pytest.raises(services.ReviewRefused, match="Say why"):
        services.reject(provocation, user=user, reason=" ")
    services.reject(provocation, user=user, reason="Not Peskov's words: a paraphrase.")
    provocation.refresh_from_db()
    assert provocation.status == CandidateStatus.REJECTED
    again = services.extract_source(article)
    assert again.kept == 1
    assert QuoteCandidate.objects.filter(source=article, text="a provocation").count() == 1


def test_extracting_again_replaces_only_what_is_pending(article, user):
    services.extract_source(article)
    services.accept_quote(candidate(article, "not be intimidated"), user=user)
    pending_ids = set(QuoteCandidate.objects.pending().values_list("pk", flat=True))
    summary = services.extract_source(article)
    assert summary.kept == 1  # the accepted one stays as it is, and is not proposed again
    assert set(QuoteCandidate.objects.pending().values_list("pk", flat=True)).isdisjoint(
        pending_ids
    )
    assert QuoteCandidate.objects.filter(status="accepted").count() == 1


def test_accepting_all_above_a_confidence(article, user):
    services.extract_source(article)
    threshold = 0.9
    expected = QuoteCandidate.objects.pending().filter(confidence__gte=threshold).count()
    assert 0 < expected < QuoteCandidate.objects.count()
    accepted, refused = services.accept_all(article, user=user, min_confidence=threshold)
    assert (len(accepted), refused) == (expected, [])
    assert Quote.objects.filter(source=article, status="draft").count() == expected


def test_a_source_in_another_language_gets_no_candidates_and_the_reason(seeded):
    source, _ = importing.import_text(
        "«Мы готовы», — сказал Песков журналистам в Москве. " * 5, title="Песков"
    )
    summary = services.extract_source(source)
    assert (summary.quotes, summary.troop_figures) == (0, 0)
    assert "English only" in summary.message


def test_two_counts_of_one_sentence_are_two_candidates_and_the_part_keeps_its_whole(seeded, user):
    source, _ = importing.import_text(
        "Drills begin in the Baltic\n\nThe exercises involve some 7,000 troops from 14 "
        "countries, including 1,500 German soldiers, according to the alliance. The drills "
        "are held every year, and this year they are the largest that the region has seen "
        "since the end of the Cold War.\n"
    )
    summary = services.extract_source(source)
    assert (summary.troop_figures, summary.kept, summary.errors) == (2, 0, [])
    whole, part = TroopFigureCandidate.objects.filter(source=source).order_by("-count")
    assert (whole.start, whole.end) == (part.start, part.end)
    assert part.part_of == whole
    services.accept_troop_figure(whole, user=user)
    summary = services.extract_source(source)
    assert (summary.troop_figures, summary.kept) == (1, 1)
    part = TroopFigureCandidate.objects.get(source=source, count=1500)
    assert part.part_of == whole
    figure = services.accept_troop_figure(part, user=user)
    whole.refresh_from_db()
    assert (figure.parent_id, figure.count) == (whole.troop_figure_id, 1500)
    assert figure.parent_id is not None


def test_a_date_after_today_is_not_when_a_quote_was_said(seeded):
    source, _ = importing.import_text(
        "Russia and NATO plan talks for the spring\n\n"
        "Kremlin spokesman Dmitry Peskov said on 5 May 2999 that the talks "
        "would be “long and hard”. The two sides have not met since the spring, and neither "
        "has said when they will.\n"
    )
    services.extract_source(source)
    [hard] = QuoteCandidate.objects.filter(source=source)
    assert (hard.text, hard.said_on, hard.said_on_precision) == ("long and hard", None, "")
