"""The review workflow's rules (core/review.py): who sees a draft, and who moves a record from
one state to another (the transitions, their reasons, what a published record locks)."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.core.exceptions import ValidationError
from django.core.management import call_command

from core import review
from core.registry import content_models, reviewed_models
from core.roles import EDITORS, RESEARCHERS
from quotes.models import Quote, Speaker, TroopFigure
from tests.factories import QuoteFactory, SourceFactory, SpeakerFactory, TroopFigureFactory, span_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    researcher = User.objects.create_user("researcher")
    researcher.groups.add(Group.objects.get(name=RESEARCHERS))
    editor = User.objects.create_user("editor")
    editor.groups.add(Group.objects.get(name=RESEARCHERS), Group.objects.get(name=EDITORS))
    return {
        "anonymous": AnonymousUser(),
        "nobody": None,
        "reader": User.objects.create_user("reader"),
        "researcher": researcher,
        "editor": editor,
        "superuser": User.objects.create_superuser("root", "r@example.org", "x"),
    }


SEES_DRAFTS = {
    "anonymous": False,
    "nobody": False,
    "reader": False,
    "researcher": True,
    "editor": True,
    "superuser": True,
}


@pytest.mark.parametrize("who", SEES_DRAFTS)
def test_drafts_are_for_those_who_may_view_the_model(users, who):
    published = QuoteFactory(status="published")
    hidden = [QuoteFactory(status="draft"), QuoteFactory(status="reviewed")]
    user = users[who]
    visible = set(review.visible(Quote.objects.all(), user).values_list("pk", flat=True))
    everything = {published.pk, *(quote.pk for quote in hidden)}
    assert visible == (everything if SEES_DRAFTS[who] else {published.pk})
    assert review.sees_drafts(user, Quote) is SEES_DRAFTS[who]
    assert review.is_visible(published, user)
    for quote in hidden:
        assert review.is_visible(quote, user) is SEES_DRAFTS[who]
        assert review.visible_pk(Quote, quote.pk, user) is SEES_DRAFTS[who]
    assert set(Quote.objects.visible_to(user).values_list("pk", flat=True)) == visible


@pytest.mark.parametrize("who", SEES_DRAFTS)
def test_records_without_review_are_seen_by_everyone(users, who):
    speaker = SpeakerFactory()
    assert not review.is_reviewed(Speaker)
    assert review.sees_drafts(users[who], Speaker)
    assert review.is_visible(speaker, users[who])
    assert list(review.visible(Speaker.objects.all(), users[who])) == [speaker]


def test_a_model_is_reviewed_when_it_subclasses_reviewed_model():
    assert review.is_reviewed(Quote)
    assert review.is_reviewed(TroopFigure)
    assert review.is_reviewed(Quote())  # an instance says the same as its class
    assert not review.is_reviewed(Speaker)


def test_the_public_history_holds_published_versions_only(users):
    quote = QuoteFactory(status="published", note="first")
    quote.status, quote.note = "draft", "drafted"
    quote.save()
    quote.status, quote.note = "published", "second"
    quote.save()
    for who, sees in SEES_DRAFTS.items():
        versions = review.visible_versions(quote.history.all(), Quote, users[who])
        notes = sorted(versions.values_list("note", flat=True))
        assert notes == (["drafted", "first", "second"] if sees else ["first", "second"]), who


# ------------------------------------------------------------------------------------------
# Transitions: who moves a record from one state to another
# ------------------------------------------------------------------------------------------

DRAFT, REVIEWED, PUBLISHED = "draft", "reviewed", "published"
EVERY_MOVE = [
    (old, new) for old in review.ReviewStatus for new in review.ReviewStatus if old != new
]
# Who may make each move: researchers between draft and reviewed, editors (and superusers)
# every one; those who may not change the model, none.
MAY_MOVE = {
    "anonymous": set(),
    "nobody": set(),
    "reader": set(),
    "researcher": {(DRAFT, REVIEWED), (REVIEWED, DRAFT)},
    "editor": set(EVERY_MOVE),
    "superuser": set(EVERY_MOVE),
}
REASON = "Checked against the recording."


def make(model, **fields):
    factory = {Quote: QuoteFactory, TroopFigure: TroopFigureFactory}[model]
    return factory(**fields)


def test_the_moves_are_every_pair_of_states_and_the_table_says_who_makes_each():
    assert set(review.TRANSITIONS) == set(EVERY_MOVE)
    publishing = {move for move in EVERY_MOVE if PUBLISHED in move}
    assert {m for m, needs in review.TRANSITIONS.items() if needs == review.PUBLISH} == publishing
    assert all(review.needs_reason(*move) for move in publishing)
    assert not review.needs_reason(DRAFT, REVIEWED)
    assert not review.needs_reason(REVIEWED, DRAFT)


@pytest.mark.parametrize("model", reviewed_models(), ids=lambda m: m._meta.label)
@pytest.mark.parametrize("who", MAY_MOVE)
@pytest.mark.parametrize(("old", "new"), EVERY_MOVE, ids=lambda s: s)
def test_each_move_is_made_by_the_roles_that_may(users, model, who, old, new):
    record = make(model, status=old)
    allowed = (old, new) in MAY_MOVE[who]
    if allowed:
        review.check_write(model, record, {"status": new}, user=users[who], reason=REASON)
    else:
        with pytest.raises(review.TransitionNotPermitted) as refused:
            review.check_write(model, record, {"status": new}, user=users[who], reason=REASON)
        assert set(refused.value.errors) == {"status"}


@pytest.mark.parametrize(("old", "new"), EVERY_MOVE, ids=lambda s: s)
def test_publishing_and_unpublishing_need_a_reason(users, old, new):
    record = make(Quote, status=old)
    for reason in ("", "   "):
        if review.needs_reason(old, new):
            with pytest.raises(review.ReasonRequired) as refused:
                review.check_write(
                    Quote, record, {"status": new}, user=users["editor"], reason=reason
                )
            assert set(refused.value.errors) == {review.REASON_FIELD}
        else:
            review.check_write(Quote, record, {"status": new}, user=users["editor"], reason=reason)


def test_a_role_that_may_not_move_is_told_so_before_the_reason(users):
    """A researcher publishing without a reason learns that they may not publish at all."""
    record = make(Quote, status=REVIEWED)
    with pytest.raises(review.TransitionNotPermitted):
        review.check_write(Quote, record, {"status": PUBLISHED}, user=users["researcher"])


@pytest.mark.parametrize(
    ("who", "status", "refusal"),
    [
        ("researcher", DRAFT, None),
        ("researcher", REVIEWED, None),
        ("researcher", PUBLISHED, review.TransitionNotPermitted),
        ("editor", PUBLISHED, None),
        ("reader", REVIEWED, review.TransitionNotPermitted),
    ],
)
def test_a_new_record_is_created_in_a_state_a_draft_may_move_to(users, who, status, refusal):
    changes = {"status": status}
    if refusal is None:
        review.check_write(Quote, None, changes, user=users[who], reason=REASON)
        review.check_write(Quote, None, {}, user=users[who])  # no status: a draft
    else:
        with pytest.raises(refusal):
            review.check_write(Quote, None, changes, user=users[who], reason=REASON)


def test_creating_a_published_record_needs_a_reason(users):
    with pytest.raises(review.ReasonRequired):
        review.check_write(Quote, None, {"status": PUBLISHED}, user=users["editor"])


def test_the_publish_permission_is_named_after_the_model():
    assert review.publish_permission(Quote) == "quotes.publish_quote"
    assert review.publish_permission(TroopFigure) == "quotes.publish_troopfigure"


def test_every_reviewed_model_has_a_publish_permission_that_editors_hold_and_researchers_not(db):
    editors = set(Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True))
    researchers = Group.objects.get(name=RESEARCHERS).permissions
    for model in reviewed_models():
        codename = review.publish_permission(model).split(".")[1]
        assert Permission.objects.filter(codename=codename).count() == 1
        assert codename in editors
        assert not researchers.filter(codename=codename).exists()
    # Editors curate as researchers do, and besides publish; they delete nothing.
    assert not {name for name in editors if name.startswith("delete_")}
    assert len(editors) == 3 * len(content_models()) + len(reviewed_models())


@pytest.mark.parametrize("editor", [False, True])
def test_create_researcher_makes_an_editor_on_request(db, editor):
    options = {"editor": True} if editor else {}
    call_command("create_researcher", "ann", stdout=io.StringIO(), stderr=io.StringIO(), **options)
    user = User.objects.get(username="ann")
    assert user.is_staff
    assert user.has_perm("quotes.change_quote")
    assert user.has_perm(review.publish_permission(Quote)) is editor
    assert review.may_publish(user, TroopFigure) is editor


# -- what a published record locks ----------------------------------------------------------


def other_span(quote):
    """Another span of the quote's source, with its text."""
    start, end = span_of(quote.source.text, "reckless")
    return {"start": start, "end": end, "text": "reckless"}


