"""Validators of values that several kinds of record hold: codes, ids and lists of names."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

country_code_validator = RegexValidator(
    r"^[A-Z]{2}$", "Use an ISO 3166-1 alpha-2 country code in capitals, such as RU or US."
)

language_code_validator = RegexValidator(
    r"^[a-z]{2,3}$", "Use an ISO 639 language code in lower case, such as en or ru."
)

wikidata_id_validator = RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q7747.")


def validate_aliases(value):
    """Aliases are a list of distinct, non-empty strings."""
    if not isinstance(value, list) or not all(isinstance(a, str) and a.strip() for a in value):
        raise ValidationError("Aliases must be a list of non-empty strings.")
    if len(set(value)) != len(value):
        raise ValidationError("Aliases must be distinct.")
    if any("\x00" in alias for alias in value):
        raise ValidationError("Aliases cannot contain NUL characters.")
