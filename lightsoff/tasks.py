"""Celery tasks: the workers' entry points. Thin: each takes ids, calls one service and is
safe to run twice. Services enqueue them by name (`reserve.queue`), never by import."""

from celery import shared_task

from . import services
from .services import task_areas


@shared_task(name="lightsoff.tasks.send_subscription_confirmation")
def send_subscription_confirmation(subscription_id):
    return services.send_subscription_confirmation(subscription_id=subscription_id)


@shared_task(name="lightsoff.tasks.notify_subscribers")
def notify_subscribers(shop_id, event):
    return services.notify_subscribers(shop_id=shop_id, event=event)


@shared_task(name="lightsoff.tasks.send_shop_message")
def send_shop_message(message_id):
    return services.outreach.send_message(message_id=message_id)


@shared_task(name="lightsoff.tasks.send_due_shop_messages")
def send_due_shop_messages():
    return services.outreach.send_due_messages()


@shared_task(name="lightsoff.tasks.notify_answer")
def notify_answer(answer_id):
    return services.outreach.notify_answer(answer_id=answer_id)


@shared_task(name="lightsoff.tasks.send_follow_ups")
def send_follow_ups():
    return services.outreach.send_follow_ups()


@shared_task(name="lightsoff.tasks.refer_shop")
def refer_shop(shop_id):
    return services.referrals.refer_automatically(shop_id=shop_id)


@shared_task(name="lightsoff.tasks.send_referral")
def send_referral(referral_id):
    return services.referrals.send_referral(referral_id=referral_id)


@shared_task(name="lightsoff.tasks.notify_town_hall_action")
def notify_town_hall_action(action_id):
    return services.town_halls.notify_town_hall_action(action_id=action_id)


@shared_task(name="lightsoff.tasks.send_task_digests")
def send_task_digests():
    return task_areas.send_task_digests()
