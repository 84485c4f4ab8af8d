"""One error format for every 4xx and 5xx answer of the API.

The format is drf-standardized-errors':

    {"type": "validation_error" | "client_error" | "server_error",
     "errors": [{"code": "invalid", "detail": "A person-readable message.", "attr": "field"}]}

DRF views produce it through `ApiExceptionHandler`; the Django-level handlers below produce it
for /api/ URLs that never reach a view (an unknown path, a crash in middleware).
"""

import difflib

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, status


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the data."
    default_code = "conflict"


class TooManyParameters(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "too_many_parameters"

    def __init__(self, what="parameters", limit=None):
        limit = limit or settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        super().__init__(f"The request has more than {limit} {what}: that is the limit.")


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable; try again shortly."
    default_code = "service_unavailable"


class ApiExceptionHandler(ExceptionHandler):
    """Map database conditions to the answers a client can act on, in the one error format."""

    def convert_known_exceptions(self, exc):
        if isinstance(exc, ProtectedError | RestrictedError):
            blockers = sorted({str(obj) for obj in exc.args[1]})[:5]
            return Conflict(
                "It cannot be deleted while other records refer to it: " + "; ".join(blockers)
            )
        if isinstance(exc, TooManyFieldsSent):
            # Django's guard against a query string or form of thousands of fields; raised
            # where DRF first reads the query, so it would otherwise be a 500.
            return TooManyParameters()
        if isinstance(exc, TooManyFilesSent):
            return TooManyParameters("files", settings.DATA_UPLOAD_MAX_NUMBER_FILES)
        if isinstance(exc, DataError):
            # Data the database cannot store, that validation let through.
            return exceptions.ValidationError("The database cannot store this value.")
        if isinstance(exc, IntegrityError):
            return Conflict(
                "The change conflicts with existing data (a duplicate, or a concurrent change)."
            )
        if isinstance(exc, OperationalError | InterfaceError):
            # The connection failed or the database is down: a client can retry. Any other
            # database error is a bug of ours and stays a 500.
            return ServiceUnavailable()
        return super().convert_known_exceptions(exc)

    def get_headers(self, exc):
        headers = super().get_headers(exc)
        if isinstance(exc, ServiceUnavailable):
            headers["Retry-After"] = "5"
        if getattr(exc, "etag", None):
            headers["ETag"] = exc.etag  # the current version, for a 412
        return headers


# The codes of a query parameter that the endpoint does not read (core.api.views) and of a body
# field that its serializer does not have (core.api.serializers); `attr` names it.
UNKNOWN_PARAMETER = "unknown_parameter"
# Django's answer to a request it refuses before any view (a Host not in ALLOWED_HOSTS).
BAD_REQUEST = "bad_request"
UNKNOWN_FIELD = "unknown_field"


# At most so many unknown names are answered one by one: 80,000 unknown keys in a body would
# otherwise make a 13 MB answer of typo suggestions.
MAX_UNKNOWN_NAMED = 20


def unknown_names(names, known, *, what: str, code: str) -> dict[str, list]:
    """The errors, by name, of query parameters or body fields (`what`) that are not among
    `known`: each suggests the nearest known name (a typo: `speakr`), the first lists them
    all, and past MAX_UNKNOWN_NAMED one more error counts the rest."""
    names = list(names)
    errors = {}
    listed = ", ".join(sorted(known)) or "none"
    for index, name in enumerate(names[:MAX_UNKNOWN_NAMED]):
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        also = f" Known here: {listed}." if index == 0 else ""
        errors[name] = [exceptions.ErrorDetail(f"Unknown {what} {name!r}.{hint}{also}", code)]
    rest = names[MAX_UNKNOWN_NAMED:]
    if rest:
        detail = f"And {len(rest)} more unknown {what}s, from {rest[0]!r} on."
        errors[rest[0]] = [exceptions.ErrorDetail(detail, code)]
    return errors


def error_body(error_type, code, detail, attr=None):
    return {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": attr}]}


def _is_api(request):
    return request.path.startswith("/api/")


def bad_request(request, exception, template_name="400.html"):
    if _is_api(request):
        body = error_body("client_error", BAD_REQUEST, "Bad request.")
        return JsonResponse(body, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception, template_name="403.html"):
    if _is_api(request):
        body = error_body("client_error", "permission_denied", "Permission denied.")
        return JsonResponse(body, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception, template_name="404.html"):
    if _is_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """The catch-all view of /api/: no resource here.

    Exempt from CSRF: it changes nothing, and a write to a mistyped URL should learn that the
    URL is wrong (404), not get Django's HTML CSRF page.
    """
    body = error_body("client_error", "not_found", f"No API resource at {request.path}.")
    return JsonResponse(body, status=404)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the API's error format under /api/, Django's page elsewhere."""
    if _is_api(request):
        body = error_body("client_error", "permission_denied", f"CSRF check failed: {reason}")
        return JsonResponse(body, status=403)
    return csrf.csrf_failure(request, reason)


def server_error(request, template_name="500.html"):
    if _is_api(request):
        body = error_body("server_error", "error", "A server error occurred.")
        return JsonResponse(body, status=500)
    return defaults.server_error(request)
