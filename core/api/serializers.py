"""The serializers every resource of the API is built from.

`StrictSerializer` refuses a body field it does not know; `StrictModelSerializer` does too, and
maps model fields to the strict fields of core.api.fields;
`ContentSerializer` adds the resource's identity (id, url, display) and its brief form
(`Meta.brief_fields`, NetBox's), which other resources show for their relations to it through
`BriefRelatedField`.
"""

import copy
import functools
from collections.abc import Mapping
from functools import cached_property

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import MANY_RELATION_KWARGS, ManyRelatedField, PKOnlyObject
from rest_framework.settings import api_settings
from rest_framework.utils.field_mapping import get_detail_view_name

from core import review
from core.api.errors import UNKNOWN_FIELD, unknown_names
from core.api.fields import (
    IdentityURLField,
    StrictBooleanField,
    StrictCharField,
    StrictDateField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    StrictSlugField,
    StrictURLField,
)


class UnknownFieldsMixin:
    """A body field that the serializer does not have is a 400 naming it (`unknown_field`),
    in nested serializers too (`citations.0.txet`): a mistyped field would otherwise be
    dropped silently, and the write answer 200 without the change.

    Only names that are no field at all: a read-only field (`id`, `url`, `created_at`,
    `display`) is ignored, as DRF and NetBox ignore it, so that a client may send back what it
    read (an SDK's read-modify-write) without picking out what it may not change.
    """

    # Django's CSRF token, which an HTML form (the browsable API's upload form) sends along.
    ignored_form_fields = frozenset({"csrfmiddlewaretoken"})

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            names = [
                name
                for name in data
                if name not in self.fields and name not in self.ignored_form_fields
            ]
            unknown = unknown_names(names, writable, what="field", code=UNKNOWN_FIELD)
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class StrictSerializer(UnknownFieldsMixin, serializers.Serializer):
    """A Serializer (an action's body) that refuses the fields it does not know."""


class StrictModelSerializer(UnknownFieldsMixin, serializers.ModelSerializer):
    """ModelSerializer whose generated fields are the strict ones above, and that refuses the
    fields it does not know."""

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

    def get_fields(self):
        # ModelSerializer's fields, built from the model once per class (and form: a brief form
        # has fewer) and cloned for each serializer: building them for every request was a
        # sixth of a detail's CPU (docs/performance.md). tests/core/api/test_field_templates.py
        # holds the clones to what ModelSerializer builds.
        key = (type(self), getattr(self, "nested", False))
        templates = _FIELD_TEMPLATES.get(key)
        if templates is None:
            built = super().get_fields()
            templates = _FIELD_TEMPLATES.setdefault(
                key, [(name, field, clone_method(field)) for name, field in built.items()]
            )
        return {name: clone(field, method) for name, field, method in templates}

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


# (serializer class, brief form) -> [(name, unbound template field, clone_method)]: see
# StrictModelSerializer.get_fields. Never bound, so never tied to a request.
_FIELD_TEMPLATES: dict[tuple[type, bool], list[tuple[str, serializers.Field, bool]]] = {}

# Containers a DRF field copies (validators: list(); choices: a dict of its own) or only reads
# (style: the browsable API's form hints).
_UNSHARED_ARGUMENTS = frozenset({"validators", "choices", "style"})


# How a template is cloned (see clone_method()).
DEEP_COPY, REBUILD, COPY_ATTRIBUTES = "deep copy", "rebuild", "copy attributes"


def clone(field, method: str):
    """A new field like the unbound template `field`, as DRF's deep copy would make it."""
    if method == COPY_ATTRIBUTES:
        new = object.__new__(type(field))
        new.__dict__.update(field.__dict__)
        return new
    if method == REBUILD:
        return type(field)(*field._args, **field._kwargs)
    return copy.deepcopy(field)


def holds_field(value) -> bool:
    if isinstance(value, serializers.Field):
        return True
    if isinstance(value, list | tuple | set | frozenset):
        return any(holds_field(item) for item in value)
    if isinstance(value, dict):
        return any(holds_field(item) for item in value.values())
    return False


