from django.core.management.base import BaseCommand, CommandError

from lightsoff import osm, services


class Command(BaseCommand):
    help = (
        "Load shops from an OpenStreetMap extract (GeoJSON or .osm XML): names, addresses, "
        "opening hours. Idempotent: a shop is matched by its OSM id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            records = osm.read(options["file"])
        except (OSError, osm.OSMFileError) as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from None
        created, updated = services.import_osm_shops(records=records)
        self.stdout.write(
            f"Shops: {created} created, {updated} updated, "
            f"{len(records) - created - updated} unchanged."
        )
