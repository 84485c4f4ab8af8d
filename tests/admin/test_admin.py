"""The researchers' admin: every page, span locating, provenance, review, history, export."""

import csv
import io
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from quotes.models import Quote, TroopFigure
from sources.models import Source


def admin_url(model, action="changelist", *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=args)


def quote_form_data(quote, **overrides):
    """The POST data of a quote's change form, as the browser would send it unchanged."""
    data = {
        "speaker": quote.speaker_id,
        "kind": quote.kind,
        "status": quote.status,
        "source": quote.source_id,
        "text": quote.text,
        "start": quote.start,
        "end": quote.end,
        "occurrence": "",
        "said_on": quote.said_on.isoformat() if quote.said_on else "",
        "said_on_precision": quote.said_on_precision,
        "said_on_note": quote.said_on_note,
        "event": quote.event_id or "",
        "language": quote.language,
        "original_language": quote.original_language,
        "treaties": [t.pk for t in quote.treaties.all()],
        "attribution_note": quote.attribution_note,
        "note": quote.note,
    }
    if quote.said_on_inferred:
        data["said_on_inferred"] = "on"
    if quote.is_translation:
        data["is_translation"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


CONTENT_MODELS = [
    model for model in admin.site._registry if model._meta.app_label in {"sources", "quotes"}
]


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m._meta.label)
def test_every_admin_page_renders(superuser_client, seeded, model):
    assert superuser_client.get(admin_url(model)).status_code == 200
    assert superuser_client.get(admin_url(model), {"q": "NATO"}).status_code == 200
    assert superuser_client.get(admin_url(model, "add")).status_code == 200
    obj = model.objects.first()
    if obj is not None:
        assert superuser_client.get(admin_url(model, "change", obj.pk)).status_code == 200
        assert superuser_client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_searching_quotes_finds_by_text_and_by_speaker_alias(superuser_client, seeded):
    page = superuser_client.get(admin_url(Quote), {"q": "Makron"}).content.decode()
    assert "Europeans should be involved" in page
    page = superuser_client.get(admin_url(Quote), {"q": "obsolete"}).content.decode()
    assert "1 quote" in page


def test_quote_page_highlights_the_span_in_its_source(superuser_client, seeded):
    quote = Quote.objects.get(text="obsolete")
    page = superuser_client.get(admin_url(Quote, "change", quote.pk)).content.decode()
    assert (
        "organization, which he called &quot;<mark>obsolete</mark>&quot; while campaigning" in page
    )


def test_a_wrong_text_cannot_be_saved_and_the_error_says_what_differs(researcher_client, seeded):
    quote = Quote.objects.get(text="obsolete")
    response = researcher_client.post(
        admin_url(Quote, "change", quote.pk), quote_form_data(quote, text="outdated")
    )
    assert response.status_code == 200  # the form again, with the error
    page = response.content.decode()
    assert "given “…outdated…”, source has “…obsolete…”" in page
    quote.refresh_from_db()
    assert quote.text == "obsolete"
    assert quote.history.count() == 1, "only the seeded first version"


def test_a_pasted_text_is_located_in_the_source(researcher_client, seeded):
    template = Quote.objects.get(text="obsolete")
    source = template.source
    data = quote_form_data(template, text="dominate   global affairs", start="", end="")
    data["treaties"] = []
    response = researcher_client.post(admin_url(Quote, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Quote.objects.get(text="dominate global affairs")
    assert source.text[created.start : created.end] == "dominate global affairs"
    assert created.status == "published"


def test_text_not_in_the_source_is_refused(researcher_client, seeded):
    template = Quote.objects.get(text="obsolete")
    data = quote_form_data(template, text="NATO is obsolete", start="", end="", treaties=[])
    response = researcher_client.post(admin_url(Quote, "add"), data)
    assert response.status_code == 200
    assert "This text is not in the source" in response.content.decode()


def test_text_found_several_times_asks_which_occurrence_then_saves_it(researcher_client, seeded):
    template = Quote.objects.get(text="obsolete")
    source = template.source
    phrase = "an arms race"
    offsets = [m.start() for m in re.finditer(phrase, source.text)]
    assert len(offsets) > 1
    data = quote_form_data(template, text=phrase, start="", end="", treaties=[])
    response = researcher_client.post(admin_url(Quote, "add"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"The text occurs {len(offsets)} times in the source: choose which one." in page
    for offset in offsets:
        assert f"characters {offset}–{offset + len(phrase)}" in page
    response = researcher_client.post(
        admin_url(Quote, "add"), {**data, "occurrence": str(offsets[-1])}
    )
    assert response.status_code == 302
    assert Quote.objects.get(text=phrase).start == offsets[-1]


def test_source_page_lists_what_cites_it_and_locks_its_text(superuser_client, seeded):
    source = Source.objects.get(slug="russia-to-nato-stop-dominating-world")
    page = superuser_client.get(admin_url(Source, "change", source.pk)).content.decode()
    assert "Cited by" in page
    assert "quote</" not in page  # labels are rendered as text, links follow
    assert page.count(admin_url(Quote, "change", Quote.objects.get(text="obsolete").pk)) >= 1
    assert "supports" in page
    assert 'name="text"' not in page, "a cited source's text is read-only"


def test_bulk_publish_records_each_change_in_history(researcher_client, seeded):
    drafts = list(Quote.objects.filter(speaker__slug="vladimir-putin"))
    for quote in drafts:
        quote.status = "draft"
        quote.save()
    response = researcher_client.post(
        admin_url(Quote),
        {"action": "publish", "_selected_action": [q.pk for q in drafts]},
    )
    assert response.status_code == 302
    for quote in drafts:
        quote.refresh_from_db()
        assert quote.status == "published"
        latest, _drafted, _seeded = quote.history.all()
        assert latest.history_user.username == "ada"
        assert latest.history_change_reason == "Bulk action: published"
        assert latest.changes == [{"field": "status", "old": "draft", "new": "published"}]


def test_troop_figures_can_be_published_in_bulk(researcher_client, seeded):
    TroopFigure.objects.update(status="reviewed")
    ids = list(TroopFigure.objects.values_list("pk", flat=True))
    researcher_client.post(admin_url(TroopFigure), {"action": "publish", "_selected_action": ids})
    assert set(TroopFigure.objects.values_list("status", flat=True)) == {"published"}


def test_csv_export_action(researcher_client, seeded):
    ids = list(Quote.objects.filter(speaker__slug="dmitry-peskov").values_list("pk", flat=True))
    response = researcher_client.post(
        admin_url(Quote), {"action": "export_csv", "_selected_action": ids}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 5
    assert {row["speaker_slug"] for row in rows} == {"dmitry-peskov"}
    assert {row["said_on"] for row in rows} == {"2024"}


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
