import datetime

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from missions.models import Alert, Delivery, Mobilization
from missions.services import (
    UNCONFIRMED_NOTE,
    claim_alerts,
    launch_mobilization,
    send_claimed_alerts,
    send_pending_alerts,
    sweep_alerts,
)
from reserve import sms
from tests.conftest import free_port
from tests.factories import CoordinatorFactory

from .conftest import draft_callup, reachable_volunteer

pytestmark = pytest.mark.django_db


def as_if_never_sent(**fields):
    """Back to before the first send: alerts pending, no delivery recorded."""
    Delivery.objects.all().delete()
    Alert.objects.update(status=Alert.Status.PENDING, sent_at=None, **fields)


def launched(volunteers=1, **kwargs):
    users = [reachable_volunteer(**kwargs) for _ in range(volunteers)]
    mobilization = draft_callup()
    with TestCase.captureOnCommitCallbacks(execute=True):
        launch_mobilization(mobilization, by=CoordinatorFactory())
    return mobilization, users


def test_each_volunteer_gets_one_email_in_their_language_with_both_links_and_the_place(
    smtp_server,
):
    mobilization, (french,) = launched()
    english = reachable_volunteer()
    english.language = "en"
    english.save()
    Alert.objects.create(mobilization=mobilization, volunteer=english)

    send_pending_alerts(mobilization_id=mobilization.pk)

    by_recipient = {m["to"][0]: m["message"] for m in smtp_server.messages}
    assert sorted(by_recipient) == sorted([french.email, english.email])
    fr, en = by_recipient[french.email], by_recipient[english.email]
    assert fr["Subject"].startswith("Mobilisation")
    assert en["Subject"].startswith("Call-up")
    token = Alert.objects.get(volunteer=english).token
    text = en.get_body(("plain",)).get_content()
    html = en.get_body(("html",)).get_content()
    assert f"/missions/respond/{token}/" in text
    assert f"/missions/respond/{token}/" in html
    assert mobilization.ask in text
    assert "On site: Île-de-France" in text
    assert "Sur place : Île-de-France" in fr.get_body(("plain",)).get_content()
    assert (
        str(en["List-Unsubscribe"]).strip() == f"<http://127.0.0.1:8000/missions/opt-out/{token}/>"
    )
    assert f"/missions/opt-out/{token}/" in text
    assert set(Alert.objects.values_list("status", flat=True)) == {Alert.Status.SENT}


def test_a_chunk_is_sent_over_one_smtp_connection(smtp_server, settings):
    settings.ALERT_CHUNK_SIZE = 5
    launched(volunteers=7)
    send_pending_alerts()
    assert len(smtp_server.messages) == 7
    assert smtp_server.connections == 2  # two chunks: 5 + 2


def test_a_refusing_mail_server_is_retried_then_recorded_as_failed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.ALERT_MAX_ATTEMPTS = 3
    settings.ALERT_RETRY_BASE_SECONDS = 0
    mobilization, (volunteer,) = launched()
    profile_before = volunteer.profile.__dict__.copy()

    # The launch made the first attempt; the sweep (every minute) makes the others.
    for _minute in range(5):
        sweep_alerts()

    alert = Alert.objects.get()
    assert alert.status == Alert.Status.FAILED
    assert alert.attempts == 3
    assert "Mail server unreachable" in alert.last_error
    volunteer.profile.refresh_from_db()
    assert volunteer.profile.crisis_opt_in == profile_before["crisis_opt_in"]


