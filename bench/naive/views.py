"""Contender C: quotes served the way a typical DRF project does it, on the same models.

A ModelSerializer with its default fields (related objects as primary keys, the treaties as a
list of them, read one quote at a time), a ModelViewSet on a plain queryset, page-number
pagination with a count, DRF's SearchFilter (icontains) for `q` and `order_by("?")` for a random
quote. Nothing here is wrong; it is what tutorials teach and what the API was measured against.
"""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from quotes.models import Quote


class QuoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quote
        exclude = ["search_vector"]


class QuoteFilterSet(django_filters.FilterSet):
    speaker = django_filters.CharFilter(field_name="speaker__slug")

    class Meta:
        model = Quote
        fields = ["speaker"]


class SearchFilter(filters.SearchFilter):
    search_param = "q"


class QuoteViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Quote.objects.filter(status="published").order_by("id")
    serializer_class = QuoteSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter]
    filterset_class = QuoteFilterSet
    search_fields = ["text"]

    @action(detail=False)
    def random(self, request):
        quote = self.filter_queryset(self.get_queryset()).order_by("?").first()
        if quote is None:
            raise NotFound()
        return Response(self.get_serializer(quote).data)
