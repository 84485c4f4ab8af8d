"""Statements: the match text, what a statement derives from its appearances (first appearance,
variants), the speaker rule, and the seeds' statements as curated in fixtures/."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from quotes.matching import contains_words, match_text, word_spans
from quotes.models import Quote, Statement
from tests.factories import QuoteFactory, SourceFactory, SpeakerFactory, StatementFactory

# -- the match text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # quotation marks of every kind
        ("«NATO is a defensive alliance»", "nato is a defensive alliance"),
        ("„direct confrontation“", "direct confrontation"),
        ("“strategic challenge,”", "strategic challenge"),
        ("‘less’", "less"),
        ("‹ein› \"two\" 'three'", "ein two three"),
        # case, Unicode case folding and compatibility forms
        ("NATO Is A DEFENSIVE Alliance", "nato is a defensive alliance"),
        ("STRAßE", "strasse"),
        ("ﬁne", "fine"),
        # punctuation, apostrophes inside a word joining it
        ("We don't want a new Cold War, we don’t want a new arms race.", None),
        ("end of the Cold War… In fact", "end of the cold war in fact"),
        ("NATO-Russia relations; (really)!", "nato russia relations really"),
        # whitespace of every kind
        ("a\n\n  better\u00a0relationship\t", "a better relationship"),
        ("", ""),
        ("«…»", ""),
    ],
)
def test_match_text_folds_quotation_marks_case_punctuation_and_whitespace(given, expected):
    if expected is None:
        expected = "we dont want a new cold war we dont want a new arms race"
    assert match_text(given) == expected


def test_apostrophes_join_a_word_only_inside_it():
    assert match_text("Russia’s borders") == match_text("Russias borders") == "russias borders"
    assert match_text("'defensive,'") == "defensive"


def test_containment_is_on_whole_words():
    longer = match_text("In fact, our relations have descended to direct confrontation.")
    assert contains_words(longer, "direct confrontation")
    assert contains_words(longer, "in fact")
    assert not contains_words(longer, "direct confront")  # a part of a word
    assert not contains_words(longer, "act our")  # "fact" is not "act"
    assert not contains_words(longer, longer)  # the same text is an exact match, not inside


def test_word_spans_are_every_run_of_words_up_to_the_limit():
    assert word_spans("a b c", 2) == {"a", "b", "c", "a b", "b c", "a b c"}


@pytest.mark.django_db
def test_a_quote_keeps_its_match_text_when_its_words_change():
    quote = QuoteFactory()
    assert quote.match_text == "we will defend every inch of allied territory"
    quote.text = "“We will  defend every inch of allied territory,”"
    quote.save()
    assert Quote.objects.get(pk=quote.pk).match_text == quote.match_text
    source = SourceFactory(text="He said: «Defend, Every inch!» Twice.")
    moved = QuoteFactory(source=source, passage="Defend, Every inch!")
    assert Quote.objects.get(pk=moved.pk).match_text == "defend every inch"


# -- first appearance and variants -----------------------------------------------------


def quote_in(text, passage, speaker, published_on, precision, **fields):
    source = SourceFactory(text=text, published_on=published_on, published_on_precision=precision)
    return QuoteFactory(source=source, passage=passage, speaker=speaker, **fields)


@pytest.mark.django_db
def test_a_year_precision_date_does_not_beat_a_day_of_the_same_year_by_accident():
    speaker = SpeakerFactory()
    statement = StatementFactory(speaker=speaker)
    # Stored as 2017-01-01, but "2017" may be any day of it: 26 May 2017 is known earlier.
    year = quote_in("“Defend.” A", "Defend.", speaker, datetime.date(2017, 1, 1), "year")
    day = quote_in("“Defend!” B", "Defend!", speaker, datetime.date(2017, 5, 26), "day")
    month = quote_in("“defend” C", "defend", speaker, datetime.date(2017, 5, 1), "month")
    undated = quote_in("“DEFEND” D", "DEFEND", speaker, None, "")
    earlier_year = quote_in("“defend.” E", "defend.", speaker, datetime.date(2016, 1, 1), "year")
    for quote in (year, day, month, undated):
        quote.statement = statement
        quote.save()
    [annotated] = Statement.objects.filter(pk=statement.pk).with_first_appearance()
    assert (annotated.first_appearance_id, annotated.appearance_count) == (day.pk, 4)
    assert annotated.first_appeared_on == datetime.date(2017, 5, 26)
    assert annotated.first_appeared_on_precision == "day"
    ordered = Statement.objects.with_appearances().get(pk=statement.pk).ordered_appearances()
    # 26 May, then May 2017 (ends 31 May), then 2017 (ends 31 December), then unknown.
    assert [q.pk for q in ordered] == [day.pk, month.pk, year.pk, undated.pk]
    # A year before is before: the whole of 2016 precedes 26 May 2017.
    earlier_year.statement = statement
    earlier_year.save()
    [annotated] = Statement.objects.filter(pk=statement.pk).with_first_appearance()
    assert annotated.first_appearance_id == earlier_year.pk
    assert annotated.first_appeared_on_precision == "year"
    fresh = Statement.objects.get(pk=statement.pk)
    assert fresh.first_appearance == earlier_year
    assert fresh.first_appeared_display == "2016"


@pytest.mark.django_db
def test_ties_go_to_the_more_precise_date_then_to_the_place_in_the_text():
    speaker = SpeakerFactory()
    statement = StatementFactory(speaker=speaker)
    december = quote_in("“Go.” A", "Go.", speaker, datetime.date(2017, 12, 1), "month")
    last_day = quote_in("“Go!” B", "Go!", speaker, datetime.date(2017, 12, 31), "day")
    source = SourceFactory(
        text="“go” headline. Body: “Go,” he said.", published_on=None, published_on_precision=""
    )
    body = QuoteFactory(source=source, passage="Go,", speaker=speaker, statement=statement)
    headline = QuoteFactory(source=source, passage="go", speaker=speaker, statement=statement)
    for quote in (december, last_day):
        quote.statement = statement
        quote.save()
    ordered = Statement.objects.get(pk=statement.pk).ordered_appearances()
    assert [q.pk for q in ordered] == [last_day.pk, december.pk, headline.pk, body.pk]


@pytest.mark.django_db
def test_variants_are_the_distinct_wordings_in_order_of_appearance():
    speaker = SpeakerFactory()
    statement = StatementFactory(speaker=speaker)
    text = "“Strategic challenge,” one said. “strategic\nchallenge” and “Strategic challenge,” "
    source = SourceFactory(text=text, published_on=datetime.date(2019, 1, 1))
    words = "Strategic challenge,"
    first = QuoteFactory(source=source, start=1, end=1 + len(words), text=words, speaker=speaker)
    QuoteFactory(source=source, passage="strategic\nchallenge", speaker=speaker)
    start = text.rindex(words)
    QuoteFactory(source=source, start=start, end=start + len(words), text=words, speaker=speaker)
    Quote.objects.filter(source=source).update(statement=statement)
    statement = Statement.objects.with_appearances().get(pk=statement.pk)
    # The same words with another line break are one wording; a comma makes another.
    assert statement.variants == ["Strategic challenge,", "strategic challenge"]
    assert statement.first_appearance == first


@pytest.mark.django_db
def test_statement_lists_cost_a_fixed_number_of_queries(django_assert_num_queries):
    for _ in range(5):
        statement = StatementFactory()
        QuoteFactory(speaker=statement.speaker, statement=statement)
        QuoteFactory(speaker=statement.speaker, statement=statement)
    with django_assert_num_queries(2):  # the statements with speakers; their appearances
        rows = list(Statement.objects.with_first_appearance().with_appearances())
        assert [len(s.variants) for s in rows] == [1] * 5
        assert all(s.first_appearance.source.title for s in rows)
        assert all(s.appearance_count == 2 for s in rows)


@pytest.mark.django_db
def test_the_public_sees_only_published_appearances(django_user_model):
    statement = StatementFactory()
    published = QuoteFactory(speaker=statement.speaker, statement=statement)
    QuoteFactory(speaker=statement.speaker, statement=statement, status="draft")
    only_draft = StatementFactory()
    QuoteFactory(speaker=only_draft.speaker, statement=only_draft, status="draft")
    assert list(Statement.objects.visible_to(None)) == [statement]
    [public] = Statement.objects.filter(pk=statement.pk).with_first_appearance(None)
    assert public.appearance_count == 1
    seen = Statement.objects.with_appearances(None).get(pk=statement.pk)
    assert [q.pk for q in seen.ordered_appearances()] == [published.pk]
    [everyone] = Statement.objects.filter(pk=statement.pk).with_first_appearance()
    assert everyone.appearance_count == 2


# -- the speaker rule ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_appearance_of_another_speakers_statement_is_refused():
    statement = StatementFactory()
    quote = QuoteFactory()  # another speaker
    quote.statement = statement
    with pytest.raises(ValidationError) as refused:
        quote.full_clean()
    assert "every appearance of a statement is its speaker's" in str(refused.value)
    # and a statement whose speaker is changed away from its appearances
    QuoteFactory(speaker=statement.speaker, statement=statement)
    statement.speaker = quote.speaker
    with pytest.raises(ValidationError, match="another speaker's"):
        statement.full_clean()


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_another_speakers_appearance_on_postgresql():
    statement = StatementFactory()
    quote = QuoteFactory()
    with transaction.atomic():
        Quote.objects.filter(pk=quote.pk).update(statement=statement)
        # The foreign key is deferred, as Django's are: checked at the commit, or now.
        with pytest.raises(IntegrityError, match="quote_statement_same_speaker"):
            connection.check_constraints()
        transaction.set_rollback(True)
    Quote.objects.filter(pk=quote.pk).update(statement=None, speaker=statement.speaker)
    Quote.objects.filter(pk=quote.pk).update(statement=statement)
    connection.check_constraints()


@pytest.mark.django_db
def test_a_statement_has_words():
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.create(speaker=SpeakerFactory(), slug="empty", text="")


# -- the seeds' statements, as curated -------------------------------------------------

# What the issue names, by a passage of each appearance: source slug, the words.
RECURRING = {
    "nato-is-a-defensive-alliance": {
        ("russia-to-nato-stop-dominating-world", "NATO is a defensive alliance. NATO does not"),
        ("russia-to-nato-stop-dominating-world", "defensive,"),
        ("nato-reveals-what-russia-will-get", "not threatening Russia or anyone else."),
        ("stoltenberg-strive-for-better-relationship", "NATO is a defensive alliance."),
    },
    "no-new-cold-war-no-new-arms-race": {
        ("stoltenberg-strive-for-better-relationship", "We don't want a new Cold War"),
    },
    "strive-for-a-better-relationship-with-russia": {
        ("stoltenberg-strive-for-better-relationship", "strive for a better relationship"),
        ("stoltenberg-strive-for-better-relationship", "better relationship"),
        ("stoltenberg-strive-for-better-relationship", "But at the same time, we strive"),
    },
    "russia-violating-international-law": {
        ("stoltenberg-strive-for-better-relationship", "violating international law"),
        ("stoltenberg-strive-for-better-relationship", "Then we have seen, especially"),
    },
    "russia-a-strategic-challenge": {
        ("moscow-challenge-nato-russian-threat", "strategic challenge"),
    },
    "russia-nato-direct-confrontation": {
        ("russia-nato-direct-confrontation-kremlin", "direct confrontation"),
        ("russia-nato-direct-confrontation-kremlin", "The bloc itself is already"),
    },
}
APPEARANCES = {
    "nato-is-a-defensive-alliance": 4,
    "no-new-cold-war-no-new-arms-race": 2,
    "strive-for-a-better-relationship-with-russia": 3,
    "russia-violating-international-law": 2,
    "russia-a-strategic-challenge": 2,
    "russia-nato-direct-confrontation": 3,
}


@pytest.mark.django_db
def test_the_seeds_recurring_statements_are_grouped_in_the_fixtures(seeded):
    statements = {s.slug: s for s in Statement.objects.with_first_appearance()}
    for slug, count in APPEARANCES.items():
        statement = statements[slug]
        assert statement.appearance_count == count, slug
        appearances = list(statement.appearances.select_related("source", "speaker"))
        for source, words in RECURRING[slug]:
            assert any(q.source.slug == source and q.text.startswith(words) for q in appearances), (
                slug,
                words,
            )
        assert {q.speaker_id for q in appearances} == {statement.speaker_id}
        for quote in appearances:
            quote.full_clean()  # the span rules and the speaker rule
    seeds = {s.slug: s for s in Statement.objects.with_first_appearance()}
    first = seeds["nato-is-a-defensive-alliance"]
    assert (first.first_appeared_on, first.first_appeared_on_precision) == (
        datetime.date(2017, 5, 26),
        "day",
    )
    assert seeds["russia-nato-direct-confrontation"].first_appeared_on_precision == "year"
    # Seed 002 is undated: its statements' first appearance has no date.
    assert seeds["no-new-cold-war-no-new-arms-race"].first_appeared_on is None


@pytest.mark.django_db
def test_a_sentence_recorded_inside_a_quotation_is_verbatim_there(seeded):
    passage = Quote.objects.get(
        source__slug="stoltenberg-strive-for-better-relationship", start=140, end=1225
    )
    nested = Quote.objects.filter(
        source=passage.source, start__gte=passage.start, end__lte=passage.end
    ).exclude(pk=passage.pk)
    assert nested.count() == 4
    for quote in nested:
        assert quote.source.text[quote.start : quote.end] == quote.text
        assert quote.statement is not None
    assert passage.statement is None  # it holds four statements, and is in none
