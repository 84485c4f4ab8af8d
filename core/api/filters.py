"""Filter backends shared by every resource."""

import re

from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` that refuses unknown fields with a 400 naming them, instead of ignoring them.

    Without the parameter the queryset keeps its own order (search results stay ranked).
    """

    def get_default_ordering(self, view):
        return None

    def get_ordering(self, request, queryset, view):
        if request.query_params.get(self.ordering_param, None) == "":
            raise ValidationError(
                {self.ordering_param: ["Give a value, or leave the parameter out."]}
            )
        return super().get_ordering(request, queryset, view)

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
        invalid = [term for term in fields if term.lstrip("-") not in valid]
        if invalid:
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Unknown ordering field {', '.join(invalid)}; choose from "
                        f"{', '.join(sorted(valid))}, with - for descending."
                    ]
                }
            )
        return fields

    def get_schema_operation_parameters(self, view):
        """The schema states the accepted values: a comma-separated list of the view's
        ordering fields, each optionally prefixed with -."""
        fields = "|".join(re.escape(field) for field in view.ordering_fields)
        term = f"-?(?:{fields})"
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort by these fields, comma-separated, - for descending: "
                + ", ".join(view.ordering_fields)
                + ".",
                "schema": {"type": "string", "pattern": f"^{term}(?:,{term})*$"},
            }
        ]
