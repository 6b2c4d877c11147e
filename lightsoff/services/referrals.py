"""Repeat offenders referred to the town hall: the dossier built and kept, e-mailed to the
mairie with the PDF attached (or left for a moderator when no e-mail is known), the shop
"referred", each step in the audit log."""

import smtplib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reserve import emails
from reserve.queue import enqueue_on_commit
from volunteers import audit

from ..dossier import build_dossier
from ..models import Referral, Shop, TownHall
from .subscriptions import notify_after_commit

SEND_REFERRAL = "lightsoff.tasks.send_referral"


def _town_hall_email(shop):
    hall = TownHall.objects.filter(commune_id=shop.commune_id).first() if shop.commune_id else None
    return hall, (hall.email.strip() if hall else "")


def refer_shop(shop, *, by=None):
    """Refer a shop "to refer" to the mairie of its commune, in one transaction.

    Builds the PDF dossier and keeps it (Referral.pdf), marks the shop "referred", writes
    the audit row; the e-mail to the mairie leaves after commit (`send_referral`). With no
    e-mail known for the mairie the referral waits for a moderator (status "waiting"),
    to be sent once the address is added (`send_referral_again`).
    Raises ValidationError for a shop that is not "to refer" (a second click included).
    Returns the Referral.
    """
    with transaction.atomic():
        shop = (
            Shop.objects.select_for_update(of=("self",)).select_related("commune").get(pk=shop.pk)
        )
        if shop.status != Shop.Status.TO_REFER:
            raise ValidationError(
                _("%(shop)s is not to refer to the town hall (its status is “%(status)s”).")
                % {"shop": shop, "status": shop.get_status_display()}
            )
        hall, email = _town_hall_email(shop)
        referral = Referral(
            shop=shop,
            commune=shop.commune,
            town_hall=hall,
            recipient_email=email,
            status=Referral.Status.QUEUED if email else Referral.Status.WAITING,
            created_by=by if getattr(by, "pk", None) else None,
        )
        referral.pdf.save("dossier.pdf", ContentFile(build_dossier(shop)), save=False)
        referral.save()
        previous = shop.status
        shop.status = Shop.Status.REFERRED
        shop.save(update_fields=["status", "updated_at"])
        audit.record(
            by=by,
            action="lightsoff.refer",
            target=shop,
            changes={
                "status": [previous, shop.status],
                "town_hall": [None, email or _("no e-mail known")],
            },
        )
        if email:
            enqueue_on_commit(SEND_REFERRAL, referral.pk)
        notify_after_commit(shop, "referred")
    return referral


def refer_automatically(*, shop_id):
    """LIGHTSOFF_AUTO_REFER: the platform refers a shop that became "to refer". A shop no
    longer to refer (a moderator was quicker, a task run twice) is left as it is.
    Returns the referral's id or None."""
    shop = Shop.objects.filter(pk=shop_id, status=Shop.Status.TO_REFER).first()
    if shop is None:
        return None
    try:
        return refer_shop(shop, by=None).pk
    except ValidationError:  # referred in between
        return None


def send_referral(*, referral_id):
    """E-mail one queued dossier to the mairie, PDF attached. Claimed first (queued →
    sending, a conditional update) so that a task run twice sends once; ends "sent" or
    "failed" (with the server's error). Returns True when sent."""
    claimed = Referral.objects.filter(pk=referral_id, status=Referral.Status.QUEUED).update(
        status=Referral.Status.SENDING
    )
    if not claimed:
        return False
    referral = Referral.objects.select_related("shop", "commune", "town_hall").get(pk=referral_id)
    try:
        with referral.pdf.open("rb") as handle:
            pdf = handle.read()
        emails.send(
            "lightsoff/email/referral",
            referral.recipient_email,
            {"referral": referral, "shop": referral.shop, "commune": referral.commune},
            language="fr",
            attachments=[(f"dossier-lightsoff-{referral.shop_id}.pdf", pdf, "application/pdf")],
        )
    except (OSError, smtplib.SMTPException) as error:
        Referral.objects.filter(pk=referral_id).update(
            status=Referral.Status.FAILED, error=str(error)[:255]
        )
        return False
    Referral.objects.filter(pk=referral_id).update(
        status=Referral.Status.SENT, sent_at=timezone.now(), error=""
    )
    return True


def send_referral_again(referral, *, by=None):
    """A moderator sends a waiting or failed dossier, to the mairie's e-mail as the Town
    halls admin now has it. Returns the recipient, or "" when still none is known (nothing
    changes then). The e-mail leaves after commit."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status not in (Referral.Status.WAITING, Referral.Status.FAILED):
            return ""
        hall, email = _town_hall_email(referral.shop)
        if not email:
            return ""
        previous = referral.status
        referral.town_hall, referral.recipient_email = hall, email
        referral.status, referral.error = Referral.Status.QUEUED, ""
        referral.save(update_fields=["town_hall", "recipient_email", "status", "error"])
        audit.record(
            by=by,
            action="lightsoff.refer_send",
            target=referral.shop,
            changes={"referral": [previous, email]},
        )
        enqueue_on_commit(SEND_REFERRAL, referral.pk)
    return email
