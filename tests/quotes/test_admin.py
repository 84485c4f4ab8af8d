"""The quotes admin: search, provenance, the span rules, review actions, the CSV export, and
troop-figure breakdowns."""

import csv
import io

from django.contrib.auth.models import User

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
