"""Serializer fields built once per class (StrictModelSerializer.get_fields).

ModelSerializer builds a serializer's fields from the model on every instance, which is every
request. core.api keeps the fields it built the first time as unbound templates and clones them:
a new field from the template's own arguments where that is as good as DRF's deep copy, DRF's
deep copy otherwise. These tests hold every serializer of the API to that: the same fields as
ModelSerializer builds, and none of them shared between two serializers (a field shared between
two requests would carry one request's user, context or parent into the other).
tests/core/api/test_rendering.py compares whole responses with DRF's generic code.
"""

import pytest
from django.db.models import Manager, QuerySet
from rest_framework import serializers
from rest_framework.utils.formatting import lazy_format

import config.urls  # noqa: F401  (every serializer of the API, through its viewsets)
from core.api import serializers as core_serializers
from core.api.serializers import (
    COPY_ATTRIBUTES,
    DEEP_COPY,
    REBUILD,
    ContentSerializer,
    StrictModelSerializer,
    clone_method,
)


def subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from subclasses(subclass)


def api_serializers():
    """Every concrete StrictModelSerializer of the project, in each of its forms."""
    for cls in sorted(set(subclasses(StrictModelSerializer)), key=lambda c: c.__qualname__):
        if getattr(getattr(cls, "Meta", None), "model", None) is None:
            continue
        if not cls.__module__.startswith(("core.", "quotes.", "sources.", "extraction.")):
            continue  # a test's own serializer
        forms = [False, True] if issubclass(cls, ContentSerializer) else [False]
        for nested in forms:
            yield pytest.param(cls, nested, id=f"{cls.__qualname__}{'-brief' if nested else ''}")


def build(cls, nested):
    return cls(nested=True) if nested else cls()


def comparable(value):
    """A field argument as a value to compare (a queryset by its SQL, a field by its shape)."""
    if isinstance(value, QuerySet | Manager):
        queryset = value.all()
        return ("queryset", queryset.model, str(queryset.query))
    if isinstance(value, serializers.Field):
        return shape(value)
    if isinstance(value, list | tuple):
        return [comparable(item) for item in value]
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, lazy_format):
        return ("message", str(value))
    if type(value).__module__ in {"rest_framework.validators", "django.core.validators"}:
        return (type(value), comparable(vars(value)))  # a validator built anew with the field
    return value


def shape(field):
    """What a field is: its class and the arguments it was built with, nested fields included."""
    return (
        type(field),
        [comparable(arg) for arg in field._args],
        {key: comparable(value) for key, value in field._kwargs.items()},
    )


def fields_of(serializer):
    """Every field under a serializer, nested serializers' fields and list children included."""
    for field in serializer.fields.values():
        yield field
        yield from nested_fields(field)


def nested_fields(field):
    for name in ("child", "child_relation"):
        child = getattr(field, name, None)
        if child is not None:
            yield child
            yield from nested_fields(child)
    if isinstance(field, serializers.Serializer):
        yield from fields_of(field)


@pytest.mark.django_db
@pytest.mark.parametrize(("cls", "nested"), list(api_serializers()))
def test_the_fields_are_those_model_serializer_builds(cls, nested, monkeypatch):
    build(cls, nested).fields  # noqa: B018  (builds the templates, if not built yet)
    cached = build(cls, nested).fields  # from the templates
    with monkeypatch.context() as patch:
        patch.setattr(StrictModelSerializer, "get_fields", serializers.ModelSerializer.get_fields)
        generic = build(cls, nested).fields
    assert list(cached) == list(generic)
    for name in generic:
        assert shape(cached[name]) == shape(generic[name]), name
        if not isinstance(generic[name], serializers.BaseSerializer):
            # A copied field holds what DRF's own construction sets, bound the same way.
            assert state(cached[name]) == state(generic[name]), name


# A field's parent (another serializer in each case) and its place in DRF's creation order.
UNCOMPARED = {"parent", "_creation_counter"}


def state(field):
    """A bound field's attributes, but those that differ between any two fields."""
    return {key: comparable(value) for key, value in vars(field).items() if key not in UNCOMPARED}


@pytest.mark.django_db
@pytest.mark.parametrize(("cls", "nested"), list(api_serializers()))
def test_no_field_is_shared_between_two_serializers(cls, nested):
    first, second = build(cls, nested), build(cls, nested)
    mine = {id(field) for field in fields_of(first)}
    shared = [field for field in fields_of(second) if id(field) in mine]
    assert shared == []
    for field in fields_of(second):
        assert field.parent is not None
        assert field.parent is not first


