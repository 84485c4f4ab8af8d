from django.apps import AppConfig
from django.db.models.signals import post_migrate


class QuotesConfig(AppConfig):
    """Speakers, organisations, events, quotes, treaties and troop figures."""

    name = "quotes"
    verbose_name = "Quotes and facts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from quotes.roles import ensure_researchers_group

        post_migrate.connect(ensure_researchers_group, sender=self)
