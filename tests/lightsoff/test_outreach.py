"""#12: the platform contacts the shop, the shopkeeper answers, four weeks later."""

import datetime
import re
import time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from lightsoff.models import (
    ContactAction,
    FollowUp,
    Shop,
    ShopAnswer,
    ShopMessage,
    ShopOptOut,
    Sighting,
    VolunteerContactTask,
)
from lightsoff.services import outreach
from tests.factories import ReporterSubscriptionFactory, ShopFactory, UserFactory
from volunteers.audit import entries_for

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MOBILE, LANDLINE = "06 12 34 56 78", "01 43 55 55 55"


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


NOON = paris(2026, 11, 18, 12, 0)


def body_of(smtp_message):
    message = smtp_message["message"]
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def links(text):
    return re.findall(r"https?://\S+", text)


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


# --- the platform contacts the shop --------------------------------------------------------------
def test_the_message_reaches_the_shop_by_e_mail_and_counts_as_a_contact(smtp_server, client):
    shop = ShopFactory(name="Fleuriste des Halles", email="fleurs@example.org")
    [message] = outreach.request_platform_contact(shop=shop, ip="203.0.113.5", now=NOON)
    assert message.send_after == NOON
    assert outreach.send_message(message_id=message.pk, now=NOON)

    [received] = smtp_server.messages
    assert received["to"] == ["fleurs@example.org"]
    text = body_of(received)
    assert "Bonjour Fleuriste des Halles !" in text  # the kit's friendly message
    answer_link, stop_link = links(text)[-2:]
    assert "/lightsoff/answer/" in answer_link and "/lightsoff/stop/" in stop_link
    assert received["message"]["List-Unsubscribe"].strip() == f"<{stop_link}>"

    shop.refresh_from_db()
    assert (shop.contacts_count, shop.status) == (1, Shop.Status.CONTACTED)
    assert shop.contacted_at is not None
    contact = ContactAction.objects.get(shop=shop)
    assert contact.by_platform and contact.channel == "email"
    message.refresh_from_db()
    assert (message.status, message.sent_at) == (ShopMessage.Status.SENT, NOON)
    assert message.requested_by is None and message.ip_hash and "203.0" not in message.ip_hash
    page = client.get(shop.get_absolute_url()).content.decode()
    assert "Contacté par Réserve le 18 novembre 2026" in page


def test_a_mobile_gets_an_sms_and_both_channels_count_as_one_contact(twilio_server, smtp_server):
    shop = ShopFactory(email="boutique@example.org", phone=MOBILE)
    messages = outreach.request_platform_contact(shop=shop, now=NOON)
    assert {m.channel: m.recipient for m in messages} == {
        "email": "boutique@example.org",
        "sms": "+33612345678",
    }
    outreach.send_due_messages(now=NOON)
    [sms] = twilio_server.sent_to("+33612345678")
    assert "Réserve" in sms["body"] and "/lightsoff/answer/" in sms["body"]
    assert "/lightsoff/stop/" in sms["body"]
    assert ShopMessage.objects.get(channel="sms").provider_id == sms["sid"]
    assert len(smtp_server.messages) == 1
    shop.refresh_from_db()
    assert shop.contacts_count == 1


def test_a_landline_gets_no_sms(twilio_server, smtp_server):
    shop = ShopFactory(email="boutique@example.org", phone=LANDLINE)
    [message] = outreach.request_platform_contact(shop=shop, now=NOON)
    assert message.channel == "email"
    outreach.send_due_messages(now=NOON)
    assert twilio_server.messages == []


def test_a_shop_with_a_landline_only_is_refused_and_offered_the_letter(client):
    shop = ShopFactory(phone=LANDLINE)
    with pytest.raises(outreach.ContactRefused, match="lettre|letter"):
        outreach.request_platform_contact(shop=shop, now=NOON)
    assert not ShopMessage.objects.exists()
    page = client.get(shop.get_absolute_url()).content.decode()
    assert 'data-testid="platform-contact"' not in page  # the button needs a channel
    assert "Imprimer une lettre" in page


