from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext_lazy


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = _("Crisis call-ups")

    def ready(self):
        from anymail.signals import inbound, tracking

        from reserve.home import register_count
        from volunteers.audit import register_actions
        from volunteers.models import Profile
        from volunteers.privacy import register_eraser, register_exporter
        from volunteers.space import register_section

        from . import receivers, services, tasks  # noqa: F401 - tasks: registers the Celery tasks

        register_count(
            "reachable",
            npgettext_lazy(
                "home count",
                "volunteer who can be called up in a crisis",
                "volunteers who can be called up in a crisis",
                "count",
            ),
            lambda: Profile.objects.reachable_for_crises().count(),
            order=30,
        )
        # The e-mail provider's receipts and replies, through django-anymail's webhooks.
        tracking.connect(receivers.on_tracking, dispatch_uid="missions-email-receipts")
        inbound.connect(receivers.on_inbound, dispatch_uid="missions-email-replies")
        register_exporter("missions", services.export_volunteer_data)
        register_eraser("missions", services.erase_volunteer_data)
        register_section("missions", _("My call-ups"), "missions:mine", order=30)
        register_actions(
            **{
                "missions.launch": _("Call-up launched"),
                "missions.close": _("Call-up closed"),
                "missions.extend": _("Call-up extended"),
            }
        )

    def seed_demo(self, options, stdout):
        from .demo import seed

        return seed(options, stdout)
