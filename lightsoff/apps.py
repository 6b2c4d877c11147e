from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LightsOffConfig(AppConfig):
    name = "lightsoff"
    verbose_name = _("LightsOff")

    def ready(self):
        from reserve.home import register_count

        from .models import Shop

        register_count(
            "shops",
            _("lit shops reported"),
            lambda: Shop.objects.filter(is_hidden=False).count(),
            order=40,
        )

    def seed_demo(self, options, stdout):
        from .demo import seed

        return seed(options, stdout)