def clone_method(field) -> str:
    """How to clone the template `field` as cheaply as DRF's deep copy is exact
    (`Field.__deepcopy__` deep-copies its arguments, then builds it anew):

    - DEEP_COPY when an argument holds a field (a list's child, a nested serializer's), which
      must not be shared between requests, or a mutable value the field keeps as it is (a
      list `default`);
    - REBUILD, from the same arguments, when the field makes fields of its own (a serializer,
      a list field whose __init__ makes its child);
    - COPY_ATTRIBUTES otherwise: what __init__ sets from the same arguments, the containers
      it only reads (validators, choices, error messages) shared.
    """
    for name, value in [*enumerate(field._args), *field._kwargs.items()]:
        if holds_field(value):
            return DEEP_COPY
        if isinstance(value, list | dict | set) and name not in _UNSHARED_ARGUMENTS:
            return DEEP_COPY
    if isinstance(field, serializers.BaseSerializer) or holds_field(list(vars(field).values())):
        return REBUILD
    return COPY_ATTRIBUTES


# The description of every brief form in the schema (core.api.schema).
BRIEF_FORM_DESCRIPTION = (
    'The small nested form of an object: id, url and a display name (NetBox\'s "brief").'
)

# The resource serializer of each model: the first ContentSerializer declared for it (a
# variant such as a list form, declared after, is not the resource's own).
_SERIALIZERS: dict[type[models.Model], type["ContentSerializer"]] = {}


def serializer_for(model) -> type["ContentSerializer"]:
    """The resource serializer of `model`, whose brief form stands for its records elsewhere."""
    try:
        return _SERIALIZERS[model]
    except KeyError:
        raise LookupError(f"No ContentSerializer is declared for {model.__name__}") from None


class ContentSerializer(StrictModelSerializer):
    """A resource: its fields, its identity (`id`, `url`, `display`) and its brief form.

    `Meta.brief_fields` lists the fields of the brief form (NetBox's `brief_fields`):
    `SpeakerSerializer(nested=True)` is a speaker as other resources show it.
    """

    display = serializers.SerializerMethodField(help_text="A human-readable name.")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        meta = getattr(cls, "Meta", None)
        if getattr(meta, "model", None) is not None:
            _SERIALIZERS.setdefault(meta.model, cls)

    def __init__(self, *args, nested=False, **kwargs):
        self.nested = nested
        super().__init__(*args, **kwargs)

    @classmethod
    def many_init(cls, *args, nested=False, **kwargs):
        if not nested:
            return super().many_init(*args, **kwargs)
        # A nested list of brief forms leaves out the records the user may not see.
        return VisibleListSerializer(*args, child=cls(nested=True), **kwargs)

    def get_field_names(self, declared_fields, info):
        names = super().get_field_names(declared_fields, info)
        if not self.nested:
            return names
        return [name for name in self.Meta.brief_fields if name in names]

    def get_display(self, obj) -> str:
        return str(obj)


