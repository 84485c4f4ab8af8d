"""The review workflow, and the one rule of who sees what: drafts are for researchers.

A record of a `ReviewedModel` is a draft, reviewed or published. A user who may view the model
(a researcher, staff) sees every record; everyone else sees the published ones only, and to
them the others do not exist: not in a list or a count, a 404 in detail and history, never
drawn at random, not exported, not reachable through a filter, a nested relation or a
statistic, and not named in a published record's history.

Every place that shows or reaches a record asks this module, and nothing else decides it: a
model joins the workflow by subclassing `ReviewedModel`, and the API, the filters and the
history follow.
"""

from django.db import models


class ReviewStatus(models.TextChoices):
    """A record's review state. Only published records are shown to the public."""

    DRAFT = "draft", "Draft"
    REVIEWED = "reviewed", "Reviewed"
    PUBLISHED = "published", "Published"


class ReviewedQuerySet(models.QuerySet):
    """Queries over a reviewed model, with its visibility rule."""

    def visible_to(self, user):
        """The records `user` may see."""
        return visible(self, user)


class ReviewedModel(models.Model):
    """Abstract base of records that are reviewed before the public sees them."""

    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, db_index=True
    )

    class Meta:
        abstract = True


def is_reviewed(model) -> bool:
    """Whether records of `model` (a class or an instance) go through review."""
    model = model if isinstance(model, type) else type(model)
    return issubclass(model, ReviewedModel)


def sees_drafts(user, model) -> bool:
    """Whether `user` sees every record of `model`: those who may view it (researchers)."""
    if not is_reviewed(model):
        return True
    if user is None:
        return False
    meta = model._meta
    return user.has_perm(f"{meta.app_label}.view_{meta.model_name}")


def visible(queryset, user):
    """`queryset` narrowed to the records `user` may see."""
    if sees_drafts(user, queryset.model):
        return queryset
    return queryset.filter(status=ReviewStatus.PUBLISHED)


def is_visible(record, user) -> bool:
    """Whether `user` may see `record`."""
    if not is_reviewed(record) or record.status == ReviewStatus.PUBLISHED:
        return True
    return sees_drafts(user, type(record))


def visible_versions(versions, model, user):
    """The versions of a `model` record's history that `user` may see.

    The public sees published versions only: what was drafted in between is not theirs to see.
    """
    if sees_drafts(user, model):
        return versions
    return versions.filter(status=ReviewStatus.PUBLISHED)


def visible_pk(model, pk, user) -> bool:
    """Whether the record of `model` with this primary key exists for `user`."""
    return visible(model._base_manager.filter(pk=pk), user).exists()
