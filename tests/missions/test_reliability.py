"""The pipeline under failure, with real PostgreSQL, Redis, Celery workers and SMTP server."""

import asyncio
import shutil
import subprocess
import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.urls import reverse

from missions import tasks
from missions.models import Alert, Mobilization
from missions.services import (
    UNCONFIRMED_NOTE,
    MobilizationNotDraft,
    launch_mobilization,
)
from tests.conftest import free_port
from tests.factories import CoordinatorFactory
from tests.helpers import wait_for

from .bulk import bulk_volunteers
from .conftest import draft_callup

# Transactional: the workers read what the test commits (tests/conftest.py restores the
# migrations' reference data around each one).
RESTORED = pytest.mark.django_db(transaction=True)


def smtp_env(smtp_server, **extra):
    return {"EMAIL_URL": f"smtp://{smtp_server.host}:{smtp_server.port}", **extra}


def settled(mobilization):
    return not Alert.objects.filter(
        mobilization=mobilization, status__in=[Alert.Status.PENDING, Alert.Status.SENDING]
    ).exists()


@pytest.mark.worker
@RESTORED
def test_a_worker_killed_mid_chunk_sends_no_duplicate_and_loses_no_one(
    celery_worker, smtp_server, settings
):
    """2,000 alerts; the first worker is SIGKILLed at the worst moment — message 777
    (mid-chunk) is in the SMTP server's hands and its "250" not yet read — and a new
    worker plus the beat sweep finish the job: exactly one message per volunteer."""
    settings.ALERT_CHUNK_SIZE = 100
    emails = bulk_volunteers(2000, prefix="killed")
    mobilization = draft_callup()
    stalled, released = threading.Event(), threading.Event()

    async def stall_at_777(envelope):
        if len(smtp_server.messages) == 777:
            stalled.set()
            while not released.is_set():
                await asyncio.sleep(0.05)

    smtp_server.before_accept = stall_at_777
    first = celery_worker(**smtp_env(smtp_server, ALERT_CLAIM_TIMEOUT_SECONDS=3))

    result = launch_mobilization(mobilization, by=CoordinatorFactory())
    assert result.alerts == 2000 and result.queued is True

    assert stalled.wait(timeout=240), "the worker never reached message 777"
    first.kill()
    released.set()
    sending = Alert.objects.filter(mobilization=mobilization, status=Alert.Status.SENDING)
    assert sending.exists(), "the worker was killed between two chunks, not in one"
    # Handed over: the message in the server's hands, and those confirmed since the
    # last batch of "sent" marks. None of them may be sent again.
    handed_over = list(sending.filter(handed_over_at__isnull=False))
    assert handed_over

    celery_worker(**smtp_env(smtp_server, ALERT_CLAIM_TIMEOUT_SECONDS=3))
    time.sleep(3.5)
    tasks.sweep_alerts.delay()  # what beat does every minute
    wait_for(lambda: settled(mobilization), timeout=300, interval=0.5)

    counts = Counter(smtp_server.recipients())
    assert sorted(counts) == sorted(emails)
    assert set(counts.values()) == {1}
    assert Alert.objects.filter(mobilization=mobilization, status=Alert.Status.SENT).count() == 2000
    # Only the message in flight when the worker died is in doubt (SMTP keeps no record
    # to ask): one flagged, the others handed over before it known sent.
    notes = Counter()
    for alert in handed_over:
        alert.refresh_from_db()
        assert alert.status == Alert.Status.SENT
        notes[alert.last_error] += 1
    assert notes[UNCONFIRMED_NOTE] == 1
    assert Alert.objects.filter(mobilization=mobilization, last_error=UNCONFIRMED_NOTE).count() == 1


