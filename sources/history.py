"""Change history (django-simple-history): what changed between two versions of a record."""

from django.db import models
from simple_history.models import HistoricalRecords

# Fields whose changes say nothing to a reader: bookkeeping and derived data.
UNINTERESTING = {"updated_at", "created_at", "search_vector", "sha256"}


class HistoricalChanges(models.Model):
    """Base of every historical model: `changes` lists each field's value before and after."""

    class Meta:
        abstract = True

    @property
    def changes(self) -> list[dict]:
        """[{"field", "old", "new"}] against the previous version; empty for a creation."""
        previous = self.prev_record
        if previous is None:
            return []
        delta = self.diff_against(previous, foreign_keys_are_objs=False)
        return [
            {"field": change.field, "old": change.old, "new": change.new}
            for change in delta.changes
            if change.field not in UNINTERESTING
        ]


def history(**kwargs) -> HistoricalRecords:
    """HistoricalRecords configured the same way for every content model.

    Models with a `search_vector` pass `excluded_fields=["search_vector"]`: it is derived data.
    """
    return HistoricalRecords(bases=[HistoricalChanges], **kwargs)
