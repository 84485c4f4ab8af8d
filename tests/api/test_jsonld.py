"""schema.org in JSON-LD (Accept: application/ld+json) on quotes, speakers, sources and
statements, read offline: every document is expanded with pyld, whose document loader serves
the API's own context and fails on any other URL, and the tests read the expanded IRIs."""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from quotes.models import Quote, Speaker
from sources.models import Source
from tests.factories import (
    OrganizationFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    StatementFactory,
)

LD = "application/ld+json"
CONTEXT_PATH = "/api/v1/contexts/quotedb.jsonld"
SCHEMA = "http://schema.org/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
TYPE = "@type"
# What pyld itself sends when it dereferences a URL (pyld.jsonld.load_document).
PROCESSOR_ACCEPT = "application/ld+json, application/json;q=0.8, text/html;q=0.5"


def s(term):
    return SCHEMA + term


class OfflineLoader:
    """pyld's document loader for the tests: the context from the API under test, through the
    test client; any other URL is refused (and recorded), so that a document naming a remote
    context cannot be read."""

    def __init__(self, client):
        self.client = client
        self.loaded = []
        self.refused = []

    def __call__(self, url, options=None):
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc, parts.path) != ("http", "testserver", CONTEXT_PATH):
            self.refused.append(url)
            raise AssertionError(f"the JSON-LD processor was sent to fetch {url}")
        self.loaded.append(url)
        response = self.client.get(CONTEXT_PATH, HTTP_ACCEPT=PROCESSOR_ACCEPT)
        assert response.status_code == 200
        assert response["Content-Type"] == LD
        return {
            "contentType": LD,
            "contextUrl": None,
            "documentUrl": url,
            "document": response.json(),
        }


def expand(document, client):
    """The document expanded (a list of node objects), with a cache of contexts of its own:
    each expansion really loads the context, through the API."""
    loader = OfflineLoader(client)
    expanded = jsonld.expand(
        document, {"documentLoader": loader, "contextResolver": ContextResolver({}, loader)}
    )
    assert loader.loaded, "the document names the API's context"
    assert not loader.refused
    return expanded


