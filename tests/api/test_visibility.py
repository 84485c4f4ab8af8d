"""Who sees a draft: the one rule of core/review.py, held for every reviewed resource.

Quotes and troop figures (every `ReviewedModel`) are draft, reviewed or published, and drafts
(and reviewed records) are for users who may view the model (researchers, staff). To everyone
else they do not exist: not in lists or counts, a 404 (not a 403) in detail and history, never
drawn by random/, not in the CSV export, not reachable through filters, nested relations or
statistics, and not named by a published record's history.

The first test walks every route of the API for every reviewed model of the registry; the
others pin the rule down on hand-built cases, for each kind of user.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User

from config.api import router
from core.filtersets import RelatedFilter
from core.registry import content_apps, content_models, reviewed_models
from core.review import is_reviewed
from quotes.models import Quote, Speaker, TroopFigure
from tests.api.mixins import detail_url, list_url, row_counts
from tests.api.specs import SPECS, spec_for
from tests.conftest import client_for
from tests.factories import QuoteFactory, SpeakerFactory, TroopFigureFactory

ANONYMOUS, READER, RESEARCHER, STAFF = USERS = ("anonymous", "reader", "researcher", "staff")


# ------------------------------------------------------------------------------------------
# Every route, every reviewed model
# ------------------------------------------------------------------------------------------


def hidden_world(model):
    """A published, a draft and a reviewed record of `model`, with every relation to it that
    the content models have pointing at the hidden ones: what a leak would go through."""
    spec = spec_for(model)
    published = spec.make(status="published")
    hidden = [spec.make(status="draft"), spec.make(status="reviewed")]
    for draft in hidden:
        for other in content_models():
            for field in other._meta.concrete_fields:
                if not (field.many_to_one and field.related_model is model):
                    continue
                if other is model:
                    # A published record that points at the draft (a part of a draft whole),
                    # and the draft pointing at a published one (a draft part of a whole).
                    spec.make(status="published", **{field.name: draft})
                    setattr(draft, field.name, published)
                    draft.save()
                elif other in {s.model for s in SPECS.values()}:
                    spec_for(other).make(**{field.name: draft})
    return published, hidden


def briefs_in(value):
    """Every object with an id and a url anywhere in a JSON document."""
    if isinstance(value, dict):
        if "id" in value and isinstance(value.get("url"), str):
            yield value
        for item in value.values():
            yield from briefs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from briefs_in(item)


def reachable_urls(client):
    """Every GET an API client can make from the API's lists: each list (and its CSV), each
    list-level action, each record's detail and history."""
    for prefix, viewset, basename in router.registry:
        if SPECS[prefix].researchers_only:
            continue  # their own test: anonymous clients get a 401 on every route
        base = list_url(basename)
        yield base + "?page_size=100"
        if viewset.csv_export is not None:
            yield base + "?format=csv"
        for extra in viewset.get_extra_actions():
            if "get" not in extra.mapping:
                continue
            if not extra.detail:
                yield f"{base}{extra.url_path}/"
        for row in client.get(base, {"page_size": 100}).json()["results"]:
            yield detail_url(basename, row["id"])
            for extra in viewset.get_extra_actions():
                if extra.detail and "get" in extra.mapping:
                    yield f"{detail_url(basename, row['id'])}{extra.url_path}/"


