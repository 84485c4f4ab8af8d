"""Sources and outlets in schema.org (JSON-LD): a source is a NewsArticle, its outlet the
publisher (docs/jsonld.md)."""

from core.api.jsonld import JsonLd, api_url, compact, partial_date

# Every source is an article of a news outlet, imported as such (the model has no kind of
# document); the one place to change when it gains one.
SOURCE_TYPE = "NewsArticle"


def outlet_node(outlet, request) -> dict:
    """The publisher: an Organization, with its website where known."""
    return compact(
        {
            "@id": api_url("outlet-detail", outlet.pk, request),
            "@type": "Organization",
            "name": outlet.name,
            "url": outlet.website,
        }
    )


def source_node(source, request) -> dict:
    """A source without its text (in lists, and inside a quote): what identifies and dates it.

    `url` is where it was published (the API's `link`), `@id` its record here; a date has only
    the parts the text gives (2019, 2019-05). A translated source is the translation of a work
    in its original language, with its original title where known.
    """
    original = None
    if source.original_language:
        original = compact(
            {
                "@type": SOURCE_TYPE,
                "headline": source.original_title,
                "inLanguage": source.original_language,
            }
        )
    return compact(
        {
            "@id": api_url("source-detail", source.pk, request),
            "@type": SOURCE_TYPE,
            "headline": source.title,
            "url": source.url,
            "publisher": outlet_node(source.outlet, request) if source.outlet_id else None,
            "datePublished": partial_date(source.published_on, source.published_on_precision),
            "inLanguage": source.language,
            "translationOfWork": original,
        }
    )


def source_detail_node(source, request) -> dict:
    """A source with its text: the whole document as received (not only the article's body,
    so `text`, not `articleBody`), which quotes' spans count their offsets in."""
    return {**source_node(source, request), "text": source.text}


SOURCE_JSONLD = JsonLd(
    node=source_node,
    detail_node=source_detail_node,
    prepare=lambda queryset, request: queryset.select_related("outlet"),
)