def test_the_templates_are_never_bound():
    """A bound template would carry the parent (so the request) it was bound to."""
    for cls, nested in [(p.values[0], p.values[1]) for p in api_serializers()]:
        build(cls, nested).fields  # noqa: B018  (builds the templates)
    assert core_serializers._FIELD_TEMPLATES
    for templates in core_serializers._FIELD_TEMPLATES.values():
        for _name, field, _method in templates:
            assert field.field_name is None
            assert field.parent is None


def test_each_field_is_cloned_the_way_that_is_exact_for_it():
    child = serializers.CharField()
    assert clone_method(serializers.CharField(max_length=3, validators=[len])) == COPY_ATTRIBUTES
    styled = serializers.CharField(style={"base_template": "textarea.html"})
    assert clone_method(styled) == COPY_ATTRIBUTES
    # A field that makes a field of its own is built anew, not given its template's.
    assert clone_method(serializers.ListField()) == REBUILD
    assert clone_method(ContentSerializer(read_only=True)) == REBUILD
    assert clone_method(serializers.ListField(child=child)) == DEEP_COPY
    relation = serializers.PrimaryKeyRelatedField(read_only=True)
    assert clone_method(serializers.ManyRelatedField(child_relation=relation)) == DEEP_COPY
    assert clone_method(serializers.JSONField(default=[])) == DEEP_COPY
    assert clone_method(serializers.ChoiceField(choices=[1, 2], initial={"a": child})) == DEEP_COPY


def test_the_guard_sees_shared_fields(monkeypatch):
    """The independence test can fail: templates handed out as they are (no clone) are
    shared with the first serializer; binding them again is refused by DRF or seen."""

    def uncloned(self):
        key = (type(self), getattr(self, "nested", False))
        templates = core_serializers._FIELD_TEMPLATES.setdefault(key, {})
        if not templates:
            templates.update(serializers.ModelSerializer.get_fields(self))
        return dict(templates)

    monkeypatch.setattr(core_serializers, "_FIELD_TEMPLATES", {})
    monkeypatch.setattr(StrictModelSerializer, "get_fields", uncloned)
    from quotes.api.serializers import QuoteSerializer

    first, second = QuoteSerializer(), QuoteSerializer()
    mine = {id(field) for field in fields_of(first)}

    def shared_fields():
        return [field for field in fields_of(second) if id(field) in mine]

    try:  # DRF refuses to bind a field twice, or the shared fields are seen
        shared = shared_fields()
    except AssertionError as refusal:
        shared = [refusal]
    assert shared


@pytest.mark.django_db
def test_reads_and_refused_writes_leave_the_templates_as_they_were(seeded, researcher, monkeypatch):
    """A copied field shares its template's containers (validators, choices, error messages,
    querysets): reading every resource and sending refused writes must change none of them."""
    from config.api import router
    from tests.api.mixins import list_url

    def snapshot():
        return {
            key: [(name, state(field)) for name, field, _method in templates]
            for key, templates in core_serializers._FIELD_TEMPLATES.items()
        }

    urls = [list_url(basename) for _prefix, _viewset, basename in router.registry]
    monkeypatch.setattr(core_serializers, "_FIELD_TEMPLATES", {})
    for cls, nested in [(p.values[0], p.values[1]) for p in api_serializers()]:
        build(cls, nested).fields  # noqa: B018  (the templates, as first built)
    before = snapshot()
    for url in urls:
        assert researcher.get(url).status_code == 200, url
        body = {"text": "x" * 5000, "slug": "Not a slug!", "count": -1}
        researcher.post(url, body, format="json")
    after = snapshot()
    assert {key: after[key] for key in before} == before  # (writes may add templates)


@pytest.mark.django_db
def test_the_guard_sees_a_shared_container_changed(seeded, researcher, monkeypatch):
    """The test above can fail: a read that writes into its field's error messages (shared
    with the template) is seen."""
    from core.api.fields import StrictCharField

    to_representation = StrictCharField.to_representation

    def writing(self, value):
        self.error_messages["seen"] = "a read wrote here"
        return to_representation(self, value)

    monkeypatch.setattr(StrictCharField, "to_representation", writing)
    with pytest.raises(AssertionError):
        test_reads_and_refused_writes_leave_the_templates_as_they_were(
            seeded, researcher, monkeypatch
        )
