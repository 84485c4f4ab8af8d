"""Troop figures: cited counts of troops, whose, deployed by whom, where and as of when."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.dates import DatePrecision, partial_date_constraints, partial_date_errors_for
from core.history import history
from core.models import NaturalKeyManager, TimeStampedModel
from core.review import ReviewedModel, ReviewedQuerySet
from core.validators import country_code_validator
from quotes.models.actors import Organization

MAX_TROOP_COUNT = 10_000_000  # no real figure passes it; it also keeps the schema the same


class TroopFigure(ReviewedModel, TimeStampedModel):
    """A cited troop count: how many, whose, deployed by whom, where, as of when."""

    slug = models.SlugField(max_length=100, unique=True)
    count = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TROOP_COUNT)]
    )
    unit = models.CharField(max_length=50, default="soldiers", help_text="As the text counts.")
    contributing_country = models.CharField(
        max_length=2, blank=True, validators=[country_code_validator]
    )
    deploying_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="troop_figures",
    )
    location = models.CharField(max_length=200)
    as_of = models.DateField(null=True, blank=True)
    as_of_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    as_of_inferred = models.BooleanField(default=False)
    as_of_note = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        help_text="The larger figure this one is part of (900 of the 1,100).",
    )
    citations = models.ManyToManyField("sources.Citation", related_name="troop_figures")
    note = models.TextField(blank=True)

    objects = NaturalKeyManager.from_queryset(ReviewedQuerySet)()
    history = history(m2m_fields=[citations])

    class Meta:
        ordering = ["as_of", "-count"]
        constraints = [
            *partial_date_constraints("as_of", "troop_figure"),
            models.CheckConstraint(condition=Q(count__gt=0), name="troop_figure_count_positive"),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="troop_figure_not_its_own_part"
            ),
        ]

    def __str__(self):
        return f"{self.count:,} {self.unit} in {self.location}"

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        errors = partial_date_errors_for(self, "as_of")
        if self.parent is not None:
            errors.update(self.part_errors())
        if self.pk and self.count:
            parts = self.parts.exclude(pk=self.pk).aggregate(total=models.Sum("count"))["total"]
            if parts and parts > self.count:
                errors.setdefault(
                    "count", f"Its parts together ({parts:,}) exceed this figure ({self.count:,})."
                )
        if errors:
            raise ValidationError(errors)

    def part_errors(self) -> dict:
        """A part cannot exceed its whole, nor can the parts together; no cycles."""
        ancestor, seen = self.parent, {self.pk} if self.pk else set()
        while ancestor is not None:
            if ancestor.pk is not None and ancestor.pk in seen:
                return {"parent": "A figure cannot be part of itself."}
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
        if self.count and self.count > self.parent.count:
            return {
                "count": f"A part ({self.count:,}) cannot exceed its whole ({self.parent.count:,})."
            }
        siblings = {"total": 0}
        if self.parent.pk:  # a parent being created in the same form has no parts yet
            siblings = self.parent.parts.exclude(pk=self.pk).aggregate(total=models.Sum("count"))
        total = (siblings["total"] or 0) + (self.count or 0)
        if total > self.parent.count:
            whole = self.parent.count
            return {"count": f"The parts together ({total:,}) exceed their whole ({whole:,})."}
        return {}