@pytest.mark.parametrize("who", ["researcher", "editor", "superuser"])
@pytest.mark.parametrize(
    "change",
    [
        other_span,
        lambda quote: {"text": quote.text.upper()},
        lambda quote: {"source": SourceFactory()},
        lambda quote: {"end": quote.end - 1},
    ],
    ids=["span", "text", "source", "end"],
)
def test_a_published_quotes_words_and_span_cannot_change_while_it_stays_published(
    users, who, change
):
    quote = make(Quote, status=PUBLISHED)
    changes = change(quote)
    for status in ({}, {"status": PUBLISHED}):
        with pytest.raises(review.LockedWhilePublished) as refused:
            review.check_write(Quote, quote, {**changes, **status}, user=users[who], reason=REASON)
        assert set(refused.value.errors) == set(changes)


def test_what_a_published_quote_does_not_lock_changes_freely(users):
    quote = make(Quote, status=PUBLISHED)
    same_span = {"source": quote.source, "start": quote.start, "end": quote.end, "text": quote.text}
    review.check_write(Quote, quote, {**same_span, "note": "x"}, user=users["researcher"])
    review.check_write(Quote, quote, {"kind": "fragment"}, user=users["researcher"])


@pytest.mark.parametrize("status", [DRAFT, REVIEWED])
def test_a_quote_leaving_publication_may_be_corrected_in_the_same_write(users, status):
    quote = make(Quote, status=PUBLISHED)
    changes = {"status": status, **other_span(quote)}
    review.check_write(Quote, quote, changes, user=users["editor"], reason=REASON)
    with pytest.raises(review.TransitionNotPermitted):
        review.check_write(Quote, quote, changes, user=users["researcher"], reason=REASON)


