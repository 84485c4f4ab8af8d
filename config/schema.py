"""OpenAPI schema customisations: error responses, brief relations, auth descriptions."""

from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ServerErrorEnum
from rest_framework import permissions, serializers

from config.conditional import WRITE_ACTIONS, ConditionalMixin
from config.permissions import ResearcherPermissions

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
        if isinstance(self.view, ConditionalMixin) and not self._is_list_view():
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

    def _should_add_error_response(self, responses, status_code):
        if status_code == "409":
            return self.method in WRITE_METHODS and status_code not in responses
        if status_code == "412":
            return self._conditional_action() in WRITE_ACTIONS and status_code not in responses
        if status_code == "413":
            return self.method in {"POST", "PUT", "PATCH"} and status_code not in responses
        return super()._should_add_error_response(responses, status_code)


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """A BriefRelatedField is an integer id in requests and a brief object in responses."""

    target_class = "config.serializers.BriefRelatedField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            schema = build_basic_type(OpenApiTypes.INT)
            model = self.target.serializer_class.Meta.model._meta.verbose_name
            schema["description"] = f"Id of the {model}."
            return schema
        return auto_schema.resolve_serializer(self.target.serializer_class, direction).ref
