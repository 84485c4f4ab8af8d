"""Token authentication (placeholder until the throttled one lands)."""

from rest_framework.authentication import TokenAuthentication


class ThrottledTokenAuthentication(TokenAuthentication):
    pass