@pytest.mark.parametrize("status", [DRAFT, REVIEWED])
def test_a_quote_not_published_changes_its_words_freely(users, status):
    quote = make(Quote, status=status)
    review.check_write(Quote, quote, other_span(quote), user=users["researcher"])
    # And an editor may publish it corrected, in one write.
    changes = {"status": PUBLISHED, **other_span(quote)}
    review.check_write(Quote, quote, changes, user=users["editor"], reason=REASON)


def test_troop_figures_lock_nothing():
    assert TroopFigure.locked_while_published == ()
    assert Quote.locked_while_published == ("source", "start", "end", "text")


# -- change_status(): the bulk moves ------------------------------------------------------------


def test_change_status_records_who_and_why_in_each_history(users):
    quotes = [make(Quote, status=REVIEWED) for _ in range(3)]
    already = make(Quote, status=PUBLISHED)
    selected = Quote.objects.filter(pk__in=[q.pk for q in [*quotes, already]])
    changed = review.change_status(selected, PUBLISHED, user=users["editor"], reason=REASON)
    assert changed == 3
    for quote in quotes:
        latest = quote.history.first()
        assert (latest.status, latest.history_change_reason) == (PUBLISHED, REASON)
        assert latest.history_user == users["editor"]
    assert already.history.count() == 1, "a record already published is left as it is"


def test_change_status_changes_all_or_none(users):
    reviewed, published = make(Quote, status=REVIEWED), make(Quote, status=PUBLISHED)
    selected = Quote.objects.filter(pk__in=[reviewed.pk, published.pk])
    versions = Quote.history.count()
    # The researcher may move the reviewed one to draft, not unpublish the other: neither moves.
    with pytest.raises(review.TransitionNotPermitted):
        review.change_status(selected, DRAFT, user=users["researcher"], reason=REASON)
    with pytest.raises(review.ReasonRequired):
        review.change_status(selected, DRAFT, user=users["editor"])
    assert Quote.history.count() == versions
    assert {q.status for q in Quote.objects.filter(pk__in=[reviewed.pk, published.pk])} == {
        REVIEWED,
        PUBLISHED,
    }


def test_change_status_validates_what_it_publishes(users):
    quote = make(Quote, status=REVIEWED)
    Quote.objects.filter(pk=quote.pk).update(text="not the words at the span")
    with pytest.raises(ValidationError):
        review.change_status(
            Quote.objects.filter(pk=quote.pk), PUBLISHED, user=users["editor"], reason=REASON
        )
    quote.refresh_from_db()
    assert quote.status == REVIEWED
