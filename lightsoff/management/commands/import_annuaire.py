from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lightsoff import communes
from lightsoff.services import communes as services

EXTRACT_FILE = Path(__file__).resolve().parents[2] / "data" / "annuaire-extract.json"


class Command(BaseCommand):
    help = (
        "Import the mairies (e-mail, phone, website, address) of the DILA's Annuaire de "
        "l'administration, base de données locales: its national JSON export "
        '({"service": [...]}, open data on data.gouv.fr) or the JSON export of its API '
        "(a list). Run load_communes first: a mairie is attached to a loaded commune by "
        "INSEE code; others are counted and skipped. Idempotent; a town hall edited by "
        "hand in the admin is left alone. A commune without a centre gets its mairie's "
        "position. By default: the extract shipped in lightsoff/data/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="the directory's JSON export")
        parser.add_argument(
            "--skip-shops",
            action="store_true",
            help="do not assign communes to the shops that have none",
        )

    def handle(self, *args, **options):
        path = Path(options["file"]) if options["file"] else EXTRACT_FILE
        try:
            with path.open(encoding="utf-8-sig") as file:
                records = list(communes.read_mairies(file))
        except (OSError, UnicodeDecodeError, communes.ReferenceFileError) as error:
            raise CommandError(f"Cannot import the directory from {path}: {error}") from None
        if not records:
            raise CommandError(
                f"No mairie in {path}: is it the export of the Annuaire de l'administration?"
            )
        result = services.import_town_halls(records=records)
        self.stdout.write(
            f"Town halls from {path}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.kept_by_hand} edited by hand and kept; "
            f"{result.unknown_commune} entries of unknown communes skipped; "
            f"{result.centres_set} commune centres set."
        )
        if not options["skip_shops"]:
            assigned = services.assign_missing_communes()
            self.stdout.write(f"Shops given a commune: {assigned}.")
