"""The fast paths of core.api, held to DRF's own code (docs/performance.md says what each buys).

Four places write out what DRF does generically:
- `StrictModelSerializer.get_fields` clones fields built once per class (see also
  tests/core/api/test_field_templates.py) instead of building them from the model each time;
- `StrictModelSerializer.to_representation` reads a plain column with getattr;
- `IdentityURLField.get_url` reverses a URL once per request and fills in each id;
- `BriefRelatedField.to_representation` writes the brief form out from `Meta.brief_fields`
  instead of building the nested serializer (its fields) for every relation of a request.

`drf_generic_paths()` puts DRF's own code back in all four places at once, at every level
of nesting, and each test renders the same requests with and without it: the responses must be
the same bytes. `test_the_guard_sees_a_mutated_fast_path` proves the comparison can fail.
"""

import contextlib
from unittest import mock

import pytest
from rest_framework import serializers

from config.api import router
from core.api.fields import IdentityURLField
from core.api.permissions import ResearchersOnlyPermissions
from core.api.serializers import BriefRelatedField, StrictModelSerializer
from quotes.models import Quote
from tests.api.mixins import api_request, detail_url, list_url
from tests.factories import QuoteCandidateFactory, TroopFigureCandidateFactory


def generic_brief(field, value):
    """DRF's way to nest a serializer: a new one for each value, run through its own code."""
    return field.serializer_class(nested=True, context=field.context).to_representation(value)


@contextlib.contextmanager
def drf_generic_paths():
    """DRF's own code in place of each fast path of core.api."""
    with (
        mock.patch.object(
            StrictModelSerializer, "get_fields", serializers.ModelSerializer.get_fields
        ),
        mock.patch.object(
            StrictModelSerializer, "to_representation", serializers.Serializer.to_representation
        ),
        mock.patch.object(
            IdentityURLField, "get_url", serializers.HyperlinkedIdentityField.get_url
        ),
        mock.patch.object(BriefRelatedField, "to_representation", generic_brief),
    ):
        yield


def readable(viewset, client):
    """Whether the client may read the resource (candidates: researchers only)."""
    researchers_only = ResearchersOnlyPermissions in viewset.permission_classes
    return not researchers_only or getattr(client, "user", None) is not None


def rendered_urls(client):
    """Every list (one page of up to 100) and the detail of a few records of each resource the
    client may read."""
    for _prefix, viewset, basename in router.registry:
        if not readable(viewset, client):
            continue
        yield list_url(basename) + "?page_size=100"
        ids = viewset.queryset.model._default_manager.order_by("pk").values_list("pk", flat=True)
        for pk in list(ids[:5]):
            yield detail_url(basename, pk)


def differences(client):
    """The URLs whose response differs between the fast paths and DRF's generic code."""
    found = []
    for url in rendered_urls(client):
        fast = client.get(url)
        with drf_generic_paths():
            generic = client.get(url)
        assert fast.status_code == generic.status_code == 200, url
        if fast.content != generic.content:
            found.append(url)
    return found


@pytest.mark.parametrize("user", ["anonymous", "researcher"])
def test_the_fast_paths_render_what_drf_renders(request, seeded, user):
    client = request.getfixturevalue(user)
    QuoteCandidateFactory.create_batch(3)  # candidates: the seed data has none
    TroopFigureCandidateFactory.create_batch(2)
    assert differences(client) == []


def test_the_fast_paths_render_the_same_with_a_format_suffix(anonymous, seeded):
    """?format=json changes every URL (DRF appends it): the templated URLs follow."""
    for url in [
        list_url("quote") + "?format=json&page_size=5",
        list_url("treaty") + "?format=json",
    ]:
        fast = anonymous.get(url)
        with drf_generic_paths():
            generic = anonymous.get(url)
        assert fast.content == generic.content, url


def shouting(to_representation):
    """A broken fast path: nested serializers (not the rows of the response itself) upper-case
    (and exclaim) their text columns."""

    def broken(self, instance):
        data = to_representation(self, instance)
        parent = self.parent
        row = parent is None or (
            isinstance(parent, serializers.ListSerializer) and not parent.parent
        )
        if row:
            return data
        return {k: f"{v.upper()}!" if isinstance(v, str) else v for k, v in data.items()}

    return broken


def test_the_guard_sees_a_mutated_fast_path(anonymous, seeded):
    """The comparison above can fail: break the fast paths of nested forms only (the read plan
    of nested serializers, the written-out brief form), and every resource that nests one
    differs from DRF's output."""
    broken_plan = shouting(StrictModelSerializer.to_representation)
    brief_form = BriefRelatedField.to_representation

    def broken_brief(field, value):
        brief = brief_form(field, value)
        return {k: f"{v.upper()}!" if isinstance(v, str) else v for k, v in brief.items()}

    with (
        mock.patch.object(StrictModelSerializer, "to_representation", broken_plan),
        mock.patch.object(BriefRelatedField, "to_representation", broken_brief),
    ):
        found = differences(anonymous)
    for resource in ("quotes", "speakers", "sources", "events", "treaties", "troop-figures"):
        assert any(f"/api/v1/{resource}/" in url for url in found), resource


@pytest.mark.parametrize("params", [{}, {"format": "json"}, {"page_size": "3"}])
def test_identity_urls_are_those_reverse_gives(seeded, params):
    request = api_request("/api/v1/quotes/", **params)
    templated = IdentityURLField(view_name="quote-detail")
    generic = serializers.HyperlinkedIdentityField(view_name="quote-detail")
    for obj in Quote.objects.order_by("pk")[:10]:
        fast = templated.get_url(obj, "quote-detail", request, None)
        assert fast == generic.get_url(obj, "quote-detail", request, None)
        assert fast == f"http://testserver/api/v1/quotes/{obj.pk}/" + (
            "?format=json" if params.get("format") else ""
        )
