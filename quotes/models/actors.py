"""Who speaks: organisations and the speakers who speak for them."""

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from core.history import history
from core.models import NaturalKeyManager, TimeStampedModel
from core.validators import country_code_validator, validate_aliases, wikidata_id_validator
from quotes.choices import OrganizationKind, SpeakerKind


class Organization(TimeStampedModel):
    """A body that people speak for: NATO, the Russian Foreign Ministry, the Kremlin, ..."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices)
    country = models.CharField(max_length=2, blank=True, validators=[country_code_validator])
    aliases = models.JSONField(default=list, blank=True, validators=[validate_aliases])
    note = models.TextField(blank=True)

    objects = NaturalKeyManager()
    history = history()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class SpeakerQuerySet(models.QuerySet):
    def with_quote_statistics(self, user=None):
        """Annotate quote_count, first_quote_on and last_quote_on, over the quotes `user` may see.

        Correlated subqueries rather than a join and GROUP BY: they are computed only for the
        rows a page returns, whatever the number of quotes.
        """
        quote_model = self.model._meta.get_field("quotes").related_model
        quotes = quote_model.objects.visible_to(user).filter(speaker=OuterRef("pk")).order_by()
        dated = quotes.filter(said_on__isnull=False)
        return self.annotate(
            quote_count=Coalesce(
                Subquery(quotes.values("speaker").annotate(n=Count("pk")).values("n")), 0
            ),
            first_quote_on=Subquery(dated.order_by("said_on").values("said_on")[:1]),
            last_quote_on=Subquery(dated.order_by("-said_on").values("said_on")[:1]),
        )


class Speaker(TimeStampedModel):
    """A person or an institution that speaks (the Russian Foreign Ministry speaks in seed 000)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=12, choices=SpeakerKind.choices)
    role = models.CharField(
        max_length=200, blank=True, help_text="Role or title as the texts give it."
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="speakers"
    )
    country = models.CharField(max_length=2, blank=True, validators=[country_code_validator])
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_aliases],
        help_text="Other spellings the texts use (Makron, trump, the Foreign Ministry, ...).",
    )
    wikidata_id = models.CharField(
        "Wikidata id", max_length=20, blank=True, validators=[wikidata_id_validator]
    )
    note = models.TextField(blank=True)

    objects = NaturalKeyManager.from_queryset(SpeakerQuerySet)()
    history = history()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="speaker_unique_wikidata_id",
            )
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)
