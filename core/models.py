"""Abstract bases every content model shares. No concrete model lives in core."""

from django.db import models


class TimeStampedModel(models.Model):
    """Abstract base: when a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class NaturalKeyManager(models.Manager):
    """Looks rows up by their natural key, so that fixtures survive re-numbering.

    `lookups` name, in order, the fields `natural_key()` returns (`"source__slug"`, `"start"`, ...).
    """

    def __init__(self, *lookups: str):
        super().__init__()
        self.lookups = lookups or ("slug",)

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.lookups, values, strict=True)))