def ld_get(client, path, **extra):
    response = client.get(path, HTTP_ACCEPT=LD, **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == LD
    return response


def one(values):
    [value] = values
    return value


def value(node, term):
    """The one plain value of a property of an expanded node."""
    return one(node[s(term)])["@value"]


def iri(node, term):
    return one(node[s(term)])["@id"]


def item_nodes(expanded_list):
    """The expanded nodes of an ItemList's items, in their positions' order."""
    [page] = expanded_list
    assert page[TYPE] == [s("ItemList")]
    items = sorted(page.get(s("itemListElement"), []), key=lambda i: value(i, "position"))
    assert all(item[TYPE] == [s("ListItem")] for item in items)
    return [one(item[s("item")]) for item in items]


# --- The context ------------------------------------------------------------------------------


def test_the_context_is_served_by_the_api_and_revalidates(anonymous, db):
    response = anonymous.get(CONTEXT_PATH)
    assert response.status_code == 200
    assert response["Content-Type"] == LD
    context = response.json()["@context"]
    assert context["@vocab"] == SCHEMA
    assert context["oa"] == OA
    assert "public" in response["Cache-Control"]
    again = anonymous.get(CONTEXT_PATH, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    refused = anonymous.post(CONTEXT_PATH)
    assert refused.status_code == 405
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["errors"][0]["code"] == "method_not_allowed"


def test_a_document_with_a_remote_context_cannot_be_read_offline(anonymous, db):
    """The loader really refuses the network: the guard the other tests rely on."""
    with pytest.raises(jsonld.JsonLdError):
        expand({"@context": "https://schema.org", "@type": "Quotation"}, anonymous)


# --- The seed data ----------------------------------------------------------------------------


def test_every_seed_quote_is_a_quotation_of_its_speaker_based_on_its_source(anonymous, seeded):
    """The JSON-LD list says what the JSON list says, in schema.org's terms."""
    plain = anonymous.get("/api/v1/quotes/", {"page_size": 100}).json()["results"]
    speakers = {row["id"]: row for row in anonymous.get("/api/v1/speakers/").json()["results"]}
    document = ld_get(anonymous, "/api/v1/quotes/?page_size=100").json()
    nodes = item_nodes(expand(document, anonymous))
    assert len(nodes) == len(plain) > 40  # every published seed quote, on one page
    for row, node in zip(plain, nodes, strict=True):
        assert node["@id"] == row["url"]
        assert node[TYPE] == [s("Quotation")]
        assert value(node, "text") == row["text"]
        assert value(node, "inLanguage") == row["language"]
        speaker = speakers[row["speaker"]["id"]]
        for term in ("spokenByCharacter", "creator"):
            said_by = one(node[s(term)])
            assert said_by["@id"] == speaker["url"]
            assert said_by[TYPE] == [s("Person" if speaker["kind"] == "person" else "Organization")]
            if speaker["wikidata_id"]:
                wikidata = f"http://www.wikidata.org/entity/{speaker['wikidata_id']}"
                assert iri(said_by, "sameAs") == wikidata
            else:
                assert s("sameAs") not in said_by
        source = one(node[s("isBasedOn")])
        assert source["@id"] == row["source"]["url"]
        assert source[TYPE] == [s("NewsArticle")]
        if row["said_on_display"]:
            created = one(node[s("dateCreated")])
            assert created == {"@value": row["said_on_display"], TYPE: s("Date")}
        else:
            assert s("dateCreated") not in node
        span = one(node[PROV + "wasQuotedFrom"])
        assert span[TYPE] == [OA + "SpecificResource"]
        assert one(span[OA + "hasSource"])["@id"] == row["source"]["url"]
        selectors = {one(selector[TYPE]): selector for selector in span[OA + "hasSelector"]}
        position = selectors[OA + "TextPositionSelector"]
        assert one(position[OA + "start"])["@value"] == row["start"]
        assert one(position[OA + "end"])["@value"] == row["end"]
        words = selectors[OA + "TextQuoteSelector"]
        assert one(words[OA + "prefix"])["@value"] == row["context_before"][-32:]
        assert one(words[OA + "suffix"])["@value"] == row["context_after"][:32]


def test_a_quote_s_span_selects_its_words_in_the_source_text(anonymous, seeded):
    quote = Quote.objects.get(text="obsolete")
    node = one(expand(ld_get(anonymous, f"/api/v1/quotes/{quote.pk}/").json(), anonymous))
    span = one(node[PROV + "wasQuotedFrom"])
    source = anonymous.get(one(span[OA + "hasSource"])["@id"]).json()
    selectors = {one(selector[TYPE]): selector for selector in span[OA + "hasSelector"]}
    start = one(selectors[OA + "TextPositionSelector"][OA + "start"])["@value"]
    end = one(selectors[OA + "TextPositionSelector"][OA + "end"])["@value"]
    exact = one(selectors[OA + "TextQuoteSelector"][OA + "exact"])["@value"]
    assert source["text"][start:end] == exact == "obsolete"


def test_seed_speakers_with_and_without_a_wikidata_id(anonymous, seeded):
    putin = Speaker.objects.get(slug="vladimir-putin")
    node = one(expand(ld_get(anonymous, f"/api/v1/speakers/{putin.pk}/").json(), anonymous))
    assert node[TYPE] == [s("Person")]
    assert value(node, "name") == "Vladimir Putin"
    assert iri(node, "sameAs") == "http://www.wikidata.org/entity/Q7747"
    assert value(node, "jobTitle") == "Russian President"
    kremlin = one(node[s("affiliation")])
    assert kremlin[TYPE] == [s("Organization")]
    assert value(kremlin, "name") == "Kremlin"

    stoltenberg = Speaker.objects.get(slug="jens-stoltenberg")
    node = one(expand(ld_get(anonymous, f"/api/v1/speakers/{stoltenberg.pk}/").json(), anonymous))
    assert s("sameAs") not in node


def test_an_institution_that_speaks_is_an_organization(anonymous, seeded):
    ministry = Speaker.objects.get(slug="russian-foreign-ministry")
    node = one(expand(ld_get(anonymous, f"/api/v1/speakers/{ministry.pk}/").json(), anonymous))
    assert node[TYPE] == [s("Organization")]
    assert value(node, "name") == "Russian Foreign Ministry"
    # Its organisation is itself: no parent, and no person's properties.
    assert not {s("jobTitle"), s("affiliation"), s("parentOrganization")} & node.keys()


def test_seed_sources_are_news_articles_dated_with_their_precision(anonymous, seeded):
    plain = {row["url"]: row for row in anonymous.get("/api/v1/sources/").json()["results"]}
    nodes = item_nodes(expand(ld_get(anonymous, "/api/v1/sources/").json(), anonymous))
    assert {node["@id"] for node in nodes} == plain.keys()
    dates = {}
    for node in nodes:
        row = plain[node["@id"]]
        assert node[TYPE] == [s("NewsArticle")]
        assert value(node, "headline") == row["title"]
        assert s("text") not in node, "a list leaves the texts out"
        if row["published_on_display"]:
            dates[row["slug"]] = value(node, "datePublished")
        if row["outlet"]:
            publisher = one(node[s("publisher")])
            assert publisher[TYPE] == [s("Organization")]
            assert value(publisher, "name") == row["outlet"]["display"]
        if row["link"]:
            assert iri(node, "url") == row["link"]
    assert dates == {
        "russia-to-nato-stop-dominating-world": "2017-05-26",
        "nato-reveals-what-russia-will-get": "2022",
        "moscow-challenge-nato-russian-threat": "2019",
        "russia-nato-direct-confrontation-kremlin": "2024",
    }


def test_a_source_s_detail_has_its_text_and_a_translation_its_original(anonymous, seeded):
    source = Source.objects.get(slug="moscow-challenge-nato-russian-threat")
    node = one(expand(ld_get(anonymous, f"/api/v1/sources/{source.pk}/").json(), anonymous))
    assert value(node, "text") == source.text
    original = one(node[s("translationOfWork")])
    assert value(original, "inLanguage") == "ru"
    assert value(original, "headline") == source.original_title


# --- Edge cases -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("precision", "stored", "written"),
    [
        ("year", datetime.date(2019, 1, 1), "2019"),
        ("month", datetime.date(2019, 5, 1), "2019-05"),
        ("day", datetime.date(2019, 5, 26), "2019-05-26"),
    ],
)
def test_dates_have_only_the_parts_the_text_gives(anonymous, db, precision, stored, written):
    source = SourceFactory(published_on=stored, published_on_precision=precision)
    quote = QuoteFactory(source=source, said_on=stored, said_on_precision=precision)
    node = one(expand(ld_get(anonymous, f"/api/v1/quotes/{quote.pk}/").json(), anonymous))
    assert one(node[s("dateCreated")]) == {"@value": written, TYPE: s("Date")}
    article = one(node[s("isBasedOn")])
    assert one(article[s("datePublished")]) == {"@value": written, TYPE: s("Date")}


def test_an_unknown_date_is_left_out(anonymous, db):
    source = SourceFactory(published_on=None, published_on_precision="", outlet=None)
    quote = QuoteFactory(source=source, said_on=None, said_on_precision="")
    node = one(expand(ld_get(anonymous, f"/api/v1/quotes/{quote.pk}/").json(), anonymous))
    assert s("dateCreated") not in node
    article = one(node[s("isBasedOn")])
    assert not {s("datePublished"), s("publisher"), s("url")} & article.keys()


def test_an_organization_speaker_with_a_wikidata_id_and_a_parent(anonymous, db):
    alliance = OrganizationFactory(name="North Atlantic Treaty Organization", slug="nato")
    office = SpeakerFactory(
        name="NATO press office",
        slug="nato-press-office",
        kind="institution",
        role="",
        organization=alliance,
        wikidata_id="Q7184",
    )
    quote = QuoteFactory(speaker=office)
    node = one(expand(ld_get(anonymous, f"/api/v1/quotes/{quote.pk}/").json(), anonymous))
    for term in ("spokenByCharacter", "creator"):
        speaker = one(node[s(term)])
        assert speaker[TYPE] == [s("Organization")]
        assert iri(speaker, "sameAs") == "http://www.wikidata.org/entity/Q7184"
        assert value(one(speaker[s("parentOrganization")]), "name") == alliance.name
        assert s("affiliation") not in speaker


def test_a_translated_quote_is_the_translation_of_words_in_its_original_language(anonymous, db):
    quote = QuoteFactory(is_translation=True, original_language="ru")
    node = one(expand(ld_get(anonymous, f"/api/v1/quotes/{quote.pk}/").json(), anonymous))
    original = one(node[s("translationOfWork")])
    assert original[TYPE] == [s("Quotation")]
    assert value(original, "inLanguage") == "ru"


def test_a_draft_is_a_404_in_the_error_format_for_the_public(anonymous, researcher, db):
    draft = QuoteFactory(status="draft")
    for path in (f"/api/v1/quotes/{draft.pk}/", f"/api/v1/quotes/{draft.pk}/?format=jsonld"):
        response = anonymous.get(path, HTTP_ACCEPT=LD)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["errors"][0]["code"] == "not_found"
    listed = expand(ld_get(anonymous, "/api/v1/quotes/").json(), anonymous)
    assert draft.pk not in {node["@id"] for node in item_nodes(listed)}
    assert not item_nodes(listed)
    # A researcher sees it, in JSON-LD too.
    node = one(expand(ld_get(researcher, f"/api/v1/quotes/{draft.pk}/").json(), researcher))
    assert value(node, "text") == draft.text


def test_errors_are_never_json_ld(anonymous, db):
    response = anonymous.get("/api/v1/quotes/?speakr=x", HTTP_ACCEPT=LD)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "unknown_parameter"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/events/",
        "/api/v1/treaties/",
        "/api/v1/quotes/random/",
        "/api/v1/quotes/{id}/history/",
        "/api/v1/outlets/",
    ],
)
def test_json_ld_where_it_is_not_offered_is_a_406_in_the_error_format(anonymous, db, path):
    quote = QuoteFactory()
    response = anonymous.get(path.format(id=quote.pk), HTTP_ACCEPT=LD)
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_acceptable"
    by_format = anonymous.get(path.format(id=quote.pk), {"format": "jsonld"})
    assert by_format.status_code == 406
    assert "'jsonld' is not offered here" in by_format.json()["errors"][0]["detail"]


