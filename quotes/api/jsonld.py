"""Speakers and quotes in schema.org (JSON-LD): a speaker is a Person or an Organization, a
quote a Quotation based on its source, with its span as a Web Annotation selector
(docs/jsonld.md)."""

from django.db.models import F, Prefetch
from django.db.models.functions import Substr

from core import review
from core.api.jsonld import JsonLd, api_url, compact, partial_date
from quotes.choices import SpeakerKind
from quotes.models import Quote
from quotes.models.statements import appearance_order
from sources.api.jsonld import source_node

# Wikidata's entity IRIs (its concept URIs: what its own RDF and SPARQL name things by).
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
# How much of the text around a span a TextQuoteSelector carries: enough to tell one
# occurrence of the words from another.
SELECTOR_CONTEXT_CHARS = 32


def organization_node(organization, request) -> dict:
    return {
        "@id": api_url("organization-detail", organization.pk, request),
        "@type": "Organization",
        "name": organization.name,
    }


def speaker_node(speaker, request) -> dict:
    """A Person, or an Organization for an institution that speaks (a ministry), the same as
    Wikidata's entity where its id is known (`sameAs`).

    A person's organisation is their `affiliation` and their role their `jobTitle`; an
    institution's organisation, when it is another record, its `parentOrganization`.
    """
    person = speaker.kind == SpeakerKind.PERSON
    organization = None
    if speaker.organization_id is not None:
        organization = organization_node(speaker.organization, request)
    institution_of = (
        not person and speaker.organization_id and (speaker.organization.slug != speaker.slug)
    )
    return compact(
        {
            "@id": api_url("speaker-detail", speaker.pk, request),
            "@type": "Person" if person else "Organization",
            "name": speaker.name,
            "sameAs": WIKIDATA_ENTITY + speaker.wikidata_id if speaker.wikidata_id else None,
            "jobTitle": speaker.role if person else None,
            "affiliation": organization if person else None,
            "parentOrganization": organization if institution_of else None,
        }
    )


def span_node(quote, request) -> dict:
    """Where the words stand: the segment of the source's text (a Web Annotation
    SpecificResource), by its offsets (TextPositionSelector: Unicode code points from 0, end
    excluded, as the Web Annotation model counts them and as `start` and `end` are stored) and
    by the text itself with a little on either side (TextQuoteSelector), which finds it again
    in another copy of the article. schema.org has no property for a span of a text."""
    before, after = quote.context
    return {
        "@type": "oa:SpecificResource",
        "oa:hasSource": {"@id": api_url("source-detail", quote.source_id, request)},
        "oa:hasSelector": [
            {"@type": "oa:TextPositionSelector", "oa:start": quote.start, "oa:end": quote.end},
            compact(
                {
                    "@type": "oa:TextQuoteSelector",
                    "oa:exact": quote.span_text,
                    "oa:prefix": before[-SELECTOR_CONTEXT_CHARS:],
                    "oa:suffix": after[:SELECTOR_CONTEXT_CHARS],
                }
            ),
        ],
    }


def quote_node(quote, request) -> dict:
    """A Quotation: the words, who said them (`spokenByCharacter`, and `creator`: the same
    speaker), when (`dateCreated`, with only the parts of the date the text gives), in which
    language, and the source it is based on; `prov:wasQuotedFrom` is its span in the source.
    A translation is marked as the translation of words in its original language, which the
    database does not hold."""
    speaker = speaker_node(quote.speaker, request)
    original = None
    if quote.is_translation:
        original = {"@type": "Quotation", "inLanguage": quote.original_language}
    return compact(
        {
            "@id": api_url("quote-detail", quote.pk, request),
            "@type": "Quotation",
            "text": quote.text,
            "spokenByCharacter": speaker,
            "creator": speaker,
            "dateCreated": partial_date(quote.said_on, quote.said_on_precision),
            "inLanguage": quote.language,
            "translationOfWork": original,
            "isBasedOn": source_node(quote.source, request),
            "prov:wasQuotedFrom": span_node(quote, request),
        }
    )


def prepare_quotes(queryset, request=None):
    """What quote_node reads: the speaker's organisation, the outlet, and the span's text cut
    from the source in SQL (a page never loads whole source texts)."""
    return queryset.select_related("speaker__organization", "source__outlet").annotate(
        span_text=Substr("source__text", F("start") + 1, F("end") - F("start"))
    )


def statement_node(statement, request) -> dict:
    """A Claim (schema.org's, as fact-checkers' ClaimReview reviews): the words, their
    speaker (`author`), every appearance as a Quotation based on its source, and the first
    appearance (the one whose source was published first, quotes.models.statements).

    Its appearances are those the reader may see, as `prepare_statements` prefetched them.
    Ready for the statements' endpoints, which are not yet routed (`statement-detail`)."""
    appearances = [quote_node(quote, request) for quote in statement.ordered_appearances()]
    return compact(
        {
            "@id": api_url("statement-detail", statement.pk, request),
            "@type": "Claim",
            "text": statement.text,
            "author": speaker_node(statement.speaker, request),
            "firstAppearance": appearances[0] if appearances else None,
            "appearance": appearances,
        }
    )


def prepare_statements(queryset, request):
    """What statement_node reads: the speaker, and the appearances the reader may see, first
    appearance first, ready for quote_node: two queries for a page of statements."""
    user = getattr(request, "user", None)
    appearances = prepare_quotes(review.visible(Quote.objects.with_context(), user)).defer(
        "source__text", "source__search_vector", "search_vector"
    )
    return queryset.select_related("speaker__organization").prefetch_related(
        Prefetch("appearances", queryset=appearances.order_by(*appearance_order()))
    )


SPEAKER_JSONLD = JsonLd(node=speaker_node)
QUOTE_JSONLD = JsonLd(node=quote_node, prepare=prepare_quotes)
STATEMENT_JSONLD = JsonLd(node=statement_node, prepare=prepare_statements)