@pytest.mark.parametrize("model", reviewed_models(), ids=lambda model: model._meta.label)
def test_anonymous_clients_see_no_draft_on_any_route(anonymous, db, model):
    published, hidden = hidden_world(model)
    spec = spec_for(model)
    hidden_ids = {record.pk for record in hidden}
    hidden_path = re.compile(rf"/api/v1/{re.escape(spec.prefix)}/(\d+)/")
    references = {
        field.name
        for other in content_models()
        for field in other._meta.concrete_fields
        if field.many_to_one and field.related_model is model
    }
    urls = list(reachable_urls(anonymous))
    assert detail_url(spec.basename, published.pk) in urls
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        if response.get("Content-Type", "").startswith("text/csv"):
            rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
            if url.startswith(list_url(spec.basename)):
                assert not {int(row["id"]) for row in rows} & hidden_ids, url
            continue
        body = response.json()
        if response.status_code == 404:
            continue  # random/ with nothing to draw, say
        for brief in briefs_in(body):
            found = hidden_path.search(brief["url"])
            assert not (found and int(found.group(1)) in hidden_ids), (url, brief)
        for version in body.get("results", []) if url.endswith("/history/") else []:
            for change in version["changes"]:
                if change["field"] in references:
                    assert change["old"] not in hidden_ids, (url, change)
                    assert change["new"] not in hidden_ids, (url, change)
        is_page = isinstance(body.get("results"), list) and "count" in body
        if is_page and body["next"] is None and body["previous"] is None:
            assert body["count"] == len(body["results"]), url  # hidden ones are not counted
    for record in hidden:
        for url in (
            detail_url(spec.basename, record.pk),
            detail_url(spec.basename, record.pk) + "history/",
        ):
            assert anonymous.get(url).status_code == 404, url


def filters_by_reference():
    """(resource, parameter, filter, the reviewed model it points at) for every filter by a
    related record of a reviewed model, in every resource's filterset."""
    found = []
    for prefix, viewset, basename in router.registry:
        for name, flt in viewset.filterset_class.base_filters.items():
            if isinstance(flt, RelatedFilter):
                _, target = flt._relation(viewset.queryset.model)
                if target in reviewed_models():
                    found.append(pytest.param(basename, name, flt, target, id=f"{prefix}-{name}"))
    return found


def test_every_reference_to_a_reviewed_record_has_its_filter_checked():
    """A reviewed model that another record points at can be filtered on: the test below has
    a case for it (troop figures' parent, today)."""
    targets = {param.values[3] for param in filters_by_reference()}
    pointed_at = {
        field.related_model
        for model in content_models()
        for field in model._meta.concrete_fields
        if field.many_to_one and field.related_model in reviewed_models()
    }
    assert targets == pointed_at


@pytest.mark.parametrize(("basename", "name", "flt", "model"), filters_by_reference())
def test_no_filter_reaches_a_draft(anonymous, db, basename, name, flt, model):
    """Filtering by a hidden record (by id or by slug) answers as for a missing one; by a
    published one, it finds what points at it (the control)."""
    spec = next(s for s in SPECS.values() if s.basename == basename)
    if spec.researchers_only:
        # Its readers see every draft; to anyone else the filter is as closed as the list.
        assert anonymous.get(list_url(basename), {name: 1}).status_code == 401
        return
    published, hidden = hidden_world(model)
    extra = {"status": "published"} if is_reviewed(spec.model) else {}
    spec.make(**extra, **{flt.field_name: published})
    for record in [*hidden, published]:
        value = record.pk if flt.to_field == "pk" else getattr(record, flt.to_field)
        missing = 999_999 if flt.to_field == "pk" else "no-such-record"
        found = anonymous.get(list_url(basename), {name: value})
        unknown = anonymous.get(list_url(basename), {name: missing})
        assert found.status_code == unknown.status_code == 200, name
        assert unknown.json()["results"] == []
        if record is published:
            assert found.json()["results"], "a published record is found by the filter"
        else:
            assert found.json()["results"] == [], name


def test_the_published_status_is_named_in_core_review_only():
    """Whether a record is published is asked in core/review.py only: no other module of the
    app compares or filters a status with the published one, so none can re-implement the rule
    (and forget a place). Setting a status (the admin's publish action) is not asking."""
    published = re.compile(
        r"""status(__in|__exact)?\s*==?\s*(ReviewStatus\.PUBLISHED|["']published["'])"""
        r"""|["']published["']"""
    )
    offenders = []
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        relative = path.relative_to(settings.BASE_DIR)
        if relative.parts[0] in {".venv", "tests", "bench"} or "migrations" in relative.parts:
            continue  # the tests and the benchmark's generator set statuses; they decide nothing
        if relative.as_posix() != "core/review.py" and published.search(path.read_text("utf-8")):
            offenders.append(relative.as_posix())
    assert offenders == []
    assert published.search((Path(settings.BASE_DIR) / "core" / "review.py").read_text("utf-8"))


