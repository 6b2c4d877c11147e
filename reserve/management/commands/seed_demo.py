from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create a believable demo: a coordinator, volunteers, projects, a crisis with a "
        "draft call-up and LightsOff shops. Idempotent: a second run creates nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--volunteers", type=int, default=150)
        parser.add_argument("--projects", type=int, default=8)
        parser.add_argument("--shops", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2022, help="random seed")

    def handle(self, *args, **options):
        # reserve imports no app (DESIGN.md): each app seeds itself through its
        # AppConfig.seed_demo(), in INSTALLED_APPS order (volunteers first).
        for config in apps.get_app_configs():
            seeder = getattr(config, "seed_demo", None)
            if seeder is None:
                continue
            with transaction.atomic():
                seeder(options, self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
