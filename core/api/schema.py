"""OpenAPI schema customisations: error responses, brief forms and relations, auth descriptions."""

import re

from django.core.validators import RegexValidator
from django.db import models
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ComponentIdentity, build_basic_type, force_instance
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ServerErrorEnum
from rest_framework import permissions, serializers
from rest_framework.fields import ListField
from rest_framework.filters import OrderingFilter
from rest_framework.serializers import ListSerializer

from core.api.conditional import WRITE_ACTIONS, ConditionalReadMixin
from core.api.fields import NO_NUL, NOT_BLANK
from core.api.permissions import ResearcherPermissions
from core.api.serializers import BRIEF_FORM_DESCRIPTION, ModelValidationMixin

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ACTION_SUMMARIES = {
    "list": "List {many}",
    "retrieve": "Get {one}",
    "create": "Create {one}",
    "update": "Replace {one}",
    "partial_update": "Update {one}",
    "destroy": "Delete {one}",
}


def error_response(status: int, code: str, error_type):
    """The enum, error and response serializers of one extra status, as drf-standardized-errors
    writes its own (ErrorCode<status>Enum, Error<status>Serializer, ErrorResponse<status>...)."""
    enum = models.TextChoices(f"ErrorCode{status}Enum", [(code.upper(), code)])
    error = type(
        f"Error{status}Serializer",
        (serializers.Serializer,),
        {
            "code": serializers.ChoiceField(choices=enum.choices),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    response = type(
        f"ErrorResponse{status}Serializer",
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=error_type.choices),
            "errors": error(many=True),
        },
    )
    for cls in (error, response):
        cls.__module__ = __name__
    return enum, response


# Referenced by name from settings (ERROR_SCHEMAS, ENUM_NAME_OVERRIDES).
ErrorCode409Enum, ErrorResponse409Serializer = error_response(409, "conflict", ClientErrorEnum)
ErrorCode412Enum, ErrorResponse412Serializer = error_response(
    412, "precondition_failed", ClientErrorEnum
)
ErrorCode413Enum, ErrorResponse413Serializer = error_response(
    413, "request_too_large", ClientErrorEnum
)
ErrorCode503Enum, ErrorResponse503Serializer = error_response(
    503, "service_unavailable", ServerErrorEnum
)


class AutoSchema(StandardizedErrorsAutoSchema):
    """Documents every error an operation can answer, in the one error format.

    On top of drf-standardized-errors' codes: 409 on writes (a delete blocked by references, a
    conflicting concurrent change), 413 on writes with a body (too large) and 503 everywhere
    (the database is unavailable).
    """

    def get_summary(self):
        """Short titles for the docs ("List quotes", "Update a quote") instead of operation ids."""
        summary = super().get_summary()
        if summary:
            return summary
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        action = getattr(self.view, "action", None)
        if model is None or action not in ACTION_SUMMARIES:
            return None
        meta = model._meta
        article = "an" if meta.verbose_name[0] in "aeiou" else "a"
        return ACTION_SUMMARIES[action].format(
            one=f"{article} {meta.verbose_name}", many=meta.verbose_name_plural
        )

    def _conditional_action(self):
        """The action of a detail endpoint with ETags, else None."""
        if isinstance(self.view, ConditionalReadMixin) and not self._is_list_view():
            return getattr(self.view, "action", None)
        return None

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        action = self._conditional_action()
        etag = OpenApiParameter(
            "ETag",
            str,
            OpenApiParameter.HEADER,
            response=[200],
            description="The version of the record: send it back in If-Match when writing.",
        )
        if action == "retrieve":
            parameters += [
                OpenApiParameter(
                    "If-None-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="An ETag you hold: 304 Not Modified when it is still current.",
                ),
                etag,
            ]
        elif action in WRITE_ACTIONS:
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="The ETag you read: the write is refused with 412 (and the "
                    "current ETag) if the record has changed since.",
                )
            )
            if action != "destroy":
                parameters.append(etag)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response" and self._conditional_action() == "retrieve":
            responses["304"] = {
                "description": "Not modified: the If-None-Match ETag is current.",
                "headers": {"ETag": {"schema": {"type": "string"}}},
            }
        return responses

    def get_auth(self):
        auths = super().get_auth()
        # Reading needs no account: say so, so that generated clients may call reads anonymously.
        anonymous_reads = any(
            isinstance(p, ResearcherPermissions) for p in self.view.get_permissions()
        )
        if anonymous_reads and self.method in permissions.SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    # -- validation errors (400): every parameter and field that can be named in `attr` ----

    def _query_parameters_with_errors(self) -> dict[str, set[str]]:
        """Pagination and ordering parameters refuse bad values too, beside the filters."""
        codes = {}
        if self.method == "GET" and self._is_list_view() and self._get_paginator():
            codes["page_size"] = {"invalid"}
            codes["cursor"] = {"invalid"}
        if self.method == "GET" and any(
            issubclass(backend, OrderingFilter) for backend in self.get_filter_backends()
        ):
            codes["ordering"] = {"invalid"}
        return codes

    def _should_add_validation_error_response(self):
        return super()._should_add_validation_error_response() or bool(
            self._query_parameters_with_errors()
        )

    def _get_validation_error_codes_by_field(self, data_fields):
        codes = super()._get_validation_error_codes_by_field(data_fields)
        for name, extra in self._query_parameters_with_errors().items():
            codes[name] = codes.get(name, set()) | extra
        if self.method in {"POST", "PUT", "PATCH"}:
            # A nested list (citations) can be refused as a whole ("required", "empty"), with
            # the list's own name as `attr`; drf-standardized-errors lists only its items.
            serializer = force_instance(self.get_request_serializer())
            for name, field in getattr(serializer, "fields", {}).items():
                if field.read_only:
                    continue
                if isinstance(serializer, ModelValidationMixin):
                    # The model's own validation (clean(), validators) names fields with "invalid".
                    codes[name] = codes.get(name, set()) | {"invalid"}
                if isinstance(field, ListSerializer | ListField):
                    codes[name] = codes.get(name, set()) | set(field.error_messages)
                    # An item that is not an object at all (null, a number) is named by index.
                    item = f"{name}.INDEX"
                    codes[item] = codes.get(item, set()) | {"null", "invalid"}
        return codes

    def _should_add_parse_error_response(self):
        # Our JSON parser (orjson) is not a subclass of DRF's, which the package looks for.
        return self.method in {"POST", "PUT", "PATCH"} or super()._should_add_parse_error_response()

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, ListSerializer) and not field.allow_empty:
            schema = {**schema, "minItems": 1}  # drf-spectacular leaves allow_empty=False out
        return schema

    def _should_add_error_response(self, responses, status_code):
        if status_code == "409":
            return self.method in WRITE_METHODS and status_code not in responses
        if status_code == "412":
            return self._conditional_action() in WRITE_ACTIONS and status_code not in responses
        if status_code == "413":
            return self.method in {"POST", "PUT", "PATCH"} and status_code not in responses
        return super()._should_add_error_response(responses, status_code)


