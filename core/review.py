"""The review workflow, and the one rule of who sees what: drafts are for researchers.

A record of a `ReviewedModel` is a draft, reviewed or published. A user who may view the model
(a researcher, staff) sees every record; everyone else sees the published ones only, and to
them the others do not exist: not in a list or a count, a 404 in detail and history, never
drawn at random, not exported, not reachable through a filter, a nested relation or a
statistic, and not named in a published record's history.

Every place that shows or reaches a record asks this module, and nothing else decides it: a
model joins the workflow by subclassing `ReviewedModel`, and the API, the filters and the
history follow.

It also holds the one rule of who moves a record between the states (`TRANSITIONS`), checked by
`check_write()` for every write of the API and the admin, and applied by `change_status()` for
the admin's bulk actions:

- draft ↔ reviewed: whoever may change the model (the researchers);
- into or out of published: whoever has `<app>.publish_<model>` (the editors group, staff),
  and only with a reason, which the history keeps beside who made the change;
- a new record is a draft, or is created in the state that the transition from draft to it
  allows the user;
- while a record stays published, the fields it declares `locked_while_published` (a quote's
  words and span) cannot change, for anyone: it goes back to review first (with a reason),
  and is published again (with a reason). The public never sees a published record rewritten.
"""

import contextlib
import contextvars
from collections.abc import Mapping

from django.db import models, transaction
from simple_history.utils import get_history_manager_for_model


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

    # The fields that cannot change while the record stays published (see check_write()).
    locked_while_published: tuple[str, ...] = ()

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
        answer = False
    else:
        meta = model._meta
        answer = user.has_perm(f"{meta.app_label}.view_{meta.model_name}")
    asked = _asked.get()
    if asked is not None:
        asked.append((model, answer))
    return answer


# The answers of sees_drafts() while recording_visibility() records them.
_asked: contextvars.ContextVar[list | None] = contextvars.ContextVar("asked", default=None)


@contextlib.contextmanager
def recording_visibility():
    """Record what sees_drafts() answers inside the block: [(model, sees drafts), ...], what
    the code run in it decided about visibility (core.compiled keys a query's shape on it)."""
    asked = []
    token = _asked.set(asked)
    try:
        yield asked
    finally:
        _asked.reset(token)


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


# -- transitions: who moves a record from one state to another --------------------------------

# The permission each transition needs, by (from, to): `change` is the model's own change
# permission (the researchers have it), `publish` the workflow's (publish_permission()).
CHANGE, PUBLISH = "change", "publish"
TRANSITIONS = {
    (ReviewStatus.DRAFT, ReviewStatus.REVIEWED): CHANGE,
    (ReviewStatus.REVIEWED, ReviewStatus.DRAFT): CHANGE,
    (ReviewStatus.DRAFT, ReviewStatus.PUBLISHED): PUBLISH,
    (ReviewStatus.REVIEWED, ReviewStatus.PUBLISHED): PUBLISH,
    (ReviewStatus.PUBLISHED, ReviewStatus.REVIEWED): PUBLISH,
    (ReviewStatus.PUBLISHED, ReviewStatus.DRAFT): PUBLISH,
}

# The field of a write (API body, admin form) that says why; simple-history keeps it in
# `history_change_reason`, a column of 100 characters.
REASON_FIELD = "change_reason"
REASON_MAX_LENGTH = 100


def publish_permission(model) -> str:
    """The permission to publish and unpublish records of `model`: "quotes.publish_quote"."""
    meta = model._meta
    return f"{meta.app_label}.{PUBLISH}_{meta.model_name}"


def may_publish(user, model) -> bool:
    """Whether `user` may publish and unpublish records of `model`."""
    return user is not None and user.has_perm(publish_permission(model))


def needs_reason(old: str, new: str) -> bool:
    """Whether moving a record from `old` to `new` must say why: publishing, unpublishing."""
    return TRANSITIONS.get((old, new)) == PUBLISH


class TransitionRefused(Exception):
    """A write the review workflow refuses; `errors` maps each field it names to why."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


class TransitionNotPermitted(TransitionRefused):
    """The user's role may not make this transition (the API answers 403)."""


class ReasonRequired(TransitionRefused):
    """Publishing or unpublishing without saying why (the API answers 400 on the reason)."""


