import uuid

import pytest
from django.core.cache import cache
from django.db import transaction

from reserve.tasks import ping
from tests.factories import UserFactory
from tests.helpers import wait_for

pytestmark = [pytest.mark.worker]


def test_a_task_enqueued_on_commit_runs_in_a_real_worker(celery_worker, settings):
    worker = celery_worker(CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"])
    token = uuid.uuid4().hex
    with transaction.atomic():
        user = UserFactory()
        transaction.on_commit(lambda: ping.delay(token, user.email))
        # Nothing is sent before the commit: the worker could not see the account yet.
        assert cache.get(f"ping:{token}") is None
    result = wait_for(lambda: cache.get(f"ping:{token}"), timeout=60)
    assert result == {"seen": True}
    assert worker.process.poll() is None
