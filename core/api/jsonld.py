"""JSON-LD: schema.org answers (`Accept: application/ld+json` or `?format=jsonld`).

A viewset offers JSON-LD by declaring `jsonld = JsonLd(node=...)` (core.api.views): its list
then answers an `ItemList` of the records' nodes and its detail the record's node, each a
compacted JSON-LD document whose `@context` is our own context document, served by the API
itself (`CONTEXT_PATH`, `context_view`): nothing is fetched from elsewhere to read it, and the
app never fetches a context either. How each record maps to schema.org is its app's
(`quotes/api/jsonld.py`, `sources/api/jsonld.py`); the choices are explained in docs/jsonld.md.

Errors stay in the one error format, in JSON (core.api.views). A JSON-LD answer has its own
ETag, a digest of its bytes: it embeds related records (the speaker's Wikidata id, the
outlet's name), so a validator from the record's `updated_at` alone would miss their changes.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework import renderers
from rest_framework.permissions import AllowAny
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from core.dates import format_partial_date

MEDIA_TYPE = "application/ld+json"

# schema.org's own context (https://schema.org/docs/jsonldcontext.jsonld) maps its terms to
# http://schema.org/, and so does Wikidata's RDF: the same IRIs here, so that our statements
# merge with theirs. The Web Annotation vocabulary (oa:) says where a quote stands in its
# source's text, which schema.org cannot; PROV's wasQuotedFrom links the quote to that span.
CONTEXT = {
    "@vocab": "http://schema.org/",
    "schema": "http://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    # As schema.org's context types them: a URL is a link (an IRI), a date a schema:Date.
    "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
    "url": {"@id": "schema:url", "@type": "@id"},
    "dateCreated": {"@id": "schema:dateCreated", "@type": "schema:Date"},
    "datePublished": {"@id": "schema:datePublished", "@type": "schema:Date"},
}
CONTEXT_DOCUMENT = {"@context": CONTEXT}
CONTEXT_BYTES = orjson.dumps(CONTEXT_DOCUMENT, option=orjson.OPT_INDENT_2)
CONTEXT_URL_NAME = "jsonld-context"

# The OpenAPI component of every JSON-LD answer (core.api.schema): one shared type, so that a
# generated client gains one model, not one per resource and operation.
DOCUMENT_SCHEMA = {
    "type": "object",
    "description": "A schema.org document in JSON-LD, compacted against the context named in "
    "`@context` (served by this API). A quote is a `Quotation`, a speaker a `Person` or an "
    "`Organization`, a source a `NewsArticle`; a list is an `ItemList` of them, one "
    "`ListItem` per record of the page (the next page is in the `Link` header). Its other "
    "properties are schema.org's, and the span of a quote is a Web Annotation "
    "`oa:TextPositionSelector` (docs/jsonld.md).",
    "properties": {
        "@context": {"type": "string", "format": "uri", "description": "The context's URL."},
        "@id": {"type": "string", "format": "uri", "description": "The resource's API URL."},
        "@type": {"type": "string", "description": "The schema.org type."},
    },
    "required": ["@context", "@id", "@type"],
    "additionalProperties": True,
}


class JsonLdRenderer(renderers.BaseRenderer):
    """application/ld+json (?format=jsonld); the views build the documents (JsonLd)."""

    media_type = MEDIA_TYPE
    format = "jsonld"
    charset = None  # JSON is UTF-8 by definition (RFC 8259): no charset parameter

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b"" if data is None else orjson.dumps(data)


@dataclass(frozen=True)
class JsonLd:
    """What a viewset answers in JSON-LD: the node of one of its records in a list (`node`)
    and in its detail (`detail_node`, the same by default), both called as
    `node(record, request)`, and what the queryset needs for them (`prepare(queryset,
    request)`: the related rows they read, so that a page costs no query per record)."""

    node: Callable[[Any, Any], dict]
    detail_node: Callable[[Any, Any], dict] | None = None
    prepare: Callable[[Any, Any], Any] | None = None

    def for_detail(self, record, request) -> dict:
        return (self.detail_node or self.node)(record, request)


def context_url(request) -> str:
    return reverse(CONTEXT_URL_NAME, request=request)


def api_url(view_name: str, pk, request) -> str:
    """The absolute API URL of a record: its `@id`."""
    return reverse(view_name, kwargs={"pk": pk}, request=request)


def partial_date(value, precision: str) -> str | None:
    """A partial date as schema.org's Date (ISO 8601 with only the parts the text gives:
    2019, 2019-05 or 2019-05-26), or None when unknown."""
    return format_partial_date(value, precision) or None


def compact(node: dict) -> dict:
    """The node without its empty values (a property schema.org would read as stated)."""
    return {key: value for key, value in node.items() if value not in (None, "", [], {})}


def document(node: dict, request) -> dict:
    return {"@context": context_url(request), **node}


def item_list(nodes: list[dict], request, count: int | None) -> dict:
    """A page of a list: an ItemList identified by the page's URL, its records in their order
    (ListItem positions from 1 on this page) and, where the list counts them, the number of
    matching records on all pages (as schema.org says `numberOfItems` is for a paginated list).
    """
    page = {"@id": request.build_absolute_uri(), "@type": "ItemList"}
    if count is not None:
        page["numberOfItems"] = count
    page["itemListElement"] = [
        {"@type": "ListItem", "position": position, "item": node}
        for position, node in enumerate(nodes, start=1)
    ]
    return document(page, request)


def representation_etag(content: bytes) -> str:
    return '"ld-' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def response(request, body: dict, links: dict[str, str | None] | None = None) -> HttpResponse:
    """The document as an answer with its own ETag (304 when If-None-Match holds it) and, for
    a page, its neighbours as RFC 8288 links."""
    content = JsonLdRenderer().render(body)
    etag = representation_etag(content)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        return HttpResponseNotModified(headers={"ETag": etag})
    answer = HttpResponse(content, content_type=MEDIA_TYPE, headers={"ETag": etag})
    link_values = [f'<{url}>; rel="{rel}"' for rel, url in (links or {}).items() if url]
    if link_values:
        answer["Link"] = ", ".join(link_values)
    return answer


class ContextView(APIView):
    """The JSON-LD context of every JSON-LD answer of the API, in the JSON-LD media type.

    Not a resource of the OpenAPI schema (like the schema itself): the vocabulary that the
    answers' `@context` names, so that a JSON-LD processor reads them with no other fetch.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    renderer_classes = [JsonLdRenderer]
    schema = None  # not an operation of the OpenAPI schema

    def get_renderers(self):
        # Served whatever the Accept header says: a processor asks for JSON-LD or JSON.
        return [JsonLdRenderer()]

    def perform_content_negotiation(self, request, force=False):
        return (JsonLdRenderer(), MEDIA_TYPE)

    def get(self, request, *args, **kwargs):
        etag = representation_etag(CONTEXT_BYTES)
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            answer = HttpResponseNotModified(headers={"ETag": etag})
        else:
            answer = HttpResponse(CONTEXT_BYTES, content_type=MEDIA_TYPE, headers={"ETag": etag})
        # The same for every reader until the next deployment.
        answer["Cache-Control"] = "public, max-age=86400"
        return answer

    def handle_exception(self, exc):
        # Errors in the one error format, in JSON (a 405 for a POST, a 429).
        self.request.accepted_renderer = ORJSONRenderer()
        self.request.accepted_media_type = ORJSONRenderer.media_type
        return super().handle_exception(exc)


context_view = ContextView.as_view()
