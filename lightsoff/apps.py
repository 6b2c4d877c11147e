from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LightsOffConfig(AppConfig):
    name = "lightsoff"
    verbose_name = _("LightsOff")

    def ready(self):
        from reserve.home import register_count
        from volunteers.privacy import register_eraser, register_exporter
        from volunteers.space import register_section

        from . import privacy
        from .models import Shop

        register_count(
            "shops",
            _("lit shops reported"),
            lambda: Shop.objects.reported().count(),
            order=40,
        )
        register_exporter("lightsoff", privacy.export)
        register_eraser("lightsoff", privacy.erase)
        register_section("lightsoff", _("LightsOff contact tasks"), "lightsoff:tasks", order=40)

    def seed_demo(self, options, stdout):
        from .demo import seed

        return seed(options, stdout)
