"""What was done to make a shop aware: contacts logged by citizens, and the "do it for
me" tasks that volunteers take and complete."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ContactAction, Shop, VolunteerContactTask
from .reports import hash_ip
from .subscriptions import notify_after_commit


def log_contact(
    *, shop, channel, done_at=None, actor=None, ip="", by_volunteer=False, by_platform=False
):
    """Log that someone made the shop aware ("I did it"); bump its contact count.

    One transaction: the action, the count (an F() update, safe under concurrency) and
    the status (reported or relapsed → contacted; resolved stays resolved).
    """
    if channel not in ContactAction.Channel.values:
        raise ValidationError(_("Choose how you contacted the shop."))
    now = timezone.now()
    with transaction.atomic():
        shop = Shop.objects.select_for_update().get(pk=shop.pk)
        action = ContactAction.objects.create(
            shop=shop,
            channel=channel,
            done_at=done_at or now,
            actor=actor,
            ip_hash=hash_ip(ip),
            by_volunteer=by_volunteer,
            by_platform=by_platform,
        )
        shop.contacts_count = F("contacts_count") + 1
        if shop.status in (Shop.Status.REPORTED, Shop.Status.RELAPSED):
            shop.status = Shop.Status.CONTACTED
        if shop.contacted_at is None:
            shop.contacted_at = now
        shop.save(update_fields=["contacts_count", "status", "contacted_at", "updated_at"])
        shop.refresh_from_db(fields=["contacts_count"])
        # Subscribers hear of the reserve's own contacts (a volunteer's, the platform's
        # message), not of every "I did it".
        if by_volunteer or by_platform:
            notify_after_commit(shop, "contacted")
    return action


def request_volunteer_contact(*, shop):
    """ "Do it for me": an open task for the reserve's volunteers; one per shop at a time.

    Idempotent: asking again while a task is open or taken returns that task.
    Returns (task, created).
    """
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        pending = shop.contact_tasks.filter(
            status__in=[VolunteerContactTask.Status.OPEN, VolunteerContactTask.Status.TAKEN]
        ).first()
        if pending:
            return pending, False
        return VolunteerContactTask.objects.create(shop=shop), True


def take_task(*, task, volunteer):
    """A volunteer claims an open task. The conditional update makes two volunteers
    clicking at once end with one owner; returns True for the one who got it."""
    return bool(
        VolunteerContactTask.objects.filter(
            pk=task.pk, status=VolunteerContactTask.Status.OPEN
        ).update(
            status=VolunteerContactTask.Status.TAKEN, volunteer=volunteer, taken_at=timezone.now()
        )
    )


def complete_task(*, task, volunteer, channel):
    """The volunteer who took the task contacted the shop: the task is done and the
    contact logged (by a volunteer: subscribers are told). Only the task's volunteer may
    complete it, once; returns the ContactAction or None."""
    with transaction.atomic():
        done = VolunteerContactTask.objects.filter(
            pk=task.pk, status=VolunteerContactTask.Status.TAKEN, volunteer=volunteer
        ).update(status=VolunteerContactTask.Status.DONE, done_at=timezone.now())
        if not done:
            return None
        return log_contact(shop=task.shop, channel=channel, actor=volunteer, by_volunteer=True)