# ------------------------------------------------------------------------------------------
# The rule, case by case, for each kind of user
# ------------------------------------------------------------------------------------------

SEES_DRAFTS = {ANONYMOUS: False, READER: False, RESEARCHER: True, STAFF: True}


@dataclass
class Reviewed:
    """A speaker with a published, a draft and a reviewed quote; troop figures likewise."""

    speaker: Speaker
    published: Quote
    draft: Quote
    reviewed: Quote
    whole: TroopFigure  # published, with a published part and a draft part
    public_part: TroopFigure
    draft_part: TroopFigure
    draft_whole: TroopFigure  # a draft with a published part
    part_of_draft: TroopFigure
    reviewed_figure: TroopFigure

    @property
    def hidden_quotes(self):
        return {self.draft.pk, self.reviewed.pk}

    @property
    def hidden_figures(self):
        return {self.draft_part.pk, self.draft_whole.pk, self.reviewed_figure.pk}


@pytest.fixture
def reviewed(db):
    speaker = SpeakerFactory(slug="reviewed-speaker")
    published = QuoteFactory(speaker=speaker, said_on=datetime.date(2010, 6, 1))
    # The draft is the earliest and the reviewed quote the latest: the public's first and last
    # dates show whether they were counted.
    draft = QuoteFactory(speaker=speaker, status="draft", said_on=datetime.date(2001, 1, 1))
    reviewed = QuoteFactory(speaker=speaker, status="reviewed", said_on=datetime.date(2020, 1, 1))
    whole = TroopFigureFactory(slug="whole", count=5000)
    public_part = TroopFigureFactory(slug="public-part", count=1000, parent=whole)
    draft_part = TroopFigureFactory(slug="draft-part", count=500, parent=whole, status="draft")
    draft_whole = TroopFigureFactory(slug="draft-whole", count=3000, status="draft")
    part_of_draft = TroopFigureFactory(slug="part-of-draft", count=700, parent=draft_whole)
    reviewed_figure = TroopFigureFactory(slug="reviewed-figure", status="reviewed")
    return Reviewed(
        speaker,
        published,
        draft,
        reviewed,
        whole,
        public_part,
        draft_part,
        draft_whole,
        part_of_draft,
        reviewed_figure,
    )


def visibility_cases():
    """One case per kind of user, with whether they see drafts."""
    return [pytest.param(user, SEES_DRAFTS[user], id=user) for user in USERS]


def ids_of(response):
    assert response.status_code == 200, response.content[:500]
    return {row["id"] for row in response.json()["results"]}


