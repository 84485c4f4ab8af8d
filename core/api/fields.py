"""The fields every resource's serializer is built from: strict JSON types, identity URLs,
names and partial dates."""

import re

from django.core.validators import RegexValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.dates import partial_date_display

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# What Python's str.strip() removes, as literal characters. The schema's "not blank" pattern
# lists them (regex \s differs between engines; none counts U+001C..U+001F as space, Python does).
WHITESPACE = "\t\n\x0b\x0c\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL = "^[^\\x00]*$"
NOT_BLANK = f"^[^\\x00]*[^\\x00{WHITESPACE}][^\\x00]*$"


# The API takes JSON types as the schema states them. DRF by itself would store 12 as "12",
# read "1" or 1 as true and "7" as the id 7: a client bug would pass unseen.
class StrictStringMixin:
    """A string, and only a string (never a number turned into one)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StrictStringMixin, serializers.CharField):
    """Its schema says no NUL and, unless blank is allowed, not only whitespace (see
    core.api.schema); the length limit applies to the string as sent, before any trimming."""

    def to_internal_value(self, data):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        if isinstance(data, str) and not self.allow_blank and not data.strip():
            self.fail("blank")  # untrimmed (verbatim) text too: whitespace alone is no text
        return super().to_internal_value(data)


class StrictSlugField(StrictStringMixin, serializers.SlugField):
    pass


# The links a researcher records: http(s), a host name (a label, up to three shorter ones and a
# top-level domain: at most 211 characters, within DNS's 253) and an optional path, query and
# fragment in RFC 3986 characters (non-ASCII percent-encoded). Django's URLValidator accepts more
# (IP addresses, ports, user:password@, any non-space character) and JSON Schema's "uri" other
# things (a 1-letter TLD, any scheme); the API takes what all accept, and the schema says so.
URL_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
URL_SHORT_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?"
URL_CHAR = "(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
WEB_URL = (
    rf"^https?://{URL_LABEL}(?:\.{URL_SHORT_LABEL}){{0,3}}\.[A-Za-z]{{2,24}}"
    rf"(?:/(?:{URL_CHAR}|/)*)?(?:\?(?:{URL_CHAR}|[/?])*)?(?:#(?:{URL_CHAR}|[/?])*)?$"
)


class StrictURLField(StrictStringMixin, serializers.URLField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(
            RegexValidator(WEB_URL, "Enter a web address such as https://www.example.org/page.")
        )


class StrictDateField(serializers.DateField):
    """A date written YYYY-MM-DD, as the schema says (Python alone would also read 20190802)."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class StrictBooleanField(serializers.BooleanField):
    """true or false, not "yes", 1 or "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, not "12" or 12.5."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object's id as a JSON integer."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class IdentityURLField(serializers.HyperlinkedIdentityField):
    """An object's `url`, reversed once per request and then filled in with each id.

    The benchmark found `reverse()` for every object (a 100-quote page links some 400: each
    quote, speaker, source, event and treaty) to be a quarter of the page's time. The URLs
    differ only in the id, so the field reverses a placeholder id once and keeps the parts
    around it.
    """

    PLACEHOLDER = "918273645546372819"  # an id no database here will reach

    def get_url(self, obj, view_name, request, format):
        value = getattr(obj, self.lookup_field, None)
        if type(value) is not int:  # unsaved (None) or not a plain id: the usual way
            return super().get_url(obj, view_name, request, format)
        cached = getattr(self, "_template", None)
        if cached is None or cached[0] is not request or cached[1] != (view_name, format):
            url = self.reverse(
                view_name,
                kwargs={self.lookup_url_kwarg: self.PLACEHOLDER},
                request=request,
                format=format,
            )
            head, _, tail = url.rpartition(self.PLACEHOLDER)
            cached = self._template = (request, (view_name, format), head, tail)
        return f"{cached[2]}{value}{cached[3]}"


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NOT_BLANK},
        "uniqueItems": True,
    }
)
class AliasesField(serializers.ListField):
    """Other names: a list of distinct, non-empty strings."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", StrictCharField(max_length=200))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Other names and spellings, each distinct.")
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.STR)
class PartialDateDisplayField(serializers.Field):
    """A partial date shown with only the parts it has: 2017-05-26, 2019-08 or 2016."""

    def __init__(self, date_field, **kwargs):
        self.date_field = date_field
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault(
            "help_text",
            f"{date_field} with only the parts the text gives (YYYY-MM-DD, YYYY-MM or YYYY); "
            "empty when unknown.",
        )
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return partial_date_display(instance, self.date_field)
