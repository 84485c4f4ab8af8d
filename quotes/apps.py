import core.apps


class QuotesConfig(core.apps.ContentAppConfig):
    """Speakers, organisations, events, quotes, treaties and troop figures."""

    name = "quotes"
    verbose_name = "Quotes and facts"
