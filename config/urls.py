"""Top-level URLs: the admin, the versioned API with its schema and docs, the health probe."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from config.api import router
from core.api.errors import api_not_found
from core.api.jsonld import CONTEXT_URL_NAME, context_view
from core.api.schema_view import SchemaView
from core.views import healthz

api_v1 = [
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from a URL (docs/?script=), not inline:
    # the Content-Security-Policy allows no inline script (docs/security.md).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # The context of the JSON-LD answers (Accept: application/ld+json): docs/jsonld.md.
    path("contexts/quotedb.jsonld", context_view, name=CONTEXT_URL_NAME),
    path("", include(router.urls)),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    # URLPathVersioning reads the version from this kwarg; only v1 exists so far.
    re_path(r"^api/(?P<version>v1)/", include(api_v1)),
    # Anything else under /api/ is a 404 in the API's error format, in debug mode too.
    re_path(r"^api/", api_not_found),
    path("healthz", healthz, name="healthz"),
]

handler400 = "core.api.errors.bad_request"
handler403 = "core.api.errors.permission_denied"
handler404 = "core.api.errors.page_not_found"
handler500 = "core.api.errors.server_error"
