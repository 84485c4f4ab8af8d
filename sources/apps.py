import core.apps


class SourcesConfig(core.apps.ContentAppConfig):
    """Outlets and source documents: the texts everything is cited from."""

    name = "sources"
