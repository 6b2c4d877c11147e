"""The SMS pipeline under failure, with a provider that keeps records and reports: real
PostgreSQL, Redis and Celery workers, and the fake Twilio of tests/fakes, which the
workers' SDK talks to over HTTP and which emits signed status callbacks.

A worker is SIGKILLed while a text is in the fake's hands; the beat sweep then asks the
provider about that one message: found, it is settled from the provider's record; not
found, it is sent again, once."""

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat, LPad
from django.urls import reverse

from missions import tasks
from missions.models import Alert, Delivery
from missions.services import UNCONFIRMED_NOTE, launch_mobilization
from tests.factories import CoordinatorFactory
from tests.helpers import wait_for
from volunteers.models import Profile

from .bulk import bulk_volunteers
from .conftest import draft_callup

RESTORED = pytest.mark.django_db(transaction=True)
CLAIM_TIMEOUT = 3


def sms_volunteers(count, *, prefix):
    """`count` matching volunteers (bulk) who are alerted by SMS only, each with a mobile
    number of their own; returns the numbers."""
    emails = bulk_volunteers(count, prefix=prefix)
    profiles = Profile.objects.filter(user__email__in=emails)
    profiles.update(
        alert_by_email=False,
        alert_by_sms=True,
        phone=Concat(Value("+336"), LPad(Cast(F("user_id"), CharField()), 8, Value("0"))),
    )
    return list(profiles.values_list("phone", flat=True))


def twilio_env(fake, **extra):
    """The settings that point a worker's SMS at the fake Twilio, as environment."""
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_API_BASE_URL": fake.base_url,
        "SMS_SENDER": fake.number,
        "ALERT_CLAIM_TIMEOUT_SECONDS": CLAIM_TIMEOUT,
        **extra,
    }


def settled(mobilization):
    return not Alert.objects.filter(
        mobilization=mobilization, status__in=[Alert.Status.PENDING, Alert.Status.SENDING]
    ).exists()


def kill_mid_send(celery_worker, stall, mobilization, env):
    """Launch, SIGKILL the worker while the stalled text is in the fake's hands, start a
    new worker and run the sweep; returns the alert that was in doubt."""
    first = celery_worker(**env)
    result = launch_mobilization(mobilization, by=CoordinatorFactory())
    assert result.queued is True

    assert stall.wait(timeout=240), f"the worker never reached text {stall.nth}"
    first.kill()
    stall.release()
    # The claim's last hand-over is the text in flight: the one in doubt.
    sending = Alert.objects.filter(mobilization=mobilization, status=Alert.Status.SENDING)
    in_doubt = (
        sending.filter(handed_over_at__isnull=False)
        .select_related("volunteer__profile")
        .latest("handed_over_at", "pk")
    )
    assert in_doubt.volunteer.profile.phone == stall.request.form["To"]
    assert sending.filter(handed_over_at__isnull=True).exists(), "killed between two chunks"

    celery_worker(**env)
    time.sleep(CLAIM_TIMEOUT + 0.5)
    tasks.sweep_alerts.delay()  # what beat does every minute
    wait_for(lambda: settled(mobilization), timeout=300, interval=0.5)
    in_doubt.refresh_from_db()
    return in_doubt


def texts_per_number(fake):
    return Counter(m["to"] for m in fake.messages if m["direction"] != "inbound")


def asked_about(fake, number):
    return any(r.method == "GET" and r.query.get("To") == number for r in fake.requests)


@pytest.mark.worker
@RESTORED
def test_a_text_twilio_took_before_the_worker_died_is_settled_from_its_record(
    celery_worker, twilio_server, live_server, settings
):
    """1,000 texts; the worker is SIGKILLed while Twilio holds text 437, recorded but not
    yet answered. The sweep finds it in Twilio's records: not sent again, not flagged.
    Then Twilio reports every text delivered to the running site (signed status
    callbacks over HTTP, eight at a time): every delivery ends "delivered", the one the
    sweep settled too."""
    settings.ALERT_CHUNK_SIZE = 100
    settings.SITE_URL = live_server.url  # the URL Twilio signs
    status_url = live_server.url + reverse("missions:twilio_status")
    numbers = sms_volunteers(1000, prefix="smskilled")
    mobilization = draft_callup()
    stall = twilio_server.stall(437)

    env = twilio_env(twilio_server, SMS_STATUS_CALLBACK_URL=status_url, SITE_URL=live_server.url)
    in_doubt = kill_mid_send(celery_worker, stall, mobilization, env)

    counts = texts_per_number(twilio_server)
    assert sorted(counts) == sorted(numbers)  # 0 missing
    assert set(counts.values()) == {1}  # 0 duplicates
    alerts = Alert.objects.filter(mobilization=mobilization)
    assert alerts.filter(status=Alert.Status.SENT).count() == 1000
    assert not alerts.filter(last_error=UNCONFIRMED_NOTE).exists()

    number = in_doubt.volunteer.profile.phone
    assert asked_about(twilio_server, number)
    (text,) = twilio_server.sent_to(number)
    assert (in_doubt.status, in_doubt.last_error, in_doubt.attempts) == (Alert.Status.SENT, "", 1)
    assert in_doubt.deliveries.get().provider_id == text["sid"]
    # Each text once in our records too, with Twilio's id.
    deliveries = Delivery.objects.filter(alert__mobilization=mobilization)
    sids = [m["sid"] for m in twilio_server.messages]
    assert sorted(deliveries.values_list("provider_id", flat=True)) == sorted(sids)

    with ThreadPoolExecutor(8) as pool:
        answers = Counter(status for status, _body in pool.map(twilio_server.deliver, sids))
    assert answers == {204: 1000}
    assert Counter(deliveries.values_list("status", flat=True)) == {"delivered": 1000}
    assert in_doubt.deliveries.get().status == Delivery.Status.DELIVERED


@pytest.mark.worker
@RESTORED
def test_a_text_twilio_never_took_before_the_worker_died_is_sent_once(
    celery_worker, twilio_server, settings
):
    """300 texts; the worker is SIGKILLed after handing text 137 over, while the request
    has not been taken by Twilio (which then drops it). The sweep asks, finds nothing,
    and the alert goes again: one text per number in the end."""
    settings.ALERT_CHUNK_SIZE = 100
    numbers = sms_volunteers(300, prefix="smslost")
    mobilization = draft_callup()
    stall = twilio_server.stall(137, taken=False)

    in_doubt = kill_mid_send(celery_worker, stall, mobilization, twilio_env(twilio_server))

    counts = texts_per_number(twilio_server)
    assert sorted(counts) == sorted(numbers)
    assert set(counts.values()) == {1}
    alerts = Alert.objects.filter(mobilization=mobilization)
    assert alerts.filter(status=Alert.Status.SENT).count() == 300
    assert not alerts.filter(last_error=UNCONFIRMED_NOTE).exists()

    number = in_doubt.volunteer.profile.phone
    assert asked_about(twilio_server, number)
    (text,) = twilio_server.sent_to(number)
    # Sent by a second claim, after the sweep gave it back.
    assert (in_doubt.status, in_doubt.attempts) == (Alert.Status.SENT, 2)
    assert in_doubt.deliveries.get().provider_id == text["sid"]
