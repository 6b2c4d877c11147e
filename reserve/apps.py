from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate

# Apps whose admin module must never be imported: django-leaflet's imports GeoDjango,
# which needs GDAL (makinacorpus/django-leaflet#299). We use no GeoDjango.
ADMIN_MODULES_SKIPPED = {"leaflet"}


class ReserveConfig(AppConfig):
    name = "reserve"
    verbose_name = "Réserve"

    def ready(self):
        # The admin is installed as SimpleAdminConfig (no autodiscovery): import the
        # admin module of every other app ourselves, leaflet's excepted.
        for config in apps.get_app_configs():
            if config.name in ADMIN_MODULES_SKIPPED:
                continue
            module_name = f"{config.name}.admin"
            if find_spec(module_name) is not None:
                import_module(module_name)
        from .admin import make_every_admin_safe

        make_every_admin_safe()

        from .sites import sync_site_after_migrate

        # post_migrate is sent once per app with models, at every `migrate` (reserve has
        # none): hear the sites app's, so the Site follows SITE_URL.
        post_migrate.connect(
            sync_site_after_migrate,
            sender=apps.get_app_config("sites"),
            dispatch_uid="reserve-site",
        )
