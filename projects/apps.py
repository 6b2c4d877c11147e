from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext_lazy

# The public count of projects by status on the home page: (key, statuses, label, order).
HOME_COUNTS = [
    (
        "projects_ideas",
        ["idea", "qualifying"],
        npgettext_lazy(
            "home count", "project idea being qualified", "project ideas being qualified", "count"
        ),
        20,
    ),
    (
        "projects_open",
        ["open"],
        npgettext_lazy(
            "home count", "project open for volunteers", "projects open for volunteers", "count"
        ),
        21,
    ),
    (
        "projects_in_progress",
        ["in_progress"],
        npgettext_lazy("home count", "project in progress", "projects in progress", "count"),
        22,
    ),
    (
        "projects_delivered",
        ["delivered", "handed_over"],
        npgettext_lazy("home count", "project delivered", "projects delivered", "count"),
        23,
    ),
]


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from reserve.home import register_count
        from volunteers.audit import register_actions
        from volunteers.privacy import register_eraser, register_exporter
        from volunteers.space import register_section

        from . import privacy, tasks  # noqa: F401 - tasks: registers the Celery tasks
        from .models import Project

        for key, statuses, label, order in HOME_COUNTS:
            register_count(
                key,
                label,
                lambda statuses=statuses: Project.objects.filter(status__in=statuses).count(),
                order=order,
            )
        register_section("projects", _("My projects and applications"), "projects:mine", order=20)
        register_exporter("projects", privacy.export)
        register_eraser("projects", privacy.erase)
        register_actions(
            **{
                "projects.qualify": _("Project qualified"),
                "projects.change_status": _("Project status changed"),
                "projects.hand_over": _("Project handed over"),
            }
        )

    def seed_demo(self, options, stdout):
        from .demo import seed

        return seed(options, stdout)
