"""Loading the communes and their mairies, and giving shops their commune.

Called by the commands `load_communes` and `import_annuaire` (records read by
`lightsoff.communes`), by `reports.report_sighting` for a new shop, and by the OSM import.
"""

from collections import defaultdict
from dataclasses import dataclass
from itertools import islice

from django.db import transaction

from ..communes import CommuneIndex, commune_for
from ..models import Commune, CommunePostcode, Shop, TownHall

BATCH_SIZE = 2000


def _batches(iterable, size):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class CommunesLoaded:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    postcodes_added: int = 0
    postcodes_removed: int = 0


def load_communes(*, records, batch_size=BATCH_SIZE):
    """Create or update communes and their postcodes from CommuneRecords.

    Idempotent by INSEE code: a second run of the same file changes nothing and says so.
    A centre is only written when the record has one, so a file without centres (the
    npm package) keeps those the directory gave (`import_town_halls`). Communes missing
    from the file are kept: shops may still point at them. One transaction per batch,
    so memory follows the batch, not the file.
    """
    result = CommunesLoaded()
    for batch in _batches(records, batch_size):
        by_code = {record.insee_code: record for record in batch}  # last one wins
        with transaction.atomic():
            existing = Commune.objects.in_bulk(list(by_code))
            new = []
            for code, record in by_code.items():
                values = {
                    "name": record.name,
                    "departement": record.departement,
                    "region": record.region,
                }
                if record.latitude is not None:
                    values["latitude"] = record.latitude
                    values["longitude"] = record.longitude
                commune = existing.get(code)
                if commune is None:
                    new.append(Commune(insee_code=code, **values))
                elif any(getattr(commune, k) != v for k, v in values.items()):
                    # A plain UPDATE each: bulk_update's CASE WHEN is far slower.
                    Commune.objects.filter(pk=code).update(**values)
                    result.updated += 1
                else:
                    result.unchanged += 1
            Commune.objects.bulk_create(new, batch_size=batch_size)
            result.created += len(new)

            have = set(
                CommunePostcode.objects.filter(commune__in=list(by_code)).values_list(
                    "commune_id", "postcode"
                )
            )
            want = {(code, p) for code, record in by_code.items() for p in record.postcodes}
            CommunePostcode.objects.bulk_create(
                [CommunePostcode(commune_id=c, postcode=p) for c, p in sorted(want - have)],
                batch_size=batch_size,
            )
            for code, postcode in have - want:
                CommunePostcode.objects.filter(commune_id=code, postcode=postcode).delete()
            result.postcodes_added += len(want - have)
            result.postcodes_removed += len(have - want)
    return result


@dataclass
class TownHallsImported:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_by_hand: int = 0
    unknown_commune: int = 0
    centres_set: int = 0


TOWN_HALL_FIELDS = ("name", "email", "phone", "website", "address", "source_id")


def import_town_halls(*, records):
    """Create or update each commune's TownHall from the directory's MairieRecords.

    For each commune, the best entry wins (`MairieRecord.rank`: the main mairie before
    a delegated one or an annex, one with an e-mail before one without), so the result
    does not depend on the order of the file; a delegated mairie serves only where the
    commune has no other. Idempotent: a second run changes nothing. A town hall edited
    by hand in the admin is left alone. Entries whose codes are all unknown (communes
    not loaded, or arrondissements) are counted and skipped. A commune without a
    centre gets its mairie's position as one.
    """
    result = TownHallsImported()
    best = {}
    known = set(Commune.objects.values_list("insee_code", flat=True))
    for record in records:
        codes = [code for code in record.insee_codes if code in known]
        if not codes:
            result.unknown_commune += 1
            continue
        for code in codes:
            if code not in best or record.rank < best[code].rank:
                best[code] = record

    for batch in _batches(sorted(best.items()), BATCH_SIZE):
        codes = [code for code, _ in batch]
        with transaction.atomic():
            halls = {hall.commune_id: hall for hall in TownHall.objects.filter(commune__in=codes)}
            communes = Commune.objects.in_bulk(codes)
            new = []
            for code, record in batch:
                values = {f: getattr(record, f) for f in TOWN_HALL_FIELDS}
                hall = halls.get(code)
                if hall is None:
                    new.append(TownHall(commune_id=code, **values))
                elif hall.edited_by_hand:
                    result.kept_by_hand += 1
                elif any(getattr(hall, f) != v for f, v in values.items()):
                    for f, v in values.items():
                        setattr(hall, f, v)
                    hall.save()
                    result.updated += 1
                else:
                    result.unchanged += 1
                if record.latitude is not None and communes[code].latitude is None:
                    # One plain UPDATE each: Django's bulk_update (CASE WHEN) is slower
                    # by far for the 35,000 centres of a first import.
                    Commune.objects.filter(pk=code).update(
                        latitude=record.latitude, longitude=record.longitude
                    )
                    result.centres_set += 1
            TownHall.objects.bulk_create(new, batch_size=500)
            result.created += len(new)
    return result


def assign_communes(shops, *, index=None):
    """Set `commune` on shops (instances, saved or not) that have none, from one
    in-memory CommuneIndex; the caller saves them. Returns how many were set."""
    index = index or CommuneIndex()
    assigned = 0
    for shop in shops:
        if shop.commune_id is None:
            shop.commune = index.find(shop.latitude, shop.longitude, shop.postcode)
            assigned += shop.commune_id is not None
    return assigned


def assign_missing_communes(*, batch_size=1000):
    """Give every shop without a commune the one `commune_for` would choose, a batch at
    a time (by primary key, so the scan ends even where no commune is found). Returns
    how many shops got one. Safe to run again: only shops without a commune are read."""
    index = CommuneIndex()
    if index.empty:
        return 0
    assigned, after = 0, 0
    while True:
        shops = list(
            Shop.objects.filter(commune__isnull=True, pk__gt=after)
            .only("pk", "latitude", "longitude", "postcode", "commune")
            .order_by("pk")[:batch_size]
        )
        if not shops:
            return assigned
        after = shops[-1].pk
        assign_communes(shops, index=index)
        # One UPDATE per commune met in the batch (shops near each other share one).
        by_commune = defaultdict(list)
        for shop in shops:
            if shop.commune_id is not None:
                by_commune[shop.commune_id].append(shop.pk)
        with transaction.atomic():  # one commit per batch, not one per commune
            for code, pks in by_commune.items():
                still_without = Shop.objects.filter(pk__in=pks, commune__isnull=True)
                assigned += still_without.update(commune=code)


__all__ = [
    "CommunesLoaded",
    "TownHallsImported",
    "assign_communes",
    "assign_missing_communes",
    "commune_for",
    "import_town_halls",
    "load_communes",
]
