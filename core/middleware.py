"""Request-level middleware: request ids with an access log, and the framing and size of API
request bodies (Content-Length required, and a limit)."""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.http import JsonResponse

from core.api.errors import error_body

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
access_log = logging.getLogger("quotedb.requests")

# A client may send its own id (to follow a request across services); it is echoed only when it
# is short and plain, so that nobody can inject text into our logs or headers.
ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdLogFilter(logging.Filter):
    """Adds the current request's id to every log record."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class RequestIdMiddleware:
    """Gives every request an X-Request-ID (the client's, or a new one), echoed in the response
    and in every log line written while handling it, and logs the request when it is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if ACCEPTABLE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class LengthRequiredMiddleware:
    """Refuses an API request whose body is chunked (Transfer-Encoding, no Content-Length) with
    a 411, before anything reads it.

    Django reads a body by its Content-Length alone (WSGIRequest): a chunked body would be read
    as empty, so a chunked PATCH would answer 200 and change nothing, and the size limit below
    would never see it. A middleware rather than the API's base view: the body must be refused
    before anything can read it (CsrfViewMiddleware reads a session's POST form), and on every
    /api/ URL, not only those a ContentViewSet serves. For the methods whose body is read
    (POST, PUT, PATCH), as the schema documents it: a body sent with a GET or a DELETE means
    nothing to the API, chunked or not.
    """

    methods_with_a_body = frozenset({"POST", "PUT", "PATCH"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chunked = request.META.get("HTTP_TRANSFER_ENCODING") and not request.META.get(
            "CONTENT_LENGTH"
        )
        api = request.path.startswith("/api/")
        if chunked and api and request.method in self.methods_with_a_body:
            body = error_body(
                "client_error",
                "length_required",
                "Send the body with a Content-Length header: a chunked body "
                "(Transfer-Encoding: chunked) is not accepted.",
            )
            return JsonResponse(body, status=411)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuses API request bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with a 413, before reading them.

    Django enforces the limit only when `request.body` is read; DRF's parsers read the stream,
    so without this the limit would not apply to the API.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit and request.path.startswith("/api/"):
            body = error_body(
                "client_error",
                "request_too_large",
                f"The request body is {length:,} bytes; the limit is {limit:,}.",
            )
            return JsonResponse(body, status=413)
        return self.get_response(request)
