"""Celery tasks of the volunteers app: thin wrappers around services, safe to run twice."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="volunteers.tasks.archive_inactive_accounts")
def archive_inactive_accounts():
    """Daily (beat): warn accounts inactive for nearly INACTIVE_ACCOUNT_YEARS, a month
    ahead, and archive and anonymise those warned a month ago who did not come back."""
    to_warn, to_archive = services.inactive_profiles()
    warned, failed = _run_each(warn_inactive_account, to_warn.values_list("pk", flat=True))
    archived, failed_too = _run_each(
        archive_inactive_account, to_archive.values_list("pk", flat=True)
    )
    return {"warned": warned, "archived": archived, "failed": failed + failed_too}


def _run_each(task, profile_ids):
    """Run `task` for each profile; one failure (a bad address) does not stop the rest."""
    done = failed = 0
    for profile_id in list(profile_ids):
        try:
            done += bool(task.run(profile_id))
        except Exception:
            logger.exception("%s failed for profile %s", task.name, profile_id)
            failed += 1
    return done, failed


@shared_task(name="volunteers.tasks.warn_inactive_account")
def warn_inactive_account(profile_id):
    return services.warn_inactive_account(profile_id=profile_id)


@shared_task(name="volunteers.tasks.archive_inactive_account")
def archive_inactive_account(profile_id):
    return services.archive_inactive_account(profile_id=profile_id)
