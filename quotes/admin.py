"""Admin for speakers, organisations, events, quotes, treaties and troop figures."""

import datetime

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReviewAdminMixin, partial_date_column
from quotes import exports
from quotes.models import (
    Event,
    Organization,
    Quote,
    Speaker,
    Treaty,
    TreatyParty,
    TreatyProvision,
    TreatySignatory,
    TreatyStatusEvent,
    TroopFigure,
)
from sources.admin import SourceAdmin, SpanAdminMixin
from sources.models import Source


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "role", "organization", "country", "quote_count"]
    list_filter = ["kind", "organization", "country"]
    search_fields = ["name", "slug", "aliases", "role"]
    autocomplete_fields = ["organization"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(quote_total=Count("quotes"))

    @admin.display(description="Quotes", ordering="quote_total")
    def quote_count(self, obj):
        return obj.quote_total


class CitedAdmin(SimpleHistoryAdmin):
    """Facts cite spans: the citations are picked by search (text or source)."""

    autocomplete_fields = ["citations"]


@admin.register(Event)
class EventAdmin(CitedAdmin):
    list_display = ["name", "kind", "starts_on_display", "place", "organization"]
    list_filter = ["kind", "organization", "country"]
    search_fields = ["name", "slug", "place"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["organization", "citations"]
    prepopulated_fields = {"slug": ["name"]}

    starts_on_display = partial_date_column("starts_on", "Starts")


@admin.register(Quote)
class QuoteAdmin(ReviewAdminMixin, SpanAdminMixin, SimpleHistoryAdmin):
    list_display = ["text_preview", "speaker", "source", "said_on_display", "kind", "status"]
    list_filter = [
        "status",
        "kind",
        "from_headline",
        "attribution_inferred",
        "language",
        "is_translation",
        "speaker_language",
        "source",
    ]
    list_select_related = ["speaker", "source"]
    search_fields = ["text", "speaker__name", "speaker__aliases", "source__title"]
    date_hierarchy = "said_on"
    autocomplete_fields = ["speaker", "source", "event", "treaties"]
    readonly_fields = ["provenance", "created_at", "updated_at"]
    actions = [*ReviewAdminMixin.actions, "export_csv"]
    fieldsets = [
        (None, {"fields": ["speaker", "kind", "from_headline", "status"]}),
        ("Words and where they are written", {"fields": SpanAdminMixin.span_fields}),
        (
            "When and where said",
            {
                "fields": [
                    "said_on",
                    "said_on_precision",
                    "said_on_inferred",
                    "said_on_note",
                    "event",
                ]
            },
        ),
        (
            "Language",
            {"fields": ["language", "is_translation", "original_language", "speaker_language"]},
        ),
        ("Attribution", {"fields": ["attribution_note", "attribution_inferred"]}),
        ("Notes", {"fields": ["treaties", "note"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("source__text", "search_vector")

    @admin.display(description="Quote", ordering="text")
    def text_preview(self, obj):
        return obj.text_preview

    said_on_display = partial_date_column("said_on", "Said")

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        stamp = datetime.date.today().isoformat()
        return exports.QUOTE_EXPORT.response(queryset, f"quotes-{stamp}.csv")


class QuotesOfSourceInline(admin.TabularInline):
    """The quotes pinned to a source, read-only: a quote is edited on its own page."""

    model = Quote
    fields = ["text", "speaker", "kind", "start", "end", "status"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = "Quotes from this source"

    def has_add_permission(self, request, obj=None):
        return False


# The sources app knows nothing of quotes: this app adds them to the source's page.
admin.site.unregister(Source)


@admin.register(Source)
class SourceWithQuotesAdmin(SourceAdmin):
    inlines = [*SourceAdmin.inlines, QuotesOfSourceInline]


class TreatyFactInline(admin.StackedInline):
    extra = 0
    autocomplete_fields = ["citations"]


class TreatyPartyInline(TreatyFactInline):
    model = TreatyParty
    fields = ["slug", "country", "name", "note", "citations"]


class TreatySignatoryInline(TreatyFactInline):
    model = TreatySignatory
    fields = ["slug", "speaker", "role", "party_country", "citations"]
    autocomplete_fields = ["speaker", "citations"]


class TreatyStatusEventInline(TreatyFactInline):
    model = TreatyStatusEvent
    fields = [
        "slug",
        "kind",
        ("occurred_on", "occurred_on_precision", "occurred_on_inferred"),
        "occurred_on_note",
        "party_country",
        "description",
        "citations",
    ]


class TreatyProvisionInline(TreatyFactInline):
    model = TreatyProvision
    fields = ["slug", "article", "summary", ("min_range_km", "max_range_km"), "citations"]


@admin.register(Treaty)
class TreatyAdmin(CitedAdmin):
    list_display = ["name", "short_name", "signed_on_display", "signed_place"]
    search_fields = ["name", "short_name", "slug", "aliases"]
    date_hierarchy = "signed_on"
    prepopulated_fields = {"slug": ["name"]}
    inlines = [
        TreatyPartyInline,
        TreatySignatoryInline,
        TreatyStatusEventInline,
        TreatyProvisionInline,
    ]

    signed_on_display = partial_date_column("signed_on", "Signed")


class PartsFormSet(BaseInlineFormSet):
    """The parts saved together must not exceed their whole (each form alone cannot tell)."""

    def clean(self):
        super().clean()
        total = sum(
            form.cleaned_data.get("count") or 0
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        )
        if self.instance.count and total > self.instance.count:
            raise ValidationError(
                f"The parts together ({total:,}) exceed their whole ({self.instance.count:,})."
            )


class TroopFigurePartInline(admin.TabularInline):
    model = TroopFigure
    formset = PartsFormSet
    fk_name = "parent"
    fields = ["slug", "count", "unit", "contributing_country", "location", "status", "citations"]
    # A part's review status changes on its own page, through the workflow (core.review): a
    # part added here is a draft.
    readonly_fields = ["status"]
    autocomplete_fields = ["citations"]
    extra = 0
    show_change_link = True
    verbose_name = "part"
    verbose_name_plural = "Parts of this figure"


@admin.register(TroopFigure)
class TroopFigureAdmin(ReviewAdminMixin, CitedAdmin):
    list_display = ["slug", "count", "unit", "location", "as_of_display", "parent", "status"]
    list_filter = ["status", "contributing_country", "deploying_organization"]
    list_select_related = ["parent"]
    search_fields = ["slug", "location", "note"]
    date_hierarchy = "as_of"
    autocomplete_fields = ["deploying_organization", "parent", "citations"]
    inlines = [TroopFigurePartInline]
    # Written out: the form shows the figure, then where it is cited, then its review status.
    fields = [
        "slug",
        "count",
        "unit",
        "contributing_country",
        "deploying_organization",
        "location",
        "as_of",
        "as_of_precision",
        "as_of_inferred",
        "as_of_note",
        "parent",
        "citations",
        "note",
        "status",
    ]

    as_of_display = partial_date_column("as_of", "As of")
