"""Where statements were made: summits, conferences, briefings, written statements."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from core.dates import DatePrecision, partial_date_constraints, partial_date_errors_for
from core.history import history
from core.models import NaturalKeyManager, TimeStampedModel
from core.validators import country_code_validator
from quotes.choices import EventKind
from quotes.models.actors import Organization


class Event(TimeStampedModel):
    """Where statements were made: a summit, a conference, a press briefing, a statement, ..."""

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    starts_on = models.DateField(null=True, blank=True)
    starts_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    starts_on_inferred = models.BooleanField(default=False)
    starts_on_note = models.TextField(blank=True)
    ends_on = models.DateField(null=True, blank=True)
    ends_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    ends_on_inferred = models.BooleanField(default=False)
    ends_on_note = models.TextField(blank=True)
    place = models.CharField(max_length=200, blank=True, help_text="City, building, ...")
    country = models.CharField(max_length=2, blank=True, validators=[country_code_validator])
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    citations = models.ManyToManyField("sources.Citation", related_name="events")
    note = models.TextField(blank=True)

    objects = NaturalKeyManager()
    history = history(m2m_fields=[citations])

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [
            *partial_date_constraints("starts_on", "event"),
            *partial_date_constraints("ends_on", "event"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="event_ends_after_it_starts",
                violation_error_message="An event cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        errors = partial_date_errors_for(self, "starts_on", "ends_on")
        if self.ends_on and not self.starts_on:
            errors.setdefault("starts_on", "An event with an end date needs a start date.")
        if errors:
            raise ValidationError(errors)
