"""OpenAPI schema customisations: error responses, brief forms and relations, auth descriptions."""

import re

from django.core.validators import RegexValidator
from django.db import models
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import (
    ComponentIdentity,
    ResolvedComponent,
    build_basic_type,
    force_instance,
)
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import (
    ClientErrorEnum,
    ServerErrorEnum,
    ValidationErrorEnum,
)
from rest_framework import permissions, serializers
from rest_framework.fields import ListField
from rest_framework.filters import OrderingFilter
from rest_framework.serializers import ListSerializer

from core.api.conditional import WRITE_ACTIONS, ConditionalReadMixin
from core.api.errors import (
    BAD_REQUEST,
    UNKNOWN_FIELD,
    UNKNOWN_PARAMETER,
    Conflict,
    TooManyParameters,
)
from core.api.fields import NO_NUL, NOT_BLANK
from core.api.jsonld import DOCUMENT_SCHEMA as JSONLD_DOCUMENT_SCHEMA
from core.api.jsonld import MEDIA_TYPE as JSONLD
from core.api.permissions import ResearcherPermissions
from core.api.review import LockedWhilePublished
from core.api.serializers import (
    BRIEF_FORM_DESCRIPTION,
    ModelValidationMixin,
    UnknownFieldsMixin,
)

COMPONENT_REF = "#/components/schemas/"
# 400 codes that no parameter declares: too many of them, a request Django refuses before any
# view (a Host it does not serve).
ANY_400_CODES = (TooManyParameters.default_code, BAD_REQUEST)
# 400 codes of a write that no field declares: a body that is not JSON, a model rule over
# one or several fields (unique, unique together, a rule of clean(): `invalid`, which an
# action's refusal also is, such as accepting a candidate without a speaker).
# And a body field the operation does not know (core.api.serializers.UnknownFieldsMixin, or a
# body sent to an action that takes none).
WRITE_400_CODES = ("parse_error", "unique", "unique_together", "invalid", UNKNOWN_FIELD)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The `attr` of an unknown query parameter or body field: its name as sent, whatever it is.
ANY_NAME = "NAME"
ACTION_SUMMARIES = {
    "list": "List {many}",
    "retrieve": "Get {one}",
    "create": "Create {one}",
    "update": "Replace {one}",
    "partial_update": "Update {one}",
    "destroy": "Delete {one}",
}


