"""The Alert and FollowUp rows are the outbox: these hand them to the workers.

Neither raises when the broker is down: the rows stay, and the beat sweep
(`recovery.sweep_alerts`) enqueues them again."""

import math

from django.conf import settings

from reserve.queue import enqueue

SEND_ALERTS = "missions.tasks.send_alerts"
DELIVER_FOLLOW_UP = "missions.tasks.deliver_follow_up"


def enqueue_sending(mobilization_id, *, alerts=None):
    """Enqueue the senders of a call-up: as many as ALERT_PARALLEL_SENDERS, fewer when
    `alerts` fit in fewer chunks. False if the broker is unreachable."""
    chunk = max(settings.ALERT_CHUNK_SIZE, 1)
    senders = settings.ALERT_PARALLEL_SENDERS
    if alerts is not None:
        senders = max(1, min(senders, math.ceil(alerts / chunk)))
    return all(enqueue(SEND_ALERTS, mobilization_id) for _i in range(senders))


def enqueue_follow_up(follow_up_id):
    """Enqueue the sending of a follow-up; False if the broker is unreachable."""
    return enqueue(DELIVER_FOLLOW_UP, follow_up_id)
