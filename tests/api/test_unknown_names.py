"""Unknown names are refused: a query parameter that the endpoint does not read, and a body
field that the resource does not have, are each a 400 naming it, and change nothing.

Without the rule a typo is silent: `?speakr=` lists every quote, and a PATCH of `"nte"` answers
200 without the change. Read-only fields are not unknown: a client may send back what it read.
"""

from urllib.parse import urlencode

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import User

from core.api.errors import MAX_UNKNOWN_NAMED
from quotes.models import Quote
from tests.api.mixins import detail_url, list_url, row_counts, state_of
from tests.api.specs import SPECS, resolve
from tests.conftest import client_for
from tests.factories import QuoteCandidateFactory, QuoteFactory, SpeakerFactory

QUOTES = "/api/v1/quotes/"
JSON = "application/json"


def errors_of(response):
    assert response.status_code == 400, response.content[:600]
    body = response.json()
    assert body["type"] == "validation_error"
    return {(error["attr"], error["code"]) for error in body["errors"]}


# ------------------------------------------------------------------------------------------
# Query parameters
# ------------------------------------------------------------------------------------------


def test_a_mistyped_filter_is_a_400_naming_it_not_every_quote(anonymous, db):
    QuoteFactory(speaker=SpeakerFactory(slug="jens-stoltenberg"))
    QuoteFactory()
    assert anonymous.get(QUOTES, {"speaker": "jens-stoltenberg"}).json()["results"]

    response = anonymous.get(QUOTES, {"speakr": "jens-stoltenberg"})

    assert errors_of(response) == {("speakr", "unknown_parameter")}
    detail = response.json()["errors"][0]["detail"]
    assert "Did you mean 'speaker'?" in detail
    assert "said_on_after" in detail  # the parameters it does take


def test_each_unknown_parameter_is_named(anonymous, db):
    response = anonymous.get(QUOTES, {"speakr": "x", "sort": "said_on", "kind": "fragment"})
    assert errors_of(response) == {("speakr", "unknown_parameter"), ("sort", "unknown_parameter")}


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        # The list's filters are not a detail's, nor its history's: they would be ignored.
        ("/api/v1/quotes/{id}/", "speaker"),
        ("/api/v1/quotes/{id}/history/", "speaker"),
        # One record is no page.
        ("/api/v1/quotes/{id}/", "page_size"),
        ("/api/v1/quotes/random/", "cursor"),
    ],
)
def test_another_endpoints_parameter_is_unknown_here(anonymous, db, url, parameter):
    url = url.format(id=QuoteFactory().pk)
    assert errors_of(anonymous.get(url, {parameter: "1"})) == {(parameter, "unknown_parameter")}


def test_a_write_with_an_unknown_parameter_writes_nothing(researcher, db):
    quote = QuoteFactory(note="Before.")
    before, counts = state_of(quote), row_counts()

    response = researcher.patch(f"{detail_url('quote', quote.pk)}?dry_run=1", {"note": "After."})

    assert errors_of(response) == {("dry_run", "unknown_parameter")}
    assert state_of(quote) == before
    assert row_counts() == counts


def test_a_staff_delete_with_an_unknown_parameter_deletes_nothing(staff, db):
    speaker = SpeakerFactory()
    response = staff.delete(f"{detail_url('speaker', speaker.pk)}?cascade=1")
    assert errors_of(response) == {("cascade", "unknown_parameter")}
    assert state_of(speaker) is not None


def test_known_parameters_are_still_taken(anonymous, db):
    QuoteFactory(kind="fragment")
    params = {"kind": "fragment", "ordering": "-said_on", "page_size": "5", "format": "json"}
    response = anonymous.get(QUOTES, params)
    assert response.status_code == 200, response.content
    assert anonymous.get(QUOTES, {**params, "format": "csv"}).status_code == 200


def test_a_method_not_allowed_is_a_405_whatever_its_parameters(researcher, db):
    response = researcher.put(f"{QUOTES}?speakr=x", {})
    assert response.status_code == 405


def test_options_is_answered_whatever_its_parameters(anonymous, db):
    """A browser's CORS preflight carries the query string of the request it asks about."""
    assert anonymous.options(f"{QUOTES}?speaker=x").status_code == 200


def test_pages_outside_the_api_are_untouched(client, db):
    assert client.get("/admin/login/", {"unknown": "1"}).status_code == 200


def schema_operations():
    """(method, path, its query parameters) for every operation of the committed schema."""
    committed = settings.BASE_DIR / "docs" / "openapi" / "v1.yaml"
    schema = yaml.safe_load(committed.read_text(encoding="utf-8"))
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            yield method.upper(), path, names


OPERATIONS = list(schema_operations())
EVERY_PARAMETER = set().union(*(names for _, _, names in OPERATIONS))


@pytest.fixture
def superuser(db):
    return client_for(User.objects.create_superuser("root", "root@example.org", "x"))


