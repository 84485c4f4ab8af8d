"""Full-text search over texts (sources and quotes): ranked on PostgreSQL, plain on SQLite.

On PostgreSQL each searchable table keeps a stored `search_vector` (tsvector), maintained by a
trigger and indexed with GIN (see migrations), and a query is a `websearch_to_tsquery`
("quoted phrases", OR, -excluded) ranked with ts_rank. SQLite has none of that; there every
word of the query must occur in one of the fallback fields, and results keep the id order.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Cast

SEARCH_CONFIG = "english"


def words_in_any(fields, text):
    """Q matching rows where every word of `text` occurs in at least one of `fields`."""
    condition = Q()
    for word in text.split():
        word_condition = Q()
        for field in fields:
            word_condition |= Q(**{f"{field}__icontains": word})
        condition &= word_condition
    return condition


def full_text_search(queryset, text, fallback_fields):
    """Filter `queryset` to rows matching `text`, annotated with `search_rank`, best first."""
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        queryset = queryset.filter(search_vector=query).annotate(
            # Normalisation 2 divides by the document's length: a short quote that is all
            # about the term ranks above a long one that mentions it once.
            # ts_rank is a 4-byte real; as a double its value survives the trip through a
            # cursor exactly, so keyset pages neither repeat nor skip rows.
            search_rank=Cast(SearchRank(F("search_vector"), query, normalization=2), FloatField())
        )
    else:
        queryset = queryset.filter(words_in_any(fallback_fields, text)).annotate(
            search_rank=Value(0.0, output_field=FloatField())
        )
    return queryset.order_by("-search_rank", "pk")
