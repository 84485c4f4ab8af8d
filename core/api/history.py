"""The read-only change history of a record, as an API endpoint: GET <resource>/{id}/history/."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action

from core import review
from core.api.pagination import KeysetPagination
from core.history import HistoryType


@extend_schema_field(
    {
        # Every value a field of a content model takes: text (dates and choices too), numbers,
        # yes/no, null, and lists (of ids for a many-to-many field, of strings for aliases).
        "anyOf": [
            {"type": "string", "nullable": True},
            {"type": "integer"},
            {"type": "number"},
            {"type": "boolean"},
            {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}},
        ]
    }
)
class FieldValueField(serializers.JSONField):
    """A field's value as the resource shows it: a many-to-many field's is the related ids."""


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field that changed, named as in the resource.")
    old = FieldValueField(help_text="Its value before.")
    new = FieldValueField(help_text="Its value after.")


class HistoricalRecordSerializer(serializers.Serializer):
    """One version of a record: who made it, when, and what it changed."""

    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField(help_text="When the change was made.")
    history_type = serializers.ChoiceField(
        choices=HistoryType.choices,
        source="history_action",
        read_only=True,
        help_text="What the version did to the record.",
    )
    history_user = serializers.SerializerMethodField(help_text="Who made it (a username).")
    history_change_reason = serializers.CharField(allow_null=True)
    changes = FieldChangeSerializer(
        many=True, help_text="Each field's value before and after (empty for a creation)."
    )

    def get_history_user(self, obj) -> str | None:
        return obj.history_user.get_username() if obj.history_user else None


class HistoryMixin:
    """Adds GET {id}/history/: every version of the record, newest first."""

    @staticmethod
    def _reference_hider(model, user):
        """fn(field, value) -> the value, without what points at a record the user may not see
        (a draft whole of a published part): history shows what the record's page shows. An
        id reads as None, and a many-to-many field's list of ids leaves it out."""
        reviewed = {
            field.name: field.related_model
            for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
            if field.is_relation and review.is_reviewed(field.related_model)
        }

        def hide(field, value):
            target = reviewed.get(field)
            if target is None or value is None:
                return value
            if isinstance(value, list):
                shown = review.visible(target._base_manager.filter(pk__in=value), user)
                shown = set(shown.values_list("pk", flat=True))
                return [pk for pk in value if pk in shown]
            return value if review.visible_pk(target, value, user) else None

        return hide

    @extend_schema(
        summary="History of a record",
        description="Every recorded change of the record, newest first: who made it, when, "
        "and each changed field's value before and after.",
        responses=HistoricalRecordSerializer(many=True),
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        serializer_class=HistoricalRecordSerializer,
        pagination_class=KeysetPagination,
        filter_backends=[],
    )
    def history(self, request, *args, **kwargs):
        record = self.get_object()  # 404 for what the user may not see
        versions = record.history.select_related("history_user").order_by("-history_id")
        # Each version shown is compared with the previous one shown: to the public, the
        # previous published one (what was drafted in between is not theirs to see).
        versions = review.visible_versions(versions, type(record), request.user)
        page = list(self.paginate_queryset(versions))
        # Newest first: each version's predecessor (among those shown) is the next row; only
        # the page's last needs a query.
        older = versions.filter(history_id__lt=page[-1].history_id).first() if page else None
        hide_reference = self._reference_hider(type(record), request.user)
        for version, previous in zip(page, [*page[1:], older], strict=True):
            version.compare_with = previous
            version.hide_reference = hide_reference
        return self.get_paginated_response(HistoricalRecordSerializer(page, many=True).data)
