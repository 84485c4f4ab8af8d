"""Statements in a real browser (Debian's chromium driven by Playwright): a researcher opens the
queue of statement suggestions in the admin, confirms one with a reason, and sees the
statement with its appearances; chromium reports no Content-Security-Policy violation on any
of those pages (the queue and the statement page have styles of their own, as static files).
"""

import datetime

import pytest

from quotes.models import Quote, Speaker, StatementSuggestion
from quotes.statements import suggest_statements
from tests.browser.test_admin_in_browser import (
    browser,  # noqa: F401  (the fixture)
    login,
    researcher_login,  # noqa: F401  (the fixture)
    screenshot,
)
from tests.browser.test_csp_in_browser import csp_page, settle  # noqa: F401  (csp_page)
from tests.factories import QuoteFactory, SourceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# Peskov's words of seed 004, reported again by another outlet: an exact match of an
# appearance of his statement.
REPORT = (
    "Kremlin: relations with NATO at their lowest\n\n"
    "Moscow, 3 April 2024\n\n"
    "Kremlin spokesman Dmitry Peskov said relations had descended to “direct confrontation”.\n"
)


@pytest.fixture
def suggestion(researcher_login):  # noqa: F811
    """A pending suggestion: a new report of Peskov's "direct confrontation", another
    appearance of his seeded statement."""
    source = SourceFactory(
        title="Kremlin: relations with NATO at their lowest",
        text=REPORT,
        published_on=datetime.date(2024, 4, 3),
    )
    quote = QuoteFactory(
        source=source,
        passage="direct confrontation",
        speaker=Speaker.objects.get(slug="dmitry-peskov"),
        kind="fragment",
    )
    [made] = suggest_statements(quote)
    assert made.statement.slug == "russia-nato-direct-confrontation"
    return made


def test_a_researcher_confirms_a_suggestion_and_sees_the_statement(
    csp_page,  # noqa: F811
    live_server,
    researcher_login,  # noqa: F811
    suggestion,
    tmp_path,
):
    page = csp_page
    statement = suggestion.statement
    before = statement.appearances.count()
    login(page, live_server, *researcher_login)

    # The queue: the pending suggestion, its quote beside the statement it repeats.
    page.goto(f"{live_server.url}/admin/quotes/statementsuggestion/")
    page.wait_for_selector("#result_list")
    settle(page)
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    row_text = rows.first.inner_text()
    assert "direct confrontation" in row_text
    assert "russia-nato-direct-confrontation" in row_text
    assert "Exact match" in row_text
    screenshot(page, tmp_path, "queue")

    # Confirm it, with a reason.
    rows.first.locator("input.action-select").check()
    page.select_option("select[name=action]", "confirm_selected")
    page.click("button[name=index]")
    page.wait_for_selector("#decide-form")
    settle(page)
    assert "Confirming makes each statement" in page.inner_text("#content-main")
    page.fill("#id_reason", "The same words, reported by another outlet.")
    page.click("#decide-form input[type=submit]")
    page.wait_for_selector(".messagelist .success")
    assert "1 suggestion(s) confirmed." in page.inner_text(".messagelist")
    settle(page)
    # Decided: the queue (pending by default) is empty.
    assert page.locator("#result_list tbody tr").count() == 0

    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by.username, suggestion.reason) == (
        "confirmed",
        researcher_login[0],
        "The same words, reported by another outlet.",
    )
    quote = Quote.objects.get(pk=suggestion.quote_id)
    assert quote.statement_id == statement.pk
    assert quote.history.first().history_change_reason == (
        "The same words, reported by another outlet."
    )

    # The statement's page: its first appearance, and every appearance, the new one among them.
    page.goto(f"{live_server.url}/admin/quotes/statement/{statement.pk}/change/")
    page.wait_for_selector(".field-first_appearance")
    settle(page)
    appearances = page.locator(".tabular tbody tr.has_original")
    assert appearances.count() == before + 1 == statement.appearances.count()
    texts = appearances.all_inner_texts()
    assert any("Kremlin: relations with NATO at their lowest" in text for text in texts)
    assert all("Detach…" in text for text in texts)
    # Seed 004 is dated "2024" only, which may be as late as 31 December: the report of
    # 3 April 2024 is the one known to have appeared first (docs/statements.md).
    first = page.inner_text(".field-first_appearance")
    assert "Kremlin: relations with NATO at their lowest" in first
    assert "2024-04-03" in first
    path = screenshot(page, tmp_path, "statement")
    print(f"screenshot: {path}")

    assert page.violations == [], "\n".join(page.violations)
    assert StatementSuggestion.objects.pending().count() == 0