class StrictCharFieldExtension(OpenApiSerializerFieldExtension):
    """Say in the schema what a text field refuses: NUL characters, and blank (or
    whitespace-only) text where it is required."""

    target_class = "core.api.fields.StrictCharField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction != "request":
            return schema
        if any(isinstance(v, RegexValidator) for v in self.target.validators):
            return schema  # drf-spectacular writes the validator's pattern (country, language)
        schema["pattern"] = NO_NUL if self.target.allow_blank else NOT_BLANK
        return schema


class BriefFormExtension(OpenApiSerializerExtension):
    """`XSerializer(nested=True)` is the component `BriefX`: the brief fields only."""

    target_class = "core.api.serializers.ContentSerializer"
    match_subclasses = True

    @classmethod
    def _matches(cls, target):
        return super()._matches(target) and getattr(target, "nested", False)

    def get_name(self, auto_schema, direction):
        return "Brief" + type(self.target).__name__.removesuffix("Serializer")

    def get_identity(self, auto_schema, direction):
        return ComponentIdentity(("brief", type(self.target)))

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["description"] = BRIEF_FORM_DESCRIPTION
        return schema


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """A BriefRelatedField is an integer id in requests and a brief object in responses."""

    target_class = "core.api.serializers.BriefRelatedField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            schema = build_basic_type(OpenApiTypes.INT)
            schema["description"] = f"Id of the {self.target.model._meta.verbose_name}."
            return schema
        brief = self.target.serializer_class(nested=True)
        return auto_schema.resolve_serializer(brief, direction).ref


def postprocess_version(result, generator, request, public):
    """The schema's version is the API's, served live or generated by `make schema` alike.

    drf-spectacular appends the request's URL version when serving ("1.0.0 (v1)"), which is
    no version number: a client generated from the live schema would not install.
    """
    result["info"]["version"] = spectacular_settings.VERSION
    return result


def postprocess_query_strings(result, generator, request, public):
    """A query parameter with a NUL character is refused (Django's form fields do): say so
    for every free-text string parameter."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                free_text = schema.get("type") == "string" and not (
                    {"enum", "pattern", "format"} & schema.keys()
                )
                if parameter["in"] == "query" and free_text:
                    schema["pattern"] = NO_NUL
    return result


def postprocess_item_attrs(result, generator, request, public):
    """Errors of list items are named by position (`citations.0.text`), which
    drf-standardized-errors writes as `citations.INDEX.text`: say so with a pattern.

    The error unions that hold such an item lose their discriminator (a mapping needs exact
    values); each branch's `attr` still tells them apart.
    """
    schemas = result.get("components", {}).get("schemas", {})
    indexed = set()
    for name, component in schemas.items():
        attr = component.get("properties", {}).get("attr", {})
        if len(attr.get("enum") or []) == 1 and ".INDEX" in attr["enum"][0]:
            template = attr["enum"][0]
            pattern = "^" + re.escape(template).replace("INDEX", "[0-9]+") + "$"
            component["properties"]["attr"] = {
                "type": "string",
                "pattern": pattern,
                "description": f"`{template}`, INDEX being the item's position from 0.",
            }
            indexed.add(f"#/components/schemas/{name}")
    for component in schemas.values():
        branches = {branch.get("$ref") for branch in component.get("oneOf", [])}
        if branches & indexed:
            component.pop("discriminator", None)
    return result
