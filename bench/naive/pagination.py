"""Contender C's pagination: DRF's page numbers with a count, and a page_size parameter."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100
