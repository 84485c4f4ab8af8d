"""Treaties and their cited facts: parties, signatories, status changes and provisions."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q

from core.dates import (
    DatePrecision,
    partial_date_constraints,
    partial_date_display,
    partial_date_errors_for,
)
from core.history import history
from core.models import NaturalKeyManager, TimeStampedModel
from core.validators import country_code_validator, validate_aliases
from quotes.choices import TreatyStatusKind
from quotes.models.actors import Speaker

MAX_RANGE_KM = 50_000  # more than the Earth's circumference: no real band passes it


class Treaty(TimeStampedModel):
    """A treaty: its names, when and where it was signed, and (below) its parties and lifecycle."""

    name = models.CharField(max_length=300, unique=True)
    short_name = models.CharField(max_length=100, blank=True)
    slug = models.SlugField(max_length=100, unique=True)
    aliases = models.JSONField(default=list, blank=True, validators=[validate_aliases])
    signed_on = models.DateField(null=True, blank=True)
    signed_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    signed_on_inferred = models.BooleanField(default=False)
    signed_on_note = models.TextField(blank=True)
    signed_place = models.CharField(max_length=200, blank=True)
    citations = models.ManyToManyField("sources.Citation", related_name="treaties")
    note = models.TextField(blank=True)

    objects = NaturalKeyManager()
    history = history(m2m_fields=[citations])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "treaties"
        constraints = [*partial_date_constraints("signed_on", "treaty")]

    def __str__(self):
        return self.short_name or self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        errors = partial_date_errors_for(self, "signed_on")
        if errors:
            raise ValidationError(errors)


class TreatyFact(TimeStampedModel):
    """Abstract base of the cited facts about a treaty, each keyed by (treaty, slug)."""

    # Each subclass declares `treaty = ForeignKey(Treaty, related_name=...)`.
    slug = models.SlugField(max_length=100)

    objects = NaturalKeyManager("treaty__slug", "slug")

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["treaty", "slug"], name="%(app_label)s_%(class)s_unique_slug"
            )
        ]

    def natural_key(self):
        return (*self.treaty.natural_key(), self.slug)

    natural_key.dependencies = ["quotes.treaty"]


class TreatyParty(TreatyFact):
    """A state party to a treaty."""

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="parties")
    country = models.CharField(max_length=2, validators=[country_code_validator])
    name = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    citations = models.ManyToManyField("sources.Citation", related_name="treaty_parties")
    history = history(m2m_fields=[citations])

    class Meta(TreatyFact.Meta):
        ordering = ["treaty", "name"]
        verbose_name_plural = "treaty parties"
        constraints = [
            *TreatyFact.Meta.constraints,
            models.UniqueConstraint(fields=["treaty", "country"], name="treaty_party_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.treaty})"


class TreatySignatory(TreatyFact):
    """A person who signed a treaty, for a party."""

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="signatories")
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(max_length=200, blank=True, help_text="Role as the texts give it.")
    party_country = models.CharField(max_length=2, blank=True, validators=[country_code_validator])
    citations = models.ManyToManyField("sources.Citation", related_name="treaty_signatories")
    history = history(m2m_fields=[citations])

    class Meta(TreatyFact.Meta):
        ordering = ["treaty", "speaker__name"]
        verbose_name_plural = "treaty signatories"
        constraints = [
            *TreatyFact.Meta.constraints,
            models.UniqueConstraint(fields=["treaty", "speaker"], name="treaty_signatory_unique"),
        ]

    def __str__(self):
        return f"{self.speaker} ({self.treaty})"


class TreatyStatusEvent(TreatyFact):
    """A dated change in a treaty's status: signed, obligations suspended, terminated, ..."""

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="status_events")
    kind = models.CharField(max_length=30, choices=TreatyStatusKind.choices)
    occurred_on = models.DateField(null=True, blank=True)
    occurred_on_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True
    )
    occurred_on_inferred = models.BooleanField(default=False)
    occurred_on_note = models.TextField(blank=True)
    party_country = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_code_validator],
        help_text="The party that acted, when one did.",
    )
    description = models.TextField()
    citations = models.ManyToManyField("sources.Citation", related_name="treaty_status_events")
    history = history(m2m_fields=[citations])

    class Meta(TreatyFact.Meta):
        ordering = ["treaty", "occurred_on", "slug"]
        constraints = [
            *TreatyFact.Meta.constraints,
            *partial_date_constraints("occurred_on", "treaty_status_event"),
        ]

    def __str__(self):
        when = partial_date_display(self, "occurred_on") or "undated"
        return f"{self.treaty}: {self.get_kind_display()} ({when})"

    def clean(self):
        errors = partial_date_errors_for(self, "occurred_on")
        if errors:
            raise ValidationError(errors)


class TreatyProvision(TreatyFact):
    """A key provision, as a cited statement; range bands carry their bounds in kilometres."""

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="provisions")
    article = models.CharField(max_length=50, blank=True)
    summary = models.TextField()
    min_range_km = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_RANGE_KM)]
    )
    max_range_km = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_RANGE_KM)]
    )
    citations = models.ManyToManyField("sources.Citation", related_name="treaty_provisions")
    history = history(m2m_fields=[citations])

    class Meta(TreatyFact.Meta):
        ordering = ["treaty", "min_range_km", "slug"]
        constraints = [
            *TreatyFact.Meta.constraints,
            models.CheckConstraint(
                condition=Q(min_range_km__isnull=True)
                | Q(max_range_km__isnull=True)
                | Q(max_range_km__gt=F("min_range_km")),
                name="treaty_provision_range_ordered",
                violation_error_message="The upper bound of a range must exceed its lower bound.",
            ),
        ]

    def __str__(self):
        return f"{self.treaty}: {self.summary[:60]}"
