"""Every write of the backlog that spans rows or sends mail, one module per subject:

- `lifecycle`: a volunteer's idea, the project page and its roles, status changes and
  the hand-over (coordinators);
- `applications`: applying for a role, the leads' decision, reminders to leads;
- `team`: members leaving or going on, news posts, messages to the team;
- `searches`: saved backlog searches and their digests;
- `notices`: who is told (coordinators, a project's managers) and the one way they are.

Views, the admin, Celery tasks and commands call them from here
(`projects.services.X`). E-mails are never sent inside a transaction: a service
enqueues a task after commit (`reserve.queue`), and the task claims its row with a
conditional UPDATE before sending, so that running it twice (a retry, a second worker)
never sends a second e-mail.
"""

from .applications import (
    RECRUITING,
    REMINDER_DAYS,
    accept_application,
    apply_for_need,
    decline_application,
    notify_applicant,
    notify_managers_of_application,
    remind_leads_of_pending_applications,
    withdraw_application,
)
from .lifecycle import (
    NotQualified,
    change_status,
    hand_over,
    notify_coordinators_of_idea,
    propose_project,
    qualify,
    save_need,
    update_project_page,
)
from .notices import coordinators, project_managers
from .searches import (
    DIGEST_PERIODS,
    clean_query,
    delete_search,
    projects_matching,
    save_search,
    send_saved_search_digests,
    set_digest_frequency,
)
from .team import (
    CONTINUATION_NOTICE_DAYS,
    EXTENSION_WEEKS,
    ask_members_whether_they_continue,
    deliver_team_message,
    extend_membership,
    leave_project,
    post_update,
    write_to_team,
)

__all__ = [
    "CONTINUATION_NOTICE_DAYS",
    "DIGEST_PERIODS",
    "EXTENSION_WEEKS",
    "RECRUITING",
    "REMINDER_DAYS",
    "NotQualified",
    "accept_application",
    "apply_for_need",
    "ask_members_whether_they_continue",
    "change_status",
    "clean_query",
    "coordinators",
    "decline_application",
    "delete_search",
    "deliver_team_message",
    "extend_membership",
    "hand_over",
    "leave_project",
    "notify_applicant",
    "notify_coordinators_of_idea",
    "notify_managers_of_application",
    "post_update",
    "project_managers",
    "projects_matching",
    "propose_project",
    "qualify",
    "remind_leads_of_pending_applications",
    "save_need",
    "save_search",
    "send_saved_search_digests",
    "set_digest_frequency",
    "update_project_page",
    "withdraw_application",
    "write_to_team",
]
