from django.apps import AppConfig


class QuotesConfig(AppConfig):
    """Speakers, organisations, events, quotes, treaties and troop figures."""

    name = "quotes"
    default_auto_field = "django.db.models.BigAutoField"
