"""Anonymous API reads from the shared cache, invalidated exactly by every committed write.

Keys: every cached answer's key holds the current **content version**, one value in the cache
that changes (to a new random number) after each committed transaction that wrote to a content
table (core.commits sees the SQL, so the admin, `loaddata`/`seed`, the bulk status actions and
raw SQL count as much as the API). A write makes every earlier answer unreachable at once; none
is ever looked for again, and they expire after RESPONSE_CACHE_SECONDS. The version changes in
the writing request itself, after its commit and before its response is sent: once a client has
its answer to a write, no cached read can predate it.

What is cached: a GET under /api/ with neither an Authorization header nor a session cookie,
answered 200 in JSON by an action that declares itself cacheable (the lists and details of
core.api.views, through `mark_cacheable`), and that set no cookie. A researcher's answer
(token or session) is never stored, so never served to anyone else. Keys also hold the path,
the query string, the host and scheme (the answer's links are absolute) and the Accept header.

Throttling still applies to an answer from the cache: it is counted by the same throttles as
every other request (DRF's default throttle classes, on the same cache keys); a request over
the rate falls through to DRF, which answers its 429.

HTTP caches (a CDN, a browser) get `Cache-Control: public, no-cache` with an ETag on anonymous
answers (revalidate each time: a 304 costs a cache lookup), `private, no-cache` on the others,
and `Vary: Accept, Authorization, Cookie`.

With Redis down (django-redis ignores its errors) the version cannot be read: requests are
served uncached until it can. A write whose version change failed leaves this process serving
uncached, and retrying the change in the background, until it succeeds (docs/deploy.md).
"""

import hashlib
import logging
import secrets
import threading
from functools import cache as memoise
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from rest_framework.settings import api_settings

from core.commits import writes_committed

logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"
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

    def current(self) -> int | None:
        """The content version, or None when it cannot be trusted: then nothing is read from
        the cache.

        It cannot be while the cache is unreachable, nor after, until it has changed: a write
        made meanwhile (here or by another app server) could not change it, so what the
        cache holds may predate it. The first request that reaches the cache again changes
        it first; a change that failed here is also retried in the background.
        """
        if self.unconfirmed_change:
            self.change()
            if self.unconfirmed_change:
                return None
        version = cache.get(VERSION_KEY)
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


def write_version(value: int):
    """Sets the content version, raising if the cache did not take it (django-redis would
    otherwise swallow the error: IGNORE_EXCEPTIONS)."""
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client"):  # django-redis
        # An int is stored as itself by django-redis, so `cache.get` reads it back as an int.
        client.get_client(write=True).set(cache.make_and_validate_key(VERSION_KEY), value)
    else:
        cache.set(VERSION_KEY, value, timeout=None)


content_version = ContentVersion()


@receiver(writes_committed)
def invalidate(sender, tables, **kwargs):
    if tables & content_tables():
        content_version.change()


# --- Responses --------------------------------------------------------------------------------


def mark_cacheable(response):
    """Called by the views whose GET answers may be cached (core.api.views)."""
    response.cacheable = True
    return response


def cache_key(request, version) -> str:
    meta = request.META
    parts = (
        request.scheme,
        meta.get("HTTP_HOST", ""),
        request.path,
        meta.get("QUERY_STRING", ""),
        meta.get("HTTP_ACCEPT", ""),
    )
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f"response:{version}:{digest}"


def is_anonymous(request) -> bool:
    return "HTTP_AUTHORIZATION" not in request.META and (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def throttles_allow(request) -> bool:
    """Whether DRF's default throttles let this anonymous request through, counting it as DRF
    would (an anonymous request is known by its address: get_ident)."""
    client = SimpleNamespace(user=None, META=request.META, headers=request.headers)
    return all(
        throttle().allow_request(client, None) for throttle in api_settings.DEFAULT_THROTTLE_CLASSES
    )


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
        if anonymous and settings.RESPONSE_CACHE:
            version = content_version.current()
            if version is not None:
                key = cache_key(request, version)
                entry = cache.get(key)
                if entry is not None and throttles_allow(request):
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
        if not response.has_header("ETag"):
            response["ETag"] = public_etag(response.content)
        patch_cache_control(response, public=True, no_cache=True)
        patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
        if key is not None:
            headers = {
                name: value
                for name, value in response.items()
                if name.lower() not in PER_RESPONSE_HEADERS
            }
            cache.set(key, (response.content, headers), settings.RESPONSE_CACHE_SECONDS)
            response["X-Cache"] = "MISS"
        if not_modified(request, response["ETag"]):
            return self.not_modified(response["ETag"], response)
        return response

    def answer(self, request, entry):
        content, headers = entry
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
