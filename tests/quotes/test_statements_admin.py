"""The statements in the admin: the researchers' queue of suggestions (confirm, dismiss, with a
reason), a statement's page with its appearances, and the undo (detach), without N+1 queries."""

from django.contrib.admin import helpers
from django.contrib.auth.models import User

from quotes import statements
from quotes.models import Quote, Statement, StatementSuggestion
from tests.admin_pages import admin_url
from tests.factories import QuoteFactory, SourceFactory, SpeakerFactory, StatementFactory


def repeats(n):
    """n speakers, each with two quotes of the same words: n pending suggestions."""
    for i in range(n):
        speaker = SpeakerFactory()
        for j, words in enumerate(
            (f"Strategic challenge number {i},", f"strategic challenge number {i}")
        ):
            source = SourceFactory(text=f"“{words}” he said. ({speaker.slug} {j})")
            QuoteFactory(source=source, passage=words, speaker=speaker)
    return statements.refresh_suggestions()


def test_the_queue_lists_pending_suggestions_side_by_side_in_few_queries(
    researcher_client, django_assert_max_num_queries
):
    repeats(3)
    with django_assert_max_num_queries(12) as few:
        page = researcher_client.get(admin_url(StatementSuggestion)).content.decode()
    assert "Strategic challenge number 2," in page
    assert "strategic challenge number 2" in page
    assert "Exact match" in page
    repeats(12)  # more rows than before: the same number of queries
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = researcher_client.get(admin_url(StatementSuggestion)).content.decode()
    assert "strategic challenge number 11" in page


def test_the_statement_list_and_page_cost_few_queries(
    researcher_client, seeded, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10) as few:
        page = researcher_client.get(admin_url(Statement)).content.decode()
    assert "NATO is a defensive alliance." in page
    for _ in range(10):
        statement = StatementFactory()
        QuoteFactory(speaker=statement.speaker, statement=statement)
    with django_assert_max_num_queries(len(few.captured_queries)):
        researcher_client.get(admin_url(Statement))
    statement = Statement.objects.get(slug="russia-nato-direct-confrontation")
    page = researcher_client.get(admin_url(Statement, "change", statement.pk)).content.decode()
    assert "Appearances (first appearance first)" in page
    assert page.count("Detach…") == 3
    assert "direct confrontation," in page  # a variant


def test_a_researcher_confirms_and_dismisses_with_a_reason(researcher_client):
    made = repeats(2)
    confirm, dismiss = made
    url = admin_url(StatementSuggestion)
    asked = researcher_client.post(
        url, {"action": "confirm_selected", helpers.ACTION_CHECKBOX_NAME: [confirm.pk]}
    )
    assert "Why (optional)" in asked.content.decode()
    done = researcher_client.post(
        url,
        {
            "action": "confirm_selected",
            helpers.ACTION_CHECKBOX_NAME: [confirm.pk],
            "apply": "yes",
            "reason": "One speech.",
        },
        follow=True,
    )
    assert "1 suggestion(s) confirmed." in done.content.decode()
    confirm.refresh_from_db()
    user = User.objects.get(username="ada")
    assert (confirm.status, confirm.decided_by, confirm.reason) == (
        "confirmed",
        user,
        "One speech.",
    )
    statement = Quote.objects.get(pk=confirm.quote_id).statement
    assert statement.appearances.count() == 2
    # A dismissal without a reason is asked again; with one, kept.
    data = {
        "action": "dismiss_selected",
        helpers.ACTION_CHECKBOX_NAME: [dismiss.pk],
        "apply": "yes",
    }
    again = researcher_client.post(url, {**data, "reason": ""})
    assert "This field is required." in again.content.decode()
    researcher_client.post(url, {**data, "reason": "Not the same."})
    dismiss.refresh_from_db()
    assert (dismiss.status, dismiss.reason) == ("dismissed", "Not the same.")


def test_a_researcher_detaches_a_quote_from_its_statement(researcher_client, seeded):
    statement = Statement.objects.get(slug="russia-a-strategic-challenge")
    quote = statement.appearances.first()
    page = researcher_client.get(admin_url(Quote, "change", quote.pk)).content.decode()
    assert "Detach from it…" in page
    url = admin_url(Quote, "detach", quote.pk)
    assert "Why it is detached" in researcher_client.get(url).content.decode()
    response = researcher_client.post(url, {"reason": "A different speech."})
    assert response.status_code == 302
    assert response["Location"] == admin_url(Statement, "change", statement.pk)
    quote.refresh_from_db()
    assert quote.statement is None
    version = quote.history.first()
    assert (version.history_user.username, version.history_change_reason) == (
        "ada",
        "A different speech.",
    )


def test_saving_a_new_quote_in_the_admin_suggests_its_statements(superuser_client, seeded):
    from tests.admin_pages import quote_form_data

    existing = Quote.objects.get(text="obsolete")
    source = SourceFactory(text="He called it “Obsolete!” again.")
    data = quote_form_data(existing, source=source.pk, text="Obsolete!", start="", end="")
    data["kind"], data["event"], data["treaties"], data["status"] = "fragment", "", [], "draft"
    response = superuser_client.post(admin_url(Quote, "add"), data, follow=True)
    if "adminform" in (response.context or {}):
        assert response.context["adminform"].form.errors == {}
    assert "1 statement suggestion(s) to decide" in response.content.decode()
    [suggestion] = StatementSuggestion.objects.all()
    assert suggestion.quote == existing
