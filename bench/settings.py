"""Settings of the benchmark's tooling: the project's own, with the bench app (generate_corpus)."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
