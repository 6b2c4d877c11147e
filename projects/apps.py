from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from reserve.home import register_count

        from .models import Project

        register_count(
            "projects_open",
            _("projects open for volunteers"),
            lambda: Project.objects.filter(status=Project.Status.OPEN).count(),
            order=20,
        )

    def seed_demo(self, options, stdout):
        from .demo import seed

        return seed(options, stdout)
