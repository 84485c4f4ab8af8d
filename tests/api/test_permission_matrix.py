"""Who may do what: every resource of /api/v1/, every method, four kinds of user.

Part 1 is the permission matrix, written as a table (the policy at a glance):

- anyone reads (anonymous users included);
- writing needs the model permission: anonymous gets 401 with a WWW-Authenticate header (it may
  authenticate), an authenticated user without the permission 403;
- the `researchers` group adds and changes; deleting needs the delete permission *and* a staff
  account, so a researcher's DELETE is a 403 and only staff deletes;
- an action that does not take the method is a 405, once the user has passed the permission
  check (DRF checks permissions before it routes the method).

Every successful write is checked in the database, and every refused request is checked to have
written nothing.

Part 2 is object visibility: quotes and troop figures carry a review status, and drafts (and
reviewed records) are for users who may view the model. To everyone else they do not exist: not
in lists or counts, a 404 (not a 403) in detail and history, never drawn by random/, not in the
CSV export, not reachable through filters or nested relations.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest

from quotes.models import Event, Organization, Quote, Speaker, Treaty, TroopFigure
from sources.models import Outlet, Source
from tests.api.mixins import detail_url, list_url, row_counts, state_of
from tests.factories import (
    CitationFactory,
    EventFactory,
    OrganizationFactory,
    OutletFactory,
    QuoteFactory,
    SourceFactory,
    SpeakerFactory,
    TreatyFactory,
    TroopFigureFactory,
    citation_payload,
    span_of,
)

ANONYMOUS, READER, RESEARCHER, STAFF = USERS = ("anonymous", "reader", "researcher", "staff")

# ------------------------------------------------------------------------------------------
# The matrix. One row per (resource, method, action); one column per kind of user.
#
#   action: list      /api/v1/<resource>/
#           detail    /api/v1/<resource>/{id}/
#           history   /api/v1/<resource>/{id}/history/
#           random    /api/v1/quotes/random/
#           csv       /api/v1/quotes/?format=csv
#           root      /api/v1/
# ------------------------------------------------------------------------------------------

MATRIX = [
    # resource         method     action     anonymous reader researcher staff
    ("quotes",         "GET",     "list",      200,     200,     200,     200),
    ("quotes",         "GET",     "detail",    200,     200,     200,     200),
    ("quotes",         "HEAD",    "detail",    200,     200,     200,     200),
    ("quotes",         "OPTIONS", "list",      200,     200,     200,     200),
    ("quotes",         "GET",     "history",   200,     200,     200,     200),
    ("quotes",         "GET",     "random",    200,     200,     200,     200),
    ("quotes",         "GET",     "csv",       200,     200,     200,     200),
    ("quotes",         "POST",    "list",      401,     403,     201,     201),
    ("quotes",         "PUT",     "detail",    401,     403,     200,     200),
    ("quotes",         "PATCH",   "detail",    401,     403,     200,     200),
    ("quotes",         "DELETE",  "detail",    401,     403,     403,     204),
    ("quotes",         "POST",    "history",   401,     403,     405,     405),
    ("quotes",         "POST",    "random",    401,     403,     405,     405),
    ("quotes",         "POST",    "detail",    401,     403,     405,     405),
    # Deleting needs staff before the method is even looked at: the researcher's 403.
    ("quotes",         "DELETE",  "list",      401,     403,     403,     405),

    ("speakers",       "GET",     "list",      200,     200,     200,     200),
    ("speakers",       "GET",     "detail",    200,     200,     200,     200),
    ("speakers",       "GET",     "history",   200,     200,     200,     200),
    ("speakers",       "POST",    "list",      401,     403,     201,     201),
    ("speakers",       "PUT",     "detail",    401,     403,     200,     200),
    ("speakers",       "PATCH",   "detail",    401,     403,     200,     200),
    ("speakers",       "DELETE",  "detail",    401,     403,     403,     204),
    ("speakers",       "POST",    "history",   401,     403,     405,     405),

    ("organizations",  "GET",     "list",      200,     200,     200,     200),
    ("organizations",  "GET",     "detail",    200,     200,     200,     200),
    ("organizations",  "GET",     "history",   200,     200,     200,     200),
    ("organizations",  "POST",    "list",      401,     403,     201,     201),
    ("organizations",  "PUT",     "detail",    401,     403,     200,     200),
    ("organizations",  "PATCH",   "detail",    401,     403,     200,     200),
    ("organizations",  "DELETE",  "detail",    401,     403,     403,     204),
    ("organizations",  "POST",    "history",   401,     403,     405,     405),

    ("events",         "GET",     "list",      200,     200,     200,     200),
    ("events",         "GET",     "detail",    200,     200,     200,     200),
    ("events",         "GET",     "history",   200,     200,     200,     200),
    ("events",         "POST",    "list",      401,     403,     201,     201),
    ("events",         "PUT",     "detail",    401,     403,     200,     200),
    ("events",         "PATCH",   "detail",    401,     403,     200,     200),
    ("events",         "DELETE",  "detail",    401,     403,     403,     204),
    ("events",         "POST",    "history",   401,     403,     405,     405),

    ("sources",        "GET",     "list",      200,     200,     200,     200),
    ("sources",        "GET",     "detail",    200,     200,     200,     200),
    ("sources",        "GET",     "history",   200,     200,     200,     200),
    ("sources",        "POST",    "list",      401,     403,     201,     201),
    ("sources",        "PUT",     "detail",    401,     403,     200,     200),
    ("sources",        "PATCH",   "detail",    401,     403,     200,     200),
    ("sources",        "DELETE",  "detail",    401,     403,     403,     204),
    ("sources",        "POST",    "history",   401,     403,     405,     405),

    ("outlets",        "GET",     "list",      200,     200,     200,     200),
    ("outlets",        "GET",     "detail",    200,     200,     200,     200),
    ("outlets",        "GET",     "history",   200,     200,     200,     200),
    ("outlets",        "POST",    "list",      401,     403,     201,     201),
    ("outlets",        "PUT",     "detail",    401,     403,     200,     200),
    ("outlets",        "PATCH",   "detail",    401,     403,     200,     200),
    ("outlets",        "DELETE",  "detail",    401,     403,     403,     204),
    ("outlets",        "POST",    "history",   401,     403,     405,     405),

    ("treaties",       "GET",     "list",      200,     200,     200,     200),
    ("treaties",       "GET",     "detail",    200,     200,     200,     200),
    ("treaties",       "GET",     "history",   200,     200,     200,     200),
    ("treaties",       "POST",    "list",      401,     403,     201,     201),
    ("treaties",       "PUT",     "detail",    401,     403,     200,     200),
    ("treaties",       "PATCH",   "detail",    401,     403,     200,     200),
    ("treaties",       "DELETE",  "detail",    401,     403,     403,     204),
    ("treaties",       "POST",    "history",   401,     403,     405,     405),

    ("troop-figures",  "GET",     "list",      200,     200,     200,     200),
    ("troop-figures",  "GET",     "detail",    200,     200,     200,     200),
    ("troop-figures",  "GET",     "history",   200,     200,     200,     200),
    ("troop-figures",  "POST",    "list",      401,     403,     201,     201),
    ("troop-figures",  "PUT",     "detail",    401,     403,     200,     200),
    ("troop-figures",  "PATCH",   "detail",    401,     403,     200,     200),
    ("troop-figures",  "DELETE",  "detail",    401,     403,     403,     204),
    ("troop-figures",  "POST",    "history",   401,     403,     405,     405),

    # The API root lists the resources; it has no model, so no permission applies to it.
    ("api",            "GET",     "root",      200,     200,     200,     200),
    ("api",            "POST",    "root",      405,     405,     405,     405),
]  # fmt: skip

# Cells whose correct expectation the code does not meet yet: (resource, method, action, user)
# -> "BUG: ...". They run as xfail(strict=True), so a fix shows up as an XPASS to clean up.
KNOWN_BUGS: dict[tuple[str, str, str, str], str] = {}


@dataclass(frozen=True)
class Resource:
    """How to make, create, replace and change one object of a resource, with valid data."""

    basename: str
    model: type
    make: Any  # () -> a saved object to read, change or delete
    create: Any  # () -> a valid POST body
    replace: Any  # (obj) -> a valid PUT body
    change: dict  # a valid PATCH body


def _with_citation(factory):
    def make():
        obj = factory()
        obj.citations.set([CitationFactory()])
        return obj

    return make


def _quote_body(speaker_id, source):
    start, end = span_of(source.text, "reckless")
    return {
        "text": "reckless",
        "kind": "fragment",
        "speaker": speaker_id,
        "source": source.pk,
        "start": start,
        "end": end,
        "said_on": "2017-05-26",
        "said_on_precision": "day",
    }


RESOURCES = {
    "quotes": Resource(
        "quote",
        Quote,
        make=QuoteFactory,
        create=lambda: {
            **_quote_body(SpeakerFactory().pk, SourceFactory()),
            "treaties": [TreatyFactory().pk],
        },
        replace=lambda obj: {**_quote_body(obj.speaker_id, obj.source), "note": "Replaced."},
        change={"note": "Checked against the recording."},
    ),
    "speakers": Resource(
        "speaker",
        Speaker,
        make=SpeakerFactory,
        create=lambda: {
            "name": "Emmanuel Macron",
            "slug": "emmanuel-macron",
            "kind": "person",
            "organization": OrganizationFactory().pk,
        },
        replace=lambda obj: {"name": "Renamed", "slug": obj.slug, "kind": "institution"},
        change={"aliases": ["Makron", "macron"]},
    ),
    "organizations": Resource(
        "organization",
        Organization,
        make=OrganizationFactory,
        create=lambda: {"name": "Kremlin", "slug": "kremlin", "kind": "government"},
        replace=lambda obj: {"name": "Renamed", "slug": obj.slug, "kind": "ministry"},
        change={"country": "RU"},
    ),
    "events": Resource(
        "event",
        Event,
        make=_with_citation(EventFactory),
        create=lambda: {
            "name": "Doorstep",
            "slug": "doorstep",
            "kind": "doorstep",
            "starts_on": "2018-02-01",
            "starts_on_precision": "month",
            "citations": [citation_payload(SourceFactory(), "the Secretary General said")],
        },
        replace=lambda obj: {
            "name": "Renamed",
            "slug": obj.slug,
            "kind": "summit",
            "citations": [citation_payload(SourceFactory(), "the Secretary General said")],
        },
        change={"place": "Brussels"},
    ),
    "sources": Resource(
        "source",
        Source,
        make=SourceFactory,
        create=lambda: {
            "title": "A new document",
            "slug": "a-new-document",
            "text": "Nothing said yet.",
            "published_on": "2024-04-04",
            "published_on_precision": "day",
        },
        replace=lambda obj: {"title": "Replaced", "slug": obj.slug, "text": obj.text},
        change={"title": "A better title"},
    ),
    "outlets": Resource(
        "outlet",
        Outlet,
        make=OutletFactory,
        create=lambda: {"name": "TASS", "slug": "tass", "country": "RU"},
        replace=lambda obj: {"name": "Renamed", "slug": obj.slug, "country": "RU"},
        change={"website": "https://example.org/"},
    ),
    "treaties": Resource(
        "treaty",
        Treaty,
        make=_with_citation(TreatyFactory),
        create=lambda: {
            "name": "Treaty of Testing",
            "slug": "treaty-of-testing",
            "signed_on": "1987-01-01",
            "signed_on_precision": "year",
            "citations": [citation_payload(SourceFactory(), "Officials said 4,000 troops")],
        },
        replace=lambda obj: {
            "name": "Renamed",
            "slug": obj.slug,
            "citations": [citation_payload(SourceFactory(), "Officials said 4,000 troops")],
        },
        change={"signed_place": "Washington"},
    ),
    "troop-figures": Resource(
        "troopfigure",
        TroopFigure,
        make=TroopFigureFactory,
        create=lambda: {
            "slug": "baltic-4000",
            "count": 4000,
            "location": "the region",
            "status": "published",
            "citations": [
                citation_payload(SourceFactory(), "4,000 troops were deployed in the region")
            ],
        },
        replace=lambda obj: {
            "slug": obj.slug,
            "count": 1000,
            "location": "Lithuania",
            "citations": [citation_payload(SourceFactory(), "1,000 of which came from one ally")],
        },
        change={"location": "Lithuania"},
    ),
}


def _matrix_cases():
    for resource, method, action, *statuses in MATRIX:
        for user, expected in zip(USERS, statuses, strict=True):
            bug = KNOWN_BUGS.get((resource, method, action, user))
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            yield pytest.param(
                resource,
                method,
                action,
                user,
                expected,
                id=f"{resource}-{method}-{action}-{user}",
                marks=marks,
            )


# -- database state -------------------------------------------------------------------------


def stored(obj, name):
    """The stored value of a field, in the form a request body gives it."""
    field = obj._meta.get_field(name)
    if name == "citations":
        return sorted((c.source_id, c.start, c.end, c.text) for c in obj.citations.all())
    if field.many_to_many:
        return sorted(getattr(obj, name).values_list("pk", flat=True))
    value = getattr(obj, field.attname)
    return value.isoformat() if isinstance(value, datetime.date) else value


def sent(name, value):
    if name == "citations":
        return sorted((c["source"], c["start"], c["end"], c["text"]) for c in value)
    if isinstance(value, list):
        return sorted(value)
    return value


def assert_stored(obj, body):
    obj.refresh_from_db()
    for name, value in body.items():
        assert stored(obj, name) == sent(name, value), f"{name} was not stored as sent"


# -- requests -------------------------------------------------------------------------------


def url_for(spec, action, target):
    if action == "root":
        return "/api/v1/"
    if action in ("list", "csv"):
        return list_url(spec.basename) + ("?format=csv" if action == "csv" else "")
    if action == "random":
        return list_url(spec.basename) + "random/"
    url = detail_url(spec.basename, target.pk)
    return url + "history/" if action == "history" else url


def body_for(spec, method, action, target):
    if method == "POST" and action == "list":
        return spec.create()
    if method == "PUT":
        return spec.replace(target)
    if method == "PATCH":
        return dict(spec.change)
    return None


def assert_refused(response, status):
    """A refusal in the one error format; 401 asks for credentials, 403 does not."""
    body = response.json()
    assert body["type"] == "client_error"
    [error] = body["errors"]
    assert (
        error["code"]
        == {
            401: "not_authenticated",
            403: "permission_denied",
            405: "method_not_allowed",
        }[status]
    )
    assert error["attr"] is None
    assert error["detail"]
    if status == 401:
        # Token first among the authentication classes: the client is told how to log in.
        assert response["WWW-Authenticate"] == "Token"
    else:
        assert "WWW-Authenticate" not in response


def assert_read(response, spec, action, target):
    """What a successful read returns: the target object, wherever the action shows it."""
    if action == "root":
        assert "quotes" in response.json()
    elif action == "csv":
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert [int(row["id"]) for row in rows] == [target.pk]
    elif response.request["REQUEST_METHOD"] == "HEAD":
        assert response.content == b""
    elif response.request["REQUEST_METHOD"] == "OPTIONS":
        assert response.json()["name"]
    elif action == "list":
        assert target.pk in [row["id"] for row in response.json()["results"]]
    elif action == "history":
        assert response.json()["results"][-1]["history_type"] == "created"
    else:  # detail, random
        assert response.json()["id"] == target.pk


MATRIX_CASES = list(_matrix_cases())


@pytest.mark.parametrize(("resource", "method", "action", "user", "expected"), MATRIX_CASES)
def test_permission_matrix(request, db, resource, method, action, user, expected):
    client = request.getfixturevalue(user)
    spec = RESOURCES.get(resource, RESOURCES["quotes"])
    target = spec.make() if action != "root" else None
    body = body_for(spec, method, action, target)  # may create related objects: before counting
    counts, target_state = row_counts(), state_of(target)

    url = url_for(spec, action, target)
    if body is None:
        response = client.generic(method, url)
    else:
        response = getattr(client, method.lower())(url, body)

    assert response.status_code == expected, response.content[:500]
    if expected >= 400:
        assert_refused(response, expected)
        # A refused request writes nothing: no row, no link, no history entry.
        assert row_counts() == counts
        assert state_of(target) == target_state
    elif method in ("GET", "HEAD", "OPTIONS"):
        assert_read(response, spec, action, target)
        assert row_counts() == counts
    elif method == "POST":
        assert row_counts()[spec.model._meta.label] == counts[spec.model._meta.label] + 1
        created = spec.model.objects.get(pk=response.json()["id"])
        assert_stored(created, body)
    elif method in ("PUT", "PATCH"):
        assert response.json()["id"] == target.pk
        assert_stored(target, body)
        assert state_of(target) != target_state
    elif method == "DELETE":
        assert not spec.model._base_manager.filter(pk=target.pk).exists()
        assert row_counts()[spec.model._meta.label] == counts[spec.model._meta.label] - 1


def test_the_matrix_covers_every_registered_resource():
    """A resource added to config/api.py without rows in the matrix fails here."""
    from config.api import router

    registered = {prefix for prefix, _viewset, _basename in router.registry}
    in_matrix = {row[0] for row in MATRIX} - {"api"}
    assert in_matrix == registered
    for resource in registered:
        rows = {(method, action) for name, method, action, *_ in MATRIX if name == resource}
        for needed in [("GET", "list"), ("GET", "detail"), ("GET", "history"), ("POST", "list")]:
            assert needed in rows, f"{resource}: no row for {needed}"
        for needed in [("PUT", "detail"), ("PATCH", "detail"), ("DELETE", "detail")]:
            assert needed in rows, f"{resource}: no row for {needed}"


def test_an_invalid_token_is_a_401_even_for_reading(anonymous, db):
    """Credentials that do not authenticate are refused, not silently treated as anonymous."""
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anonymous.get(list_url("quote"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["errors"][0]["code"] == "authentication_failed"


# ------------------------------------------------------------------------------------------
# Part 2: object visibility. Drafts and reviewed records exist only for users who may view
# the model (researchers, staff); for everyone else they are indistinguishable from missing.
# ------------------------------------------------------------------------------------------

SEES_DRAFTS = {ANONYMOUS: False, READER: False, RESEARCHER: True, STAFF: True}


@dataclass
class Reviewed:
    """A speaker with a published, a draft and a reviewed quote; troop figures likewise."""

    speaker: Speaker
    published: Quote
    draft: Quote
    reviewed: Quote
    whole: TroopFigure  # published, with a published part and a draft part
    public_part: TroopFigure
    draft_part: TroopFigure
    draft_whole: TroopFigure  # a draft with a published part
    part_of_draft: TroopFigure
    reviewed_figure: TroopFigure

    @property
    def hidden_quotes(self):
        return {self.draft.pk, self.reviewed.pk}

    @property
    def hidden_figures(self):
        return {self.draft_part.pk, self.draft_whole.pk, self.reviewed_figure.pk}


@pytest.fixture
def reviewed(db):
    speaker = SpeakerFactory(slug="reviewed-speaker")
    published = QuoteFactory(speaker=speaker, said_on=datetime.date(2010, 6, 1))
    # The draft is the earliest and the reviewed quote the latest: the public's first and last
    # dates show whether they were counted.
    draft = QuoteFactory(speaker=speaker, status="draft", said_on=datetime.date(2001, 1, 1))
    reviewed = QuoteFactory(speaker=speaker, status="reviewed", said_on=datetime.date(2020, 1, 1))
    whole = TroopFigureFactory(slug="whole", count=5000)
    public_part = TroopFigureFactory(slug="public-part", count=1000, parent=whole)
    draft_part = TroopFigureFactory(slug="draft-part", count=500, parent=whole, status="draft")
    draft_whole = TroopFigureFactory(slug="draft-whole", count=3000, status="draft")
    part_of_draft = TroopFigureFactory(slug="part-of-draft", count=700, parent=draft_whole)
    reviewed_figure = TroopFigureFactory(slug="reviewed-figure", status="reviewed")
    return Reviewed(
        speaker,
        published,
        draft,
        reviewed,
        whole,
        public_part,
        draft_part,
        draft_whole,
        part_of_draft,
        reviewed_figure,
    )


def visibility_cases(bugs=None):
    """One case per kind of user; `bugs` maps a user to the reason of a known bug."""
    cases = []
    for user in USERS:
        reason = (bugs or {}).get(user)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        cases.append(pytest.param(user, SEES_DRAFTS[user], id=user, marks=marks))
    return cases


def ids_of(response):
    assert response.status_code == 200, response.content[:500]
    return {row["id"] for row in response.json()["results"]}


def assert_not_found(response):
    """Hidden is missing: a 404 in the error format, never a 403 that confirms existence."""
    assert response.status_code == 404, response.content[:500]
    if response.request["REQUEST_METHOD"] != "HEAD":
        assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_quote_lists_show_drafts_only_to_researchers(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    everything = {reviewed.published.pk, *reviewed.hidden_quotes}
    expected = everything if sees_drafts else {reviewed.published.pk}
    assert ids_of(client.get(list_url("quote"), {"page_size": 100})) == expected
    # Filters never reach a hidden quote: not by status, nor through its speaker or source.
    by_status = client.get(list_url("quote"), {"status": ["draft", "reviewed"]})
    assert ids_of(by_status) == (reviewed.hidden_quotes if sees_drafts else set())
    by_speaker = client.get(list_url("quote"), {"speaker": reviewed.speaker.slug})
    assert ids_of(by_speaker) == expected
    by_source = client.get(list_url("quote"), {"source_id": reviewed.draft.source_id})
    assert ids_of(by_source) == ({reviewed.draft.pk} if sees_drafts else set())
    by_date = client.get(list_url("quote"), {"said_on_before": "2005-01-01"})
    assert ids_of(by_date) == ({reviewed.draft.pk} if sees_drafts else set())


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_a_hidden_quote_is_a_404_in_detail_and_history(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    for quote in (reviewed.draft, reviewed.reviewed):
        url = detail_url("quote", quote.pk)
        for response in (client.get(url), client.head(url), client.get(url + "history/")):
            if sees_drafts:
                assert response.status_code == 200
            else:
                assert_not_found(response)
        if sees_drafts:
            assert client.get(url).json()["status"] == quote.status


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_random_never_draws_a_hidden_quote(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    random_url = list_url("quote") + "random/"
    # Only hidden quotes match: the public gets "none match", as if they did not exist.
    response = client.get(random_url, {"status": "draft"})
    if sees_drafts:
        assert response.status_code == 200
        assert response.json()["id"] == reviewed.draft.pk
    else:
        assert_not_found(response)
    # With one visible quote among the speaker's three, the public draws that one every time.
    drawn = {
        client.get(random_url, {"speaker": reviewed.speaker.slug}).json()["id"] for _ in range(8)
    }
    if sees_drafts:
        assert drawn <= {reviewed.published.pk, *reviewed.hidden_quotes}
    else:
        assert drawn == {reviewed.published.pk}


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_the_csv_export_leaves_hidden_quotes_out(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    response = client.get(list_url("quote"), {"format": "csv", "speaker": reviewed.speaker.slug})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    everything = {reviewed.published.pk, *reviewed.hidden_quotes}
    assert {int(row["id"]) for row in rows} == (
        everything if sees_drafts else {reviewed.published.pk}
    )


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_speaker_statistics_count_only_visible_quotes(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    expected = (3, "2001-01-01", "2020-01-01") if sees_drafts else (1, "2010-06-01", "2010-06-01")
    detail = client.get(detail_url("speaker", reviewed.speaker.pk)).json()
    listed = client.get(list_url("speaker"), {"ordering": "-quote_count"}).json()["results"][0]
    for body in (detail, listed):
        assert body["id"] == reviewed.speaker.pk
        assert (body["quote_count"], body["first_quote_on"], body["last_quote_on"]) == expected


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_troop_figure_lists_hide_and_do_not_count_hidden_figures(
    request, reviewed, user, sees_drafts
):
    client = request.getfixturevalue(user)
    body = client.get(list_url("troopfigure"), {"page_size": 100}).json()
    everything = set(TroopFigure.objects.values_list("pk", flat=True))
    expected = everything if sees_drafts else everything - reviewed.hidden_figures
    assert {row["id"] for row in body["results"]} == expected
    assert body["count"] == len(expected)
    by_status = client.get(list_url("troopfigure"), {"status": ["draft", "reviewed"]}).json()
    assert by_status["count"] == (3 if sees_drafts else 0)
    by_location = client.get(list_url("troopfigure"), {"q": "region"}).json()
    assert by_location["count"] == len(expected)


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_a_hidden_troop_figure_is_a_404_in_detail_and_history(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    for figure in (reviewed.draft_part, reviewed.draft_whole, reviewed.reviewed_figure):
        url = detail_url("troopfigure", figure.pk)
        for response in (client.get(url), client.get(url + "history/")):
            if sees_drafts:
                assert response.status_code == 200
            else:
                assert_not_found(response)


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_relations_do_not_reveal_hidden_figures(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    # A published whole lists only the parts the user may see.
    whole = client.get(detail_url("troopfigure", reviewed.whole.pk)).json()
    expected_parts = {reviewed.public_part.pk}
    if sees_drafts:
        expected_parts.add(reviewed.draft_part.pk)
    assert {part["id"] for part in whole["parts"]} == expected_parts
    # A published part of a draft whole shows no parent to the public.
    parent = client.get(detail_url("troopfigure", reviewed.part_of_draft.pk)).json()["parent"]
    if sees_drafts:
        assert parent["id"] == reviewed.draft_whole.pk
    else:
        assert parent is None
    # Filtering by a hidden parent is filtering by an unknown one: the same answer (an empty
    # page, or a 400 naming the parameter), so the answer does not reveal that it exists.
    by_parent = client.get(list_url("troopfigure"), {"parent_id": reviewed.draft_whole.pk})
    if sees_drafts:
        assert ids_of(by_parent) == {reviewed.part_of_draft.pk}
    else:
        missing = client.get(list_url("troopfigure"), {"parent_id": 999_999})
        assert by_parent.status_code == missing.status_code
        if missing.status_code == 200:
            assert ids_of(by_parent) == ids_of(missing) == set()
            assert by_parent.json()["count"] == 0
        else:
            assert missing.status_code == 400
            hidden_error, missing_error = by_parent.json()["errors"], missing.json()["errors"]
            assert [e["attr"] for e in hidden_error] == ["parent_id"]
            assert [e["code"] for e in hidden_error] == [e["code"] for e in missing_error]
    by_visible_parent = client.get(list_url("troopfigure"), {"parent_id": reviewed.whole.pk})
    assert ids_of(by_visible_parent) == expected_parts


@pytest.mark.parametrize(
    ("user", "sees_drafts"),
    visibility_cases(),
)
def test_history_does_not_reveal_a_hidden_parent(request, researcher, reviewed, user, sees_drafts):
    # A published figure is made part of a draft whole: a change the public may see happened
    # (the version is published), but not what it points to.
    figure = TroopFigureFactory(slug="moved-part", count=100)
    moved = researcher.patch(
        detail_url("troopfigure", figure.pk), {"parent": reviewed.draft_whole.pk}
    )
    assert moved.status_code == 200, moved.content
    client = request.getfixturevalue(user)
    history = client.get(detail_url("troopfigure", figure.pk) + "history/")
    assert history.status_code == 200
    parent_changes = [
        change
        for version in history.json()["results"]
        for change in version["changes"]
        if change["field"] == "parent"
    ]
    if sees_drafts:
        assert parent_changes == [{"field": "parent", "old": None, "new": reviewed.draft_whole.pk}]
    else:
        shown = {change["new"] for change in parent_changes} | {
            change["old"] for change in parent_changes
        }
        assert reviewed.draft_whole.pk not in shown


@pytest.mark.parametrize("user", [ANONYMOUS, READER])
def test_writing_to_a_hidden_object_answers_as_for_any_object(request, reviewed, user):
    """No oracle: a user who may not write gets the same refusal for a draft, a published and
    a missing record, so the status code does not reveal that the draft exists."""
    client = request.getfixturevalue(user)
    expected = 401 if user == ANONYMOUS else 403
    before = row_counts()
    for pk in (reviewed.draft.pk, reviewed.published.pk, 999_999):
        url = detail_url("quote", pk)
        assert client.patch(url, {"note": "x"}).status_code == expected
        assert client.delete(url).status_code == expected
    assert row_counts() == before
    assert Quote.objects.get(pk=reviewed.draft.pk).note == ""


def test_researchers_write_drafts_and_publish_them(researcher, anonymous, reviewed):
    url = detail_url("quote", reviewed.draft.pk)
    assert researcher.patch(url, {"note": "Checked."}).status_code == 200
    assert anonymous.get(url).status_code == 404
    assert researcher.patch(url, {"status": "published"}).status_code == 200
    assert anonymous.get(url).json()["note"] == "Checked."