def assert_not_found(response):
    """Hidden is missing: a 404 in the error format, never a 403 that confirms existence."""
    assert response.status_code == 404, response.content[:500]
    if response.request["REQUEST_METHOD"] != "HEAD":
        assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_quote_lists_show_drafts_only_to_researchers(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    everything = {reviewed.published.pk, *reviewed.hidden_quotes}
    expected = everything if sees_drafts else {reviewed.published.pk}
    assert ids_of(client.get(list_url("quote"), {"page_size": 100})) == expected
    # Filters never reach a hidden quote: not by status, nor through its speaker or source.
    by_status = client.get(list_url("quote"), {"status": ["draft", "reviewed"]})
    assert ids_of(by_status) == (reviewed.hidden_quotes if sees_drafts else set())
    by_speaker = client.get(list_url("quote"), {"speaker": reviewed.speaker.slug})
    assert ids_of(by_speaker) == expected
    by_source = client.get(list_url("quote"), {"source_id": reviewed.draft.source_id})
    assert ids_of(by_source) == ({reviewed.draft.pk} if sees_drafts else set())
    by_date = client.get(list_url("quote"), {"said_on_before": "2005-01-01"})
    assert ids_of(by_date) == ({reviewed.draft.pk} if sees_drafts else set())


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_a_hidden_quote_is_a_404_in_detail_and_history(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    for quote in (reviewed.draft, reviewed.reviewed):
        url = detail_url("quote", quote.pk)
        for response in (client.get(url), client.head(url), client.get(url + "history/")):
            if sees_drafts:
                assert response.status_code == 200
            else:
                assert_not_found(response)
        if sees_drafts:
            assert client.get(url).json()["status"] == quote.status


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_random_never_draws_a_hidden_quote(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    random_url = list_url("quote") + "random/"
    # Only hidden quotes match: the public gets "none match", as if they did not exist.
    response = client.get(random_url, {"status": "draft"})
    if sees_drafts:
        assert response.status_code == 200
        assert response.json()["id"] == reviewed.draft.pk
    else:
        assert_not_found(response)
    # With one visible quote among the speaker's three, the public draws that one every time.
    drawn = {
        client.get(random_url, {"speaker": reviewed.speaker.slug}).json()["id"] for _ in range(8)
    }
    if sees_drafts:
        assert drawn <= {reviewed.published.pk, *reviewed.hidden_quotes}
    else:
        assert drawn == {reviewed.published.pk}


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_the_csv_export_leaves_hidden_quotes_out(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    response = client.get(list_url("quote"), {"format": "csv", "speaker": reviewed.speaker.slug})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    everything = {reviewed.published.pk, *reviewed.hidden_quotes}
    assert {int(row["id"]) for row in rows} == (
        everything if sees_drafts else {reviewed.published.pk}
    )


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_speaker_statistics_count_only_visible_quotes(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    expected = (3, "2001-01-01", "2020-01-01") if sees_drafts else (1, "2010-06-01", "2010-06-01")
    detail = client.get(detail_url("speaker", reviewed.speaker.pk)).json()
    listed = client.get(list_url("speaker"), {"ordering": "-quote_count"}).json()["results"][0]
    for body in (detail, listed):
        assert body["id"] == reviewed.speaker.pk
        assert (body["quote_count"], body["first_quote_on"], body["last_quote_on"]) == expected


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_troop_figure_lists_hide_and_do_not_count_hidden_figures(
    request, reviewed, user, sees_drafts
):
    client = request.getfixturevalue(user)
    body = client.get(list_url("troopfigure"), {"page_size": 100}).json()
    everything = set(TroopFigure.objects.values_list("pk", flat=True))
    expected = everything if sees_drafts else everything - reviewed.hidden_figures
    assert {row["id"] for row in body["results"]} == expected
    assert body["count"] == len(expected)
    by_status = client.get(list_url("troopfigure"), {"status": ["draft", "reviewed"]}).json()
    assert by_status["count"] == (3 if sees_drafts else 0)
    by_location = client.get(list_url("troopfigure"), {"q": "region"}).json()
    assert by_location["count"] == len(expected)


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_a_hidden_troop_figure_is_a_404_in_detail_and_history(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    for figure in (reviewed.draft_part, reviewed.draft_whole, reviewed.reviewed_figure):
        url = detail_url("troopfigure", figure.pk)
        for response in (client.get(url), client.get(url + "history/")):
            if sees_drafts:
                assert response.status_code == 200
            else:
                assert_not_found(response)


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_relations_do_not_reveal_hidden_figures(request, reviewed, user, sees_drafts):
    client = request.getfixturevalue(user)
    # A published whole lists only the parts the user may see.
    whole = client.get(detail_url("troopfigure", reviewed.whole.pk)).json()
    expected_parts = {reviewed.public_part.pk}
    if sees_drafts:
        expected_parts.add(reviewed.draft_part.pk)
    assert {part["id"] for part in whole["parts"]} == expected_parts
    # A published part of a draft whole shows no parent to the public.
    parent = client.get(detail_url("troopfigure", reviewed.part_of_draft.pk)).json()["parent"]
    if sees_drafts:
        assert parent["id"] == reviewed.draft_whole.pk
    else:
        assert parent is None
    # Filtering by a hidden parent is filtering by an unknown one: the same answer (an empty
    # page, or a 400 naming the parameter), so the answer does not reveal that it exists.
    by_parent = client.get(list_url("troopfigure"), {"parent_id": reviewed.draft_whole.pk})
    if sees_drafts:
        assert ids_of(by_parent) == {reviewed.part_of_draft.pk}
    else:
        missing = client.get(list_url("troopfigure"), {"parent_id": 999_999})
        assert by_parent.status_code == missing.status_code
        if missing.status_code == 200:
            assert ids_of(by_parent) == ids_of(missing) == set()
            assert by_parent.json()["count"] == 0
        else:
            assert missing.status_code == 400
            hidden_error, missing_error = by_parent.json()["errors"], missing.json()["errors"]
            assert [e["attr"] for e in hidden_error] == ["parent_id"]
            assert [e["code"] for e in hidden_error] == [e["code"] for e in missing_error]
    by_visible_parent = client.get(list_url("troopfigure"), {"parent_id": reviewed.whole.pk})
    assert ids_of(by_visible_parent) == expected_parts


@pytest.mark.parametrize(("user", "sees_drafts"), visibility_cases())
def test_history_does_not_reveal_a_hidden_parent(request, researcher, reviewed, user, sees_drafts):
    # A published figure is made part of a draft whole: a change the public may see happened
    # (the version is published), but not what it points to.
    figure = TroopFigureFactory(slug="moved-part", count=100)
    moved = researcher.patch(
        detail_url("troopfigure", figure.pk), {"parent": reviewed.draft_whole.pk}
    )
    assert moved.status_code == 200, moved.content
    client = request.getfixturevalue(user)
    history = client.get(detail_url("troopfigure", figure.pk) + "history/")
    assert history.status_code == 200
    parent_changes = [
        change
        for version in history.json()["results"]
        for change in version["changes"]
        if change["field"] == "parent"
    ]
    if sees_drafts:
        assert parent_changes == [{"field": "parent", "old": None, "new": reviewed.draft_whole.pk}]
    else:
        shown = {change["new"] for change in parent_changes} | {
            change["old"] for change in parent_changes
        }
        assert reviewed.draft_whole.pk not in shown


@pytest.mark.parametrize("user", [ANONYMOUS, READER])
def test_writing_to_a_hidden_object_answers_as_for_any_object(request, reviewed, user):
    """No oracle: a user who may not write gets the same refusal for a draft, a published and
    a missing record, so the status code does not reveal that the draft exists."""
    client = request.getfixturevalue(user)
    expected = 401 if user == ANONYMOUS else 403
    before = row_counts()
    for pk in (reviewed.draft.pk, reviewed.published.pk, 999_999):
        url = detail_url("quote", pk)
        assert client.patch(url, {"note": "x"}).status_code == expected
        assert client.delete(url).status_code == expected
    assert row_counts() == before
    assert Quote.objects.get(pk=reviewed.draft.pk).note == ""


def test_researchers_write_drafts_and_editors_publish_them(researcher, editor, anonymous, reviewed):
    url = detail_url("quote", reviewed.draft.pk)
    assert researcher.patch(url, {"note": "Checked."}).status_code == 200
    assert anonymous.get(url).status_code == 404
    publish = {"status": "published", "change_reason": "Checked."}
    assert researcher.patch(url, publish).status_code == 403  # core.review: an editor's
    assert anonymous.get(url).status_code == 404
    assert editor.patch(url, publish).status_code == 200
    assert anonymous.get(url).json()["note"] == "Checked."


def test_a_writer_who_cannot_see_drafts_cannot_attach_to_one(world):
    """A user who may add figures but not view drafts (no built-in role has this combination:
    Django permissions allow it) must not learn a draft's id from the answer, nor attach to it."""
    user = User.objects.create_user("blind-writer")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=[config.label for config in content_apps()],
            codename__regex=r"^(add|change)_",
        )
    )
    client = client_for(user)
    body = {**SPECS["troop-figures"].create(world), "count": 10}
    missing = client.post(list_url("troopfigure"), {**body, "parent": 999_999})
    assert missing.status_code == 400
    assert [error["attr"] for error in missing.json()["errors"]] == ["parent"]
    counts = row_counts()
    hidden = client.post(list_url("troopfigure"), {**body, "parent": world.draft_figure.pk})
    assert hidden.status_code == 400
    assert [error["attr"] for error in hidden.json()["errors"]] == ["parent"]
    assert hidden.json()["errors"][0]["code"] == missing.json()["errors"][0]["code"]
    assert row_counts() == counts
