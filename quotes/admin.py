"""Admin for speakers, organisations, events, quotes, treaties and troop figures."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReviewAdminMixin, admin_link, partial_date_column
from core.dates import format_partial_date
from quotes import exports, statements
from quotes.models import (
    Event,
    Organization,
    Quote,
    Speaker,
    Statement,
    StatementSuggestion,
    SuggestionStatus,
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
    autocomplete_fields = ["speaker", "source", "event", "treaties", "statement"]
    readonly_fields = ["provenance", "statement_actions", "created_at", "updated_at"]
    actions = [*ReviewAdminMixin.actions, "export_csv", "suggest_statements"]
    fieldsets = [
        (None, {"fields": ["speaker", "kind", "from_headline", "status"]}),
        ("Statement", {"fields": ["statement", "statement_actions"]}),
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

    def get_urls(self):
        own = [
            path(
                "<int:pk>/detach/",
                self.admin_site.admin_view(self.detach_view),
                name="quotes_quote_detach",
            )
        ]
        return own + super().get_urls()

    @admin.display(description="Quote", ordering="text")
    def text_preview(self, obj):
        return obj.text_preview

    said_on_display = partial_date_column("said_on", "Said")

    @admin.display(description="Its statement")
    def statement_actions(self, obj):
        if obj is None or obj.pk is None or obj.statement_id is None:
            return "Not an appearance of any statement: the suggestions propose one."
        return format_html(
            '{} ({} appearances) · <a href="{}" class="detach-link">Detach from it…</a>',
            admin_link(obj.statement),
            obj.statement.appearances.count(),
            reverse("admin:quotes_quote_detach", args=[obj.pk]),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new quote, or new words or speaker: what it may repeat is proposed at once.
        if not change or {"text", "speaker", "source"} & set(form.changed_data):
            made = statements.suggest_statements(obj)
            if made:
                self.message_user(
                    request,
                    f"{len(made)} statement suggestion(s) to decide: it may repeat another "
                    "quote of its speaker.",
                    messages.INFO,
                )

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        stamp = datetime.date.today().isoformat()
        return exports.QUOTE_EXPORT.response(queryset, f"quotes-{stamp}.csv")

    @admin.action(description="Suggest statements for selected", permissions=["change"])
    def suggest_statements(self, request, queryset):
        made = sum(len(statements.suggest_statements(quote)) for quote in queryset)
        self.message_user(request, f"{made} new statement suggestion(s).", messages.SUCCESS)

    def detach_view(self, request, pk):
        """Undo: the quote leaves its statement, with a reason kept in its history."""
        quote = get_object_or_404(Quote.objects.select_related("statement", "speaker"), pk=pk)
        if not self.has_change_permission(request, quote):
            raise PermissionDenied
        back = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        form = ReasonForm(request.POST or None, required=True)
        if quote.statement_id is None:
            self.message_user(request, f"{quote} is in no statement.", messages.WARNING)
            return HttpResponseRedirect(back or reverse("admin:quotes_quote_change", args=[pk]))
        if request.method == "POST" and form.is_valid():
            try:
                statement = statements.detach(
                    quote, user=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    format_html(
                        "Detached “{}” from {}: it will not be proposed for it again.",
                        quote.text_preview,
                        admin_link(statement),
                    ),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    back or reverse("admin:quotes_statement_change", args=[statement.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Detach from its statement",
            "quote": quote,
            "statement": quote.statement,
            "form": form,
            "next": back,
        }
        return TemplateResponse(request, "admin/quotes/detach.html", context)


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


# -- statements and the researchers' queue of suggestions ------------------------------------


class ReasonForm(forms.Form):
    """Why a decision was made: kept with the decision and in the histories, with your name."""

    reason = forms.CharField(
        label="Reason",
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Kept with the decision and in the history, with your name.",
    )

    def __init__(self, *args, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


def quote_card(quote):
    """A quote's words with where and when they appeared: one side of a suggestion."""
    source = quote.source
    date = format_partial_date(source.published_on, source.published_on_precision) or "undated"
    return format_html(
        '<div class="statement-side"><q>{}</q><div class="statement-where">{} · {} · '
        "characters {}–{}</div></div>",
        quote.text_preview,
        admin_link(quote, source.title),
        date,
        quote.start,
        quote.end,
    )