def test_at_most_one_request_per_shop_per_30_days_whoever_asks(client, smtp_server):
    shop = ShopFactory(email="shop@example.org")
    outreach.request_platform_contact(shop=shop, by=UserFactory(), now=NOON)
    with pytest.raises(outreach.ContactRefused, match="18/12/2026"):
        outreach.request_platform_contact(shop=shop, now=NOON + datetime.timedelta(days=29))
    again = outreach.request_platform_contact(shop=shop, now=NOON + datetime.timedelta(days=30))
    assert len(again) == 1
    # Through the kit: the refusal is said, nothing more is sent.
    response = client.post(reverse("lightsoff:platform_contact", args=[shop.pk]), follow=True)
    assert "déjà contacté" in response.content.decode()
    assert ShopMessage.objects.count() == 2


@pytest.mark.parametrize(
    ("asked", "leaves"),
    [
        (paris(2026, 11, 18, 20, 59), paris(2026, 11, 18, 20, 59)),
        (paris(2026, 11, 18, 21, 0), paris(2026, 11, 19, 8, 0)),
        (paris(2026, 11, 18, 23, 30), paris(2026, 11, 19, 8, 0)),
        (paris(2026, 11, 19, 3, 0), paris(2026, 11, 19, 8, 0)),
        (paris(2026, 11, 19, 7, 59), paris(2026, 11, 19, 8, 0)),
        (paris(2026, 11, 19, 8, 0), paris(2026, 11, 19, 8, 0)),
        # Summer time: still 21 h–8 h on the wall clock.
        (paris(2026, 7, 1, 22, 0), paris(2026, 7, 2, 8, 0)),
    ],
)
def test_quiet_hours_hold_the_message_until_8_in_the_morning(asked, leaves):
    assert outreach.send_after(asked) == leaves


def test_a_message_asked_at_night_leaves_at_8_through_the_sweep(smtp_server):
    shop = ShopFactory(email="shop@example.org")
    evening = paris(2026, 11, 18, 22, 30)
    [message] = outreach.request_platform_contact(shop=shop, now=evening)
    assert message.send_after == paris(2026, 11, 19, 8, 0)
    assert outreach.send_due_messages(now=paris(2026, 11, 19, 3, 0)) == 0
    # Even asked directly by a worker, it does not leave during the night.
    assert not outreach.send_message(message_id=message.pk, now=paris(2026, 11, 19, 7, 59))
    assert smtp_server.messages == []
    assert outreach.send_due_messages(now=paris(2026, 11, 19, 8, 0)) == 1
    assert len(smtp_server.messages) == 1
    # Run again: at most once.
    assert outreach.send_due_messages(now=paris(2026, 11, 19, 8, 5)) == 0
    assert len(smtp_server.messages) == 1


def test_the_sweep_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"lightsoff.tasks.send_due_shop_messages", "lightsoff.tasks.send_follow_ups"} <= tasks


def test_the_kit_button_has_the_platform_send_the_message(
    client, smtp_server, django_capture_on_commit_callbacks
):
    shop = ShopFactory(email="shop@example.org")
    page = client.get(shop.get_absolute_url()).content.decode()
    assert "Faire envoyer par Réserve" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lightsoff:platform_contact", args=[shop.pk]), follow=True)
    assert response.status_code == 200
    message = ShopMessage.objects.get(shop=shop)
    if message.send_after > timezone.now():  # the test ran during the quiet hours
        assert "aucun message la nuit" in response.content.decode()
        outreach.send_due_messages(now=message.send_after)
    assert len(smtp_server.messages) == 1


def test_the_volunteer_who_took_the_task_has_the_platform_send_it(client, smtp_server):
    volunteer = UserFactory()
    shop = ShopFactory(email="shop@example.org")
    task = VolunteerContactTask.objects.create(
        shop=shop, status="taken", volunteer=volunteer, taken_at=timezone.now()
    )
    client.force_login(volunteer)
    page = client.get(reverse("lightsoff:tasks")).content.decode()
    assert reverse("lightsoff:task_platform_contact", args=[task.pk]) in page
    client.post(reverse("lightsoff:task_platform_contact", args=[task.pk]))
    task.refresh_from_db()
    assert task.status == "done"
    assert ShopMessage.objects.get(shop=shop).requested_by == volunteer
    # Someone else's task: nothing.
    other = VolunteerContactTask.objects.create(
        shop=ShopFactory(email="b@example.org"), status="taken", volunteer=UserFactory()
    )
    response = client.post(reverse("lightsoff:task_platform_contact", args=[other.pk]))
    assert response.status_code == 404


