from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext_lazy


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self):
        from reserve.home import register_count

        from . import signals, tasks  # noqa: F401 - connects the profile creation; registers tasks
        from .models import Profile

        register_count(
            "volunteers",
            npgettext_lazy("home count", "volunteer", "volunteers", "count"),
            lambda: Profile.objects.active().count(),
            order=10,
        )

    def seed_demo(self, options, stdout):
        from .demo import seed

        return seed(options, stdout)
