"""Who may do what: every resource of /api/v1/, every method, four kinds of user.

The permission matrix, written as a table (the policy at a glance):

- anyone reads (anonymous users included);
- writing needs the model permission: anonymous gets 401 with a WWW-Authenticate header (it may
  authenticate), an authenticated user without the permission 403;
- the `researchers` group adds and changes; deleting needs the delete permission *and* a staff
  account, so a researcher's DELETE is a 403 and only staff deletes;
- an action that does not take the method is a 405, once the user has passed the permission
  check (DRF checks permissions before it routes the method).

Every successful write is checked in the database, and every refused request is checked to have
written nothing. Each resource's data comes from its spec (tests/api/specs.py). Who may see a
draft is tests/api/test_visibility.py's.
"""

import csv
import datetime
import io

import pytest

from tests.api.mixins import detail_url, list_url, row_counts, state_of
from tests.api.specs import SPECS

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

    # Candidates are for researchers only: reading them needs the view permission too. The
    # extraction makes them (POST on the list is no route), and no one deletes them.
    ("quote-candidates",        "GET",    "list",     401,  403,  200,  200),
    ("quote-candidates",        "GET",    "detail",   401,  403,  200,  200),
    ("quote-candidates",        "GET",    "history",  401,  403,  200,  200),
    ("quote-candidates",        "PUT",    "detail",   401,  403,  200,  200),
    ("quote-candidates",        "PATCH",  "detail",   401,  403,  200,  200),
    ("quote-candidates",        "POST",   "accept",   401,  403,  201,  201),
    ("quote-candidates",        "POST",   "reject",   401,  403,  200,  200),
    ("quote-candidates",        "POST",   "list",     401,  403,  405,  405),
    ("quote-candidates",        "DELETE", "detail",   401,  403,  403,  405),

    ("troop-figure-candidates", "GET",    "list",     401,  403,  200,  200),
    ("troop-figure-candidates", "GET",    "detail",   401,  403,  200,  200),
    ("troop-figure-candidates", "GET",    "history",  401,  403,  200,  200),
    ("troop-figure-candidates", "PUT",    "detail",   401,  403,  200,  200),
    ("troop-figure-candidates", "PATCH",  "detail",   401,  403,  200,  200),
    ("troop-figure-candidates", "POST",   "accept",   401,  403,  201,  201),
    ("troop-figure-candidates", "POST",   "reject",   401,  403,  200,  200),
    ("troop-figure-candidates", "POST",   "list",     401,  403,  405,  405),
    ("troop-figure-candidates", "DELETE", "detail",   401,  403,  403,  405),

    # Statements: read by anyone (the public through their published appearances), made by
    # confirming a suggestion and undone by detaching, never written directly.
    ("statements",     "GET",     "list",      200,     200,     200,     200),
    ("statements",     "GET",     "detail",    200,     200,     200,     200),
    ("statements",     "GET",     "history",   200,     200,     200,     200),
    ("statements",     "POST",    "detach",    401,     403,     200,     200),
    ("statements",     "POST",    "list",      401,     403,     405,     405),
    ("statements",     "PUT",     "detail",    401,     403,     405,     405),
    ("statements",     "PATCH",   "detail",    401,     403,     405,     405),
    ("statements",     "DELETE",  "detail",    401,     403,     403,     405),

    # Their suggestions are researchers' work, as the candidates are.
    ("statement-suggestions", "GET",    "list",     401,  403,  200,  200),
    ("statement-suggestions", "GET",    "detail",   401,  403,  200,  200),
    ("statement-suggestions", "GET",    "history",  401,  403,  200,  200),
    ("statement-suggestions", "POST",   "confirm",  401,  403,  200,  200),
    ("statement-suggestions", "POST",   "dismiss",  401,  403,  200,  200),
    ("statement-suggestions", "POST",   "list",     401,  403,  405,  405),
    ("statement-suggestions", "PUT",    "detail",   401,  403,  405,  405),
    ("statement-suggestions", "PATCH",  "detail",   401,  403,  405,  405),
    ("statement-suggestions", "DELETE", "detail",   401,  403,  403,  405),

    # The API root lists the resources; it has no model, so no permission applies to it.
    ("api",            "GET",     "root",      200,     200,     200,     200),
    ("api",            "POST",    "root",      405,     405,     405,     405),
]  # fmt: skip


def _matrix_cases():
    for resource, method, action, *statuses in MATRIX:
        for user, expected in zip(USERS, statuses, strict=True):
            yield pytest.param(
                resource, method, action, user, expected, id=f"{resource}-{method}-{action}-{user}"
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
    return url + f"{action}/" if action in ("history", *ACTIONS) else url


ACTIONS = ("accept", "reject", "confirm", "dismiss", "detach")


def body_for(spec, method, action, target, world):
    if method == "POST" and action == "list":
        return spec.create(world) if spec.create else {}
    if action in ("reject", "dismiss", "confirm"):
        return {"reason": "Not the speaker's words."}
    if action == "detach":
        return {"quote": target.appearances.get().pk, "reason": "Another speech."}
    if method == "PUT":
        return spec.replace(target) if spec.replace else {}
    if method == "PATCH":
        return dict(spec.change or {})
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
    spec = SPECS.get(resource, SPECS["quotes"])
    target = spec.make() if action != "root" else None
    # A creation is written against the world; other requests see only their target.
    creates = (method, action) == ("POST", "list") and spec.create is not None
    world = request.getfixturevalue("world") if creates else None
    body = body_for(spec, method, action, target, world)  # before counting: it may make records
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
    elif action == "confirm":
        target.refresh_from_db()
        assert target.status == "confirmed"
        statement = target.quote.statement
        assert response.json()["id"] == statement.pk
        assert set(statement.appearances.values_list("pk", flat=True)) == {
            target.quote_id,
            target.other_quote_id,
        }
    elif action == "dismiss":
        target.refresh_from_db()
        assert (target.status, target.reason) == ("dismissed", body["reason"])
    elif action == "detach":
        assert response.json()["appearances"] == []
        assert not target.appearances.exists()
    elif action in ("accept", "reject"):
        target.refresh_from_db()
        assert target.status == ("accepted" if action == "accept" else "rejected")
        if action == "accept":  # a draft quote or troop figure, made from it
            made = target.quote if hasattr(target, "quote") else target.troop_figure
            assert response.json()["id"] == made.pk
            assert made.status == "draft"
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
    """A resource added to config/api.py without rows in the matrix (or a spec) fails here."""
    from config.api import router

    registered = {prefix for prefix, _viewset, _basename in router.registry}
    in_matrix = {row[0] for row in MATRIX} - {"api"}
    assert in_matrix == registered
    assert set(SPECS) == registered
    for prefix, viewset, _basename in router.registry:
        assert SPECS[prefix].model is viewset.queryset.model, prefix
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