def error_response(status: int, codes: str | tuple[str, ...], error_type, variant: str = ""):
    """The enum, error and response serializers of one extra status, as drf-standardized-errors
    writes its own (ErrorCode<status>Enum, Error<status>Serializer, ErrorResponse<status>...).

    Their codes end up in the responses' `x-error-codes` (postprocess_shared_errors).
    """
    codes = (codes,) if isinstance(codes, str) else codes
    name = f"{status}{variant}"
    enum = models.TextChoices(f"ErrorCode{name}Enum", [(code.upper(), code) for code in codes])
    error = type(
        f"Error{name}Serializer",
        (serializers.Serializer,),
        {
            "code": serializers.ChoiceField(choices=enum.choices),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    response = type(
        f"ErrorResponse{name}Serializer",
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
# A write to a model with fields locked while a record is published (core.review).
_, ErrorResponse409LockedSerializer = error_response(
    409, (Conflict.default_code, LockedWhilePublished.default_code), ClientErrorEnum, "Locked"
)
ErrorCode411Enum, ErrorResponse411Serializer = error_response(
    411, "length_required", ClientErrorEnum
)
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
    conflicting concurrent change), 411 and 413 on writes with a body (chunked, too large) and
    503 everywhere (the database is unavailable).
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

    def _get_format_parameters(self):
        # The media types of each 200 say what an operation answers, chosen by the Accept
        # header. `?format=` is not listed beside them unless an operation declares it (the
        # quotes list): a generated client parses the JSON form, and a `format` argument
        # would get it another one.
        return []

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        content = response.get("content", {})
        if JSONLD in content and status_code.startswith("2"):
            # A JSON-LD answer is no serializer's shape: every one is the one shared document.
            component = ResolvedComponent(
                name="JsonLdDocument",
                type=ResolvedComponent.SCHEMA,
                object="JsonLdDocument",
                schema=JSONLD_DOCUMENT_SCHEMA,
            )
            self.registry.register_on_missing(component)
            content[JSONLD] = {"schema": component.ref}
        return response

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
        # Any operation: an unknown parameter, named as sent (ANY_NAME stands for it).
        codes = {ANY_NAME: {UNKNOWN_PARAMETER}}
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
            if isinstance(serializer, UnknownFieldsMixin):
                codes[ANY_NAME] = codes.get(ANY_NAME, set()) | {UNKNOWN_FIELD}
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

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response":
            # Every readable field is in every response (a null when there is no value): say
            # so, or generated clients type each optional write field `| Unset` when reading.
            readable = [
                name
                for name, field in schema.get("properties", {}).items()
                if not field.get("writeOnly")
            ]
            if readable:
                schema["required"] = readable
        if direction == "request" and isinstance(force_instance(serializer), UnknownFieldsMixin):
            # A field it does not have is refused (`unknown_field`): a client sends no other.
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, ListSerializer) and not field.allow_empty:
            schema = {**schema, "minItems": 1}  # drf-spectacular leaves allow_empty=False out
        return schema

    def _get_error_response_serializer(self, status_code):
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        locks = getattr(model, "locked_while_published", ())
        if status_code == "409" and locks and self.method in {"PUT", "PATCH"}:
            return ErrorResponse409LockedSerializer
        return super()._get_error_response_serializer(status_code)

    def _should_add_error_response(self, responses, status_code):
        if status_code == "409":
            return self.method in WRITE_METHODS and status_code not in responses
        if status_code == "412":
            return self._conditional_action() in WRITE_ACTIONS and status_code not in responses
        if status_code in {"411", "413"}:  # a chunked body, a body too large
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


def _refs(node):
    """Every component name that `node` references, however deeply."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMPONENT_REF):
            yield ref.removeprefix(COMPONENT_REF)
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _reachable(schemas, roots):
    """The components that `roots` reference, directly or through other components."""
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo.extend(_refs(schemas[name]))
    return seen


def _codes_under(schemas, names):
    """The error codes the components `names` list in their `code` properties."""
    codes = set()
    for name in names:
        code = schemas[name].get("properties", {}).get("code", {})
        if "$ref" in code:
            code = schemas.get(code["$ref"].removeprefix(COMPONENT_REF), {})
        codes.update(code.get("enum") or ())
    return codes


def postprocess_shared_errors(result, generator, request, public):
    """One error component for the whole API, as the API has one error format; each error
    response lists the codes it can carry (`x-error-codes`).

    drf-standardized-errors writes a component per status, and for 400 one per operation and
    one per field and code (`QuotesCreateTextErrorComponent`): hundreds of models in a
    generated SDK, and every call typed as a union of a dozen error types. The codes those
    components list are gathered here, per response into its `x-error-codes` and over all
    into `ErrorCodeEnum`; then they are dropped, with any component nothing references.
    """
    schemas = result["components"]["schemas"]
    every_code = set()
    for operations in result["paths"].values():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith(("4", "5")) or "content" not in response:
                    continue
                codes = _codes_under(schemas, _reachable(schemas, set(_refs(response))))
                if status == "400":
                    codes |= set(ANY_400_CODES)
                    if method in {"post", "put", "patch"}:
                        codes |= set(WRITE_400_CODES)
                response["x-error-codes"] = sorted(codes)
                response["content"] = {
                    "application/json": {"schema": {"$ref": COMPONENT_REF + "ErrorResponse"}}
                }
                every_code |= codes
    schemas["ErrorCodeEnum"] = {"type": "string", "enum": sorted(every_code)}
    schemas["ErrorTypeEnum"] = {
        "type": "string",
        "enum": [
            ValidationErrorEnum.VALIDATION_ERROR.value,
            ClientErrorEnum.CLIENT_ERROR.value,
            ServerErrorEnum.SERVER_ERROR.value,
        ],
        "description": "`validation_error`: parameters or fields were refused, every one "
        "listed (400). `client_error`: the request as a whole was (a body that is not JSON, "
        "no permission, no such record, ...). `server_error`: ours (5xx).",
    }
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "code": {"$ref": COMPONENT_REF + "ErrorCodeEnum"},
            "detail": {"type": "string", "description": "A person-readable message."},
            "attr": {
                "type": "string",
                "nullable": True,
                "description": "The query parameter or body field at fault, with the position "
                "of a list item (`citations.0.text`); `non_field_errors` for a rule over "
                "several fields; null when the request as a whole is refused.",
            },
        },
        "required": ["code", "detail", "attr"],
    }
    schemas["ErrorResponse"] = {
        "type": "object",
        "description": "Every error answer, whatever its status. The codes a response can "
        "carry are listed in its `x-error-codes`.",
        "properties": {
            "type": {"$ref": COMPONENT_REF + "ErrorTypeEnum"},
            "errors": {"type": "array", "items": {"$ref": COMPONENT_REF + "Error"}},
        },
        "required": ["type", "errors"],
    }
    used = _reachable(schemas, set(_refs(result["paths"])))
    for name in list(schemas):
        if name not in used:
            del schemas[name]
    return result


BLANK_TEXT = {"type": "string", "maxLength": 0}
NULL_ONLY = {"type": "object", "nullable": True, "enum": [None]}


def _accepts_blank(schema) -> bool:
    """Whether the string `schema` already accepts ""."""
    if schema.get("type") != "string" or schema.get("format") or schema.get("minLength"):
        return False
    return re.search(schema.get("pattern", ""), "") is not None


def _one_type(node, schemas):
    """`node` rewritten in place so that a generator makes one type of it; see below."""
    one_of = node.get("oneOf")
    if one_of and len(one_of) == 2 and one_of[1] == BLANK_TEXT and _accepts_blank(one_of[0]):
        node.update(node.pop("oneOf")[0])
    blank_ref = {"$ref": COMPONENT_REF + "BlankEnum"}
    if one_of and len(one_of) == 2 and one_of[1] == blank_ref and "$ref" in one_of[0]:
        name = one_of[0]["$ref"].removeprefix(COMPONENT_REF)
        or_blank = name.removesuffix("Enum") + "OrBlankEnum"
        schemas.setdefault(
            or_blank,
            {
                "type": "string",
                "enum": [*schemas[name]["enum"], ""],
                "description": f"{schemas[name].get('description', '')}\n* `` - none".strip(),
            },
        )
        del node["oneOf"]
        ref = {"$ref": COMPONENT_REF + or_blank}
        node.update(ref if not node else {"allOf": [ref]})  # a $ref ignores its siblings
    all_of = node.get("allOf")
    if all_of and len(all_of) == 1 and node.get("nullable") and "type" not in node:
        # A nullable reference. OpenAPI 3.0.3's `nullable` applies to a `type` beside it only,
        # so `allOf: [X], nullable: true` does not admit null: "X or null" is spelled so.
        del node["allOf"], node["nullable"]
        node["oneOf"] = [all_of[0], NULL_ONLY]
    for value in node.values():
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, dict):
                _one_type(child, schemas)


def postprocess_generator_types(result, generator, request, public):
    """Types that a generated client can use as they are.

    - A text field that may be blank is one string, not a `oneOf` of a string and an empty
      one whose branches overlap (both accept "", so by `oneOf`'s rule "" is invalid).
    - A choice that may be blank is one enum with "" among its values (`DatePrecisionOrBlank`),
      not a union of two enums (`BlankEnum | DatePrecisionEnum`).
    - A reference that may be null is a `oneOf` of it and null (`X | None`).
    """
    schemas = result["components"]["schemas"]
    _one_type(result["paths"], schemas)
    for name in list(schemas):
        _one_type(schemas[name], schemas)
    schemas.pop("BlankEnum", None)
    _shared_parameter_enums(result["paths"], schemas)
    return result


def _shared_parameter_enums(paths, schemas):
    """A filter's choices are the field's (`?kind=` takes a QuoteKindEnum): one enum type for
    both, not one more per operation and parameter (`QuotesListKindItem`)."""
    by_values = {
        tuple(sorted(component["enum"])): name
        for name, component in schemas.items()
        if name.endswith("Enum") and "enum" in component and "" not in component["enum"]
    }
    for operations in paths.values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                holder = schema["items"] if schema.get("type") == "array" else schema
                name = by_values.get(tuple(sorted(holder.get("enum") or ())))
                if name is None:
                    continue
                ref = {"$ref": COMPONENT_REF + name}
                if holder is schema:
                    parameter["schema"] = ref
                else:
                    schema["items"] = ref
