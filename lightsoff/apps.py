from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext_lazy


class LightsOffConfig(AppConfig):
    name = "lightsoff"
    verbose_name = _("LightsOff")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from reserve.home import register_count
        from volunteers.audit import register_actions
        from volunteers.privacy import register_eraser, register_exporter
        from volunteers.space import register_section

        from . import cells, privacy, tasks  # noqa: F401 - tasks: registers the Celery tasks
        from .models import Shop, TownHallAgent

        register_count(
            "shops",
            npgettext_lazy("home count", "lit shop reported", "lit shops reported", "count"),
            lambda: Shop.objects.reported().count(),
            order=40,
        )
        post_save.connect(cells.on_shop_saved, sender=Shop, dispatch_uid="lightsoff-cells-save")
        post_delete.connect(
            cells.on_shop_deleted, sender=Shop, dispatch_uid="lightsoff-cells-delete"
        )
        register_exporter("lightsoff", privacy.export)
        register_eraser("lightsoff", privacy.erase)
        register_section("lightsoff", _("LightsOff contact tasks"), "lightsoff:tasks", order=40)
        register_section(
            "lightsoff.mairie",
            _("Town hall space"),
            "lightsoff:mairie",
            order=41,
            visible=lambda user: TownHallAgent.objects.filter(user=user).exists(),
        )
        register_actions(
            **{
                "lightsoff.merge": _("Shops merged"),
                "lightsoff.hide": _("Hidden from the public"),
                "lightsoff.show": _("Shown again"),
                "lightsoff.refer": _("Refer to a town hall"),
                "lightsoff.refer_send": _("Dossier sent to the town hall"),
                "lightsoff.town_hall_action": _("Town hall's action recorded"),
                "lightsoff.answer_publish": _("Shop's answer published"),
                "lightsoff.answer_reject": _("Shop's answer rejected"),
            }
        )

    def seed_demo(self, options, stdout):
        from .demo import seed

        return seed(options, stdout)
