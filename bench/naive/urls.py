"""Contender C's URLs: the same paths as the API, for the quote endpoints."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from bench.naive.views import QuoteViewSet

router = DefaultRouter()
router.register("quotes", QuoteViewSet)

urlpatterns = [path("api/v1/", include(router.urls))]
