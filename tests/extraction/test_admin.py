"""The review queue in the admin (extraction/admin.py): the "Import article" page, a source's
candidates in reading order with their spans marked, and accept, edit then accept, reject."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from extraction import services
from extraction.models import QuoteCandidate, TroopFigureCandidate
from quotes.models import Quote, Speaker, TroopFigure
from sources import importing
from sources.models import Source
from tests.admin_pages import admin_url
from tests.extraction.test_services import ARTICLE

IMPORT_URL = "admin:sources_source_import"


def queue_url(source):
    return reverse("admin:sources_source_candidates", args=[source.pk])


@pytest.fixture
def extracted(seeded):
    source, _ = importing.import_text(ARTICLE)
    services.extract_source(source)
    return source


def candidate(source, text):
    return QuoteCandidate.objects.get(source=source, text=text)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def import_form(**overrides):
    data = {
        "title": "",
        "published_on": "",
        "outlet": "",
        "language": "",
        "url": "",
        "extract": "on",
    }
    data.update(overrides)
    return data


def test_the_sources_list_offers_the_import_page(researcher_client, seeded):
    page = researcher_client.get(admin_url(Source)).content.decode()
    assert reverse(IMPORT_URL) in page
    assert researcher_client.get(reverse(IMPORT_URL)).status_code == 200


def test_importing_a_file_keeps_its_bytes_and_opens_its_candidates(researcher_client, seeded):
    data = ARTICLE.replace("\n", "\r\n").encode()  # a file's CR LF is kept, byte for byte
    upload = SimpleUploadedFile("baltic.txt", data, content_type="text/plain")
    response = researcher_client.post(reverse(IMPORT_URL), import_form(file=upload), follow=True)
    source = Source.objects.get(title="NATO and Russia trade warnings over the Baltic")
    assert source.text.encode() == data
    assert (source.published_on.isoformat(), source.published_on_precision) == (
        "2024-03-14",
        "day",
    )
    assert response.redirect_chain[-1][0] == queue_url(source)
    assert any("3 candidate quotes, 2 troop figures" in m for m in messages_of(response))
    page = response.content.decode()
    assert page.count('class="candidate pending"') == 5


def test_a_pasted_text_is_stored_with_the_line_breaks_a_file_would_have(researcher_client, seeded):
    pasted = ARTICLE.replace("\n", "\r\n")  # what a browser sends for a textarea
    researcher_client.post(reverse(IMPORT_URL), import_form(text=pasted, extract=""))
    source = Source.objects.get(title="NATO and Russia trade warnings over the Baltic")
    assert source.text == ARTICLE
    assert not QuoteCandidate.objects.filter(source=source).exists()


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", "The submitted file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Caf\u00e9 and more words".encode("latin-1"), "not valid UTF-8"),
        (b"x" * (importing.MAX_SOURCE_BYTES + 1), f"the limit is {importing.MAX_SOURCE_BYTES:,}"),
    ],
    ids=["empty", "binary", "latin-1", "too-large"],
)
def test_a_file_that_is_no_article_is_refused_and_nothing_is_kept(
    researcher_client, seeded, content, error
):
    before = Source.objects.count()
    upload = SimpleUploadedFile("bad.txt", content)
    response = researcher_client.post(reverse(IMPORT_URL), import_form(file=upload))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Source.objects.count() == before


def test_a_text_already_imported_is_refused_with_a_link_to_it(researcher_client, extracted):
    upload = SimpleUploadedFile("again.txt", ARTICLE.encode())
    response = researcher_client.post(reverse(IMPORT_URL), import_form(file=upload))
    page = response.content.decode()
    assert "This text is already source" in page
    assert admin_url(Source, "change", extracted.pk) in page
    assert Source.objects.filter(sha256=extracted.sha256).count() == 1


def test_a_wrong_date_and_a_file_with_a_text_are_refused(researcher_client, seeded):
    upload = SimpleUploadedFile("baltic.txt", ARTICLE.encode())
    response = researcher_client.post(
        reverse(IMPORT_URL), import_form(file=upload, text=ARTICLE, published_on="14/03/2024")
    )
    page = response.content.decode()
    assert "is not a date written YYYY-MM-DD" in page
    assert "Give a file or a pasted text, not both." in page
    assert not Source.objects.filter(title__startswith="NATO and Russia trade").exists()


def test_the_queue_lists_candidates_in_reading_order_with_their_spans_marked(
    researcher_client, extracted
):
    page = researcher_client.get(queue_url(extracted)).content.decode()
    keys = re.findall(r'<article class="candidate \w+" id="(\w+-\d+)"', page)
    starts = {
        **{f"quote-{c.pk}": c.start for c in QuoteCandidate.objects.filter(source=extracted)},
        **{
            f"figure-{c.pk}": c.start for c in TroopFigureCandidate.objects.filter(source=extracted)
        },
    }
    assert sorted(keys) == sorted(starts)
    assert keys == sorted(keys, key=lambda key: starts[key])
    defend = candidate(extracted, "We will defend every inch of allied territory,")
    mark = f'<mark id="text-quote-{defend.pk}" class="pending">{defend.text}</mark>'
    assert mark in page
    entry = page[page.index(f'id="quote-{defend.pk}"') :]
    speaker = re.search(r'<dd class="speaker">(.*?)</dd>', entry, re.S)[1]
    assert speaker.strip().startswith("Jens Stoltenberg")
    assert "new: Alexander Stubb, Finnish President" in page


def test_accepting_and_rejecting_from_the_queue(researcher_client, extracted):
    url = queue_url(extracted)
    defend = candidate(extracted, "We will defend every inch of allied territory,")
    stubb = candidate(extracted, "not be intimidated")
    response = researcher_client.post(
        url, {"decision": "accept", "candidate": f"quote-{defend.pk}"}, follow=True
    )
    quote = Quote.objects.get(source=extracted, start=defend.start, end=defend.end)
    assert (quote.status, quote.speaker.slug) == ("draft", "jens-stoltenberg")
    assert any("is a draft, to review" in m for m in messages_of(response))
    page = response.content.decode()
    assert f'<mark id="text-quote-{defend.pk}" class="accepted">' in page
    assert admin_url(Quote, "change", quote.pk) in page

    response = researcher_client.post(
        url, {"decision": "reject", "candidate": f"quote-{stubb.pk}", "reason": ""}, follow=True
    )
    assert any("Say why it is rejected" in m for m in messages_of(response))
    researcher_client.post(
        url, {"decision": "reject", "candidate": f"quote-{stubb.pk}", "reason": "Paraphrase."}
    )
    stubb.refresh_from_db()
    assert (stubb.status, stubb.rejection_reason, stubb.reviewed_by.username) == (
        "rejected",
        "Paraphrase.",
        "ada",
    )
    # Taken again, a decision is refused and says why; nothing changes.
    response = researcher_client.post(
        url, {"decision": "accept", "candidate": f"quote-{stubb.pk}"}, follow=True
    )
    assert any("already rejected" in m for m in messages_of(response))
    assert not Quote.objects.filter(source=extracted, start=stubb.start).exists()

    # Extracting again keeps both decisions and does not propose them again.
    researcher_client.post(url, {"decision": "extract"})
    assert QuoteCandidate.objects.filter(source=extracted, start=stubb.start).count() == 1
    assert QuoteCandidate.objects.get(pk=stubb.pk).status == "rejected"


def test_accepting_a_troop_figure_from_the_queue(researcher_client, extracted):
    whole = TroopFigureCandidate.objects.filter(source=extracted).order_by("-count").first()
    researcher_client.post(
        queue_url(extracted), {"decision": "accept", "candidate": f"figure-{whole.pk}"}
    )
    whole.refresh_from_db()
    figure = TroopFigure.objects.get(pk=whole.troop_figure_id)
    assert (figure.count, figure.status) == (1100, "draft")
    assert [c.text for c in figure.citations.all()] == [whole.text]


def test_accepting_all_above_a_confidence(researcher_client, extracted):
    url = queue_url(extracted)
    response = researcher_client.post(
        url, {"decision": "accept_all", "min_confidence": "2"}, follow=True
    )
    assert any("between 0 and 1" in m for m in messages_of(response))
    above = QuoteCandidate.objects.filter(source=extracted, confidence__gte=0.9)
    below = QuoteCandidate.objects.filter(source=extracted, confidence__lt=0.9)
    expected = sorted(above.values_list("start", flat=True))
    assert expected
    assert below.exists()
    researcher_client.post(url, {"decision": "accept_all", "min_confidence": "0.9"})
    made = Quote.objects.filter(source=extracted).values_list("start", flat=True)
    assert sorted(made) == expected
    assert set(below.values_list("status", flat=True)) == {"pending"}


def test_editing_the_words_moves_the_span_then_accepts(researcher_client, extracted):
    defend = candidate(extracted, "We will defend every inch of allied territory,")
    url = admin_url(QuoteCandidate, "change", defend.pk)
    page = researcher_client.get(url).content.decode()
    assert 'name="_accept"' in page
    form = {
        "text": "We will defend every inch of allied territory",  # the comma trimmed
        "kind": "statement",
        "speaker": defend.speaker_id,
        "speaker_name": defend.speaker_name,
        "speaker_role": defend.speaker_role,
        "note": "",
        "said_on": "2024-03-13",
        "said_on_precision": "day",
        "said_on_inferred": "on",
        "said_on_note": defend.said_on_note,
        "event": "",
        "_accept": "Save and accept",
    }
    response = researcher_client.post(url, form, follow=True)
    assert response.redirect_chain[-1][0] == f"{queue_url(extracted)}#quote-{defend.pk}"
    defend.refresh_from_db()
    assert (defend.status, defend.end - defend.start) == ("accepted", len(form["text"]))
    quote = defend.quote
    assert extracted.text[quote.start : quote.end] == form["text"] == quote.text
    # Decided, the candidate can no longer be edited.
    page = researcher_client.get(url).content.decode()
    assert 'name="_accept"' not in page
    assert 'name="_save"' not in page


def test_words_that_are_not_in_the_source_are_refused(researcher_client, extracted):
    defend = candidate(extracted, "We will defend every inch of allied territory,")
    url = admin_url(QuoteCandidate, "change", defend.pk)
    response = researcher_client.post(
        url,
        {"text": "We shall defend every inch", "kind": "statement", "_accept": "1"},
    )
    assert (
        "These words are not in the source where the candidate stands" in response.content.decode()
    )
    defend.refresh_from_db()
    assert (defend.status, defend.text) == (
        "pending",
        "We will defend every inch of allied territory,",
    )


def test_a_new_speaker_without_a_name_is_not_accepted(researcher_client, extracted):
    stubb = candidate(extracted, "not be intimidated")
    url = admin_url(QuoteCandidate, "change", stubb.pk)
    response = researcher_client.post(
        url,
        {"text": stubb.text, "kind": stubb.kind, "speaker_name": "", "_accept": "1"},
        follow=True,
    )
    assert any("Say who the speaker is" in m for m in messages_of(response))
    stubb.refresh_from_db()
    assert stubb.status == "pending"
    assert not Speaker.objects.filter(name="Alexander Stubb").exists()


def test_rejecting_selected_candidates_asks_why(researcher_client, extracted):
    pks = list(QuoteCandidate.objects.filter(source=extracted).values_list("pk", flat=True))
    url = admin_url(QuoteCandidate)
    chosen = {"action": "reject_selected", "_selected_action": pks[:2]}
    page = researcher_client.post(url, chosen).content.decode()
    assert "Why they are rejected" in page
    assert QuoteCandidate.objects.filter(pk__in=pks, status="rejected").count() == 0
    researcher_client.post(url, {**chosen, "reason": "Not quotations."})
    rejected = QuoteCandidate.objects.filter(pk__in=pks, status="rejected")
    assert sorted(rejected.values_list("pk", flat=True)) == sorted(pks[:2])
    assert set(rejected.values_list("rejection_reason", flat=True)) == {"Not quotations."}


def test_candidates_are_never_added_by_hand_and_readers_cannot_decide(
    superuser_client, client, extracted
):
    assert superuser_client.get(admin_url(QuoteCandidate, "add")).status_code == 403
    assert superuser_client.get(admin_url(TroopFigureCandidate, "add")).status_code == 403
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("visitor", is_staff=True))
    assert client.get(queue_url(extracted)).status_code == 403
    defend = candidate(extracted, "We will defend every inch of allied territory,")
    response = client.post(
        queue_url(extracted), {"decision": "accept", "candidate": f"quote-{defend.pk}"}
    )
    assert response.status_code == 403
    assert QuoteCandidate.objects.get(pk=defend.pk).status == "pending"


def test_the_source_page_links_to_its_queue(researcher_client, extracted):
    page = researcher_client.get(admin_url(Source, "change", extracted.pk)).content.decode()
    assert queue_url(extracted) in page
    assert "(5 pending)" in page


def edit(client, candidate, text, **fields):
    form = {"text": text, "kind": candidate.kind, "speaker": candidate.speaker_id or ""}
    form.update(fields)
    return client.post(admin_url(QuoteCandidate, "change", candidate.pk), form)


def test_edited_words_must_stay_within_the_quotation_and_on_whole_words(
    researcher_client, extracted
):
    defend = candidate(extracted, "We will defend every inch of allied territory,")
    # Words of another quotation (Stubb's), though they are in the source: refused.
    page = edit(researcher_client, defend, "Finland would").content.decode()
    assert "the new span must overlap the old one" in page
    # Part of a word at either end: refused.
    page = edit(researcher_client, defend, "ll defend every inch of allied terr").content.decode()
    assert "start and end on whole words" in page
    defend.refresh_from_db()
    assert defend.text == "We will defend every inch of allied territory,"


def test_edited_words_that_are_another_candidates_span_are_refused_not_a_crash(
    researcher_client, extracted
):
    defend = candidate(extracted, "We will defend every inch of allied territory,")
    trimmed = defend.text[:-1]
    QuoteCandidate.objects.create(
        source=extracted,
        start=defend.start,
        end=defend.end - 1,
        text=trimmed,
        kind="statement",
        confidence=0.5,
    )
    response = edit(researcher_client, defend, trimmed)
    assert response.status_code == 200
    assert "Another candidate already has exactly this span." in response.content.decode()


def test_extracting_again_keeps_edits_and_proposes_nothing_over_an_accepted_quote(
    researcher_client, extracted
):
    defend = candidate(extracted, "We will defend every inch of allied territory,")
    stubb = candidate(extracted, "not be intimidated")
    edit(
        researcher_client,
        defend,
        "We will defend every inch of allied territory",
        _accept="Save and accept",
    )
    edit(researcher_client, stubb, stubb.text, note="Check the video.", speaker_name="A. Stubb")
    researcher_client.post(queue_url(extracted), {"decision": "extract"})
    # The trimmed, accepted span is not proposed again untrimmed; the edited one is kept.
    assert not QuoteCandidate.objects.filter(source=extracted, start=defend.start - 1).exists()
    assert QuoteCandidate.objects.filter(source=extracted, start=defend.start).count() == 1
    stubb = QuoteCandidate.objects.get(pk=stubb.pk)
    assert (stubb.status, stubb.note) == ("pending", "Check the video.")


def test_a_span_over_an_existing_quote_is_not_accepted(researcher_client, extracted):
    defend = candidate(extracted, "We will defend every inch of allied territory,")
    quote = services.accept_quote(defend, user=None)
    # A second candidate over the same words, as a researcher could make it by editing.
    twin = QuoteCandidate.objects.create(
        source=extracted,
        start=defend.start,
        end=defend.end - 1,
        text=defend.text[:-1],
        kind="statement",
        speaker=defend.speaker,
        confidence=0.9,
    )
    response = researcher_client.post(
        queue_url(extracted), {"decision": "accept", "candidate": f"quote-{twin.pk}"}, follow=True
    )
    assert any(f"overlaps quote {quote.pk}" in m for m in messages_of(response))
    assert Quote.objects.filter(source=extracted).count() == 1


def test_a_part_accepted_before_its_whole_becomes_its_part(researcher_client, extracted):
    whole, part = TroopFigureCandidate.objects.filter(source=extracted).order_by("-count")
    assert part.part_of == whole
    for figure in (part, whole):
        researcher_client.post(
            queue_url(extracted), {"decision": "accept", "candidate": f"figure-{figure.pk}"}
        )
    whole.refresh_from_db()
    part.refresh_from_db()
    assert part.troop_figure.parent == whole.troop_figure


def test_each_kind_of_decision_needs_its_own_permission(client, extracted):
    from django.contrib.auth.models import Permission, User

    user = User.objects.create_user("quotes-only", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_source", "view_quotecandidate", "change_quotecandidate"]
        )
    )
    client.force_login(user)
    figure = TroopFigureCandidate.objects.filter(source=extracted).first()
    url = queue_url(extracted)
    assert (
        client.post(url, {"decision": "accept", "candidate": f"figure-{figure.pk}"}).status_code
        == 403
    )
    assert client.post(url, {"decision": "extract"}).status_code == 403
    assert TroopFigureCandidate.objects.get(pk=figure.pk).status == "pending"
    page = client.get(url).content.decode()
    assert f'id="figure-{figure.pk}"' not in page  # it may not see troop-figure candidates
    defend = candidate(extracted, "We will defend every inch of allied territory,")
    client.post(url, {"decision": "accept", "candidate": f"quote-{defend.pk}"})
    assert QuoteCandidate.objects.get(pk=defend.pk).status == "accepted"


def test_a_viewer_sees_the_queue_and_cannot_decide(client, extracted):
    from django.contrib.auth.models import Permission, User

    user = User.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_source", "view_quotecandidate", "view_troopfigurecandidate"]
        )
    )
    client.force_login(user)
    page = client.get(queue_url(extracted)).content.decode()
    assert 'class="accept-form"' not in page
    defend = candidate(extracted, "We will defend every inch of allied territory,")
    response = client.post(
        queue_url(extracted), {"decision": "accept", "candidate": f"quote-{defend.pk}"}
    )
    assert response.status_code == 403
    assert QuoteCandidate.objects.get(pk=defend.pk).status == "pending"


def test_a_source_texts_markup_is_shown_as_text(researcher_client, seeded):
    source, _ = importing.import_text(ARTICLE.replace("Last year", "<script>alert(1)</script> &"))
    services.extract_source(source)
    page = researcher_client.get(queue_url(source)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
