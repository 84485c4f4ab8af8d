from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The shared machinery: no models of its own, the rules every content app follows."""

    name = "core"
    verbose_name = "Core"
    # This module also defines ContentAppConfig: say which of the two is core's own.
    default = True

    def ready(self):
        # Registers the OpenAPI extensions (drf-spectacular finds them by subclassing).
        import core.api.schema  # noqa: F401
        from core import cache, replicas
        from core.commits import writes_committed

        # What a committed write changes, in every process that writes (the app, a command, a
        # shell, a worker script). In this order (receivers run in the order they connect):
        # the position a replica must have replayed is published before the content version
        # changes, so that no read can take the new version to a replica without the write
        # and cache its older answer under it.
        writes_committed.connect(replicas.publish_committed_write, dispatch_uid="replicas")
        writes_committed.connect(cache.invalidate, dispatch_uid="response-cache")


class ContentAppConfig(AppConfig):
    """Base of the apps that hold content (core.registry): sources, quotes and newer ones.

    Subclass it as `core.apps.ContentAppConfig` (`import core.apps`): a class imported by name
    into an app's apps.py would be a second candidate for Django's choice of its AppConfig.
    """

    holds_content = True
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.roles import ensure_roles

        # Content apps come after django.contrib.auth in INSTALLED_APPS, so this runs after
        # auth has made the app's permissions, on the same signal.
        post_migrate.connect(ensure_roles, sender=self)
