"""Content negotiation: by the Accept header's qualities, and an unknown format is a 406 that
names the formats on offer."""

import math

from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.utils.mediatypes import _MediaType


def quality(media_type: _MediaType) -> float:
    """The `q` of an Accept entry (RFC 9110, 12.4.2): 1 when absent or unreadable, as DRF
    read every entry before; 0 means "not acceptable"."""
    try:
        value = float(media_type.params.get("q", 1))
    except ValueError:
        return 1.0
    return min(value, 1.0) if math.isfinite(value) else 0.0


class StrictContentNegotiation(DefaultContentNegotiation):
    """The renderer the client prefers most, by the Accept header's qualities.

    DRF ignores `q` and, among entries as specific as one another, takes the view's first
    renderer: `application/ld+json, application/json;q=0.8` (what a JSON-LD processor sends
    when it follows an `@id`) would be answered in JSON, and `application/json;q=0` in JSON
    too. Here the highest quality wins (q=0 excluded); between equal ones the more specific
    entry, then the one the client listed first, then the view's first renderer (`*/*` is
    JSON).

    DRF answers a `?format=` (or a `.format` suffix) that no renderer of the view has with a
    404, as if the resource did not exist; it exists, in other formats: 406, naming them.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        asked = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if asked:
            try:
                renderers = self.filter_renderers(renderers, asked)
            except Http404 as exc:
                offered = ", ".join(sorted({renderer.format for renderer in renderers}))
                raise exceptions.NotAcceptable(
                    f"The format {asked!r} is not offered here; these are: {offered}."
                ) from exc
        accepts = [_MediaType(token) for token in self.get_accept_list(request)]
        offers = [(renderer, _MediaType(renderer.media_type)) for renderer in renderers]
        best = None
        for listed, accepted in enumerate(accepts):
            q = quality(accepted)
            if q <= 0:
                continue
            for order, (renderer, offered) in enumerate(offers):
                if offered.match(accepted):
                    rank = (-q, -accepted.precedence, listed, order)
                    if best is None or rank < best[0]:
                        best = (rank, renderer, offered, accepted)
        if best is None:
            raise exceptions.NotAcceptable(available_renderers=renderers)
        _, renderer, offered, accepted = best
        if offered.precedence > accepted.precedence:
            # A range (*/*, application/*): the renderer's own type, with the entry's parameters.
            parameters = (f"{key}={value}" for key, value in accepted.params.items())
            return renderer, ";".join((renderer.media_type, *parameters))
        return renderer, accepted.orig
