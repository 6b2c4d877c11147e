"""Celery tasks: the workers' entry points. Thin: each takes ids, calls one service and is
safe to run twice. Services enqueue them by name (`reserve.queue`), never by import."""

from celery import shared_task

from . import services


@shared_task(name="missions.tasks.send_alerts", bind=True)
def send_alerts(self, mobilization_id):
    """Send the due alerts of a call-up; after a transient failure, come back later."""
    result = services.send_pending_alerts(mobilization_id=mobilization_id)
    if result.retry_in is not None:
        self.apply_async(args=[mobilization_id], countdown=result.retry_in)
    return {"sent": result.sent, "failed": result.failed, "released": result.released}


@shared_task(name="missions.tasks.sweep_alerts")
def sweep_alerts():
    """Every minute (beat): recover alerts of dead senders, re-enqueue pending ones."""
    return services.sweep_alerts()


@shared_task(name="missions.tasks.advance_waves")
def advance_waves():
    """Every minute (beat): send the next wave of call-ups unfilled at their wave deadline."""
    return services.advance_waves()


@shared_task(name="missions.tasks.deliver_follow_up")
def deliver_follow_up(follow_up_id):
    return services.deliver_follow_up(follow_up_id=follow_up_id)
