"""Importing shops from OpenStreetMap extracts (the `import_osm_shops` command)."""

import itertools

from django.db import transaction

from ..communes import CommuneIndex
from ..models import Shop
from .communes import assign_communes

OSM_FIELDS = (
    "name",
    "address",
    "postcode",
    "city",
    "category",
    "opening_hours",
    "phone",
    "website",
    "email",
)


def import_osm_shops(*, records, communes=None):
    """Create or update shops from OpenStreetMap records (dicts with osm_id, latitude,
    longitude and the OSM_FIELDS). Idempotent by osm_id; the status and counts of a
    shop already reported are kept. New shops get their commune (whose mairie acts on
    them) from `communes`, a CommuneIndex shared by the batches of one import.
    Returns (created, updated)."""
    created = updated = 0
    sizes = {field: Shop._meta.get_field(field).max_length for field in OSM_FIELDS}
    with transaction.atomic():
        by_osm = {
            shop.osm_id: shop
            for shop in Shop.objects.filter(osm_id__in=[r["osm_id"] for r in records])
        }
        new = []
        for record in records:
            # Cut to the columns' sizes: one long tag must not roll back the whole import.
            values = {field: str(record.get(field) or "")[: sizes[field]] for field in OSM_FIELDS}
            values["latitude"] = f"{float(record['latitude']):.6f}"
            values["longitude"] = f"{float(record['longitude']):.6f}"
            shop = by_osm.get(record["osm_id"])
            if shop is None:
                shop = Shop(osm_id=record["osm_id"], sightings_count=0, **values)
                by_osm[shop.osm_id] = shop
                new.append(shop)
                continue
            changed = False
            for field, value in values.items():
                if value and str(getattr(shop, field)) != str(value):
                    setattr(shop, field, value)
                    changed = True
            if changed and shop.pk:  # not a shop met earlier in the same file
                shop.save()
                updated += 1
        assign_communes(new, index=communes or CommuneIndex())
        Shop.objects.bulk_create(new, batch_size=1000)
        created = len(new)
    return created, updated


BATCH_SIZE = 2000


def import_osm_stream(records, *, batch_size=BATCH_SIZE, progress=None):
    """Import an iterable of records (a whole country's, read as it goes) in batches of
    `batch_size`, each in its own transaction: memory holds one batch, and a file that
    turns out broken half-way keeps what came before it (a new run completes it, matching
    by osm_id). `progress(read, created, updated)` is called after each batch.
    Returns (read, created, updated)."""
    read = created = updated = 0
    records = iter(records)
    communes = CommuneIndex()  # read once: France's communes, not once per batch
    while batch := list(itertools.islice(records, batch_size)):
        batch_created, batch_updated = import_osm_shops(records=batch, communes=communes)
        read += len(batch)
        created += batch_created
        updated += batch_updated
        if progress is not None:
            progress(read, created, updated)
    return read, created, updated