# --- opt-out -------------------------------------------------------------------------------------
def test_the_one_click_opt_out_stops_every_message(client, smtp_server):
    shop = ShopFactory(email="shop@example.org")
    [message] = outreach.request_platform_contact(shop=shop, now=paris(2026, 11, 18, 22, 0))
    url = reverse("lightsoff:opt_out", args=[outreach.opt_out_token(shop)])
    assert "Ne plus nous contacter" in client.get(url).content.decode()
    # One click from the mail client: a POST without a CSRF token.
    csrf_client = type(client)(enforce_csrf_checks=True)
    response = csrf_client.post(url)
    assert response.status_code == 200
    assert "ne contactera plus" in response.content.decode()
    message.refresh_from_db()
    assert message.status == ShopMessage.Status.CANCELLED
    assert outreach.send_due_messages(now=paris(2026, 11, 19, 9, 0)) == 0
    with pytest.raises(outreach.ContactRefused, match="ne plus être contacté"):
        outreach.request_platform_contact(shop=shop, now=paris(2027, 3, 1, 12, 0))
    assert smtp_server.messages == []


# --- signed links --------------------------------------------------------------------------------
def made_long_ago(monkeypatch, days, make):
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - days * 86400)
    token = make()
    monkeypatch.setattr(time, "time", real)
    return token


@pytest.mark.parametrize("route", ["lightsoff:answer", "lightsoff:opt_out"])
def test_a_forged_or_foreign_token_is_the_404_page(client, route):
    shop = ShopFactory()
    valid = (outreach.answer_token if route == "lightsoff:answer" else outreach.opt_out_token)(shop)
    forged = valid[:-3] + ("aaa" if not valid.endswith("aaa") else "bbb")
    other_salt = (outreach.opt_out_token if route == "lightsoff:answer" else outreach.answer_token)(
        shop
    )
    for token in (forged, other_salt, "nonsense", "a:b:c"):
        response = client.get(reverse(route, args=[token]))
        assert response.status_code == 404, token
        response = client.post(reverse(route, args=[token]), {"kind": "stop"})
        assert response.status_code == 404
    assert client.get(reverse(route, args=[valid])).status_code == 200
    assert not ShopOptOut.objects.exists()  # the forged "stop" did nothing


def test_an_expired_answer_link_is_the_404_page(client, monkeypatch):
    shop = ShopFactory()
    token = made_long_ago(monkeypatch, 181, lambda: outreach.answer_token(shop))
    assert client.get(reverse("lightsoff:answer", args=[token])).status_code == 404
    token = made_long_ago(monkeypatch, 179, lambda: outreach.answer_token(shop))
    assert client.get(reverse("lightsoff:answer", args=[token])).status_code == 200


def test_the_answer_link_of_a_hidden_shop_is_the_404_page(client):
    shop = ShopFactory(is_hidden=True)
    url = reverse("lightsoff:answer", args=[outreach.answer_token(shop)])
    assert client.get(url).status_code == 404


# --- the shopkeeper answers ----------------------------------------------------------------------
def answer_url(shop):
    return reverse("lightsoff:answer", args=[outreach.answer_token(shop)])


def test_an_answer_waits_for_a_moderator_then_shows_and_subscribers_are_told(
    client, admin_client, django_capture_on_commit_callbacks
):
    shop = ShopFactory(name="Chez Paul")
    subscriber = ReporterSubscriptionFactory(shop=shop, confirmed_at=timezone.now())
    ReporterSubscriptionFactory(shop=shop)  # never confirmed: told nothing
    response = client.post(
        answer_url(shop), {"kind": "off", "effective_on": "2026-11-20", "text": "Minuterie posée."}
    )
    assert response.status_code == 200
    assert "une fois lue par un modérateur" in response.content.decode()
    answer = ShopAnswer.objects.get(shop=shop)
    assert answer.status == ShopAnswer.Status.PENDING
    assert answer.effective_on == datetime.date(2026, 11, 20)
    assert "Minuterie posée." not in client.get(shop.get_absolute_url()).content.decode()
    shop.refresh_from_db()
    assert shop.status == Shop.Status.REPORTED  # "off" waits for two dark nights

    changelist = reverse("admin:lightsoff_shopanswer_changelist")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(changelist, {"action": "publish", "_selected_action": [answer.pk]})
    answer.refresh_from_db()
    assert answer.status == ShopAnswer.Status.PUBLISHED
    assert [e.action for e in entries_for(answer)] == ["lightsoff.answer_publish"]
    page = client.get(shop.get_absolute_url()).content.decode()
    assert "Minuterie posée." in page and "depuis le 20/11/2026" in page
    [email] = mail.outbox
    assert email.to == [subscriber.email]
    assert "Chez Paul" in email.subject and "Minuterie posée." in email.body
    # Publishing again tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(changelist, {"action": "publish", "_selected_action": [answer.pk]})
    assert len(mail.outbox) == 1
    shop.refresh_from_db()
    assert shop.status == Shop.Status.REPORTED


