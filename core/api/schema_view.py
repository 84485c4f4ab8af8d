"""The view of the OpenAPI document (a module of its own: the schema module is imported by DRF's
settings, DEFAULT_SCHEMA_CLASS, which drf-spectacular's views import in turn)."""

from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    """The OpenAPI document (/api/v1/schema/), generated once per process and version.

    It depends on the code alone (served public, with static `servers`), and generating it
    takes seconds: on every request, the docs pages (Swagger UI, ReDoc) waited that long for it.
    """

    generated: dict = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        schema = self.generated.get(version)
        if schema is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = generator.get_schema(request=request, public=self.serve_public)
            self.generated[version] = schema
        filename = self._get_filename(request, version)
        return Response(
            data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )
