"""Token authentication with failed attempts throttled per client address.

DRF authenticates before it throttles, so without this a client could try tokens as fast as
the server answers: each wrong one is a 401 that no throttle counts. Here each failed token
authentication is counted, per client address (DRF's `get_ident`, so DJANGO_NUM_PROXIES is
honoured), in the cache that holds the other throttles' counters; past the `auth_failure` rate
(DJANGO_THROTTLE_AUTH_FAILURES, default 30/minute) every token request from that address is
a 429 with Retry-After, before the token is looked up, until the window has room again.

A valid token from a locked-out address is refused too: otherwise the lockout would still
tell a guesser which guess was right. A success does not reset the count, for the same reason.
Requests without a token are not counted here (the anonymous throttle sees them).
docs/security.md.
"""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def client_address(request) -> str:
    """The client's address as the API's throttles read it (DRF's get_ident: behind
    DJANGO_NUM_PROXIES proxies, from X-Forwarded-For): the admin's login lockout (django-axes,
    AXES_CLIENT_IP_CALLABLE) counts failures by the same address."""
    return BaseThrottle().get_ident(request)


class AuthFailureThrottle(SimpleRateThrottle):
    """DRF's sliding-window throttle, counting failed token authentications per address only."""

    scope = "auth_failure"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def locked_out(self, request) -> bool:
        """Whether the address of `request` has used up its failures (nothing is counted)."""
        self.key = self.get_cache_key(request)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) >= self.num_requests

    def record_failure(self) -> None:
        """Count one failure of the address that `locked_out` was last asked about."""
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class ThrottledTokenAuthentication(TokenAuthentication):
    """DRF's TokenAuthentication (`Authorization: Token <key>`), whose failures are throttled."""

    throttle_class = AuthFailureThrottle

    def authenticate(self, request):
        offered = get_authorization_header(request).split()
        if not offered or offered[0].lower() != self.keyword.lower().encode():
            return None  # no token: another authentication (or none) applies
        throttle = self.throttle_class()
        if throttle.locked_out(request):
            raise exceptions.Throttled(wait=throttle.wait())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle.record_failure()
            raise