@pytest.fixture
def own_redis():
    """A private redis-server (never the shared one on 6379), that the test stops at will."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed"
    port = free_port()

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            self.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_for(self.ping, timeout=20)

        def ping(self):
            import redis

            try:
                return redis.Redis.from_url(self.url).ping()
            except redis.exceptions.ConnectionError:
                return False

        def stop(self):
            if self.process and self.process.poll() is None:
                self.process.terminate()
                self.process.wait(timeout=10)

    server = Server()
    yield server
    server.stop()


def point_producer_at(url):
    from reserve.celery import app

    previous = app.conf["CELERY_BROKER_URL"]
    app.conf["CELERY_BROKER_URL"] = url
    app.conf["broker_url"] = url
    app._pool = None
    app.amqp._producer_pool = None
    return previous


@pytest.mark.worker
@RESTORED
def test_launching_while_the_broker_is_down_delivers_everything_once_it_is_back(
    own_redis, celery_worker, smtp_server
):
    emails = bulk_volunteers(50, prefix="brokerdown")
    mobilization = draft_callup()
    own_redis.start()
    previous = point_producer_at(own_redis.url)
    try:
        own_redis.stop()
        started = time.monotonic()
        result = launch_mobilization(mobilization, by=CoordinatorFactory())
        assert time.monotonic() - started < 15, "the launch must not hang on the broker"
        assert result.queued is False
        mobilization.refresh_from_db()
        assert mobilization.status == Mobilization.Status.LAUNCHED
        assert Alert.objects.filter(mobilization=mobilization).count() == 50

        own_redis.start()
        celery_worker(**smtp_env(smtp_server, REDIS_URL=own_redis.url))
        tasks.sweep_alerts.delay()  # what beat does every minute
        wait_for(lambda: settled(mobilization), timeout=120, interval=0.3)
    finally:
        point_producer_at(previous)

    counts = Counter(smtp_server.recipients())
    assert sorted(counts) == sorted(emails)
    assert set(counts.values()) == {1}


@pytest.mark.worker
@RESTORED
def test_a_refusing_mail_server_is_retried_then_failed_and_shown_to_coordinators(
    celery_worker, client
):
    bulk_volunteers(3, prefix="refused")
    mobilization = draft_callup()
    celery_worker(
        EMAIL_URL=f"smtp://127.0.0.1:{free_port()}",  # nothing listens there
        ALERT_MAX_ATTEMPTS=3,
        ALERT_RETRY_BASE_SECONDS=0.2,
    )
    launch_mobilization(mobilization, by=CoordinatorFactory())
    wait_for(lambda: settled(mobilization), timeout=120, interval=0.3)

    alerts = list(Alert.objects.filter(mobilization=mobilization))
    assert {a.status for a in alerts} == {Alert.Status.FAILED}
    assert {a.attempts for a in alerts} == {3}
    assert all("Mail server unreachable" in a.last_error for a in alerts)
    assert all(a.volunteer.profile.crisis_opt_in for a in alerts)  # the rest is untouched

    client.force_login(CoordinatorFactory())
    page = client.get(reverse("admin:missions_mobilization_progress", args=[mobilization.pk]))
    assert page.text.count("Mail server unreachable") == 3


@pytest.mark.postgres
@RESTORED
def test_two_coordinators_launching_at_once_give_one_launch_and_one_set_of_alerts():
    bulk_volunteers(30, prefix="race")
    mobilization = draft_callup()
    coordinators = [CoordinatorFactory(), CoordinatorFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def launch(coordinator):
        try:
            barrier.wait(timeout=10)
            launched = launch_mobilization(
                Mobilization.objects.get(pk=mobilization.pk), by=coordinator
            )
            outcomes.append(("launched", launched.alerts))
        except MobilizationNotDraft:
            outcomes.append(("refused", 0))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=launch, args=(c,)) for c in coordinators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == [("launched", 30), ("refused", 0)]
    assert Alert.objects.filter(mobilization=mobilization).count() == 30
    assert connection.vendor == "postgresql"


@pytest.mark.postgres
@RESTORED
def test_two_call_ups_launched_at_once_alert_a_volunteer_once_within_the_cap():
    """Both call-ups target the same 20 people: with the frequency cap, each volunteer
    gets one alert in all, whichever launch commits first."""
    bulk_volunteers(20, prefix="cap")
    first, second = draft_callup(title="Maraudes"), draft_callup(title="Standard")
    coordinator = CoordinatorFactory()
    barrier = threading.Barrier(2)
    counts = []

    def launch(mobilization):
        try:
            barrier.wait(timeout=10)
            counts.append(launch_mobilization(mobilization, by=coordinator).alerts)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=launch, args=(m,)) for m in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(counts) == [0, 20]
    per_volunteer = Alert.objects.values("volunteer").annotate(n=Count("pk"))
    assert {row["n"] for row in per_volunteer} == {1}
