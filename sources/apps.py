from django.apps import AppConfig


class SourcesConfig(AppConfig):
    """Outlets and source documents: the texts everything is cited from."""

    name = "sources"
    default_auto_field = "django.db.models.BigAutoField"
