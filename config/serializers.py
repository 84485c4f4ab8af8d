"""Serializer building blocks shared by every resource of the API."""

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from sources.dates import format_partial_date


# `url` in a serializer's fields needs no declaration: ModelSerializer links it to the
# `<model>-detail` route (only Source, which has a model field named url, declares it).
class BriefSerializer(serializers.ModelSerializer):
    """The small nested form of an object: id, url and a display name (NetBox's "brief")."""

    display = serializers.SerializerMethodField(help_text="A human-readable name.")

    def get_display(self, obj) -> str:
        return str(obj)


class BriefRelatedField(serializers.PrimaryKeyRelatedField):
    """A relation written as an id and read as the related object's brief form.

    `{"speaker": 7}` in a request; `{"speaker": {"id": 7, "url": ..., "display": ...}}` in a
    response. The OpenAPI schema says the same (see config.schema).
    """

    def __init__(self, serializer_class, **kwargs):
        self.serializer_class = serializer_class
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, value):
        return self.serializer_class(value, context=self.context).data


@extend_schema_field(OpenApiTypes.STR)
class PartialDateDisplayField(serializers.Field):
    """A partial date shown with only the parts it has: 2017-05-26, 2019-08 or 2016."""

    def __init__(self, date_field, **kwargs):
        self.date_field = date_field
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault(
            "help_text",
            f"{date_field} with only the parts the text gives (YYYY-MM-DD, YYYY-MM or YYYY); "
            "empty when unknown.",
        )
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return format_partial_date(
            getattr(instance, self.date_field), getattr(instance, f"{self.date_field}_precision")
        )


def partial_date_fields(name: str) -> list[str]:
    """The field names of a partial date, for a serializer's Meta.fields."""
    return [name, f"{name}_precision", f"{name}_inferred", f"{name}_note", f"{name}_display"]


class ModelValidationMixin:
    """Run the model's own validation (fields, clean(), constraints) on API writes.

    The API then refuses exactly what the admin and the model refuse, with the same messages:
    a quote whose text does not match its span is a 400 naming the field, never a 500 or a
    half-written row.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {f.name for f in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=[f.name for f in model._meta.many_to_many])
        except DjangoValidationError as exc:
            detail = serializers.as_serializer_error(exc)
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(detail) from exc
        return attrs
