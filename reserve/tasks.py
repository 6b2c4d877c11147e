from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.cache import cache


@shared_task(name="reserve.ping")
def ping(token, email=None):
    """Prove a worker round trip: record in the cache that `token` ran, and whether the
    account `email` was visible to the worker (it is once the enqueuing transaction
    has committed)."""
    seen = get_user_model().objects.filter(email=email).exists() if email else None
    cache.set(f"ping:{token}", {"seen": seen}, 300)
    return token
