import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["broker"] == "eager"  # tests run tasks in-process unless they start workers


def test_healthz_is_503_when_the_cache_is_unreachable(client, settings):
    # A real Redis client against a port where nothing listens.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"].startswith("error")
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    from reserve.celery import app

    keys = ("CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER")
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(
        {"CELERY_BROKER_URL": "redis://127.0.0.1:1/0", "CELERY_TASK_ALWAYS_EAGER": False}
    )
    try:
        response = client.get("/healthz")
    finally:
        app.conf.update(previous)
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
