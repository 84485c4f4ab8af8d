"""Change history (django-simple-history): what changed between two versions of a record."""

from django.db import models
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_reverse_field_name

# Fields whose changes say nothing to a reader: bookkeeping and derived data.
UNINTERESTING = {"updated_at", "created_at", "search_vector", "sha256"}


class HistoryType(models.TextChoices):
    """What a version did to its record, in words (django-simple-history stores +, ~ and -)."""

    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"


HISTORY_TYPES = {"+": HistoryType.CREATED, "~": HistoryType.CHANGED, "-": HistoryType.DELETED}


class FieldChanges(models.Model):
    """Base of every historical model: `changes` lists each field's value before and after."""

    class Meta:
        abstract = True

    @property
    def history_action(self) -> HistoryType:
        """`history_type` in words: created, changed or deleted."""
        return HISTORY_TYPES[self.history_type]

    @property
    def changes(self) -> list[dict]:
        """[{"field", "old", "new"}] against the previous version; empty for a creation.

        A many-to-many field's value is the ids of the related records, ascending
        (`"treaties": [1, 3]`), as the resource writes it, not rows of the link table.
        """
        # The version to compare with: the previous one, unless a view chose another.
        previous = getattr(self, "compare_with", self.prev_record)
        if previous is None:
            return []
        delta = self.diff_against(previous, foreign_keys_are_objs=False)
        # A view may hide references the reader may not see (a draft): see HistoryMixin.
        hide = getattr(self, "hide_reference", lambda field, value: value)
        # simple-history gives a many-to-many field's value as link rows ({"quote": 49,
        # "treaty": 1}): keep the related record's id.
        related = {
            field.name: get_m2m_reverse_field_name(field) for field in self._history_m2m_fields
        }
        changes = []
        for change in delta.changes:
            if change.field in UNINTERESTING:
                continue
            old, new = change.old, change.new
            if change.field in related:
                key = related[change.field]
                old, new = sorted(row[key] for row in old), sorted(row[key] for row in new)
            old, new = hide(change.field, old), hide(change.field, new)
            if old != new:
                changes.append({"field": change.field, "old": old, "new": new})
        return changes


def history(**kwargs) -> HistoricalRecords:
    """HistoricalRecords configured the same way for every content model.

    Models with a `search_vector` pass `excluded_fields=["search_vector"]`: it is derived data.
    """
    return HistoricalRecords(bases=[FieldChanges], **kwargs)


def record_baselines(models, reason: str) -> int:
    """Give each record of `models` that has no history a first version: its state now.

    Fixtures load without history; without a baseline the first edit of a seeded record would
    have no "before" to show. django-simple-history's populate_history does the fields but not
    the many-to-many links, so this does both. Records that already have history are left
    alone, which makes it idempotent. Returns the number of versions created.
    """
    from simple_history.utils import get_history_manager_for_model

    created = 0
    for model in models:
        manager = get_history_manager_for_model(model)
        with_history = set(manager.values_list(model._meta.pk.attname, flat=True))
        objects = [obj for obj in model._default_manager.all() if obj.pk not in with_history]
        if not objects:
            continue
        versions = manager.bulk_history_create(objects, default_change_reason=reason)
        for version in versions:
            _record_links(version)
        created += len(versions)
    return created


def _record_links(version):
    """Copy the many-to-many links of `version.instance` into the version's link history."""
    instance = version.instance
    for field in version._history_m2m_fields:
        link_history = HistoricalRecords.m2m_models[field]
        through = getattr(instance, field.name).through
        names = [f.name for f in through._meta.fields]
        rows = through.objects.filter(**{field.m2m_field_name(): instance})
        link_history.objects.bulk_create(
            [link_history(history=version, **{n: getattr(row, n) for n in names}) for row in rows]
        )
