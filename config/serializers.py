"""Serializer building blocks shared by every resource of the API."""

import copy
import re
from functools import cached_property

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings
from rest_framework.utils.field_mapping import get_detail_view_name

from sources.dates import format_partial_date

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# What Python's str.strip() removes, as literal characters. The schema's "not blank" pattern
# lists them (regex \s differs between engines; none counts U+001C..U+001F as space, Python does).
WHITESPACE = "\t\n\x0b\x0c\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL = "^[^\\x00]*$"
NOT_BLANK = f"^[^\\x00]*[^\\x00{WHITESPACE}][^\\x00]*$"


# The API takes JSON types as the schema states them. DRF by itself would store 12 as "12",
# read "1" or 1 as true and "7" as the id 7: a client bug would pass unseen.
class StrictStringMixin:
    """A string, and only a string (never a number turned into one)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StrictStringMixin, serializers.CharField):
    """Its schema says no NUL and, unless blank is allowed, not only whitespace (see
    config.schema); the length limit applies to the string as sent, before any trimming."""

    def to_internal_value(self, data):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        if isinstance(data, str) and not self.allow_blank and not data.strip():
            self.fail("blank")  # untrimmed (verbatim) text too: whitespace alone is no text
        return super().to_internal_value(data)


class StrictSlugField(StrictStringMixin, serializers.SlugField):
    pass


# The links a researcher records: http(s), a host name (a label, up to three shorter ones and a
# top-level domain: at most 211 characters, within DNS's 253) and an optional path, query and
# fragment in RFC 3986 characters (non-ASCII percent-encoded). Django's URLValidator accepts more
# (IP addresses, ports, user:password@, any non-space character) and JSON Schema's "uri" other
# things (a 1-letter TLD, any scheme); the API takes what all accept, and the schema says so.
URL_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
URL_SHORT_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?"
URL_CHAR = "(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
WEB_URL = (
    rf"^https?://{URL_LABEL}(?:\.{URL_SHORT_LABEL}){{0,3}}\.[A-Za-z]{{2,24}}"
    rf"(?:/(?:{URL_CHAR}|/)*)?(?:\?(?:{URL_CHAR}|[/?])*)?(?:#(?:{URL_CHAR}|[/?])*)?$"
)


class StrictURLField(StrictStringMixin, serializers.URLField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(
            RegexValidator(WEB_URL, "Enter a web address such as https://www.example.org/page.")
        )


class StrictDateField(serializers.DateField):
    """A date written YYYY-MM-DD, as the schema says (Python alone would also read 20190802)."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class StrictBooleanField(serializers.BooleanField):
    """true or false, not "yes", 1 or "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, not "12" or 12.5."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object's id as a JSON integer."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class IdentityURLField(serializers.HyperlinkedIdentityField):
    """An object's `url`, reversed once per request and then filled in with each id.

    The benchmark found `reverse()` for every object (a 100-quote page links some 400: each
    quote, speaker, source, event and treaty) to be a quarter of the page's time. The URLs
    differ only in the id, so the field reverses a placeholder id once and keeps the parts
    around it.
    """

    PLACEHOLDER = "918273645546372819"  # an id no database here will reach

    def get_url(self, obj, view_name, request, format):
        value = getattr(obj, self.lookup_field, None)
        if type(value) is not int:  # unsaved (None) or not a plain id: the usual way
            return super().get_url(obj, view_name, request, format)
        cached = getattr(self, "_template", None)
        if cached is None or cached[0] is not request or cached[1] != (view_name, format):
            url = self.reverse(
                view_name,
                kwargs={self.lookup_url_kwarg: self.PLACEHOLDER},
                request=request,
                format=format,
            )
            head, _, tail = url.rpartition(self.PLACEHOLDER)
            cached = self._template = (request, (view_name, format), head, tail)
        return f"{cached[2]}{value}{cached[3]}"


class StrictModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose generated fields are the strict ones above."""

    serializer_url_field = IdentityURLField

    # Kept exactly as sent, surrounding whitespace included: a source's text is the document
    # byte for byte, and a quote's or citation's text must equal its span of it.
    verbatim_fields = ("text",)

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if field_name in self.verbatim_fields and issubclass(field_class, serializers.CharField):
            field_kwargs["trim_whitespace"] = False
        return field_class, field_kwargs

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
        models.DateField: StrictDateField,
        models.BooleanField: StrictBooleanField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
    }
    serializer_related_field = StrictPrimaryKeyRelatedField

    @cached_property
    def _read_plan(self):
        """(field, the model column it shows, or None) for each readable field."""
        columns = {field.attname for field in self.Meta.model._meta.concrete_fields}
        plan = []
        for field in self._readable_fields:
            plain = (
                type(field).get_attribute is serializers.Field.get_attribute
                and len(field.source_attrs) == 1
                and field.source_attrs[0] in columns
            )
            plan.append((field, field.source_attrs[0] if plain else None))
        return plan

    def to_representation(self, instance):
        # DRF's Serializer.to_representation, but a field showing a plain column reads it with
        # getattr: DRF's generic lookup (mappings, callables, nested sources) was a fifth of
        # a list page's time, and a column's value is none of those.
        representation = {}
        for field, column in self._read_plan:
            if column is not None:
                value = getattr(instance, column)
            else:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(value, PKOnlyObject) and value.pk is None:
                    value = None
            representation[field.field_name] = (
                None if value is None else field.to_representation(value)
            )
        return representation


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NOT_BLANK},
        "uniqueItems": True,
    }
)
class AliasesField(serializers.ListField):
    """Other names: a list of distinct, non-empty strings."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", StrictCharField(max_length=200))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Other names and spellings, each distinct.")
        super().__init__(**kwargs)


# `url` in a serializer's fields needs no declaration: ModelSerializer links it to the
# `<model>-detail` route (only Source, which has a model field named url, declares it).
class BriefSerializer(StrictModelSerializer):
    """The small nested form of an object: id, url and a display name (NetBox's "brief")."""

    display = serializers.SerializerMethodField(help_text="A human-readable name.")

    def get_display(self, obj) -> str:
        return str(obj)


BRIEF_FIELDS = ["id", "url", "display", "slug"]


class BriefRelatedField(StrictPrimaryKeyRelatedField):
    """A relation written as an id and read as the related object's brief form.

    `{"speaker": 7}` in a request; `{"speaker": {"id": 7, "url": ..., "display": ...}}` in a
    response. The OpenAPI schema says the same (see config.schema).
    """

    def __init__(self, serializer_class, **kwargs):
        if list(serializer_class.Meta.fields) != BRIEF_FIELDS:
            raise TypeError(f"{serializer_class.__name__}: a brief form has {BRIEF_FIELDS}")
        self.serializer_class = serializer_class
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def get_queryset(self):
        # A record the user may not see (a draft) is as unknown as a missing one.
        queryset = super().get_queryset()
        if hasattr(queryset, "visible_to"):
            request = self.context.get("request")
            queryset = queryset.visible_to(getattr(request, "user", None))
        return queryset

    @cached_property
    def url_field(self):
        model = self.serializer_class.Meta.model
        return IdentityURLField(view_name=get_detail_view_name(model))

    def to_representation(self, value):
        # What serializer_class gives (a test holds them equal), written out: a page of 100
        # quotes has some 400 relations, and running a serializer's fields for each, or
        # building one per relation, was most of the page's time (the benchmark).
        url = self.url_field.get_url(
            value, self.url_field.view_name, self.context.get("request"), self.context.get("format")
        )
        return {"id": value.pk, "url": url, "display": str(value), "slug": value.slug}


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
