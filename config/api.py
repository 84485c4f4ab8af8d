"""The v1 API router: every resource of /api/v1/ is registered here."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
