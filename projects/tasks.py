"""Celery tasks: the workers' entry points. Thin: each takes ids, calls one service and is
safe to run twice. Services enqueue them by name (`reserve.queue`), never by import."""

from celery import shared_task

from . import services


@shared_task(name="projects.notify_coordinators_of_idea")
def notify_coordinators_of_idea(project_id):
    return services.notify_coordinators_of_idea(project_id)


@shared_task(name="projects.notify_managers_of_application")
def notify_managers_of_application(application_id):
    return services.notify_managers_of_application(application_id)


@shared_task(name="projects.notify_applicant")
def notify_applicant(application_id):
    return services.notify_applicant(application_id)


@shared_task(name="projects.remind_pending_applications")
def remind_pending_applications():
    return services.remind_leads_of_pending_applications()


@shared_task(name="projects.ask_members_to_continue")
def ask_members_to_continue():
    return services.ask_members_whether_they_continue()


@shared_task(name="projects.send_saved_search_digests")
def send_saved_search_digests(frequency):
    return services.send_saved_search_digests(frequency=frequency)


@shared_task(name="projects.deliver_team_message")
def deliver_team_message(message_id):
    return services.deliver_team_message(message_id)
