"""The load balancer's health check, answered before any other middleware.

A health check comes over plain HTTP on the internal port, with the instance's address as its host: the
HTTPS redirect (SecurityMiddleware) and the host check (CommonMiddleware) would answer it 301 or 400.
Only `GET /healthz` is answered here; every other request goes through the whole chain.
"""

from django.db import connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

HEALTH_PATH = "/healthz"


def database_health() -> JsonResponse:
    """200 when the database answers `SELECT 1`, 503 with the failure's class otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure makes the service unhealthy
        response = JsonResponse({"status": "error", "database": exc.__class__.__name__}, status=503)
    else:
        response = JsonResponse({"status": "ok", "database": "ok"})
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return database_health()
        return self.get_response(request)
