"""The filter machinery every resource's filterset is built from (django-filter)."""

import django_filters
from django import forms
from drf_spectacular.drainage import set_override

from core import review
from core.api.fields import NOT_BLANK

EMPTY_VALUE = "Give a value, or leave the parameter out."


class PresentMixin:
    """A parameter that is either left out or given a valid value: `?said_on_after=` (empty)
    is a 400, as the schema says, not silently no filter."""

    default_error_messages = {"blank": EMPTY_VALUE}

    def clean(self, value):
        if isinstance(value, str) and not value.strip():
            raise forms.ValidationError(self.error_messages["blank"], code="blank")
        return super().clean(value)


class PresentDateField(PresentMixin, forms.DateField):
    pass


class PresentChoiceField(PresentMixin, forms.TypedChoiceField):
    pass


class PresentCharField(PresentMixin, forms.CharField):
    pass


class TextFilter(django_filters.CharFilter):
    """A text parameter: `?language=` (empty) is a 400, not every row; the schema says so."""

    field_class = PresentCharField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schema = {"type": "string", "minLength": 1, "pattern": NOT_BLANK, "description": self.label}
        if self.extra.get("max_length"):
            schema["maxLength"] = self.extra["max_length"]
        set_override(self, "field", schema)


class IsoDateFilter(django_filters.DateFilter):
    field_class = PresentDateField

    def __init__(self, *args, **kwargs):
        # YYYY-MM-DD only (the schema's format), not Django's other input formats like 08/02/2019.
        kwargs["input_formats"] = ["%Y-%m-%d"]
        super().__init__(*args, **kwargs)


def date_range(field, noun):
    """Two filters, `<field>_after` and `<field>_before` (inclusive), so an error names its
    own parameter."""
    return (
        IsoDateFilter(
            field_name=field, lookup_expr="gte", label=f"{noun} on or after (YYYY-MM-DD)"
        ),
        IsoDateFilter(
            field_name=field, lookup_expr="lte", label=f"{noun} on or before (YYYY-MM-DD)"
        ),
    )


# Ids are 64-bit integers in both databases; a larger one can match nothing, so it is refused.
MAX_ID = 2**63 - 1
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


class MultipleValueField(forms.MultipleChoiceField):
    """A repeatable query parameter whose values are each cleaned by `item_field`.

    Unlike ModelMultipleChoiceField it does not look the values up: whether such an object
    exists is the filter's answer (no results), not a malformed request.
    """

    default_error_messages = {"blank": EMPTY_VALUE}

    def __init__(self, *args, item_field, **kwargs):
        self.item_field = item_field
        super().__init__(*args, **kwargs)
        # The items' errors are this parameter's errors (and so listed in the API schema).
        from_validators = {v.code: v.message for v in item_field.validators if v.code}
        self.error_messages = {
            **item_field.error_messages,
            **from_validators,
            **self.error_messages,
        }

    def valid_value(self, value):
        return True

    def clean(self, value):
        values = super().clean(value)
        # Whitespace alone is no value either ("?event=%0A"): the item field would strip it
        # and call it missing, a code the schema does not list for a parameter.
        if any(not item.strip() for item in values):
            raise forms.ValidationError(self.error_messages["blank"], code="blank")
        return [self.item_field.clean(item) for item in values]


class RelatedFilter(django_filters.MultipleChoiceFilter):
    """`?<name>=<value>` (repeatable, OR): rows whose `field_name` relation has one of the
    values in `to_field` (the id or the slug). An unknown value matches nothing, as an unknown
    text does; a malformed one (a slug with spaces, an id that is not a whole number) is a 400.
    A related record the user may not see (core.review) is as unknown as a missing one.
    """

    field_class = MultipleValueField

    def __init__(self, *args, to_field, item_field, item_schema, **kwargs):
        self.to_field = to_field
        kwargs["item_field"] = item_field
        super().__init__(*args, **kwargs)
        # The schema of one value, with the label as description (drf-spectacular takes neither
        # from an overridden filter by itself).
        set_override(self, "field", {**item_schema, "description": self.label})

    def filter(self, qs, value):
        if not value:
            return qs
        crosses_many, related_model = self._relation(qs.model)
        lookup = f"{self.field_name}__in"
        if review.is_reviewed(related_model) or self.to_field != "pk":
            # Slugs (and ids the user may not see) are resolved to ids first, one small query,
            # so that the rows are filtered on their foreign key column: PostgreSQL then
            # estimates the matches from that column's statistics. Through a join on the slug
            # it assumes the average (47 quotes a speaker at 1M quotes) for a speaker with
            # 30,000, and picks a plan that takes seconds instead of milliseconds.
            user = getattr(self.parent.request, "user", None)
            targets = review.visible(related_model._base_manager.all(), user)
            targets = targets.filter(**{f"{self.to_field}__in": value}).order_by()
            value = list(targets.values_list("pk", flat=True))
        if crosses_many:
            # A to-many relation would repeat a row once per match: select by id instead.
            return qs.filter(pk__in=qs.model._base_manager.filter(**{lookup: value}).values("pk"))
        return qs.filter(**{lookup: value})

    def _relation(self, model):
        """(whether the path crosses a to-many relation, the model at its end)."""
        crosses_many = False
        for name in self.field_name.split("__"):
            field = model._meta.get_field(name)
            crosses_many = crosses_many or field.many_to_many or field.one_to_many
            model = field.related_model
        return crosses_many, model


def by_slug(field, noun):
    """`?<name>=<slug>` (repeatable): rows related to any of these objects, by slug."""
    return RelatedFilter(
        field_name=field,
        to_field="slug",
        item_schema={"type": "string", "pattern": SLUG_PATTERN},
        item_field=forms.SlugField(),
        label=f"{noun} (slug; repeat for several). An unknown slug matches nothing.",
    )


def by_id(field, noun):
    """`?<name>_id=<id>` (repeatable): rows related to any of these objects, by id."""
    return RelatedFilter(
        field_name=field,
        to_field="pk",
        item_schema={"type": "integer", "minimum": 1, "maximum": MAX_ID},
        item_field=forms.IntegerField(min_value=1, max_value=MAX_ID),
        label=f"{noun} (id; repeat for several). An unknown id matches nothing.",
    )


class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    field_class = PresentChoiceField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_override(self, "field", {"type": "boolean", "description": self.label})


def strict_boolean(field, label):
    """`true` or `false`; anything else is a 400 (django-filter's BooleanFilter ignores it)."""
    return StrictBooleanFilter(
        field_name=field,
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        label=label,
    )


# Longer searches are refused: on SQLite every word is a condition, and a thousand of them
# exceed its expression depth.
MAX_SEARCH_LENGTH = 200


def search_filter(label):
    """`?q=`: the resource's own text search, at most MAX_SEARCH_LENGTH characters."""
    return TextFilter(method="search", label=label, max_length=MAX_SEARCH_LENGTH)


def slug_filter(noun):
    return TextFilter(label=f"The {noun} with this slug")


def country_filter(field="country", label="ISO 3166-1 alpha-2 country code, such as RU"):
    return TextFilter(field_name=field, label=label)
