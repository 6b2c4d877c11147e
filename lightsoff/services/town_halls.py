"""Town-hall agents: who they are (a coordinator adds them in the admin, scoped to
communes), what they record about a shop (formal notice, fine, no action), and the
subscribers told of it."""

import datetime

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reserve.queue import enqueue_on_commit
from volunteers import audit

from ..models import Shop, TownHallAction, TownHallAgent
from .subscriptions import claim_notification, send_to_subscription

TOWN_HALL_GROUP = "Town hall"
NOTIFY_TOWN_HALL_ACTION = "lightsoff.tasks.notify_town_hall_action"


def agent_of(user):
    """The TownHallAgent of a user, or None (anonymous, or not an agent)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return TownHallAgent.objects.filter(user=user).first()


def shops_of_agent(agent):
    """The shops of the agent's communes that the public may see, with their commune."""
    return (
        Shop.objects.public()
        .filter(commune__in=agent.communes.all())
        .select_related("commune")
        .order_by("commune__name", "name", "pk")
    )


def sync_town_hall_group(agent):
    """An agent belongs to the "Town hall" group (the admin's user lists show who is)."""
    group, _created = Group.objects.get_or_create(name=TOWN_HALL_GROUP)
    agent.user.groups.add(group)


def leave_town_hall_group(user):
    group = Group.objects.filter(name=TOWN_HALL_GROUP).first()
    if group is not None:
        user.groups.remove(group)


def record_town_hall_action(*, shop, kind, done_on, reason="", by):
    """An agent records what the mairie did about a shop of their communes.

    In one transaction: the action and its audit row; after commit the shop's confirmed
    subscribers are told (`notify_town_hall_action`). Raises PermissionDenied when the
    shop is outside the agent's communes, ValidationError on a kind that does not exist,
    "no action" without a reason, or a date in the future.
    """
    agent = agent_of(by)
    if agent is None or not agent.communes.filter(pk=shop.commune_id).exists():
        raise PermissionDenied
    reason = (reason or "").strip()
    if kind not in TownHallAction.Kind.values:
        raise ValidationError(_("Choose an action from the list."))
    if kind == TownHallAction.Kind.NO_ACTION and not reason:
        raise ValidationError(_("Say why the town hall takes no action."))
    if not isinstance(done_on, datetime.date) or done_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    with transaction.atomic():
        action = TownHallAction.objects.create(
            shop=shop, kind=kind, reason=reason[:1000], done_on=done_on, recorded_by=by
        )
        audit.record(
            by=by,
            action="lightsoff.town_hall_action",
            target=shop,
            changes={"town_hall_action": [None, action.get_kind_display()]},
        )
        enqueue_on_commit(NOTIFY_TOWN_HALL_ACTION, action.pk)
    return action


def notify_town_hall_action(*, action_id):
    """Tell the shop's confirmed subscribers of one town-hall action. Each e-mail is
    claimed first (the subscription's last told event becomes "th<id>"), so a second run
    sends nothing more. Returns the number sent."""
    action = TownHallAction.objects.select_related("shop").filter(pk=action_id).first()
    if action is None:
        return 0
    event = f"th{action.pk}"
    sent = 0
    subscriptions = action.shop.subscriptions.filter(
        confirmed_at__isnull=False, unsubscribed_at=None
    ).select_related("shop")
    for subscription in subscriptions:
        if claim_notification(subscription, event):
            send_to_subscription(subscription, "notify_town_hall_action", {"action": action})
            sent += 1
    return sent