def test_a_rejected_answer_never_shows(client, admin_client):
    shop = ShopFactory()
    client.post(answer_url(shop), {"kind": "not_ours", "text": "Mauvaise adresse"})
    answer = ShopAnswer.objects.get()
    admin_client.post(
        reverse("admin:lightsoff_shopanswer_changelist"),
        {"action": "reject", "_selected_action": [answer.pk]},
    )
    answer.refresh_from_db()
    assert answer.status == ShopAnswer.Status.REJECTED
    assert "Mauvaise adresse" not in client.get(shop.get_absolute_url()).content.decode()


def test_an_exception_needs_its_reference(client):
    shop = ShopFactory()
    response = client.post(answer_url(shop), {"kind": "exception"})
    assert response.status_code == 400
    assert "Indiquez la référence" in response.content.decode()
    client.post(answer_url(shop), {"kind": "exception", "exception_reference": "PREF-2026-17"})
    assert ShopAnswer.objects.get().exception_reference == "PREF-2026-17"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "nope"},
        {"kind": "off", "effective_on": "20-11-2026x"},
        {"kind": "off", "text": "x" * 3000},
    ],
)
def test_bad_answers_get_a_message_not_a_500(client, data):
    response = client.post(answer_url(ShopFactory()), data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not ShopAnswer.objects.exists()


def test_stop_contacting_us_takes_effect_at_once(client):
    shop = ShopFactory(email="shop@example.org")
    client.post(answer_url(shop), {"kind": "stop"})
    assert ShopAnswer.objects.get().status == ShopAnswer.Status.PENDING
    with pytest.raises(outreach.ContactRefused):
        outreach.request_platform_contact(shop=shop, now=NOON)


def test_the_answer_form_is_csrf_protected(client):
    shop = ShopFactory()
    csrf_client = type(client)(enforce_csrf_checks=True)
    assert csrf_client.post(answer_url(shop), {"kind": "stop"}).status_code == 403
    assert not ShopAnswer.objects.exists()


def test_answers_are_rate_limited_per_shop_and_visitor(client, settings):
    settings.LIGHTSOFF_RATE_LIMITS = {"answer": (2, 3600)}
    shop, other = ShopFactory(), ShopFactory()
    for _ in range(2):
        assert client.post(answer_url(shop), {"kind": "allowed"}).status_code == 200
    response = client.post(answer_url(shop), {"kind": "allowed"})
    assert response.status_code == 429
    assert ShopAnswer.objects.filter(shop=shop).count() == 2
    # Another shop, or another visitor: not limited.
    assert client.post(answer_url(other), {"kind": "allowed"}).status_code == 200
    response = client.post(answer_url(shop), {"kind": "allowed"}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200


# --- the letter ----------------------------------------------------------------------------------
def test_the_letter_carries_the_answer_link_and_its_qr_code(client, settings):
    settings.SITE_URL = "https://reserve.example.org"
    shop = ShopFactory()
    page = client.get(reverse("lightsoff:letter", args=[shop.pk])).content.decode()
    [url] = re.findall(r'<span class="letter-url">([^<]+)</span>', page)
    assert url.startswith("https://reserve.example.org/lightsoff/answer/")
    assert "<svg" in page and 'class="letter-qr"' in page
    assert client.get(path_of(url)).status_code == 200


def test_the_qr_code_decodes_to_the_answer_link():
    segno = pytest.importorskip("segno")
    url = outreach.answer_url(ShopFactory())
    qr = segno.make(url, error="m")
    assert qr.designator  # a real QR code of the URL (segno encodes, it does not decode)
    assert len(url) < 200


# --- four weeks later ----------------------------------------------------------------------------
def contacted_shop(days_ago, now):
    shop = ShopFactory(name="Opticien", status=Shop.Status.CONTACTED)
    Shop.objects.filter(pk=shop.pk).update(contacted_at=now - datetime.timedelta(days=days_ago))
    return shop


def test_subscribers_are_asked_four_weeks_after_the_contact_once(client):
    now = timezone.now()
    shop = contacted_shop(28, now)
    subscriber = ReporterSubscriptionFactory(shop=shop, confirmed_at=now)
    ReporterSubscriptionFactory(shop=shop)  # unconfirmed
    ReporterSubscriptionFactory(shop=shop, confirmed_at=now, unsubscribed_at=now)
    recent = ReporterSubscriptionFactory(shop=contacted_shop(10, now), confirmed_at=now)
    assert outreach.send_follow_ups(now=now) == 1
    [email] = mail.outbox
    assert email.to == [subscriber.email] and "Opticien" in email.subject
    lit_url, dark_url = (u for u in links(email.body) if "/follow-up/" in u)
    assert outreach.send_follow_ups(now=now + datetime.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    assert not FollowUp.objects.filter(subscription=recent).exists()

    # GET shows what will be recorded; only the POST records it (mail scanners GET).
    page = client.get(path_of(dark_url)).content.decode()
    assert "Confirmer : éteinte" in page
    assert not Sighting.objects.filter(shop=shop).exists()
    night = timezone.localtime(now).replace(hour=1, minute=30, second=0, microsecond=0)
    if night > now:
        night -= datetime.timedelta(days=1)
    response = client.post(
        path_of(dark_url), {"lit": "0", "seen_at": night.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    sighting = Sighting.objects.get(shop=shop)
    assert (sighting.lit, timezone.localtime(sighting.seen_at)) == (False, night)
    assert FollowUp.objects.get(subscription=subscriber).answered_at is not None
    # The "still lit" link records a lit check.
    client.post(path_of(lit_url), {"lit": "1", "seen_at": night.strftime("%Y-%m-%dT%H:%M")})
    assert Sighting.objects.filter(shop=shop, lit=True).count() == 1


def test_a_forged_or_expired_follow_up_link_is_the_404_page(client, monkeypatch):
    now = timezone.now()
    subscription = ReporterSubscriptionFactory(shop=contacted_shop(28, now), confirmed_at=now)
    follow_up = FollowUp.objects.create(subscription=subscription)
    old = made_long_ago(monkeypatch, 22, lambda: outreach.follow_up_token(follow_up, True))
    fresh = outreach.follow_up_token(follow_up, True)
    assert client.get(reverse("lightsoff:follow_up", args=[old])).status_code == 404
    assert client.get(reverse("lightsoff:follow_up", args=[fresh[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("lightsoff:follow_up", args=[fresh])).status_code == 200


def test_a_follow_up_dated_in_the_future_is_refused_with_a_message(client):
    now = timezone.now()
    subscription = ReporterSubscriptionFactory(shop=contacted_shop(28, now), confirmed_at=now)
    follow_up = FollowUp.objects.create(subscription=subscription)
    url = reverse("lightsoff:follow_up", args=[outreach.follow_up_token(follow_up, False)])
    later = timezone.localtime(now + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"lit": "0", "seen_at": later})
    assert response.status_code == 400
    assert "dans le futur" in response.content.decode()
    assert not Sighting.objects.exists()


def test_a_moderator_publishes_answers_from_the_admin(client):
    from tests.factories import ModeratorFactory

    moderator = ModeratorFactory()
    shop = ShopFactory()
    answer = outreach.submit_answer(shop=shop, kind="allowed", text="Éclairage de sécurité")
    client.force_login(moderator)
    changelist = reverse("admin:lightsoff_shopanswer_changelist")
    assert client.get(changelist).status_code == 200
    client.post(changelist, {"action": "publish", "_selected_action": [answer.pk]})
    answer.refresh_from_db()
    assert (answer.status, answer.moderated_by) == (ShopAnswer.Status.PUBLISHED, moderator)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_requests_give_one_message():
    """The shop row is locked while the last request is looked up: of ten requests at
    once, one is accepted and nine refused with the 30-day message."""
    import threading

    from django.db import connection

    shop = ShopFactory(email="shop@example.org")
    barrier = threading.Barrier(10)
    accepted, refused, errors = [], [], []

    def ask():
        try:
            barrier.wait(timeout=30)
            accepted.append(outreach.request_platform_contact(shop=shop, now=NOON))
        except outreach.ContactRefused as refusal:
            refused.append(refusal)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert (len(accepted), len(refused)) == (1, 9)
    assert ShopMessage.objects.filter(shop=shop).count() == 1


def test_a_message_the_server_refused_does_not_hold_the_next_request():
    shop = ShopFactory(email="shop@example.org")
    [message] = outreach.request_platform_contact(shop=shop, now=NOON)
    ShopMessage.objects.filter(pk=message.pk).update(status=ShopMessage.Status.FAILED)
    again = outreach.request_platform_contact(shop=shop, now=NOON + datetime.timedelta(hours=1))
    assert len(again) == 1


def test_an_unreachable_mail_server_marks_the_message_failed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    shop = ShopFactory(email="shop@example.org")
    [message] = outreach.request_platform_contact(shop=shop, now=NOON)
    assert not outreach.send_message(message_id=message.pk, now=NOON)
    message.refresh_from_db()
    assert message.status == ShopMessage.Status.FAILED and message.error
    shop.refresh_from_db()
    assert shop.contacts_count == 0  # not a contact


def test_the_user_s_export_lists_the_messages_they_asked_for_and_erasure_unlinks_them():
    from lightsoff import privacy

    user = UserFactory()
    shop = ShopFactory(email="shop@example.org")
    outreach.request_platform_contact(shop=shop, by=user, now=NOON)
    [exported] = privacy.export(user)["platform_messages"]
    assert (exported["shop_id"], exported["channel"]) == (shop.pk, "email")
    assert "shop@example.org" not in str(exported)
    privacy.erase(user)
    assert ShopMessage.objects.get().requested_by is None


def test_a_message_left_sending_by_a_dead_worker_is_failed_not_sent_again(smtp_server):
    shop = ShopFactory(email="shop@example.org")
    [message] = outreach.request_platform_contact(shop=shop, now=NOON)
    ShopMessage.objects.filter(pk=message.pk).update(status=ShopMessage.Status.SENDING)
    assert outreach.send_due_messages(now=NOON + datetime.timedelta(hours=1)) == 0
    message.refresh_from_db()
    assert message.status == ShopMessage.Status.SENDING  # maybe still on its way
    outreach.send_due_messages(now=NOON + datetime.timedelta(hours=7))
    message.refresh_from_db()
    assert message.status == ShopMessage.Status.FAILED
    assert "not confirmed" in message.error
    assert smtp_server.messages == []


def test_subscribers_hear_that_reserve_sent_the_message(
    smtp_server, django_capture_on_commit_callbacks
):
    shop = ShopFactory(name="Chez Paul", email="paul@example.org")
    subscriber = ReporterSubscriptionFactory(
        shop=shop, confirmed_at=timezone.now(), notified_status="reported"
    )
    [message] = outreach.request_platform_contact(shop=shop, now=NOON)
    with django_capture_on_commit_callbacks(execute=True):
        outreach.send_message(message_id=message.pk, now=NOON)
    to_shop, to_subscriber = smtp_server.messages
    assert to_shop["to"] == ["paul@example.org"] and to_subscriber["to"] == [subscriber.email]
    assert "Réserve a envoyé un message à Chez Paul" in to_subscriber["message"]["Subject"]
    assert "bénévole" not in body_of(to_subscriber)


def test_the_message_cites_the_rule_and_the_figures_of_the_shops_own_kit():
    from lightsoff import constants
    from tests.factories import SightingFactory

    shop = ShopFactory(name="Enseigne du Port", email="port@example.org")
    SightingFactory(shop=shop, lit_kind=constants.LIT_SIGN, size=constants.SIZE_LARGE)
    text = outreach.courteous_text(shop)
    # A sign alone: its hours (R581-59: 1 h–6 h), not the windows' (1 h–7 h), and the power
    # of a large store the reporter picked: 2 kW × 5 h × 365 nights.
    assert "enseigne lumineuse" in text and "entre 1 h et 6 h" in text
    assert "3650 kWh" in text
    kit_message = re.search(r'id="message-friendly-fr"[^>]*>(.*?)</', client_kit(shop), re.S).group(
        1
    )
    assert " ".join(text.split())[:200] == " ".join(kit_message.split())[:200]


def client_kit(shop):
    import html

    from django.test import Client

    return html.unescape(Client().get(shop.get_absolute_url()).content.decode())
