"""Anonymous API reads from the shared cache, invalidated exactly by every committed write.

Versions: every cached answer is stored with the **content version** it was computed under,
one value in the cache that changes (to a new random number) after each committed transaction
that wrote to a content table (core.commits sees the SQL, so the admin, `loaddata`/`seed`, the
bulk status actions and raw SQL count as much as the API). An answer is served only if its
version is the current one: a write makes every earlier answer useless at once; each is
replaced when next computed, or expires after RESPONSE_CACHE_SECONDS. The version is the one
read before the answer was computed, so an answer that a write overtook is never served. The
version changes in the writing request itself, after its commit and before its response is
sent: once a client has its answer to a write, no cached read can predate it.

A hit is two round trips to the cache: the version, the answer and the throttles' histories
read together (one MGET), and the histories the throttles wrote back in one pipeline (a miss
reads the histories in vain: DRF's throttles read them again).

What is cached: a GET under /api/ with neither an Authorization header nor a session cookie,
answered 200 in JSON by an action that declares itself cacheable (the lists and details of
core.api.views, through `mark_cacheable`), and that set no cookie. A researcher's answer
(token or session) is never stored, so never served to anyone else. Keys also hold the path,
the query string, the host and scheme (the answer's links are absolute) and the Accept header.

Throttling still applies to an answer from the cache: it is counted by the same throttles as
every other request (DRF's default throttle classes, their own `allow_request`, on the same
cache keys and histories, each asked as DRF asks them), which read the histories fetched with
the answer and write theirs back at once; a request over the rate gets its 429 here, as DRF
would write it.

HTTP caches (a CDN, a browser) get `Cache-Control: public, no-cache` with an ETag on anonymous
answers (revalidate each time: a 304 costs a cache lookup), `private, no-cache` on the others,
and `Vary: Accept, Authorization, Cookie`.

With Redis down (django-redis ignores its errors) the version cannot be read: requests are
served uncached until it can. A write whose version change failed leaves this process serving
uncached, and retrying the change in the background, until it succeeds (docs/deploy.md).
"""

import contextlib
import hashlib
import logging
import secrets
import threading
from array import array
from functools import cache as memoise
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from core.api.errors import error_body
from core.commits import EVERY_TABLE

logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"
JSON = "application/json"
RETRY_SECONDS = 0.5

# Headers of an answer that are the client's own, never stored.
PER_RESPONSE_HEADERS = frozenset({"set-cookie", "x-request-id", "x-cache"})


@memoise
def content_tables() -> frozenset[str]:
    """The tables whose changes an API read can show: the content models, their many-to-many
    links and their change histories (core.registry)."""
    from core.registry import content_models

    models = content_models(include_links=True, include_history=True)
    return frozenset(model._meta.db_table for model in models)


# --- The content version ----------------------------------------------------------------------


