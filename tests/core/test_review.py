"""The review workflow's one rule (core/review.py): who sees a draft."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from core import review
from quotes.models import Quote, Speaker, TroopFigure
from tests.factories import QuoteFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    researcher = User.objects.create_user("researcher")
    researcher.groups.add(Group.objects.get(name="researchers"))
    return {
        "anonymous": AnonymousUser(),
        "nobody": None,
        "reader": User.objects.create_user("reader"),
        "researcher": researcher,
        "superuser": User.objects.create_superuser("root", "r@example.org", "x"),
    }


SEES_DRAFTS = {
    "anonymous": False,
    "nobody": False,
    "reader": False,
    "researcher": True,
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
