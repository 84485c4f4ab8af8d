"""The quotes admin: search, provenance, the span rules, review actions, the CSV export, and
troop-figure breakdowns."""

import csv
import io

from django.contrib.auth.models import User
from django.urls import reverse

from quotes.models import Quote, TroopFigure
from tests.admin_pages import admin_url, quote_form_data


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


REASON = "Checked against the recording."


def statuses(pks):
    return set(Quote.objects.filter(pk__in=pks).values_list("status", flat=True))


def test_bulk_publish_asks_why_then_records_it_in_each_history(editor_client, seeded):
    drafts = list(Quote.objects.filter(speaker__slug="vladimir-putin"))
    for quote in drafts:
        quote.status = "draft"
        quote.save()
    selected = {"action": "publish", "_selected_action": [q.pk for q in drafts]}
    versions = Quote.history.count()

    asked = editor_client.post(admin_url(Quote), {**selected, "index": 0})
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Why are they to be published?" in page
    assert 'name="change_reason"' in page
    assert Quote.history.count() == versions, "nothing changes before the reason is given"

    blank = editor_client.post(admin_url(Quote), {**selected, "apply": "yes", "change_reason": ""})
    assert blank.status_code == 200
    assert "This field is required." in blank.content.decode()
    assert statuses(selected["_selected_action"]) == {"draft"}

    done = editor_client.post(
        admin_url(Quote), {**selected, "apply": "yes", "change_reason": REASON}
    )
    assert done.status_code == 302
    for quote in drafts:
        quote.refresh_from_db()
        assert quote.status == "published"
        latest = quote.history.first()
        assert latest.history_user.username == "edna"
        assert latest.history_change_reason == REASON
        assert latest.changes == [{"field": "status", "old": "draft", "new": "published"}]


def test_troop_figures_are_published_in_bulk_through_the_same_rule(editor_client, seeded):
    TroopFigure.objects.update(status="reviewed")
    ids = list(TroopFigure.objects.values_list("pk", flat=True))
    body = {"action": "publish", "_selected_action": ids, "apply": "yes", "change_reason": REASON}
    assert editor_client.post(admin_url(TroopFigure), body).status_code == 302
    assert set(TroopFigure.objects.values_list("status", flat=True)) == {"published"}
    reasons = {figure.history.first().history_change_reason for figure in TroopFigure.objects.all()}
    assert reasons == {REASON}


def test_researchers_are_not_offered_to_publish_in_bulk(researcher_client, seeded):
    page = researcher_client.get(admin_url(Quote)).content.decode()
    assert 'value="mark_reviewed"' in page
    assert 'value="publish"' not in page
    drafts = list(Quote.objects.filter(speaker__slug="vladimir-putin"))
    Quote.objects.filter(pk__in=[q.pk for q in drafts]).update(status="draft")
    body = {"action": "publish", "_selected_action": [q.pk for q in drafts], "apply": "yes"}
    researcher_client.post(admin_url(Quote), {**body, "change_reason": REASON})
    assert statuses([q.pk for q in drafts]) == {"draft"}