def test_csv_stays_csv(anonymous, db):
    QuoteFactory()
    response = anonymous.get("/api/v1/quotes/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    contradictory = anonymous.get("/api/v1/quotes/?format=csv", HTTP_ACCEPT=LD)
    assert contradictory.status_code == 406
    assert contradictory["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("accept", "answered"),
    [
        (PROCESSOR_ACCEPT, LD),
        ("application/ld+json, application/json", LD),
        ("application/json, application/ld+json", "application/json"),
        ("application/json;q=0.9, application/ld+json", LD),
        ("application/ld+json;q=0.5, application/json", "application/json"),
        ("application/ld+json;q=0, */*", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', LD),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ],
)
def test_the_accept_header_s_qualities_choose(anonymous, db, accept, answered):
    quote = QuoteFactory()
    response = anonymous.get(f"/api/v1/quotes/{quote.pk}/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == answered


def test_the_browsable_api_still_renders(anonymous, db):
    if (
        "rest_framework.renderers.BrowsableAPIRenderer"
        not in (settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"])
    ):
        pytest.skip("the browsable API is off (DJANGO_BROWSABLE_API)")
    quote = QuoteFactory()
    for path in ("/api/v1/quotes/", f"/api/v1/quotes/{quote.pk}/", "/api/v1/sources/"):
        response = anonymous.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")


# --- Conditional GET, lists, queries ----------------------------------------------------------


def test_a_json_ld_detail_has_its_own_etag_and_304(anonymous, db):
    quote = QuoteFactory()
    path = f"/api/v1/quotes/{quote.pk}/"
    plain = anonymous.get(path)
    linked = ld_get(anonymous, path)
    assert linked["ETag"]
    assert linked["ETag"] != plain["ETag"]
    assert "Accept" in linked["Vary"]
    assert anonymous.get(path, HTTP_ACCEPT=LD, HTTP_IF_NONE_MATCH=linked["ETag"]).status_code == 304
    # The JSON answer's ETag does not validate the JSON-LD one, nor the other way round.
    assert ld_get(anonymous, path, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 200
    assert anonymous.get(path, HTTP_IF_NONE_MATCH=linked["ETag"]).status_code == 200


def test_the_etag_follows_what_the_document_embeds(anonymous, db):
    """The speaker's Wikidata id is in the quote's document, not in the quote's row."""
    quote = QuoteFactory()
    path = f"/api/v1/quotes/{quote.pk}/"
    before = ld_get(anonymous, path)["ETag"]
    Speaker.objects.filter(pk=quote.speaker_id).update(wikidata_id="Q42")
    after = ld_get(anonymous, path, HTTP_IF_NONE_MATCH=before)
    assert after["ETag"] != before
    assert '"http://www.wikidata.org/entity/Q42"' in after.content.decode()


def test_a_list_is_an_item_list_with_its_pages_linked(anonymous, db):
    SpeakerFactory.create_batch(3)
    first = ld_get(anonymous, "/api/v1/speakers/?page_size=2&ordering=name")
    body = first.json()
    assert body["@type"] == "ItemList"
    assert body["@id"] == "http://testserver/api/v1/speakers/?page_size=2&ordering=name"
    assert body["numberOfItems"] == Speaker.objects.count() == 3
    assert [item["position"] for item in body["itemListElement"]] == [1, 2]
    next_url = first["Link"].split(";")[0].strip("<>")
    assert 'rel="next"' in first["Link"]
    second = ld_get(anonymous, next_url).json()
    assert 'rel="prev"' in ld_get(anonymous, next_url)["Link"]
    first_names = [item["item"]["name"] for item in body["itemListElement"]]
    second_names = [item["item"]["name"] for item in second["itemListElement"]]
    assert first_names + second_names == sorted(first_names + second_names)
    assert not set(first_names) & set(second_names)
    # Quotes are not counted (a million filtered quotes cost more than the page).
    assert "numberOfItems" not in ld_get(anonymous, "/api/v1/quotes/").json()


def test_a_json_ld_page_costs_no_query_per_record(anonymous, db, django_assert_max_num_queries):
    speakers = [SpeakerFactory(), SpeakerFactory(kind="institution")]
    for n in range(30):
        source = SourceFactory()
        QuoteFactory(source=source, speaker=speakers[n % 2])
    for path in ("/api/v1/quotes/?page_size=25", "/api/v1/sources/?page_size=25"):
        with django_assert_max_num_queries(8):
            response = ld_get(anonymous, path)
        assert len(response.json()["itemListElement"]) == 25
    with django_assert_max_num_queries(8):
        ld_get(anonymous, "/api/v1/speakers/")


def test_the_schema_declares_json_ld_where_it_is_answered():
    schema = yaml.safe_load(
        (Path(settings.BASE_DIR) / "docs" / "openapi" / "v1.yaml").read_text(encoding="utf-8")
    )
    offered = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation["responses"].get("200", {}).get("content", {})
            if LD in content:
                assert content[LD]["schema"] == {"$ref": "#/components/schemas/JsonLdDocument"}
                offered.add(f"{method} {path}")
    assert offered == {
        f"get /api/v1/{resource}/{detail}"
        for resource in ("quotes", "speakers", "sources", "statements")
        for detail in ("", "{id}/")
    }
    assert CONTEXT_PATH not in schema["paths"]


# --- Statements: a Claim ---------------------------------------------------------------------


def test_a_statement_is_a_claim_that_appears_in_its_quotes(anonymous, researcher, db):
    speaker = SpeakerFactory(wikidata_id="Q57")
    statement = StatementFactory(speaker=speaker, text="NATO is a defensive alliance.")
    # "2019" may be as late as 31 December: the 26 May 2019 source is the first appearance.
    in_2019 = SourceFactory(published_on=datetime.date(2019, 1, 1), published_on_precision="year")
    on_26_may = SourceFactory(published_on=datetime.date(2019, 5, 26))
    later = QuoteFactory(speaker=speaker, statement=statement, source=in_2019)
    first = QuoteFactory(speaker=speaker, statement=statement, source=on_26_may)
    draft = QuoteFactory(speaker=speaker, statement=statement, status="draft")
    url = "http://testserver/api/v1/quotes/{}/".format
    path = f"/api/v1/statements/{statement.pk}/"

    node = one(expand(ld_get(anonymous, path).json(), anonymous))
    assert node["@id"] == f"http://testserver{path}"
    assert node[TYPE] == [s("Claim")]
    assert value(node, "text") == statement.text
    assert iri(one(node[s("author")]), "sameAs") == "http://www.wikidata.org/entity/Q57"
    appearances = {appearance["@id"]: appearance for appearance in node[s("appearance")]}
    assert appearances.keys() == {url(later.pk), url(first.pk)}, "a draft is no appearance"
    for appearance in appearances.values():
        assert appearance[TYPE] == [s("Quotation")]
        assert one(appearance[s("isBasedOn")])[TYPE] == [s("NewsArticle")]
        assert one(appearance[PROV + "wasQuotedFrom"])[TYPE] == [OA + "SpecificResource"]
    assert one(node[s("firstAppearance")])["@id"] == url(first.pk)
    # The JSON answer says the same.
    as_json = anonymous.get(path).json()
    assert as_json["first_appearance"]["id"] == first.pk
    assert {a["id"] for a in as_json["appearances"]} == {first.pk, later.pk}

    node = one(expand(ld_get(researcher, path).json(), anonymous))
    assert url(draft.pk) in {appearance["@id"] for appearance in node[s("appearance")]}


def test_a_statement_of_drafts_only_is_a_404_in_json_ld_too(anonymous, db):
    statement = StatementFactory()
    QuoteFactory(speaker=statement.speaker, statement=statement, status="draft")
    response = anonymous.get(f"/api/v1/statements/{statement.pk}/", HTTP_ACCEPT=LD)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"][0]["code"] == "not_found"


def test_the_statements_list_is_an_item_list_of_claims(
    anonymous, seeded, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = ld_get(anonymous, "/api/v1/statements/?speaker=jens-stoltenberg&page_size=4")
    body = response.json()
    assert body["numberOfItems"] == 6  # Stoltenberg's statements, on all pages
    claims = item_nodes(expand(body, anonymous))
    assert len(claims) == 4
    assert all(claim[TYPE] == [s("Claim")] for claim in claims)
    listed = anonymous.get("/api/v1/statements/?speaker=jens-stoltenberg&page_size=4").json()
    assert [claim["@id"] for claim in claims] == [row["url"] for row in listed["results"]]
    for claim, row in zip(claims, listed["results"], strict=True):
        assert len(claim[s("appearance")]) == row["appearance_count"]
        assert one(claim[s("firstAppearance")])["@id"] == row["first_appearance"]["url"]
    assert 'rel="next"' in response["Link"]
