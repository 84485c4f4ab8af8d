"""Top-level URLs: the admin, the versioned API and the health probe."""

from django.contrib import admin
from django.urls import include, path, re_path

from config.api import router
from config.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    # URLPathVersioning reads the version from this kwarg; only v1 exists so far.
    re_path(r"^api/(?P<version>v1)/", include(router.urls)),
    path("healthz", healthz, name="healthz"),
]
