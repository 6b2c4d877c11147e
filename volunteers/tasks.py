"""Celery tasks of the volunteers app: thin wrappers around services, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="volunteers.tasks.archive_inactive_accounts")
def archive_inactive_accounts():
    """Daily (beat): warn accounts inactive for nearly INACTIVE_ACCOUNT_YEARS, a month
    ahead, and archive and anonymise those warned a month ago who did not come back."""
    to_warn, to_archive = services.inactive_profiles()
    warned = archived = 0
    for profile_id in to_warn.values_list("pk", flat=True).iterator():
        warned += bool(warn_inactive_account.run(profile_id))
    for profile_id in to_archive.values_list("pk", flat=True).iterator():
        archived += bool(archive_inactive_account.run(profile_id))
    return {"warned": warned, "archived": archived}


@shared_task(name="volunteers.tasks.warn_inactive_account")
def warn_inactive_account(profile_id):
    return services.warn_inactive_account(profile_id=profile_id)


@shared_task(name="volunteers.tasks.archive_inactive_account")
def archive_inactive_account(profile_id):
    return services.archive_inactive_account(profile_id=profile_id)
