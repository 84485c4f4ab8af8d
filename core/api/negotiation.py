"""Content negotiation: an unknown format is a 406 that names the formats on offer."""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


class StrictContentNegotiation(DefaultContentNegotiation):
    """DRF answers a `?format=` (or a `.format` suffix) that no renderer of the view has with a
    404, as if the resource did not exist; it exists, in other formats: 406, naming them."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404 as exc:
            asked = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
            offered = ", ".join(sorted({renderer.format for renderer in renderers}))
            raise exceptions.NotAcceptable(
                f"The format {asked!r} is not offered here; these are: {offered}."
            ) from exc
