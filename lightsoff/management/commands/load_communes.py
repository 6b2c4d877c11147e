from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lightsoff import communes
from lightsoff.services import communes as services

PACKAGE_FILE = Path("node_modules/@etalab/decoupage-administratif/data/communes.json")
EXTRACT_FILE = Path(__file__).resolve().parents[2] / "data" / "communes-extract.json"


def default_file():
    """The npm package's full file when it is installed, else the extract we ship."""
    installed = Path(settings.BASE_DIR) / PACKAGE_FILE
    return installed if installed.exists() else EXTRACT_FILE


class Command(BaseCommand):
    help = (
        "Load the communes of INSEE's official geographic code (codes, names, postcodes, "
        "and centres when the file has them), then give shops without a commune theirs. "
        "Idempotent: communes are matched by INSEE code. The file is the communes.json of "
        "the @etalab/decoupage-administratif npm package (get it with `npm pack "
        "@etalab/decoupage-administratif` and `tar xzf` the archive: package/data/"
        "communes.json), or a geo.api.gouv.fr export with `centre`. By default: "
        f"{PACKAGE_FILE} if installed, else the extract shipped in lightsoff/data/. "
        "The package has no centres: run import_annuaire next, the mairies' positions "
        "become the communes' centres."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="communes.json to read (see above)")
        parser.add_argument(
            "--skip-shops",
            action="store_true",
            help="do not assign communes to the shops that have none",
        )

    def handle(self, *args, **options):
        path = Path(options["file"]) if options["file"] else default_file()
        try:
            with path.open(encoding="utf-8-sig") as file:
                result = services.load_communes(records=communes.read_communes(file))
        except (OSError, UnicodeDecodeError, communes.ReferenceFileError) as error:
            raise CommandError(f"Cannot load communes from {path}: {error}") from None
        self.stdout.write(
            f"Communes from {path}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged; postcodes: {result.postcodes_added} added, "
            f"{result.postcodes_removed} removed."
        )
        if not options["skip_shops"]:
            assigned = services.assign_missing_communes()
            self.stdout.write(f"Shops given a commune: {assigned}.")
