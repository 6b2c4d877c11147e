"""State of the parts the site needs: database, cache, task broker."""

import uuid

from django.core.cache import cache
from django.db import connection

from .celery import app as celery_app


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    if not ok:
        raise RuntimeError("cache did not return the value it was given")
    return "ok"


def check_broker():
    if celery_app.conf.task_always_eager:
        return "eager"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def health_report():
    """Return (healthy, {part: state}); a part that fails reports 'error: …'."""
    report = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure is a failed check
            healthy = False
            report[name] = f"error: {exc.__class__.__name__}"
    return healthy, report