@pytest.mark.parametrize(
    ("method", "path", "documented"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_every_operation_takes_the_parameters_its_schema_lists_and_no_other(
    superuser, method, path, documented
):
    """The rule agrees with the schema, operation by operation: each parameter it lists is
    known, and every parameter that another operation takes, but not this one, is refused."""
    superuser.raise_request_exception = False
    url = path.replace("{id}", "999999999")  # refused or not, no record is reached
    counts = row_counts()
    given = {name: "json" if name == "format" else "1" for name in documented}
    others = (EVERY_PARAMETER - documented) - {"format"}  # every endpoint's: a 406 if not offered

    taken = superuser.generic(method, f"{url}?{urlencode(given)}", content_type=JSON)
    assert taken.status_code != 500
    assert "unknown_parameter" not in {error["code"] for error in errors_in(taken)}

    # In batches that are each answered name by name (past MAX_UNKNOWN_NAMED, one error
    # counts the rest).
    unknown = sorted(others | {"undocumented"})
    for start in range(0, len(unknown), MAX_UNKNOWN_NAMED):
        batch = unknown[start : start + MAX_UNKNOWN_NAMED]
        with_batch = {**given, **dict.fromkeys(batch, "1")}
        refused = superuser.generic(method, f"{url}?{urlencode(with_batch)}", content_type=JSON)
        assert errors_of(refused) == {(name, "unknown_parameter") for name in batch}
    assert row_counts() == counts


def errors_in(response):
    if response["Content-Type"].startswith("application/json") and response.content:
        return response.json().get("errors", [])
    return []


# ------------------------------------------------------------------------------------------
# Body fields
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
def test_an_unknown_body_field_is_a_400_naming_it_and_writes_nothing(researcher, world, spec):
    if spec.create is not None:
        url, method, target = list_url(spec.basename), "post", None
        body = resolve(spec.create(world), world)
    elif spec.change is not None:  # candidates: made by the extractor, edited by researchers
        target = spec.make()
        url, method, body = detail_url(spec.basename, target.pk), "patch", dict(spec.change)
    else:  # statements, suggestions: changed by their actions only (each with its own case)
        action, (name, valid) = next(iter(spec.actions.items()))
        target = getattr(world, name)
        url = detail_url(spec.basename, target.pk) + f"{action}/"
        method, body = "post", resolve(valid(world), world)
    counts, before = row_counts(), state_of(target)

    response = getattr(researcher, method)(url, {**body, "nmae": "x", "colour": "red"})

    assert errors_of(response) == {("nmae", "unknown_field"), ("colour", "unknown_field")}
    assert row_counts() == counts
    assert state_of(target) == before


def test_an_unknown_field_and_a_bad_value_are_named_together(researcher, db):
    quote = QuoteFactory()
    response = researcher.patch(detail_url("quote", quote.pk), {"nte": "x", "kind": "nonsense"})
    assert errors_of(response) == {("nte", "unknown_field"), ("kind", "invalid_choice")}
    [unknown] = [error for error in response.json()["errors"] if error["attr"] == "nte"]
    assert "Did you mean 'note'?" in unknown["detail"]


def test_an_unknown_field_of_a_citation_is_named_by_its_position(researcher, world):
    url = detail_url("event", world.event.pk)
    citation = {
        "source": world.citation.source_id,
        "start": world.citation.start,
        "end": world.citation.end,
        "text": world.citation.text,
    }
    before = state_of(world.event)

    response = researcher.patch(url, {"citations": [citation, {**citation, "txet": "x"}]})

    assert errors_of(response) == {("citations.1.txet", "unknown_field")}
    assert state_of(world.event) == before
    assert researcher.patch(url, {"citations": [citation]}).status_code == 200  # the control


def test_read_only_fields_sent_back_are_ignored(researcher, db):
    """A client may send back what it read (read-modify-write): the fields it may not change
    are left as they are, not refused."""
    quote = QuoteFactory(note="Before.")
    url = detail_url("quote", quote.pk)
    read = researcher.get(url).json()
    echoed = ["id", "url", "display", "context_before", "context_after", "created_at"]
    body = {name: read[name] for name in echoed}

    response = researcher.patch(url, {**body, "id": quote.pk + 1000, "note": "After."})

    assert response.status_code == 200, response.content
    assert response.json()["id"] == quote.pk
    assert Quote.objects.get(pk=quote.pk).note == "After."


def test_an_actions_body_refuses_unknown_fields_too(researcher, db):
    candidate = QuoteCandidateFactory()
    url = detail_url("quotecandidate", candidate.pk) + "reject/"
    before = state_of(candidate)

    response = researcher.post(url, {"reason": "A paraphrase.", "reasno": "x"})

    assert errors_of(response) == {("reasno", "unknown_field")}
    assert state_of(candidate) == before


def test_an_upload_refuses_unknown_form_fields_but_not_the_csrf_token(researcher, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = list_url("source") + "import/"
    text = b"A headline of the test\n\nThe body of the article.\n"

    def upload(**fields):
        data = {"file": SimpleUploadedFile("article.txt", text), **fields}
        return researcher.post(url, data, format="multipart")

    counts = row_counts()
    assert errors_of(upload(titel="A title")) == {("titel", "unknown_field")}
    assert row_counts() == counts
    assert upload(csrfmiddlewaretoken="from-an-html-form").status_code == 201


def test_thousands_of_unknown_names_get_a_short_answer(anonymous, researcher, db):
    """Twenty named, one more error counting the rest, the known names listed once: the
    answer does not grow with what was sent."""
    response = anonymous.get(QUOTES, {f"p{index}": "x" for index in range(900)})
    errors = response.json()["errors"]
    assert len(errors) == MAX_UNKNOWN_NAMED + 1
    assert errors[-1]["detail"] == "And 880 more unknown query parameters, from 'p20' on."
    assert sum("Known here" in error["detail"] for error in errors) == 1
    assert len(response.content) < 10_000

    quote = QuoteFactory()
    body = {f"f{index}": 1 for index in range(5000)}
    refused = researcher.patch(f"{QUOTES}{quote.pk}/", body, format="json")
    assert refused.status_code == 400
    assert len(refused.json()["errors"]) == MAX_UNKNOWN_NAMED + 1
