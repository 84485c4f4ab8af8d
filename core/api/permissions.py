"""Who may do what through the API."""

from rest_framework.permissions import DjangoModelPermissionsOrAnonReadOnly


class ResearcherPermissions(DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads; writing needs the model permission (the `researchers` group has add and
    change); deleting needs the delete permission and, besides, a staff account."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method == "DELETE":
            return bool(request.user and request.user.is_staff)
        return True
