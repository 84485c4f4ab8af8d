"""The review workflow on API writes: every create and update of a reviewed resource asks
core.review, as the admin does.

A refusal is an answer in the one error format, and nothing is written:

- a transition the user's role may not make: 403 `permission_denied`;
- publishing or unpublishing without a `change_reason`: 400 `required` on `change_reason`;
- a change to a published record's locked fields (a quote's words and span) while it stays
  published: 409 `locked_while_published`.
"""

from rest_framework import exceptions, serializers

from core import review
from core.api.errors import Conflict
from core.api.fields import StrictCharField

STATUS_HELP = (
    "draft → reviewed → published; the public sees published records only. Researchers move "
    "records between draft and reviewed; publishing and unpublishing needs the editors' "
    "permission and a `change_reason`. A new record is a draft unless it is created in a "
    "state the user may move a draft to."
)
REASON_HELP = (
    "Why this change is made; kept in the record's history (`history_change_reason`) with "
    "who made it. Required to publish or unpublish; written, never read back."
)


class LockedWhilePublished(Conflict):
    default_detail = "A published record's locked fields cannot change while it stays published."
    default_code = "locked_while_published"


class ReviewedSerializerMixin:
    """For the serializer of a `ReviewedModel`: `status` changes and the fields a published
    record locks go through core.review.check_write(); `change_reason` says why, into the
    history."""

    def get_fields(self):
        fields = super().get_fields()
        if getattr(self, "nested", False):
            return fields
        if "status" in fields:
            fields["status"].help_text = STATUS_HELP
        fields[review.REASON_FIELD] = StrictCharField(
            write_only=True,
            required=False,
            allow_blank=True,
            max_length=review.REASON_MAX_LENGTH,
            help_text=REASON_HELP,
        )
        return fields

    @property
    def _user(self):
        return getattr(self.context.get("request"), "user", None)

    def validate(self, attrs):
        # The data first (fields, the model's own rules), then whether this user may write it.
        attrs = super().validate(attrs)
        model = self.Meta.model
        reason = attrs.get(review.REASON_FIELD, "")
        try:
            # Updates run with the row locked (core.api.conditional): `instance` is current.
            review.check_write(model, self.instance, attrs, user=self._user, reason=reason)
        except review.TransitionNotPermitted as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except review.ReasonRequired as exc:
            raise serializers.ValidationError(
                {
                    field: [serializers.ErrorDetail(message, code="required")]
                    for field, message in exc.errors.items()
                }
            ) from exc
        except review.LockedWhilePublished as exc:
            raise LockedWhilePublished(str(next(iter(exc.errors.values())))) from exc
        return attrs

    def create(self, validated_data):
        reason = validated_data.pop(review.REASON_FIELD, "")
        # DRF makes the instance itself: the reason is given to its first versions after.
        instance = super().create(validated_data)
        review.record_creation_reason(instance, reason)
        return instance

    def update(self, instance, validated_data):
        reason = validated_data.pop(review.REASON_FIELD, "")
        review.mark_written(instance, user=self._user, reason=reason)
        return super().update(instance, validated_data)
