"""Liveness and readiness probes for load balancers and orchestrators."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app
from notifications.selectors import outbox_counts_across_practices


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_answers() -> bool:
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def readyz(request):
    checks = {"database": "ok" if _database_answers() else "failing"}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = "ok" if _broker_answers() else "failing"
    ready = all(state == "ok" for state in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_GET
def outbox_counts(request):
    """Every practice's outbox, counted by status: for platform admins only (served through
    the admin site, which checks them), never on the public probes."""
    return JsonResponse({"outbox": outbox_counts_across_practices()})
