from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's own tooling (generate_corpus), installed by bench/settings.py only."""

    name = "bench"
    verbose_name = "Benchmark"
