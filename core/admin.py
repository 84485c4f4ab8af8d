"""Admin building blocks every content admin shares: links, partial-date columns, and the review
workflow's form and actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from core import review
from core.dates import partial_date_display
from core.review import ReviewStatus


def admin_link(obj, label=None):
    """A link to the admin page where `obj` is edited.

    That is its own change page, or, for a record edited inline (a treaty's parties), the
    change page of the record it belongs to, labelled with `obj` itself.
    """
    owner = obj
    inline_owner = _inline_owners().get(type(obj))
    if inline_owner is not None and not admin.site.is_registered(type(obj)):
        owner = getattr(obj, inline_owner)
    meta = owner._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[owner.pk])
    return format_html('<a href="{}">{}</a>', url, label or str(obj))


def _inline_owners():
    """{model edited inline: the name of its foreign key to the record whose page edits it}."""
    owners = {}
    for parent, model_admin in admin.site._registry.items():
        for inline in model_admin.inlines:
            fk_name = inline.fk_name or next(
                (
                    field.name
                    for field in inline.model._meta.concrete_fields
                    if field.is_relation and field.related_model is parent
                ),
                None,
            )
            if fk_name is not None:
                owners.setdefault(inline.model, fk_name)
    return owners


def partial_date_column(field: str, description: str):
    """A changelist column showing a partial date with only its known parts ("unknown" if none)."""

    @admin.display(description=description, ordering=field)
    def column(self, obj):
        return partial_date_display(obj, field) or "unknown"

    return column


class ReviewFormMixin:
    """For the change form of a reviewed model: the `change_reason` field, and the workflow's
    check (core.review.check_write()) once the data itself is valid, as the API makes it."""

    review_user = None  # set per request by ReviewAdminMixin.get_form()

    @staticmethod
    def reason_field():
        return forms.CharField(
            label="Reason for the change",
            required=False,
            max_length=review.REASON_MAX_LENGTH,
            widget=forms.TextInput(attrs={"size": 80}),
            help_text="Required to publish or unpublish; kept in the history with your name.",
        )

    def stored(self):
        """The record as it stands in the database (None when it is being added)."""
        if self.instance.pk is None:
            return None
        rows = type(self.instance)._base_manager.filter(pk=self.instance.pk)
        if transaction.get_connection(rows.db).in_atomic_block:
            # Locked until the save, as the API's update locks it: a publish made meanwhile in
            # another session cannot slip between this check and the write.
            rows = rows.select_for_update()
        return rows.first()

    def clean(self):
        cleaned = super().clean()
        stored = self.stored()
        if stored is None:
            return cleaned
        for name in type(stored).locked_while_published:
            value = cleaned.get(name)
            if isinstance(value, str) and _as_a_textarea_sends(value) == _as_a_textarea_sends(
                getattr(stored, name)
            ):
                # What a browser sends back unchanged (CRLF line ends, trimmed): the stored text.
                cleaned[name] = getattr(stored, name)
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return  # the data first: its own errors say more than the workflow's
        model = type(self.instance)
        try:
            review.check_write(
                model,
                self.stored(),
                self.cleaned_data,
                user=self.review_user,
                reason=self.cleaned_data.get(review.REASON_FIELD, ""),
            )
        except review.TransitionRefused as exc:
            for name, message in exc.errors.items():
                self.add_error(name if name in self.fields else None, message)


def _as_a_textarea_sends(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


class ReviewReasonForm(forms.Form):
    """The reason a bulk action asks for when it publishes or unpublishes."""

    change_reason = forms.CharField(
        label="Reason",
        max_length=review.REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Kept in the history of every record changed, with your name.",
    )


class ReviewAdminMixin:
    """The admin of a reviewed model: its change form and its bulk actions (draft → reviewed →
    published) go through core.review, as the API's writes do.

    Publishing and unpublishing need the publish permission (the action is offered to those who
    have it) and a reason: the form's `change_reason`, or the page a bulk action asks it on.
    """

    actions = ["mark_reviewed", "publish", "return_to_draft"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form", self.form)
        if not issubclass(base, ReviewFormMixin):
            # Declared in the class body, so that the fieldsets may name it.
            attrs = {review.REASON_FIELD: ReviewFormMixin.reason_field()}
            kwargs["form"] = type(base.__name__, (ReviewFormMixin, base), attrs)
        form = super().get_form(request, obj, change, **kwargs)
        form.review_user = request.user  # a class made for this request
        return form

    def get_fieldsets(self, request, obj=None):
        # The reason is asked beside the status, wherever the admin shows it.
        fieldsets = super().get_fieldsets(request, obj)
        return [
            (name, {**options, "fields": _after_status(options["fields"])})
            for name, options in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        review.mark_written(
            obj, user=request.user, reason=form.cleaned_data.get(review.REASON_FIELD, "")
        )
        super().save_model(request, obj, form, change)

    def has_publish_permission(self, request):
        return review.may_publish(request.user, self.model)

    def _set_status(self, request, queryset, status):
        form = ReviewReasonForm(request.POST if "apply" in request.POST else None)
        reason = form.cleaned_data[review.REASON_FIELD] if form.is_valid() else ""
        try:
            changed = review.change_status(queryset, status, user=request.user, reason=reason)
        except review.ReasonRequired:
            return self._ask_reason(request, queryset, status, form)
        except review.TransitionRefused as exc:
            self.message_user(request, f"Nothing was changed. {exc}", messages.ERROR)
            return None
        except ValidationError as exc:
            self.message_user(
                request, f"Nothing was changed: {'; '.join(exc.messages)}", messages.ERROR
            )
            return None
        label = ReviewStatus(status).label.lower()
        self.message_user(request, f"{changed} record(s) marked {label}.", messages.SUCCESS)
        return None

    def _ask_reason(self, request, queryset, status, form):
        """The page that asks why, before a bulk action publishes or unpublishes."""
        records = list(queryset.exclude(status=status))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Why are they to be {ReviewStatus(status).label.lower()}?",
            "opts": self.model._meta,
            "form": form,
            "records": records,
            # What the changelist posted, posted again with the reason (to the same URL: its
            # filters are those of a selection "across" every page).
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action": request.POST.get("action"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "status_label": ReviewStatus(status).label.lower(),
        }
        return TemplateResponse(request, "admin/review_reason.html", context)

    @admin.action(description="Mark selected as reviewed", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        return self._set_status(request, queryset, ReviewStatus.REVIEWED)

    @admin.action(description="Publish selected", permissions=["publish"])
    def publish(self, request, queryset):
        return self._set_status(request, queryset, ReviewStatus.PUBLISHED)

    @admin.action(description="Return selected to draft", permissions=["change"])
    def return_to_draft(self, request, queryset):
        return self._set_status(request, queryset, ReviewStatus.DRAFT)


def _after_status(fields):
    fields = list(fields)
    if "status" in fields and review.REASON_FIELD not in fields:
        fields.insert(fields.index("status") + 1, review.REASON_FIELD)
    return fields
