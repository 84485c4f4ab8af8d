import core.apps


class ExtractionConfig(core.apps.ContentAppConfig):
    """Importing articles, extracting candidate quotes and troop figures, and their review."""

    name = "extraction"
    verbose_name = "Extraction and review"