class ContentVersion:
    """The content version of this process's view of the cache, and its changes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.unconfirmed_change = False  # a change that the cache may not have taken
        self.retrying = False

    def current(self, found: dict | None = None) -> int | None:
        """The content version, or None when it cannot be trusted: then nothing is read from
        the cache.

        It cannot be while the cache is unreachable, nor after, until it has changed: a write
        made meanwhile (here or by another app server) could not change it, so what the
        cache holds may predate it. The first request that reaches the cache again changes
        it first; a change that failed here is also retried in the background.

        `found`: what a `cache.get_many` that asked for VERSION_KEY just read.
        """
        if self.unconfirmed_change:
            self.change()
            if self.unconfirmed_change:
                return None
            found = None  # read before the change
        version = cache.get(VERSION_KEY) if found is None else found.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, secrets.randbits(62), timeout=None)
            version = cache.get(VERSION_KEY)
            if version is None:  # unreachable (django-redis answers None for its errors)
                self.unconfirmed_change = True
        return version

    def change(self):
        """A new version, written so that a failure is seen (and retried) rather than lost."""
        try:
            write_version(secrets.randbits(62))
        except Exception as exc:  # whatever the cache client raises when the cache is down
            logger.warning("response cache: the content version could not change: %s", exc)
            with self.lock:
                self.unconfirmed_change = True
                if not self.retrying:
                    self.retrying = True
                    threading.Timer(RETRY_SECONDS, self.retry).start()
            return
        self.unconfirmed_change = False

    def retry(self):
        with self.lock:
            self.retrying = False
        self.change()


def redis_client():
    """The raw Redis client of the shared cache (django-redis), or None for a cache that is not
    shared between processes (LocMem). Raw: its errors are raised, where django-redis's
    IGNORE_EXCEPTIONS would swallow them."""
    client = getattr(cache, "client", None)
    if client is None or not hasattr(client, "get_client"):
        return None
    return client.get_client(write=True)


def write_version(value: int):
    """Sets the content version, raising if the cache did not take it."""
    client = redis_client()
    if client is not None:
        # An int is stored as itself by django-redis, so `cache.get` reads it back as an int.
        client.set(cache.make_and_validate_key(VERSION_KEY), value)
    else:
        cache.set(VERSION_KEY, value, timeout=None)


content_version = ContentVersion()


def invalidate(sender, tables, **kwargs):
    """On writes_committed (connected by core.apps, after the replicas' receiver)."""
    if EVERY_TABLE in tables or tables & content_tables():
        content_version.change()


# --- Responses --------------------------------------------------------------------------------


def mark_cacheable(response):
    """Called by the views whose GET answers may be cached (core.api.views)."""
    response.cacheable = True
    return response


def cache_key(request) -> str:
    """The key of a request's answer (its version is stored with it: `ResponseCacheMiddleware`)."""
    meta = request.META
    parts = (
        request.scheme,
        meta.get("HTTP_HOST", ""),
        request.path,
        meta.get("QUERY_STRING", ""),
        meta.get("HTTP_ACCEPT", ""),
    )
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f"response:{digest}"


def is_anonymous(request) -> bool:
    return "HTTP_AUTHORIZATION" not in request.META and (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class Throttles:
    """DRF's default throttles of one anonymous request (known by its address: get_ident),
    counting it as DRF's `APIView.check_throttles` does: every throttle class's own
    `allow_request`, in order, each asked even after one has refused; the request is refused if
    any refuses, and told to wait the longest of their waits.

    `keys`: the cache keys of their histories, to be read with the answer. Given what was read
    (`allow(found)`), the throttles read the histories from it instead of the cache, and what
    they write is written in one `set_many` (a pipeline) per timeout. Throttles that are not
    SimpleRateThrottles on the default cache read and write the cache themselves (`keys` is
    None)."""

    def __init__(self, request):
        self.client = SimpleNamespace(user=None, META=request.META, headers=request.headers)
        self.throttles = [throttle() for throttle in api_settings.DEFAULT_THROTTLE_CLASSES]
        self.refused = []
        self.keys = []
        for throttle in self.throttles:
            if not isinstance(throttle, SimpleRateThrottle) or throttle.cache is not cache:
                self.keys = None
                return
            if throttle.rate is not None:
                key = throttle.get_cache_key(self.client, None)
                if key is not None:
                    self.keys.append(key)

    def allow(self, found: dict | None = None) -> bool:
        if found is None or self.keys is None:
            return self.ask_each()
        histories = PrefetchedHistories(found)
        for throttle in self.throttles:
            throttle.cache = histories
        try:
            return self.ask_each()
        finally:
            histories.write()

    def ask_each(self) -> bool:
        self.refused = [t for t in self.throttles if not t.allow_request(self.client, None)]
        return not self.refused

    def wait(self) -> float | None:
        """Seconds until the refused request would be let through (DRF's Retry-After)."""
        waits = [wait for wait in (t.wait() for t in self.refused) if wait is not None]
        return max(waits, default=None)


class PrefetchedHistories:
    """The cache as SimpleRateThrottle uses it (`get`, `set`), on histories already read;
    the writes are kept and made at once (`write`).

    A history is handed to the throttle as an `array("d")` of its timestamps rather than a
    list: the same floats in the same order, and the same operations for DRF (`len`, `[-1]`,
    `pop`, `insert(0, now)`), which then stores it as it is; DRF's throttles on the requests
    that are not hits read and write it the same way. An array pickles as one block of bytes:
    a history of 2,500 timestamps (one client at 2,500 requests a second, as the bench is)
    costs 5 µs to read and write instead of 66 µs as a list (measured; docs/performance.md)."""

    def __init__(self, found: dict):
        self.found = found
        self.writes: dict = {}

    def get(self, key, default=None):
        value = self.found.get(key, default)
        if isinstance(value, list):
            with contextlib.suppress(TypeError):  # timestamps are numbers; anything else stays
                value = array("d", value)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT):
        self.found[key] = value
        self.writes[key] = (value, timeout)

    def write(self):
        by_timeout: dict = {}
        for key, (value, timeout) in self.writes.items():
            by_timeout.setdefault(timeout, {})[key] = value
        for timeout, values in by_timeout.items():
            cache.set_many(values, timeout)


def throttled(wait: float | None) -> HttpResponse:
    """The 429 of a request refused on the hit path, as DRF's exception handler writes it."""
    refusal = exceptions.Throttled(wait)
    body = error_body("client_error", refusal.default_code, str(refusal.detail))
    response = HttpResponse(ORJSONRenderer().render(body), status=429, content_type=JSON)
    if refusal.wait is not None:
        response["Retry-After"] = str(refusal.wait)
    patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
    return response


def public_etag(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def not_modified(request, etag) -> bool:
    return bool(etag) and etag in parse_etags(request.headers.get("If-None-Match", ""))


class ResponseCacheMiddleware:
    """Serves anonymous API reads from the cache and stores them; sets the HTTP cache headers
    of every API read. See the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not request.path.startswith("/api/"):
            return self.get_response(request)
        anonymous = is_anonymous(request)
        key = None
        version = None
        if anonymous and settings.RESPONSE_CACHE:
            key = cache_key(request)
            throttles = Throttles(request)
            found = cache.get_many([VERSION_KEY, key, *(throttles.keys or ())])
            version = content_version.current(found)
            entry = found.get(key)
            if version is None:
                key = None
            elif isinstance(entry, tuple) and len(entry) == 3 and entry[0] == version:
                if not throttles.allow(found):
                    # Answered here: DRF would count the request again before refusing it.
                    return throttled(throttles.wait())
                return self.answer(request, entry)
        response = self.get_response(request)
        cacheable = (
            anonymous
            and getattr(response, "cacheable", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and response.get("Content-Type", "").startswith("application/json")
        )
        if not cacheable:
            if anonymous and getattr(response, "cacheable", False):
                patch_cache_control(response, public=True, no_cache=True)
            elif not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
            return response
        # A digest of the body, not the record's version (a detail's ETag, the If-Match token
        # of researchers' writes): the body also shows related records (a quote its speaker's
        # name, a speaker its count of quotes), and a CDN revalidating with a record's ETag
        # would be told 304 for a body that has changed.
        response["ETag"] = public_etag(response.content)
        patch_cache_control(response, public=True, no_cache=True)
        patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
        if key is not None:
            headers = {
                name: value
                for name, value in response.items()
                if name.lower() not in PER_RESPONSE_HEADERS
            }
            entry = (version, response.content, headers)
            cache.set(key, entry, settings.RESPONSE_CACHE_SECONDS)
            response["X-Cache"] = "MISS"
        if not_modified(request, response["ETag"]):
            return self.not_modified(response["ETag"], response)
        return response

    def answer(self, request, entry):
        _, content, headers = entry
        if not_modified(request, headers.get("ETag")):
            response = self.not_modified(headers["ETag"], headers)
        else:
            response = HttpResponse(content, headers=headers)
        response["X-Cache"] = "HIT"
        return response

    @staticmethod
    def not_modified(etag, headers):
        response = HttpResponseNotModified(headers={"ETag": etag})
        for name in ("Cache-Control", "Vary"):
            if name in headers:
                response[name] = headers[name]
        return response
