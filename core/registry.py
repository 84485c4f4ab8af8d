"""The registry of content: which apps hold the database's records, and their models.

An app holds content when its AppConfig subclasses `ContentAppConfig` (core/apps.py). Everything
that must cover every content model (the researchers' permissions, the seed data's history
baselines, the tests that every table is left as it was) asks here, so that a new app or model
is covered by declaring it once.
"""

from django.apps import apps
from simple_history.models import HistoricalChanges

from core.review import is_reviewed


def content_apps():
    """The AppConfigs of the apps that hold content, in INSTALLED_APPS order."""
    return [config for config in apps.get_app_configs() if getattr(config, "holds_content", False)]


def is_history(model) -> bool:
    """Whether `model` is a change-history table (django-simple-history's)."""
    return issubclass(model, HistoricalChanges)


def content_models(*, include_links=False, include_history=False):
    """The content models; with `include_links` also their many-to-many link tables, and with
    `include_history` their change-history tables."""
    return [
        model
        for config in content_apps()
        for model in config.get_models(include_auto_created=include_links)
        if include_history or not is_history(model)
    ]


def reviewed_models():
    """The content models whose records go through review (core.review)."""
    return [model for model in content_models() if is_reviewed(model)]