def test_a_transient_failure_is_retried_later_with_a_growing_delay(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.ALERT_RETRY_BASE_SECONDS = 30
    mobilization, _users = launched()
    alert = Alert.objects.get()
    assert (alert.status, alert.attempts) == (Alert.Status.PENDING, 1)
    assert alert.not_before > timezone.now() + datetime.timedelta(seconds=20)
    # Not due yet: a second sender finds nothing to claim.
    assert claim_alerts(mobilization_id=mobilization.pk) is None
    later = timezone.now() + datetime.timedelta(seconds=31)
    token = claim_alerts(mobilization_id=mobilization.pk, now=later)
    result = send_claimed_alerts(claim_token=token)
    alert.refresh_from_db()
    assert alert.attempts == 2
    assert result.retry_in == 60  # twice the first delay


def test_a_refused_recipient_is_a_permanent_failure(smtp_server):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 No such user here"

    smtp_server.handle_RCPT = refuse
    launched()
    alert = Alert.objects.get()
    assert alert.status == Alert.Status.FAILED
    assert "550" in alert.last_error
    assert alert.attempts == 1


def test_a_message_whose_answer_never_came_is_not_sent_again(smtp_server, settings):
    """The server took the message but its "250" was lost (timeout): at most once, the
    alert is flagged for the coordinator, the others of the chunk leave once."""
    import asyncio

    settings.EMAIL_TIMEOUT = 1
    settings.ALERT_RETRY_BASE_SECONDS = 0
    stalled = []

    async def stall_first(envelope):
        if not stalled:
            stalled.append(envelope.rcpt_tos[0])
            await asyncio.sleep(3)

    smtp_server.before_accept = stall_first
    mobilization, users = launched(volunteers=3)
    send_pending_alerts(mobilization_id=mobilization.pk)

    received = smtp_server.recipients()
    assert sorted(received) == sorted(u.email for u in users)  # each once
    first = Alert.objects.get(volunteer__email=stalled[0])
    assert (first.status, first.last_error) == (Alert.Status.SENT, UNCONFIRMED_NOTE)
    assert Alert.objects.filter(status=Alert.Status.SENT).count() == 3


def test_a_message_the_server_refused_for_now_goes_again(smtp_server, settings):
    settings.ALERT_RETRY_BASE_SECONDS = 0
    refused = []

    async def busy_once(server, session, envelope):
        if not refused:
            refused.append(envelope.rcpt_tos[0])
            return "451 Try again later"
        return await type(smtp_server).handle_DATA(smtp_server, server, session, envelope)

    smtp_server.handle_DATA = busy_once
    mobilization, users = launched(volunteers=2)
    send_pending_alerts(mobilization_id=mobilization.pk)

    assert sorted(smtp_server.recipients()) == sorted(u.email for u in users)
    again = Alert.objects.get(volunteer__email=refused[0])
    assert (again.status, again.attempts) == (Alert.Status.SENT, 2)


def test_the_launcher_is_told_of_failed_deliveries_once(smtp_server):
    async def refuse(server, session, envelope, address, rcpt_options):
        if address.startswith("coordinator"):
            envelope.rcpt_tos.append(address)
            return "250 OK"
        return "550 No such user here"

    smtp_server.handle_RCPT = refuse
    mobilization, _users = launched(volunteers=2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_pending_alerts(mobilization_id=mobilization.pk)
    reports = [m for m in smtp_server.messages if m["to"][0].startswith("coordinator")]
    assert len(reports) == 1
    assert "550" in reports[0]["message"].get_body(("plain",)).get_content()


def test_the_sweep_gives_back_alerts_of_a_dead_sender_that_never_left(settings):
    mobilization, _users = launched(volunteers=2)
    settings.ALERT_CLAIM_TIMEOUT_SECONDS = 60
    mail.outbox.clear()
    as_if_never_sent()
    claim_alerts(mobilization_id=mobilization.pk)  # a sender claims, then dies

    later = timezone.now() + datetime.timedelta(minutes=5)
    report = sweep_alerts(now=later)

    assert report["recovered"] == 2
    assert len(mail.outbox) == 2  # re-enqueued and sent (eager)
    assert set(Alert.objects.values_list("status", flat=True)) == {Alert.Status.SENT}


def test_the_sweep_never_sends_twice_an_alert_already_handed_over(settings):
    mobilization, _users = launched(volunteers=2)
    mail.outbox.clear()
    as_if_never_sent()
    token = claim_alerts(mobilization_id=mobilization.pk)
    first = Alert.objects.filter(claim_token=token).order_by("pk").first()
    # The sender handed the first message over, then died before marking it sent.
    Alert.objects.filter(pk=first.pk).update(handed_over_at=timezone.now())

    sweep_alerts(now=timezone.now() + datetime.timedelta(minutes=10))

    first.refresh_from_db()
    assert first.status == Alert.Status.SENT
    assert first.last_error == UNCONFIRMED_NOTE
    assert len(mail.outbox) == 1  # only the other one
    assert mail.outbox[0].to != [first.volunteer.email]


def test_running_the_sender_twice_sends_nothing_more():
    mobilization, _users = launched(volunteers=3)
    assert len(mail.outbox) == 3
    send_pending_alerts(mobilization_id=mobilization.pk)
    sweep_alerts()
    assert len(mail.outbox) == 3


def test_volunteers_who_chose_sms_get_a_short_text_with_their_link(settings):
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    mobilization, (volunteer,) = launched(
        alert_by_email=False, alert_by_sms=True, phone="+33612345678"
    )
    token = Alert.objects.get().token
    assert [{"to": m["to"], "text": m["text"]} for m in sms.outbox] == [
        {
            "to": "+33612345678",
            "text": f"Mobilisation Réserve : {mobilization.title}. Répondez OUI ou NON, "
            f"ou ici : http://127.0.0.1:8000/missions/respond/{token}/",
        }
    ]
    assert len(mail.outbox) == 0


def test_the_sweep_sends_a_follow_up_left_pending_by_a_broker_outage():
    from missions.models import FollowUp

    mobilization, (volunteer,) = launched()
    Alert.objects.update(response=Alert.Response.ACCEPTED)
    mail.outbox.clear()
    follow_up = FollowUp.objects.create(
        mobilization=mobilization, audience="accepted", subject="Rendez-vous", body="8 h"
    )
    sweep_alerts(now=timezone.now() + datetime.timedelta(minutes=2))
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.SENT
    assert [m.to for m in mail.outbox] == [[volunteer.email]]


def test_each_message_has_its_own_recipient_links_and_message_id(smtp_server):
    launched(volunteers=3)
    tokens = dict(Alert.objects.values_list("volunteer__email", "token"))
    ids = set()
    for item in smtp_server.messages:
        (recipient,) = item["to"]
        message = item["message"]
        assert message["To"] == recipient
        html = message.get_body(("html",)).get_content()
        assert f"/missions/respond/{tokens[recipient]}/" in html
        assert f"/missions/opt-out/{tokens[recipient]}/" in html
        assert "@@" not in message.as_string()
        ids.add(message["Message-ID"])
    assert len(ids) == 3


def test_the_launcher_hears_of_failures_when_the_call_up_fills_before_all_left(settings):
    from missions.services import record_response

    settings.ALERT_CHUNK_SIZE = 1
    mobilization, users = launched(volunteers=3)
    # The first alert failed, the third still waits (a backlog) when the second fills it.
    first, second, third = Alert.objects.order_by("pk")
    Alert.objects.filter(pk=first.pk).update(status=Alert.Status.FAILED, last_error="550 nope")
    Alert.objects.filter(pk=third.pk).update(status=Alert.Status.PENDING)
    Mobilization.objects.filter(pk=mobilization.pk).update(headcount=1)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        record_response(second, accept=True)
    reports = [m for m in mail.outbox if m.to == [mobilization.launched_by.email]]
    assert len(reports) == 1
    assert "550 nope" in reports[0].body


def _quiet_now(volunteer):
    """Quiet hours from an hour ago to an hour from now (local time)."""
    now = timezone.localtime()
    start = (now - datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    volunteer.profile.quiet_hours_start, volunteer.profile.quiet_hours_end = start, end
    volunteer.profile.save()
    return end


def test_a_retry_that_comes_due_in_quiet_hours_waits_for_their_end():
    mobilization, (volunteer,) = launched()
    mail.outbox.clear()
    end = _quiet_now(volunteer)
    as_if_never_sent(not_before=None)
    attempts = Alert.objects.get().attempts

    send_pending_alerts(mobilization_id=mobilization.pk)

    alert = Alert.objects.get()
    assert mail.outbox == []
    assert alert.status == Alert.Status.PENDING and alert.attempts == attempts
    assert timezone.localtime(alert.not_before).time() == end


def test_at_the_red_level_a_retry_goes_even_in_quiet_hours():
    from missions.models import Crisis

    mobilization, (volunteer,) = launched()
    Crisis.objects.filter(pk=mobilization.crisis_id).update(severity=Crisis.Severity.RED)
    mail.outbox.clear()
    _quiet_now(volunteer)
    as_if_never_sent(not_before=None)

    send_pending_alerts(mobilization_id=mobilization.pk)

    assert [m.to for m in mail.outbox] == [[volunteer.email]]


def test_a_follow_up_cut_by_the_mail_server_says_so_and_how_many_got_it(smtp_server):
    from missions.models import FollowUp
    from missions.services import deliver_follow_up

    mobilization, users = launched(volunteers=3)
    Alert.objects.update(response=Alert.Response.ACCEPTED)
    smtp_server.messages.clear()
    calls = []

    async def drop_the_second(server, session, envelope):
        calls.append(1)
        if len(calls) == 2:
            session.transport.close()  # the server goes away mid-sending
            return "421 closing"
        return await type(smtp_server).handle_DATA(smtp_server, server, session, envelope)

    smtp_server.handle_DATA = drop_the_second
    follow_up = FollowUp.objects.create(
        mobilization=mobilization, audience="accepted", subject="Rendez-vous", body="8 h"
    )
    deliver_follow_up(follow_up_id=follow_up.pk)

    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.FAILED
    assert follow_up.recipients == 1 == len(smtp_server.messages)
    assert follow_up.last_error


def test_failures_of_a_later_wave_get_a_report_of_their_own(smtp_server):
    async def refuse(server, session, envelope, address, rcpt_options):
        if address.startswith("coordinator"):
            envelope.rcpt_tos.append(address)
            return "250 OK"
        return "550 No such user here"

    smtp_server.handle_RCPT = refuse
    mobilization, (first,) = launched()
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_pending_alerts(mobilization_id=mobilization.pk)
    later = reachable_volunteer()
    Alert.objects.create(mobilization=mobilization, volunteer=later, wave=2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_pending_alerts(mobilization_id=mobilization.pk)
        send_pending_alerts(mobilization_id=mobilization.pk)  # nothing new: no third report

    reports = [
        m["message"].get_body(("plain",)).get_content()
        for m in smtp_server.messages
        if m["to"][0].startswith("coordinator")
    ]
    assert len(reports) == 2
    assert first.email in reports[0] and later.email not in reports[0]
    assert later.email in reports[1] and first.email not in reports[1]
