"""Admin building blocks every content admin shares: links, partial-date columns, review actions."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

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


class ReviewActionsMixin:
    """Bulk actions of the review workflow (core.review): draft → reviewed → published."""

    actions = ["mark_reviewed", "publish", "return_to_draft"]

    def _set_status(self, request, queryset, status):
        # One save per record, not queryset.update(): every change must reach the history.
        changed = 0
        for record in queryset.exclude(status=status):
            record.status = status
            record._change_reason = f"Bulk action: {status}"
            record.save(update_fields=["status", "updated_at"])
            changed += 1
        label = ReviewStatus(status).label.lower()
        self.message_user(request, f"{changed} record(s) marked {label}.", messages.SUCCESS)

    @admin.action(description="Mark selected as reviewed", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        self._set_status(request, queryset, ReviewStatus.REVIEWED)

    @admin.action(description="Publish selected", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, ReviewStatus.PUBLISHED)

    @admin.action(description="Return selected to draft", permissions=["change"])
    def return_to_draft(self, request, queryset):
        self._set_status(request, queryset, ReviewStatus.DRAFT)