class LockedWhilePublished(TransitionRefused):
    """A change to what a published record may not change while it stays published (409)."""


def _label(status) -> str:
    return ReviewStatus(status).label.lower()


def check_write(model, stored, changes: Mapping, *, user, reason: str = "") -> None:
    """Refuse, by raising a TransitionRefused, a write that the workflow does not allow `user`.

    `stored` is the record as it stands in the database (None for a creation, which starts
    from draft); `changes` maps the fields written to their new values (a serializer's
    validated data, a form's cleaned data: fields left out keep their value). Checked in this
    order: the transition's permission, its reason, then what a published record locks.
    """
    old = stored.status if stored is not None else ReviewStatus.DRAFT
    new = changes.get("status") or old
    if new != old and (old, new) not in TRANSITIONS:
        raise TransitionNotPermitted({"status": f"No transition leads from {old!r} to {new!r}."})
    needed = TRANSITIONS.get((old, new)) if new != old else None
    if needed is not None:
        meta = model._meta
        permission = (
            publish_permission(model)
            if needed == PUBLISH
            else f"{meta.app_label}.{CHANGE}_{meta.model_name}"
        )
        if user is None or not user.has_perm(permission):
            noun, to = model._meta.verbose_name, _label(new)
            doing = f"Creating a {noun} as {to}" if stored is None else f"Moving a {noun} from "
            if stored is not None:
                doing += f"{_label(old)} to {to}"
            raise TransitionNotPermitted(
                {
                    "status": f"{doing} needs the permission {permission}: only editors "
                    "publish and unpublish."
                }
            )
        if needed == PUBLISH and not (reason or "").strip():
            raise ReasonRequired(
                {
                    REASON_FIELD: f"Say why the {model._meta.verbose_name} goes from "
                    f"{_label(old)} to {_label(new)}: the reason is kept in its history, with "
                    "your name."
                }
            )
    if stored is not None and old == new == ReviewStatus.PUBLISHED:
        locked = [
            name
            for name in model.locked_while_published
            if name in changes and _differs(stored, name, changes[name])
        ]
        if locked:
            fields = ", ".join(locked)
            message = (
                f"A published {model._meta.verbose_name}'s {fields} cannot change while it stays "
                "published: return it to review first (status draft or reviewed, with a "
                f"{REASON_FIELD}; it may be corrected in the same write), then publish it again."
            )
            raise LockedWhilePublished(dict.fromkeys(locked, message))


def _differs(stored, name, value) -> bool:
    """Whether `value` (a model instance for a relation) differs from the stored field's."""
    field = stored._meta.get_field(name)
    if field.is_relation:
        value = getattr(value, "pk", value)
        return value != getattr(stored, field.attname)
    return value != getattr(stored, name)


def mark_written(record, *, user, reason: str = "") -> None:
    """Have the next save of `record` record in its history who made it and why."""
    if getattr(user, "pk", None) is not None:
        record._history_user = user
    record._change_reason = (reason or "").strip() or None


def record_creation_reason(record, reason: str = "") -> None:
    """Give the versions of a record just created (its creation, and the many-to-many links
    set with it) the reason it was created for: for a creation that is not saved by hand."""
    reason = (reason or "").strip()
    if reason:
        get_history_manager_for_model(record).update(history_change_reason=reason)
        record._change_reason = reason


@transaction.atomic
def change_status(records, status: str, *, user, reason: str = "") -> int:
    """Move every record of `records` (a queryset of one model) to `status`: all or none.

    Each record's transition is checked first (check_write()), under a row lock; then each is
    validated and saved on its own, so that every change reaches the history with `user` and
    `reason`. Returns the number of records changed (those already in `status` are left).
    """
    model = records.model
    # Locked by primary key on the bare table: the caller's queryset may have joins.
    pks = list(records.values_list("pk", flat=True))
    rows = model._base_manager.select_for_update().filter(pk__in=pks).exclude(status=status)
    pending = list(rows.order_by("pk"))
    for record in pending:
        check_write(model, record, {"status": status}, user=user, reason=reason)
    for record in pending:
        record.status = status
        record.full_clean()
        mark_written(record, user=user, reason=reason)
        record.save(update_fields=["status", "updated_at"])
    return len(pending)
