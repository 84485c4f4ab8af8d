"""Liveness and readiness probe for load balancers, Docker and uptime checks."""

import logging

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.cache import redis_client

logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("health check: database unreachable: %s", exc)
        return "unreachable"
    return "ok"


def cache_status() -> str:
    """ "ok" (Redis answers), "unreachable", or "per-process" (the embedded default)."""
    client = redis_client()
    if client is None:
        return "per-process"
    try:
        client.ping()
    except Exception as exc:  # whatever redis-py raises for a server that does not answer
        logger.warning("health check: cache unreachable: %s", exc)
        return "unreachable"
    return "ok"


@never_cache
@require_safe
def healthz(request):
    """The database, the cache and each replica, separately.

    503 when the database does not answer: nothing can be served. 200 otherwise, with status
    "degraded" when the cache or a replica does not: the API still serves (uncached, or from
    the primary), so a load balancer must keep sending requests here.
    """
    checks = {"database": database_status()}
    if checks["database"] != "ok":
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    checks["cache"] = cache_status()
    if settings.REPLICA_DATABASES:
        from core.replicas import replica_status

        checks["replicas"] = {alias: state["status"] for alias, state in replica_status().items()}
    # A replica "behind" is one replaying a recent write: served around (core.replicas), and
    # normal for a moment after each write.
    healthy = checks["cache"] != "unreachable" and all(
        status in {"ok", "behind"} for status in checks.get("replicas", {}).values()
    )
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks})
