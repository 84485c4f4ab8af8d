"""Filter backends shared by every resource."""

from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` that refuses unknown fields with a 400 naming them, instead of ignoring them.

    Without the parameter the queryset keeps its own order (search results stay ranked).
    """

    def get_default_ordering(self, view):
        return None

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
