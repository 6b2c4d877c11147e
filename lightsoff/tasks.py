"""Celery tasks: the workers' entry points. Thin: each takes ids, calls one service and is
safe to run twice. Services enqueue them by name (`reserve.queue`), never by import."""

from celery import shared_task

from . import services


@shared_task(name="lightsoff.tasks.send_subscription_confirmation")
def send_subscription_confirmation(subscription_id):
    return services.send_subscription_confirmation(subscription_id=subscription_id)


@shared_task(name="lightsoff.tasks.notify_subscribers")
def notify_subscribers(shop_id, event):
    return services.notify_subscribers(shop_id=shop_id, event=event)
