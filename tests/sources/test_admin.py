"""The sources admin: span locating (the form every span admin uses, here on quotes) and a
source's page, which lists what cites it and locks its text once cited."""

import re

from quotes.models import Quote
from sources.models import Source
from tests.admin_pages import admin_url, quote_form_data


def test_a_pasted_text_is_located_in_the_source(researcher_client, seeded):
    template = Quote.objects.get(text="obsolete")
    source = template.source
    # A researcher's new quote is a draft (core.review): only editors publish.
    data = quote_form_data(
        template, text="dominate   global affairs", start="", end="", status="draft"
    )
    data["treaties"] = []
    response = researcher_client.post(admin_url(Quote, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Quote.objects.get(text="dominate global affairs")
    assert source.text[created.start : created.end] == "dominate global affairs"
    assert created.status == "draft"


def test_text_not_in_the_source_is_refused(researcher_client, seeded):
    template = Quote.objects.get(text="obsolete")
    data = quote_form_data(
        template, text="NATO is obsolete", start="", end="", treaties=[], status="draft"
    )
    response = researcher_client.post(admin_url(Quote, "add"), data)
    assert response.status_code == 200
    assert "This text is not in the source" in response.content.decode()


def test_text_found_several_times_asks_which_occurrence_then_saves_it(researcher_client, seeded):
    template = Quote.objects.get(text="obsolete")
    source = template.source
    phrase = "an arms race"
    offsets = [m.start() for m in re.finditer(phrase, source.text)]
    assert len(offsets) > 1
    data = quote_form_data(template, text=phrase, start="", end="", treaties=[], status="draft")
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
