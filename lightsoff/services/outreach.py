"""The platform contacts a shop on someone's behalf, the shopkeeper answers through a
signed link, and four weeks later the subscribers are asked whether it is still lit.

- `request_platform_contact`: at most one request per shop per 30 days, whoever asks
  (the shop row is locked while the last request is looked up, so two requests at once
  give one message); never to a shop that opted out; e-mail and/or SMS (a mobile number
  only: a landline gets the phone script, not a text); scheduled out of the quiet hours
  (21 h–8 h, Paris time). The ShopMessage rows are the outbox: `send_message` claims one
  (scheduled → sending, a conditional update) so a task run twice sends once, and the
  beat sweep (`send_due_messages`) sends those whose hour has come.
- Signed links (django.core.signing, a salt each, an expiry each): the answer page and
  the opt-out of a shop, the follow-up answers of a subscriber. A forged or expired link
  is None here and a 404 page in the views.
- `submit_answer` / `publish_answer`: an answer waits for a moderator before it shows;
  "stop contacting us" opts the shop out at once. Publishing tells the subscribers.
- `send_follow_ups`: the daily "is it still lit?" e-mail; `record_follow_up` turns a
  click into a sighting through `report_sighting`, like a check on the kit.
"""

import datetime
import smtplib
import uuid
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reserve import emails
from reserve.queue import enqueue_on_commit
from reserve.sms import SMSError, get_sms_backend
from volunteers.audit import record

from .. import constants, selectors
from ..models import FollowUp, ReporterSubscription, Shop, ShopAnswer, ShopMessage, ShopOptOut
from ..texts import ready_messages
from .contacts import log_contact
from .reports import hash_ip, report_sighting
from .subscriptions import send_to_subscription

SEND_MESSAGE = "lightsoff.tasks.send_shop_message"
NOTIFY_ANSWER = "lightsoff.tasks.notify_answer"

# One request per shop in this period, whoever asks.
CONTACT_INTERVAL = datetime.timedelta(days=30)
# No message leaves between these hours, shop's time (France métropolitaine).
QUIET_START, QUIET_END = datetime.time(21, 0), datetime.time(8, 0)
QUIET_TZ = ZoneInfo("Europe/Paris")
# How long the links stay valid.
ANSWER_MAX_AGE = datetime.timedelta(days=180)
OPT_OUT_MAX_AGE = datetime.timedelta(days=365)
FOLLOW_UP_MAX_AGE = datetime.timedelta(days=21)
# Subscribers are asked this long after the shop was first contacted (a week's margin
# lets a missed daily run catch up; FollowUp rows make it once per subscriber).
FOLLOW_UP_AFTER = datetime.timedelta(days=28)
FOLLOW_UP_WINDOW = datetime.timedelta(days=7)

# A message still "sending" this long after its hour was lost with its worker.
STUCK_AFTER = datetime.timedelta(hours=6)
UNCONFIRMED = "delivery not confirmed: the worker stopped while sending"

ANSWER_SALT = "lightsoff.shop-answer"
OPT_OUT_SALT = "lightsoff.shop-opt-out"
FOLLOW_UP_SALT = "lightsoff.follow-up"


class ContactRefused(ValidationError):
    """The platform will not contact the shop; the message says why."""


# --- quiet hours --------------------------------------------------------------------------
def send_after(now):
    """When a message asked at `now` may leave: now, or 8 h (Paris) if now is 21 h–8 h."""
    local = timezone.localtime(now, QUIET_TZ)
    t = local.time()
    if QUIET_END <= t < QUIET_START:
        return now
    day = local.date() if t < QUIET_END else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, QUIET_END, tzinfo=QUIET_TZ)