class BriefRelatedField(StrictPrimaryKeyRelatedField):
    """A relation written as an id and read as the related record's brief form.

    `{"speaker": 7}` in a request; `{"speaker": {"id": 7, "url": ..., "display": ...}}` in a
    response: what `SpeakerSerializer(nested=True)` gives. The OpenAPI schema says the same (see
    core.api.schema). A record the user may not see (core.review) is as unknown as a missing
    one: it cannot be written, and reads as null (or is left out of a list).

    Read-only relations name their model (`model=TroopFigure`), writable ones their queryset.
    """

    def __init__(self, model=None, **kwargs):
        self._model = model
        super().__init__(**kwargs)

    @classmethod
    def many_init(cls, *args, **kwargs):
        # DRF's, with a to-many field that leaves out what the user may not see.
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({k: v for k, v in kwargs.items() if k in MANY_RELATION_KWARGS})
        return VisibleManyRelatedField(**list_kwargs)

    @property
    def model(self):
        return self._model or self.queryset.model

    @cached_property
    def serializer_class(self):
        return serializer_for(self.model)

    def use_pk_only_optimization(self):
        return False

    def get_queryset(self):
        # A record the user may not see (a draft) is as unknown as a missing one.
        return review.visible(super().get_queryset(), self.user)

    @property
    def user(self):
        return getattr(self.context.get("request"), "user", None)

    @cached_property
    def may_hide(self) -> bool:
        """Whether some related records are hidden from this request's user (asked once: the
        field is built for each request)."""
        return not review.sees_drafts(self.user, self.model)

    def get_attribute(self, instance):
        # Field's lookup, as RelatedField's would do without the pk-only optimisation (off).
        value = serializers.Field.get_attribute(self, instance)
        if value is not None and self.may_hide and not review.is_visible(value, self.user):
            return None  # a draft whole stays hidden behind its published part
        return value

    @cached_property
    def brief(self):
        """The brief form's serializer, built once for the field and reused for every row."""
        return self.serializer_class(nested=True, context=self.context)

    @cached_property
    def written_brief(self):
        """The brief form's fields, when it can be written out (see written_brief_fields)."""
        return written_brief_fields(self.serializer_class)

    @cached_property
    def url_field(self):
        return IdentityURLField(view_name=get_detail_view_name(self.model))

    def to_representation(self, value):
        # The brief form written out from its Meta.brief_fields, for the common case: building
        # the nested serializer's fields for every relation of every request was a fifth of a
        # detail's CPU (docs/performance.md). tests/core/api/test_rendering.py holds it to
        # what DRF's own code gives.
        names = self.written_brief
        if names is None:
            return self.brief.to_representation(value)
        brief = {}
        for name in names:
            if name == "url":
                brief[name] = self.url_field.get_url(
                    value,
                    self.url_field.view_name,
                    self.context.get("request"),
                    self.context.get("format"),
                )
            elif name == "display":
                brief[name] = str(value)
            else:
                brief[name] = getattr(value, name)
        return brief


@functools.cache
def written_brief_fields(serializer_class) -> tuple[str, ...] | None:
    """The brief form's fields, when it is only an id, the url, the display name (as
    ContentSerializer gives it) and text columns, which BriefRelatedField writes out. Else None:
    the nested serializer renders it."""
    names = tuple(serializer_class.Meta.brief_fields)
    model = serializer_class.Meta.model
    text_columns = {
        field.attname
        for field in model._meta.concrete_fields
        if field.get_internal_type() in {"CharField", "SlugField"}
    }
    plain = {"id", "url", "display", *text_columns}
    if serializer_class.get_display is not ContentSerializer.get_display or set(names) - plain:
        return None
    # A brief field the serializer declares itself may show something else than its column.
    declared = serializer_class._declared_fields
    for name in names:
        field = declared.get(name)
        if name == "url" and field is not None:
            if getattr(field, "view_name", None) != get_detail_view_name(model):
                return None
        elif name not in {"display", "url"} and field is not None:
            return None
    return names


class VisibleListSerializer(serializers.ListSerializer):
    """A nested list of brief forms (`XSerializer(nested=True, many=True)`): the records the
    user may see."""

    def to_representation(self, data):
        iterable = data.all() if isinstance(data, models.manager.BaseManager) else data
        user = getattr(self.context.get("request"), "user", None)
        if review.sees_drafts(user, self.child.Meta.model):
            return super().to_representation(iterable)
        return super().to_representation([r for r in iterable if review.is_visible(r, user)])


class VisibleManyRelatedField(ManyRelatedField):
    """A to-many BriefRelatedField: the related records the user may see, in brief."""

    def get_attribute(self, instance):
        related = super().get_attribute(instance)
        if not self.child_relation.may_hide:
            return related
        user = self.child_relation.user
        return [item for item in related if review.is_visible(item, user)]


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
