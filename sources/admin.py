"""Admin for outlets, sources and citations, and the provenance display every span admin uses."""

from django.contrib import admin
from django.db import models
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from core.admin import admin_link, partial_date_column
from sources import spans
from sources.forms import SpanLocatingForm
from sources.models import Citation, Outlet, Source

PROVENANCE_STYLE = (
    "white-space: pre-wrap; max-width: 60em; font-family: Georgia, serif; line-height: 1.5; "
    "padding: .5em 1em; border-left: 3px solid #79aec8; background: #f8f8f8"
)


class SpanAdminMixin:
    """For admins of span-holding models: the span-locating form and the highlighted span."""

    form = SpanLocatingForm
    span_fields = ("source", "text", "start", "end", "occurrence", "provenance")

    @admin.display(description="In the source")
    def provenance(self, obj):
        if obj is None or obj.pk is None:
            return "Shown once saved."
        text = obj.source.text
        before, after = spans.context(text, obj.start, obj.end)
        return format_html(
            '<div class="provenance" style="{}">…{}<mark>{}</mark>{}…</div>',
            PROVENANCE_STYLE,
            before,
            text[obj.start : obj.end],
            after,
        )


@admin.register(Outlet)
class OutletAdmin(SimpleHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "slug", "country", "website"]
    list_filter = ["country"]
    search_fields = ["name", "slug", "website"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "outlet", "published_on_display", "language", "seed_file"]
    list_filter = ["language", "outlet", "published_on_precision"]
    search_fields = ["title", "original_title", "slug", "text"]
    date_hierarchy = "published_on"
    autocomplete_fields = ["outlet"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["sha256", "seed_file", "cited_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "original_title", "slug", "url"]}),
        (
            "Publication",
            {
                "fields": [
                    "outlet",
                    "outlet_note",
                    "published_on",
                    "published_on_precision",
                    "published_on_inferred",
                    "published_on_note",
                    "language",
                    "original_language",
                ]
            },
        ),
        ("Text", {"fields": ["text", "sha256", "seed_file"]}),
        ("What cites it", {"fields": ["cited_by"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    published_on_display = partial_date_column("published_on", "Published")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Spans point into the text by offsets: once anything cites it, it cannot change.
        if obj is not None and obj.has_cited_spans():
            readonly.append("text")
        return readonly

    @admin.display(description="Cited by")
    def cited_by(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = []
        # Every kind of span pinned to the source, by position: quotes (and whatever else is
        # pinned to a text) first, then the citations with the facts they support.
        for manager in sorted(obj.span_managers(), key=lambda m: m.model is Citation):
            noun = manager.model._meta.verbose_name
            for span in manager.select_related().order_by("start"):
                label = f"[{span.start}:{span.end}] {noun}"
                link = admin_link(span)
                if isinstance(span, Citation):
                    link = format_html("{} — supports {}", link, citation_facts(span))
                rows.append((label, link))
        if not rows:
            return "Nothing cites this source yet."
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", rows))


def citation_facts(citation):
    """Links to the facts a citation supports: every record that cites it, of every kind."""
    links = [
        admin_link(fact)
        for relation in Citation._meta.related_objects
        if relation.many_to_many
        for fact in getattr(citation, relation.get_accessor_name()).all()
    ]
    if not links:
        return "nothing yet"
    return format_html_join(", ", "{}", ((link,) for link in links))


@admin.register(Citation)
class CitationAdmin(SpanAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "source", "start", "end"]
    list_filter = ["source"]
    search_fields = ["text", "source__title", "source__slug"]
    autocomplete_fields = ["source"]
    readonly_fields = ["provenance", "supports"]
    fields = [*SpanAdminMixin.span_fields, "supports"]

    @admin.display(description="Supports")
    def supports(self, obj):
        return citation_facts(obj) if obj and obj.pk else "—"
