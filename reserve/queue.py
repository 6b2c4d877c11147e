"""The one way a service hands work to the Celery workers.

Services name a task instead of importing it: `tasks.py` (the workers' entry points)
imports `services.py`, never the reverse, so neither module reaches into the other from
inside a function. Each app imports its `tasks` module in `AppConfig.ready` so that the
names are registered in every process, web and worker alike.

Work is enqueued after the transaction commits (`enqueue_on_commit`), never before: a
worker must find the rows it is given, and a rolled-back write must leave no task.
With no broker configured (`make run`) Celery runs the task in-process, eagerly.
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task_name, *args, countdown=None, **kwargs):
    """Send the task `task_name` now; False, never an exception, if the broker is
    unreachable: callers keep their rows as an outbox that a beat sweep enqueues again."""
    task = current_app.tasks[task_name]
    if task.app.conf.task_always_eager:
        # In-process (no broker): the task's own errors are bugs to see, not an outage.
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
        return True
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
    except Exception:  # kombu and redis raise many kinds; the outbox keeps the work.
        logger.warning("Broker unreachable: %s%r left to the sweep.", task_name, args)
        return False
    return True


def enqueue_on_commit(task_name, *args, **kwargs):
    """Enqueue `task_name` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task_name, *args, **kwargs))
