"""The review queue in the admin: import an article, see its candidates in reading order with
their spans highlighted in the text, and accept, edit then accept, or reject them.

Every decision goes through extraction.services, as the API's and the commands' do.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from core.admin import admin_link, partial_date_column
from core.dates import partial_date_display
from extraction import intake, services
from extraction.forms import AcceptAllForm, CandidateForm, ImportArticleForm, RejectionForm
from extraction.models import CandidateStatus, QuoteCandidate, TroopFigureCandidate
from quotes.admin import SourceWithQuotesAdmin
from sources import importing
from sources.models import Source

# What a researcher most often wants accepted at once: the extractor is rarely wrong above it.
DEFAULT_BULK_CONFIDENCE = 0.9
# The candidate kinds, by the prefix that names one in the review page's forms ("quote-12").
KINDS = {"quote": QuoteCandidate, "figure": TroopFigureCandidate}


def candidate_key(candidate) -> str:
    prefix = "quote" if isinstance(candidate, QuoteCandidate) else "figure"
    return f"{prefix}-{candidate.pk}"


def marked_text(text: str, candidates) -> str:
    """The source text with each candidate's span marked and linked to its entry in the queue.

    A span that overlaps one marked before it (a troop count inside a quotation) is left
    unmarked here; its entry still shows it in its context.
    """
    parts, position = [], 0
    for candidate in sorted(candidates, key=lambda c: (c.start, -c.end)):
        if candidate.start < position:
            continue
        key = candidate_key(candidate)
        parts.append(escape(text[position : candidate.start]))
        parts.append(
            format_html(
                '<a href="#{}" class="candidate-mark"><mark id="text-{}" class="{}">{}</mark></a>',
                key,
                key,
                candidate.status,
                text[candidate.start : candidate.end],
            )
        )
        position = candidate.end
    parts.append(escape(text[position:]))
    # Every part is escaped above (escape, format_html): joined, they stay safe.
    return mark_safe("".join(parts))


# The sources app knows nothing of extraction: this app adds the import page and the queue.
admin.site.unregister(Source)


@admin.register(Source)
class SourceWithReviewAdmin(SourceWithQuotesAdmin):
    change_list_template = "admin/extraction/source_change_list.html"
    change_form_template = "admin/extraction/source_change_form.html"

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="sources_source_import",
            ),
            path(
                "<int:pk>/candidates/",
                self.admin_site.admin_view(self.review_view),
                name="sources_source_candidates",
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        may_view = request.user.has_perm("extraction.view_quotecandidate")
        extra_context["may_review"] = may_view
        if may_view and object_id and str(object_id).isdigit():
            extra_context["pending_candidates"] = (
                QuoteCandidate.objects.filter(source_id=object_id).pending().count()
                + TroopFigureCandidate.objects.filter(source_id=object_id).pending().count()
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # -- Import article ---------------------------------------------------------------------

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportArticleForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            given = form.cleaned_data
            try:
                imported = intake.import_text(
                    given["source_text"],
                    name=given["file"].name if given["file"] else "",
                    extract=given["extract"],
                    title=given["title"],
                    published_on=given["published_on"],
                    outlet=given["outlet"],
                    language=given["language"],
                    url=given["url"],
                )
            except importing.DuplicateSource as exc:
                form.add_error(
                    None,
                    format_html(
                        "{} {}",
                        exc.message,
                        admin_link(exc.existing, "Open the existing source."),
                    ),
                )
            except importing.ImportRefused as exc:
                field = exc.code if exc.code in {"title", "published_on"} else None
                form.add_error(field, exc.message)
            else:
                return self._imported(request, imported)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import article",
            "form": form,
            "adminform_fields": list(form),
        }
        return TemplateResponse(request, "admin/extraction/import_article.html", context)

    def _imported(self, request, imported):
        source = imported.source
        date = partial_date_display(source, "published_on") or "unknown"
        message = f"Imported “{source.title}” (published: {date}; language: {source.language})."
        summary = imported.summary
        if summary is not None:
            message += f" {summary.quotes} candidate quotes, {summary.troop_figures} troop figures."
            if summary.message:
                message += f" {summary.message}"
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:sources_source_candidates", args=[source.pk]))

    # -- The review queue -------------------------------------------------------------------

    def review_view(self, request, pk):
        source = get_object_or_404(Source, pk=pk)
        if not self.has_view_permission(request, source) or not request.user.has_perm(
            "extraction.view_quotecandidate"
        ):
            raise PermissionDenied
        if request.method == "POST":
            return self._decide(request, source)
        quotes = list(
            QuoteCandidate.objects.filter(source=source)
            .select_related("speaker", "event", "quote", "reviewed_by")
            .prefetch_related("treaties")
        )
        may_see_figures = request.user.has_perm("extraction.view_troopfigurecandidate")
        figures = list(
            TroopFigureCandidate.objects.filter(source=source).select_related(
                "part_of", "troop_figure", "reviewed_by"
            )
            if may_see_figures
            else ()
        )
        candidates = sorted([*quotes, *figures], key=lambda c: (c.start, c.end))
        entries = [self._entry(source.text, candidate) for candidate in candidates]
        counts = {status.value: 0 for status in CandidateStatus}
        for candidate in candidates:
            counts[candidate.status] += 1
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": source,
            "title": f"Candidates of “{source.title}”",
            "source": source,
            "entries": entries,
            "counts": counts,
            "marked_text": marked_text(source.text, candidates),
            "default_confidence": DEFAULT_BULK_CONFIDENCE,
            "can_decide": request.user.has_perm("extraction.change_quotecandidate")
            and request.user.has_perm("extraction.change_troopfigurecandidate"),
        }
        return TemplateResponse(request, "admin/extraction/review.html", context)

    def _entry(self, text, candidate):
        before, after = candidate.context
        entry = {
            "candidate": candidate,
            "key": candidate_key(candidate),
            "is_quote": isinstance(candidate, QuoteCandidate),
            "before": before,
            "after": after,
            "change_url": reverse(
                f"admin:extraction_{candidate._meta.model_name}_change", args=[candidate.pk]
            ),
        }
        if entry["is_quote"]:
            entry["said_on"] = partial_date_display(candidate, "said_on")
            entry["made"] = candidate.quote
        else:
            entry["as_of"] = partial_date_display(candidate, "as_of")
            entry["made"] = candidate.troop_figure
        if entry["made"] is not None:
            entry["made_link"] = admin_link(entry["made"])
        return entry

    def _decide(self, request, source):
        back = reverse("admin:sources_source_candidates", args=[source.pk])
        decision = request.POST.get("decision")
        may_change = {
            prefix: request.user.has_perm(f"extraction.change_{model._meta.model_name}")
            for prefix, model in KINDS.items()
        }
        if decision in {"extract", "accept_all"} and not all(may_change.values()):
            raise PermissionDenied  # extracting replaces both kinds; accepting all, quotes
        if decision == "extract":
            summary = services.extract_source(source)
            self.message_user(
                request,
                f"Extracted again: {summary.quotes} candidate quotes and "
                f"{summary.troop_figures} troop figures proposed; {summary.kept} already "
                f"decided and kept. {summary.message}".strip(),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(back)
        if decision == "accept_all":
            form = AcceptAllForm(request.POST)
            if not form.is_valid():
                self.message_user(
                    request, "Give a confidence between 0 and 1 to accept above.", messages.ERROR
                )
                return HttpResponseRedirect(back)
            accepted, refused = services.accept_all(
                source, user=request.user, min_confidence=form.cleaned_data["min_confidence"]
            )
            self.message_user(
                request, f"{len(accepted)} candidate quote(s) accepted as drafts.", messages.SUCCESS
            )
            for candidate, why in refused:
                self.message_user(request, f"Not accepted: {candidate}: {why}", messages.WARNING)
            return HttpResponseRedirect(back)
        prefix, _, pk = (request.POST.get("candidate") or "").partition("-")
        if prefix not in KINDS or not pk.isdigit():
            self.message_user(request, "Choose a candidate to decide on.", messages.ERROR)
            return HttpResponseRedirect(back)
        if not may_change[prefix]:
            raise PermissionDenied
        candidate = get_object_or_404(KINDS[prefix], pk=pk, source=source)
        back = f"{back}#{candidate_key(candidate)}"
        try:
            if decision == "accept":
                made = (
                    services.accept_quote(candidate, user=request.user)
                    if prefix == "quote"
                    else services.accept_troop_figure(candidate, user=request.user)
                )
                self.message_user(
                    request,
                    format_html("Accepted: {} is a draft, to review.", admin_link(made)),
                    messages.SUCCESS,
                )
            elif decision == "reject":
                form = RejectionForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                services.reject(candidate, user=request.user, reason=reason)
                self.message_user(request, f"Rejected: {candidate}.", messages.SUCCESS)
            else:
                self.message_user(request, "Accept or reject: nothing was done.", messages.ERROR)
        except (services.ReviewRefused, ValidationError) as exc:
            self.message_user(
                request, f"{candidate}: {services.refusal_message(exc)}", messages.ERROR
            )
        return HttpResponseRedirect(back)


class CandidateAdmin(SimpleHistoryAdmin):
    """What both kinds share: made by extraction only, editable while pending, then decided
    here or in the queue ("Save and accept" below the form)."""

    form = CandidateForm
    change_form_template = "admin/extraction/candidate_change_form.html"
    list_select_related = ["source"]
    list_filter = ["status", "source"]
    search_fields = ["text", "source__title"]
    decision_fields = [
        "status",
        "rejection_reason",
        "reviewed_by",
        "reviewed_at",
        "extractor_version",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["source", "in_the_source", "confidence", *decision_fields]
    decision_fieldset = ("Decision", {"fields": decision_fields})
    actions = ["reject_selected"]

    def has_add_permission(self, request):
        # Candidates come from the extraction of a source, never typed in.
        return False

    def has_change_permission(self, request, obj=None):
        decided = obj is not None and obj.status != CandidateStatus.PENDING
        return not decided and super().has_change_permission(request, obj)

    @admin.display(description="In the source")
    def in_the_source(self, obj):
        before, after = obj.context
        return format_html(
            '<div class="provenance candidate-context">…{}<mark>{}</mark>{}…</div>',
            before,
            obj.source.text[obj.start : obj.end],
            after,
        )

    def accept(self, candidate, user):
        raise NotImplementedError

    def response_change(self, request, obj):
        if "_accept" not in request.POST:
            return super().response_change(request, obj)
        try:
            made = self.accept(obj, request.user)
        except (services.ReviewRefused, ValidationError) as exc:
            self.message_user(
                request,
                f"Saved, not accepted: {services.refusal_message(exc)}",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        self.message_user(
            request,
            format_html("Saved and accepted: {} is a draft, to review.", admin_link(made)),
            messages.SUCCESS,
        )
        queue = reverse("admin:sources_source_candidates", args=[obj.source_id])
        return HttpResponseRedirect(f"{queue}#{candidate_key(obj)}")

    @admin.action(description="Reject selected candidates…", permissions=["change"])
    def reject_selected(self, request, queryset):
        """Ask why (one reason for all), then reject the pending ones among those selected."""
        pending = queryset.filter(status=CandidateStatus.PENDING)
        form = RejectionForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            done = 0
            for candidate in pending:
                try:
                    services.reject(
                        candidate, user=request.user, reason=form.cleaned_data["reason"]
                    )
                except services.ReviewRefused as exc:  # decided meanwhile by someone else
                    self.message_user(request, f"{candidate}: {exc}", messages.WARNING)
                    continue
                done += 1
            self.message_user(request, f"{done} pending candidate(s) rejected.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Reject candidates",
            "form": form,
            "candidates": pending,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/extraction/reject_selected.html", context)


@admin.register(QuoteCandidate)
class QuoteCandidateAdmin(CandidateAdmin):
    list_display = ["__str__", "kind", "confidence", "speaker_match", "said_on_display", "status"]
    list_filter = [*CandidateAdmin.list_filter, "kind", "from_headline", "attribution_inferred"]
    list_select_related = ["source", "speaker"]
    search_fields = [*CandidateAdmin.search_fields, "speaker__name", "speaker_name", "cue"]
    autocomplete_fields = ["speaker", "event", "treaties"]
    readonly_fields = [*CandidateAdmin.readonly_fields, "cue", "verb", "speaker_match", "quote"]
    fieldsets = [
        ("Words and where they are written", {"fields": ["source", "in_the_source", "text"]}),
        (None, {"fields": ["kind", "from_headline", "confidence"]}),
        (
            "Who said it",
            {
                "fields": [
                    "cue",
                    "verb",
                    "speaker_match",
                    "speaker",
                    "speaker_name",
                    "speaker_role",
                    "attribution_inferred",
                    "note",
                ],
                "description": "Choose one of our speakers, or leave it empty and give a new "
                "speaker's name and role: accepting makes that speaker.",
            },
        ),
        (
            "When and where said",
            {
                "fields": [
                    "said_on",
                    "said_on_precision",
                    "said_on_inferred",
                    "said_on_note",
                    "event",
                    "treaties",
                ]
            },
        ),
        ("The draft it became", {"fields": ["quote"]}),
        CandidateAdmin.decision_fieldset,
    ]

    said_on_display = partial_date_column("said_on", "Said")

    def accept(self, candidate, user):
        return services.accept_quote(candidate, user=user)


@admin.register(TroopFigureCandidate)
class TroopFigureCandidateAdmin(CandidateAdmin):
    list_display = ["__str__", "count", "location", "as_of_display", "confidence", "status"]
    readonly_fields = [*CandidateAdmin.readonly_fields, "text", "part_of", "troop_figure"]
    fieldsets = [
        ("Where it is written", {"fields": ["source", "in_the_source", "text"]}),
        (
            None,
            {"fields": ["count", "unit", "location", "contributing_country", "part_of"]},
        ),
        (
            "As of",
            {"fields": ["as_of", "as_of_precision", "as_of_inferred", "as_of_note"]},
        ),
        ("The draft it became", {"fields": ["troop_figure"]}),
        CandidateAdmin.decision_fieldset,
    ]

    as_of_display = partial_date_column("as_of", "As of")

    def accept(self, candidate, user):
        return services.accept_troop_figure(candidate, user=user)