# --- channels ----------------------------------------------------------------------------
def mobile_number(phone):
    """The shop's number in E.164 if it is a mobile (France by default), else None:
    a landline or an unreadable number gets no SMS."""
    try:
        number = phonenumbers.parse(phone or "", "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE,):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def channels_for(shop):
    """{channel: recipient} the platform can use for this shop."""
    found = {}
    if shop.email:
        found[ShopMessage.Channel.EMAIL] = shop.email.strip()
    mobile = mobile_number(shop.phone)
    if mobile:
        found[ShopMessage.Channel.SMS] = mobile
    return found


def is_opted_out(shop):
    return ShopOptOut.objects.filter(shop=shop).exists()


def last_request(shop):
    """The most recent request for this shop that may have reached it (any channel; a
    message cancelled or refused by the server did not, and does not hold the next)."""
    return (
        ShopMessage.objects.filter(shop=shop)
        .exclude(status__in=[ShopMessage.Status.CANCELLED, ShopMessage.Status.FAILED])
        .order_by("-requested_at")
        .first()
    )


def can_request(shop, now=None):
    """None when the platform may contact the shop now, else why not (a sentence)."""
    now = now or timezone.now()
    if is_opted_out(shop):
        return _("This shop asked not to be contacted by Réserve any more.")
    if not channels_for(shop):
        return _(
            "Réserve has no e-mail address or mobile number for this shop: "
            "use the letter or the phone script."
        )
    last = last_request(shop)
    if last and last.requested_at > now - CONTACT_INTERVAL:
        again = timezone.localtime(last.requested_at + CONTACT_INTERVAL).date()
        return _(
            "Réserve already contacted this shop recently; it can be contacted again from %(date)s."
        ) % {"date": again.strftime("%d/%m/%Y")}
    return None


# --- the request --------------------------------------------------------------------------
def request_platform_contact(*, shop, by=None, ip="", now=None):
    """Have the platform send the courteous message to the shop. Returns the messages
    (one per channel). Raises ContactRefused (the 30-day cap, an opt-out, no channel).

    `by` is the user who asked (a volunteer, a logged-in reporter) or None for an
    anonymous reporter, of whom only the hashed address is kept."""
    now = now or timezone.now()
    with transaction.atomic():
        # The lock serialises requests for this shop: the second one sees the first.
        shop = Shop.objects.select_for_update().get(pk=shop.pk)
        reason = can_request(shop, now)
        if reason:
            raise ContactRefused(reason)
        leave_at = send_after(now)
        batch = uuid.uuid4()
        created = [
            ShopMessage.objects.create(
                shop=shop,
                channel=channel,
                recipient=recipient,
                requested_by=by if getattr(by, "pk", None) else None,
                ip_hash=hash_ip(ip),
                requested_at=now,
                send_after=leave_at,
                batch=batch,
            )
            for channel, recipient in channels_for(shop).items()
        ]
        if leave_at <= now:
            for message in created:
                enqueue_on_commit(SEND_MESSAGE, message.pk)
    return created


# --- links ---------------------------------------------------------------------------------
def _signed(salt, payload):
    return signing.dumps(payload, salt=salt, compress=True)


def _unsigned(salt, token, max_age):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def answer_token(shop):
    return _signed(ANSWER_SALT, {"s": shop.pk})


def opt_out_token(shop):
    return _signed(OPT_OUT_SALT, {"s": shop.pk})


def _shop_of(salt, token, max_age):
    payload = _unsigned(salt, token, max_age)
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        return None
    return Shop.objects.filter(pk=payload["s"], is_hidden=False).first()


def shop_for_answer(token):
    """The shop of a valid answer link, or None (forged, expired, shop gone)."""
    return _shop_of(ANSWER_SALT, token, ANSWER_MAX_AGE)


def shop_for_opt_out(token):
    return _shop_of(OPT_OUT_SALT, token, OPT_OUT_MAX_AGE)


def answer_url(shop):
    return settings.SITE_URL + reverse("lightsoff:answer", args=[answer_token(shop)])


def opt_out_url(shop):
    return settings.SITE_URL + reverse("lightsoff:opt_out", args=[opt_out_token(shop)])


# --- sending -------------------------------------------------------------------------------
def courteous_text(shop):
    """The kit's friendly message, in French (the shop is in France): the same figures
    (this shop's size and hours) and the same rule (a sign alone cites R581-59) as its kit."""
    per_shop = selectors.estimate_for_shop(shop)
    estimate = {"kwh": per_shop.kwh, "eur": per_shop.eur, "co2_kg": per_shop.co2_kg}
    ready = ready_messages(
        shop, estimate=estimate, fine=constants.FINE_PERSON.value, lit_kind=per_shop.lit_kind
    )
    return next(m.text for m in ready if m.tone == "friendly" and m.language == "fr")


def sms_text(shop):
    return _(
        "Réserve, on behalf of a local resident: %(message)s Answer: %(answer)s Stop: %(stop)s"
    ) % {"message": courteous_text(shop), "answer": answer_url(shop), "stop": opt_out_url(shop)}


def send_due_messages(now=None):
    """The beat sweep: send the scheduled messages whose hour has come. Returns how many
    were sent."""
    now = now or timezone.now()
    # A worker that died between the claim and the answer left its message "sending":
    # it may have left, so it is not sent again but shown as failed, unconfirmed.
    ShopMessage.objects.filter(
        status=ShopMessage.Status.SENDING, send_after__lt=now - STUCK_AFTER
    ).update(status=ShopMessage.Status.FAILED, error=UNCONFIRMED)
    due = ShopMessage.objects.filter(
        status=ShopMessage.Status.SCHEDULED, send_after__lte=now
    ).values_list("pk", flat=True)
    return sum(send_message(message_id=pk, now=now) for pk in list(due[:500]))


def send_message(*, message_id, now=None):
    """Send one message if it is still scheduled, due and not in the quiet hours.
    Returns True when it left. At most once: the row is claimed first."""
    now = now or timezone.now()
    message = ShopMessage.objects.select_related("shop").filter(pk=message_id).first()
    if message is None or message.status != ShopMessage.Status.SCHEDULED:
        return False
    if send_after(now) > now:  # enqueued at 20:59, run at 21:01: wait for the morning
        ShopMessage.objects.filter(pk=message.pk, status=ShopMessage.Status.SCHEDULED).update(
            send_after=send_after(now)
        )
        return False
    if message.send_after > now:
        return False
    if is_opted_out(message.shop):
        ShopMessage.objects.filter(pk=message.pk, status=ShopMessage.Status.SCHEDULED).update(
            status=ShopMessage.Status.CANCELLED
        )
        return False
    claimed = ShopMessage.objects.filter(pk=message.pk, status=ShopMessage.Status.SCHEDULED).update(
        status=ShopMessage.Status.SENDING
    )
    if not claimed:
        return False
    shop = message.shop
    try:
        if message.channel == ShopMessage.Channel.EMAIL:
            emails.send(
                "lightsoff/email/shop_message",
                message.recipient,
                {
                    "shop": shop,
                    "message": courteous_text(shop),
                    "answer_url": answer_url(shop),
                    "opt_out_url": opt_out_url(shop),
                },
                language="fr",
                headers={
                    "List-Unsubscribe": f"<{opt_out_url(shop)}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
            provider_id = ""
        else:
            sent = get_sms_backend().send(
                message.recipient, sms_text(shop), reference=f"shop-message-{message.pk}"
            )
            provider_id = sent.provider_id
    except (OSError, smtplib.SMTPException, SMSError) as error:
        # Refused or unreachable: recorded for the admin, and the shop may be asked again
        # (a failed message does not hold the 30 days). Never retried blindly: the message
        # may have left (an SMS whose answer was lost).
        ShopMessage.objects.filter(pk=message.pk).update(
            status=ShopMessage.Status.FAILED, error=str(error)[:2000]
        )
        return False
    with transaction.atomic():
        ShopMessage.objects.filter(pk=message.pk).update(
            status=ShopMessage.Status.SENT, sent_at=now, provider_id=provider_id[:128]
        )
        # One contact per request, whatever the number of channels it went by.
        first_of_batch = not (
            ShopMessage.objects.filter(batch=message.batch, status=ShopMessage.Status.SENT)
            .exclude(pk=message.pk)
            .exists()
        )
        if first_of_batch:
            log_contact(
                shop=shop,
                channel=message.channel,
                done_at=now,
                actor=message.requested_by,
                by_platform=True,
            )
    return True


def last_platform_contact(shop):
    """When Réserve last reached the shop (a sent message), or None."""
    return (
        ShopMessage.objects.filter(shop=shop, status=ShopMessage.Status.SENT)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )


# --- the shopkeeper's answer ------------------------------------------------------------------
def opt_out(shop):
    """Stop contacting the shop: cancels what was scheduled. Idempotent."""
    with transaction.atomic():
        ShopOptOut.objects.get_or_create(shop=shop)
        ShopMessage.objects.filter(shop=shop, status=ShopMessage.Status.SCHEDULED).update(
            status=ShopMessage.Status.CANCELLED
        )


def submit_answer(*, shop, kind, effective_on=None, exception_reference="", text="", ip=""):
    """Record the shopkeeper's answer; it waits for a moderator before it shows.
    "Stop contacting us" opts the shop out at once."""
    with transaction.atomic():
        answer = ShopAnswer.objects.create(
            shop=shop,
            kind=kind,
            effective_on=effective_on,
            exception_reference=exception_reference.strip()[:120],
            text=text.strip()[:2000],
            ip_hash=hash_ip(ip),
        )
        if kind == ShopAnswer.Kind.STOP:
            opt_out(shop)
    return answer


def publish_answer(*, answer, by):
    """A moderator publishes an answer: it shows on the shop page and the subscribers
    are told (once: the conditional update lets one publication through)."""
    with transaction.atomic():
        done = ShopAnswer.objects.filter(pk=answer.pk, status=ShopAnswer.Status.PENDING).update(
            status=ShopAnswer.Status.PUBLISHED, moderated_at=timezone.now(), moderated_by=by
        )
        if done:
            record(
                by=by,
                action="lightsoff.answer_publish",
                target=answer,
                changes={"status": (ShopAnswer.Status.PENDING, ShopAnswer.Status.PUBLISHED)},
            )
            enqueue_on_commit(NOTIFY_ANSWER, answer.pk)
    return bool(done)


def reject_answer(*, answer, by):
    with transaction.atomic():
        done = ShopAnswer.objects.filter(pk=answer.pk, status=ShopAnswer.Status.PENDING).update(
            status=ShopAnswer.Status.REJECTED, moderated_at=timezone.now(), moderated_by=by
        )
        if done:
            record(
                by=by,
                action="lightsoff.answer_reject",
                target=answer,
                changes={"status": (ShopAnswer.Status.PENDING, ShopAnswer.Status.REJECTED)},
            )
    return bool(done)


def notify_answer(*, answer_id):
    """Tell the shop's confirmed subscribers about a published answer. Returns the count."""
    answer = ShopAnswer.objects.select_related("shop").filter(pk=answer_id).first()
    if answer is None or answer.status != ShopAnswer.Status.PUBLISHED:
        return 0
    sent = 0
    for subscription in answer.shop.subscriptions.filter(
        confirmed_at__isnull=False, unsubscribed_at=None
    ).select_related("shop"):
        send_to_subscription(subscription, "notify_answer", {"answer": answer})
        sent += 1
    return sent


# --- four weeks later ------------------------------------------------------------------------
def follow_up_token(follow_up, lit):
    return _signed(FOLLOW_UP_SALT, {"f": follow_up.pk, "l": 1 if lit else 0})


def follow_up_for(token):
    """(FollowUp, lit) of a valid follow-up link, or (None, None)."""
    payload = _unsigned(FOLLOW_UP_SALT, token, FOLLOW_UP_MAX_AGE)
    if not isinstance(payload, dict) or payload.get("l") not in (0, 1):
        return None, None
    if not isinstance(payload.get("f"), int):
        return None, None
    follow_up = (
        FollowUp.objects.select_related("subscription__shop").filter(pk=payload["f"]).first()
    )
    if follow_up is None or follow_up.subscription.shop.is_hidden:
        return None, None
    return follow_up, bool(payload["l"])


def send_follow_ups(now=None):
    """The daily task: ask each confirmed subscriber of a shop first contacted four weeks
    ago whether it is still lit, once per subscriber. Returns how many were asked."""
    now = now or timezone.now()
    subscriptions = ReporterSubscription.objects.filter(
        confirmed_at__isnull=False,
        unsubscribed_at=None,
        follow_up__isnull=True,
        shop__is_hidden=False,
        shop__contacted_at__lte=now - FOLLOW_UP_AFTER,
        shop__contacted_at__gt=now - FOLLOW_UP_AFTER - FOLLOW_UP_WINDOW,
    ).select_related("shop")
    asked = 0
    for subscription in subscriptions:
        follow_up, created = FollowUp.objects.get_or_create(subscription=subscription)
        if not created:  # another run got there first
            continue
        site = settings.SITE_URL
        send_to_subscription(
            subscription,
            "follow_up",
            {
                "lit_url": site
                + reverse("lightsoff:follow_up", args=[follow_up_token(follow_up, True)]),
                "dark_url": site
                + reverse("lightsoff:follow_up", args=[follow_up_token(follow_up, False)]),
            },
        )
        asked += 1
    return asked


def record_follow_up(*, follow_up, lit, seen_at, ip=""):
    """The subscriber's dated answer: a sighting, as a check on the kit (a dark one
    counts towards "switched off" when the law wants the windows dark)."""
    shop = follow_up.subscription.shop
    report = report_sighting(
        shop=shop, lat=shop.latitude, lng=shop.longitude, lit=lit, seen_at=seen_at, ip=ip
    )
    FollowUp.objects.filter(pk=follow_up.pk, answered_at=None).update(answered_at=timezone.now())
    return report


def kit_outreach(shop, now=None):
    """What the kit and the letter show of the platform's contact and the answers."""
    return {
        "refusal": can_request(shop, now),
        "has_channel": bool(channels_for(shop)),
        "last_contact": last_platform_contact(shop),
        "answers": list(shop.answers.filter(status=ShopAnswer.Status.PUBLISHED)[:10]),
        "answer_url": answer_url(shop),
    }
