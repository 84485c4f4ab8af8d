"""The API's permissions take the view's model from its declared queryset (ModelOfTheView),
not from get_queryset(): both must name the same model for every viewset."""

import pytest
from rest_framework.test import APIRequestFactory

from config.api import router


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["anonymous", "researcher"])
@pytest.mark.parametrize(("prefix", "viewset"), [(p, v) for p, v, _b in router.registry])
def test_the_declared_queryset_names_the_model_get_queryset_gives(request, user, prefix, viewset):
    client = request.getfixturevalue(user)
    django_request = APIRequestFactory().get(f"/api/v1/{prefix}/")
    for action in ("list", "retrieve"):
        view = viewset(action=action, format_kwarg=None, kwargs={"version": "v1"}, args=())
        view.action_map = {"get": action}
        drf_request = view.initialize_request(django_request)
        drf_request.user = getattr(client, "user", None) or drf_request.user
        view.request = drf_request
        assert view.get_queryset().model is viewset.queryset.model
