"""The admin every content model shares: every page renders, history diffs and reverts,
and what researchers may not do (core/admin.py, core/roles.py)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.registry import content_models
from extraction.models import QuoteCandidate, TroopFigureCandidate
from quotes.models import Quote, StatementSuggestion
from tests.admin_pages import admin_url, quote_form_data
from tests.factories import (
    QuoteCandidateFactory,
    StatementSuggestionFactory,
    TroopFigureCandidateFactory,
)

# Records never typed in (candidates come from extraction, statement suggestions from the
# matching of quotes): their add page is refused.
NEVER_ADDED = {QuoteCandidate, TroopFigureCandidate, StatementSuggestion}
# The content the seed data does not hold, made to render its change and history pages.
FACTORIES = {
    QuoteCandidate: QuoteCandidateFactory,
    TroopFigureCandidate: TroopFigureCandidateFactory,
    StatementSuggestion: StatementSuggestionFactory,
}

CONTENT_MODELS = [model for model in content_models() if admin.site.is_registered(model)]


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m._meta.label)
def test_every_admin_page_renders(superuser_client, seeded, model):
    assert superuser_client.get(admin_url(model)).status_code == 200
    assert superuser_client.get(admin_url(model), {"q": "NATO"}).status_code == 200
    add = superuser_client.get(admin_url(model, "add"))
    assert add.status_code == (403 if model in NEVER_ADDED else 200)
    obj = model.objects.first() or FACTORIES.get(model, lambda: None)()
    if obj is not None:
        assert superuser_client.get(admin_url(model, "change", obj.pk)).status_code == 200
        assert superuser_client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_change_history_shows_the_diff_and_can_be_reverted(superuser_client, seeded):
    quote = Quote.objects.get(text="obsolete")
    url = admin_url(Quote, "change", quote.pk)
    superuser_client.post(url, quote_form_data(quote, note="Checked against the video."))
    superuser_client.post(url, quote_form_data(quote, note="Checked twice."))
    page = superuser_client.get(admin_url(Quote, "history", quote.pk)).content.decode()
    assert "Checked against the video." in page
    assert "Checked twice." in page
    assert "root" in page
    first = quote.history.order_by("history_id").first()
    revert_url = reverse("admin:quotes_quote_simple_history", args=[quote.pk, first.pk])
    assert superuser_client.get(revert_url).status_code == 200
    superuser_client.post(revert_url, quote_form_data(quote, note="Checked against the video."))
    quote.refresh_from_db()
    assert quote.note == "Checked against the video."


def test_researchers_cannot_delete_nor_manage_users(researcher_client, seeded):
    quote = Quote.objects.first()
    assert researcher_client.get(admin_url(Quote, "delete", quote.pk)).status_code == 403
    assert researcher_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    index = researcher_client.get(reverse("admin:index")).content.decode()
    assert "Quotes" in index
    assert "Users" not in index