def test_a_researchers_bulk_move_that_would_unpublish_changes_nothing(researcher_client, seeded):
    reviewed, published = Quote.objects.order_by("pk")[:2]
    Quote.objects.filter(pk=reviewed.pk).update(status="reviewed")
    versions = Quote.history.count()
    body = {"action": "return_to_draft", "_selected_action": [reviewed.pk, published.pk]}
    response = researcher_client.post(admin_url(Quote), {**body, "index": 0}, follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert "quotes.publish_quote" in response.content.decode()
    assert Quote.history.count() == versions
    assert Quote.objects.get(pk=reviewed.pk).status == "reviewed"
    assert Quote.objects.get(pk=published.pk).status == "published"


def test_a_bulk_move_between_draft_and_reviewed_needs_no_reason(researcher_client, seeded):
    quotes = list(Quote.objects.order_by("pk")[:3])
    Quote.objects.filter(pk__in=[q.pk for q in quotes]).update(status="draft")
    body = {"action": "mark_reviewed", "_selected_action": [q.pk for q in quotes], "index": 0}
    assert researcher_client.post(admin_url(Quote), body).status_code == 302
    for quote in quotes:
        latest = quote.history.first()
        assert (latest.status, latest.history_user.username) == ("reviewed", "ada")


# -- the change form: the same rule as the API ------------------------------------------------


def test_a_researcher_cannot_publish_through_the_change_form(researcher_client, seeded):
    quote = Quote.objects.get(text="obsolete")
    Quote.objects.filter(pk=quote.pk).update(status="reviewed")
    quote.refresh_from_db()
    versions = quote.history.count()
    data = quote_form_data(quote, status="published", change_reason=REASON)
    response = researcher_client.post(admin_url(Quote, "change", quote.pk), data)
    assert response.status_code == 200  # the form again, with the error
    assert "needs the permission quotes.publish_quote" in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == "reviewed"
    assert quote.history.count() == versions


def test_an_editor_publishes_through_the_change_form_with_a_reason(editor_client, seeded):
    quote = Quote.objects.get(text="obsolete")
    Quote.objects.filter(pk=quote.pk).update(status="reviewed")
    quote.refresh_from_db()
    url = admin_url(Quote, "change", quote.pk)
    form = editor_client.get(url).content.decode()
    assert 'name="change_reason"' in form

    without = editor_client.post(url, quote_form_data(quote, status="published"))
    assert without.status_code == 200
    assert "Say why the quote goes from reviewed to published" in without.content.decode()
    quote.refresh_from_db()
    assert quote.status == "reviewed"

    data = quote_form_data(quote, status="published", change_reason=REASON)
    assert editor_client.post(url, data).status_code == 302
    quote.refresh_from_db()
    assert quote.status == "published"
    latest = quote.history.first()
    assert (latest.history_user.username, latest.history_change_reason) == ("edna", REASON)
    history = editor_client.get(admin_url(Quote, "history", quote.pk)).content.decode()
    assert REASON in history
    assert "edna" in history


def test_a_published_quotes_words_cannot_change_in_the_admin_either(editor_client, seeded):
    quote = Quote.objects.get(text="obsolete")
    # Another valid span: the word with the quotation mark before it.
    start = quote.start - 1
    text = quote.source.text[start : quote.end]
    versions = quote.history.count()
    url = admin_url(Quote, "change", quote.pk)
    data = quote_form_data(quote, start=start, text=text, change_reason=REASON)
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "cannot change while it stays published" in response.content.decode()
    quote.refresh_from_db()
    assert (quote.text, quote.start) == ("obsolete", start + 1)
    assert quote.history.count() == versions
    # Returned to review in the same form, with a reason, it is corrected.
    data = quote_form_data(quote, start=start, text=text, status="reviewed", change_reason=REASON)
    assert editor_client.post(url, data).status_code == 302
    quote.refresh_from_db()
    assert (quote.text, quote.start, quote.status) == (text, start, "reviewed")
    assert quote.history.first().history_change_reason == REASON


def test_a_published_quote_saved_from_a_browser_keeps_its_words(researcher_client, seeded):
    """A textarea sends line ends as CRLF: a quote spanning a page break, saved unchanged from
    its page, keeps its text byte for byte, and the save is no rewrite."""
    quote = Quote.objects.get(text__contains="\n\n\n\n")
    assert quote.status == "published"
    as_sent = quote.text.replace("\n", "\r\n")
    data = quote_form_data(quote, text=as_sent, note="Checked.")
    response = researcher_client.post(admin_url(Quote, "change", quote.pk), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    stored = Quote.objects.get(pk=quote.pk)
    assert (stored.text, stored.note) == (quote.text, "Checked.")


def test_a_revert_goes_through_the_same_rule(researcher_client, seeded):
    """Reverting a draft to its published version (simple-history's form) is a publication."""
    quote = Quote.objects.get(text="obsolete")
    seeded_version = quote.history.get()
    Quote.objects.filter(pk=quote.pk).update(status="draft")
    url = reverse("admin:quotes_quote_simple_history", args=[quote.pk, seeded_version.pk])
    response = researcher_client.post(url, quote_form_data(quote, status="published"))
    assert response.status_code == 200
    assert "needs the permission quotes.publish_quote" in response.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == "draft"


def test_a_troop_figures_parts_change_status_on_their_own_pages(superuser_client, seeded):
    whole = TroopFigure.objects.get(slug="nato-baltic-2016")
    page = superuser_client.get(admin_url(TroopFigure, "change", whole.pk)).content.decode()
    assert 'name="parts-0-status"' not in page
    assert 'name="status"' in page


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


def test_parts_added_together_in_the_admin_cannot_exceed_their_whole(client, seeded):
    client.force_login(User.objects.create_superuser("root", "r@example.org", "x"))
    whole = TroopFigure.objects.get(slug="nato-baltic-2016")
    citation = whole.citations.get()
    data = {
        "slug": whole.slug,
        "count": whole.count,
        "unit": whole.unit,
        "contributing_country": "",
        "deploying_organization": whole.deploying_organization_id,
        "location": whole.location,
        "as_of": "2016-01-01",
        "as_of_precision": "year",
        "as_of_inferred": "on",
        "as_of_note": whole.as_of_note,
        "citations": [citation.pk],
        "note": whole.note,
        "status": "published",
        "parts-TOTAL_FORMS": "3",
        "parts-INITIAL_FORMS": "1",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "1000",
    }
    existing = TroopFigure.objects.get(slug="us-baltic-2016")
    rows = [(existing.pk, existing.slug, 900), (None, "new-a", 150), (None, "new-b", 100)]
    for index, (pk, slug, count) in enumerate(rows):
        prefix = f"parts-{index}-"
        data.update(
            {
                f"{prefix}id": pk or "",
                f"{prefix}parent": whole.pk,
                f"{prefix}slug": slug,
                f"{prefix}count": count,
                f"{prefix}unit": "soldiers",
                f"{prefix}contributing_country": "",
                f"{prefix}location": "Baltic",
                f"{prefix}status": "draft",
                f"{prefix}citations": [citation.pk],
            }
        )
    url = f"/admin/quotes/troopfigure/{whole.pk}/change/"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "The parts together (1,150) exceed their whole (1,100)." in response.content.decode()
    assert not TroopFigure.objects.filter(slug__in=["new-a", "new-b"]).exists()
