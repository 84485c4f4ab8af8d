"""The registry of content (core/registry.py) and the researchers' role it defines."""

import pytest
from django.contrib.auth.models import Group

from core.registry import content_apps, content_models, is_history, reviewed_models
from quotes.models import Quote, TroopFigure
from sources.models import Citation, Outlet, Source


def test_the_content_apps_are_those_that_declare_it():
    assert [config.label for config in content_apps()] == ["sources", "quotes", "extraction"]


def test_content_models_leave_out_links_and_history_unless_asked():
    models = content_models()
    assert {Outlet, Source, Citation, Quote, TroopFigure} <= set(models)
    assert not any(is_history(model) for model in models)
    assert not any(model._meta.auto_created for model in models)
    with_everything = content_models(include_links=True, include_history=True)
    assert any(is_history(model) for model in with_everything)
    assert Quote.treaties.through in with_everything
    assert Quote.history.model in with_everything


def test_the_reviewed_models_are_quotes_and_troop_figures():
    assert reviewed_models() == [Quote, TroopFigure]


@pytest.mark.django_db
def test_researchers_may_view_add_and_change_every_content_model_but_not_delete():
    group = Group.objects.get(name="researchers")
    granted = set(group.permissions.values_list("content_type__model", "codename"))
    for model in content_models():
        name = model._meta.model_name
        for action in ("view", "add", "change"):
            assert (name, f"{action}_{name}") in granted
        assert (name, f"delete_{name}") not in granted
    # Nothing but the content: no history tables, no users.
    assert len(granted) == 3 * len(content_models())
