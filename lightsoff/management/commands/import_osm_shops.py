from django.core.management.base import BaseCommand, CommandError

from lightsoff import osm, services


class Command(BaseCommand):
    help = (
        "Load shops from an OpenStreetMap extract: GeoJSON, .osm XML, or .osm.pbf (the "
        "format of Geofabrik's country extracts, read as a stream). Names, addresses, "
        "opening hours, contacts. Idempotent: a shop is matched by its OSM id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=services.osm.BATCH_SIZE,
            help="Shops written per transaction (default %(default)s).",
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=50_000,
            help="Print a progress line every N shops read (default %(default)s; 0: never).",
        )

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        every = options["progress_every"]
        printed = saved = 0

        def progress(read, created, updated):
            nonlocal printed, saved
            saved = read
            if every > 0 and read // every > printed:
                printed = read // every
                self.stdout.write(f"  {read} shops read: {created} created, {updated} updated…")

        try:
            records = osm.read(options["file"])
            read, created, updated = services.import_osm_stream(
                records, batch_size=options["batch_size"], progress=progress
            )
        except (OSError, osm.OSMFileError) as error:
            if saved:
                # Each batch is its own transaction: the run can simply be repeated.
                error = f"{error} ({saved} shops saved before it; a new run completes them)"
            raise CommandError(f"Cannot read {options['file']}: {error}") from None
        self.stdout.write(
            f"Shops: {created} created, {updated} updated, {read - created - updated} unchanged."
        )
