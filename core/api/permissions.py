"""Who may do what through the API."""

from rest_framework.permissions import DjangoModelPermissions, DjangoModelPermissionsOrAnonReadOnly


class ModelOfTheView:
    """DRF's model permissions learn the view's model from `view.get_queryset()`, which builds
    the whole queryset (visibility, annotations) for the model alone: about 3% of a detail
    request's CPU (docs/performance.md). Every viewset of the API declares `queryset`, whose
    model get_queryset() keeps."""

    def _queryset(self, view):
        queryset = getattr(view, "queryset", None)
        return queryset if queryset is not None else super()._queryset(view)


class ResearcherPermissions(ModelOfTheView, DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads; writing needs the model permission (the `researchers` group has add and
    change); deleting needs the delete permission and, besides, a staff account."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method == "DELETE":
            return bool(request.user and request.user.is_staff)
        return True


class ResearchersOnlyPermissions(ModelOfTheView, DjangoModelPermissions):
    """For what only researchers work with (extraction candidates): reading needs the view
    permission too, so an anonymous client gets 401 and an account without it 403."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