class AppearanceInline(admin.TabularInline):
    """A statement's appearances, read-only: each is a quote, changed on its own page, and
    detached (the undo) from there or here."""

    model = Quote
    fk_name = "statement"
    fields = ["text", "source", "source_published", "start", "end", "status", "detach"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "appearance"
    verbose_name_plural = "Appearances (first appearance first)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        from quotes.models.statements import appearance_order

        return (
            super()
            .get_queryset(request)
            .select_related("source")
            .defer("source__text", "source__search_vector", "search_vector")
            .order_by(*appearance_order())
        )

    @admin.display(description="Source published")
    def source_published(self, obj):
        source = obj.source
        return format_partial_date(source.published_on, source.published_on_precision) or "—"

    @admin.display(description="Undo")
    def detach(self, obj):
        url = reverse("admin:quotes_quote_detach", args=[obj.pk])
        back = reverse("admin:quotes_statement_change", args=[obj.statement_id])
        return format_html('<a href="{}?next={}" class="detach-link">Detach…</a>', url, back)


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin):
    list_display = ["text_preview", "speaker", "appearances", "first_appeared"]
    list_filter = ["speaker"]
    list_select_related = ["speaker"]
    search_fields = ["text", "slug", "speaker__name"]
    autocomplete_fields = ["speaker"]
    readonly_fields = ["first_appearance", "variants", "created_at", "updated_at"]
    fields = ["speaker", "slug", "text", "note", "first_appearance", "variants"]
    inlines = [AppearanceInline]

    class Media:
        css = {"all": ["quotes/statements.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_first_appearance()

    @admin.display(description="Statement", ordering="text")
    def text_preview(self, obj):
        return obj.text_preview

    @admin.display(description="Appearances", ordering="appearance_count")
    def appearances(self, obj):
        return obj.appearance_count

    @admin.display(description="First appeared", ordering="first_appeared_on")
    def first_appeared(self, obj):
        value = format_partial_date(obj.first_appeared_on, obj.first_appeared_on_precision)
        return value or "unknown"

    @admin.display(description="First appearance")
    def first_appearance(self, obj):
        first = obj.first_appearance if obj.pk else None
        if first is None:
            return "No appearance."
        return quote_card(first)

    @admin.display(description="Variants (its distinct wordings)")
    def variants(self, obj):
        wordings = obj.variants if obj.pk else []
        if not wordings:
            return "—"
        return format_html(
            '<ol class="statement-variants">{}</ol>',
            format_html_join("", "<li>{}</li>", ((w,) for w in wordings)),
        )


class SuggestionStatusFilter(admin.SimpleListFilter):
    """The queue shows the pending suggestions unless asked for the decided ones."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*SuggestionStatus.choices, ("all", "All")]

    def choices(self, changelist):
        value = self.value() or SuggestionStatus.PENDING
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or SuggestionStatus.PENDING
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(StatementSuggestion)
class StatementSuggestionAdmin(SimpleHistoryAdmin):
    """The researchers' queue: each pending suggestion with both texts side by side, grouped
    by speaker, confirmed or dismissed (with a reason) by the actions."""

    list_display = ["speaker", "this_quote", "matches", "method", "score_display", "status"]
    list_filter = [SuggestionStatusFilter, "method", "quote__speaker"]
    search_fields = ["quote__text", "other_quote__text", "statement__text"]
    actions = ["confirm_selected", "dismiss_selected"]
    list_per_page = 50
    readonly_fields = [
        "quote",
        "other_quote",
        "statement",
        "method",
        "score",
        "status",
        "decided_by",
        "decided_at",
        "reason",
        "created_at",
        "updated_at",
    ]

    class Media:
        css = {"all": ["quotes/statements.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).for_queue()

    def has_add_permission(self, request):
        return False  # made by the methods (quotes.statements), never typed in

    def has_change_permission(self, request, obj=None):
        # Decided through the actions, whose permission this is; the record itself is read-only.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="Speaker", ordering="quote__speaker__name")
    def speaker(self, obj):
        return obj.quote.speaker.name

    @admin.display(description="This quote")
    def this_quote(self, obj):
        return quote_card(obj.quote)

    @admin.display(description="Another appearance of")
    def matches(self, obj):
        if obj.statement_id is not None:
            return format_html(
                '<div class="statement-side"><q>{}</q><div class="statement-where">statement '
                "{} · {} appearance(s)</div></div>",
                obj.statement.text_preview,
                admin_link(obj.statement, obj.statement.slug),
                obj.statement_appearances,
            )
        return quote_card(obj.other_quote)

    @admin.display(description="Score", ordering="score")
    def score_display(self, obj):
        return "—" if obj.score is None else f"{obj.score:.2f}"

    def _decide(self, request, queryset, decision):
        pending = list(queryset.filter(status=SuggestionStatus.PENDING))
        form = ReasonForm(
            request.POST if "apply" in request.POST else None, required=decision == "dismiss"
        )
        if "apply" in request.POST and form.is_valid():
            done = 0
            for suggestion in pending:
                try:
                    if decision == "confirm":
                        statements.confirm(
                            suggestion, user=request.user, reason=form.cleaned_data["reason"]
                        )
                    else:
                        statements.dismiss(
                            suggestion, user=request.user, reason=form.cleaned_data["reason"]
                        )
                except ValidationError as exc:
                    self.message_user(
                        request, f"{suggestion}: {'; '.join(exc.messages)}", messages.WARNING
                    )
                    continue
                done += 1
            verb = "confirmed" if decision == "confirm" else "dismissed"
            self.message_user(request, f"{done} suggestion(s) {verb}.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{decision.capitalize()} suggestions",
            "decision": decision,
            "form": form,
            "suggestions": pending,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action": request.POST.get("action"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/quotes/decide_suggestions.html", context)

    @admin.action(description="Confirm selected suggestions…", permissions=["change"])
    def confirm_selected(self, request, queryset):
        """Make the statements (or add the quotes to them), with an optional reason."""
        return self._decide(request, queryset, "confirm")

    @admin.action(description="Dismiss selected suggestions…", permissions=["change"])
    def dismiss_selected(self, request, queryset):
        """Dismiss them, saying why: they are not proposed again."""
        return self._decide(request, queryset, "dismiss")
