"""Demo LightsOff shops for `manage.py seed_demo`: around Paris, then across France.

Each shop gets the rows its status stands for, as the services would have written them:
a lit sighting at night, then for a contacted shop a contact and its `contacted_at`, for
a resolved one two dark checks on two nights and its `resolved_at`, for a relapsed one a
lit sighting after those. So the kit, the stats page and the exports agree with each
other (tests/lightsoff/test_demo.py replays the moderators' recount on them).
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from . import cells
from .models import ContactAction, Shop, Sighting

# (city, postcode, latitude, longitude, weight): Paris first, then the big cities, so
# that a large --shops spreads over the whole country like real reports would.
CITIES = [
    ("Paris", "75011", 48.8566, 2.3522, 40),
    ("Lyon", "69002", 45.7640, 4.8357, 6),
    ("Marseille", "13001", 43.2965, 5.3698, 6),
    ("Toulouse", "31000", 43.6047, 1.4442, 5),
    ("Nice", "06000", 43.7102, 7.2620, 3),
    ("Nantes", "44000", 47.2184, -1.5536, 4),
    ("Strasbourg", "67000", 48.5734, 7.7521, 4),
    ("Montpellier", "34000", 43.6108, 3.8767, 3),
    ("Bordeaux", "33000", 44.8378, -0.5792, 4),
    ("Lille", "59000", 50.6292, 3.0573, 4),
    ("Rennes", "35000", 48.1173, -1.6778, 3),
    ("Reims", "51100", 49.2583, 4.0317, 2),
    ("Grenoble", "38000", 45.1885, 5.7245, 2),
    ("Dijon", "21000", 47.3220, 5.0415, 2),
    ("Brest", "29200", 48.3904, -4.4861, 2),
    ("Clermont-Ferrand", "63000", 45.7772, 3.0870, 2),
    ("Rouen", "76000", 49.4432, 1.0999, 2),
    ("Ajaccio", "20000", 41.9192, 8.7386, 1),
]
KINDS = [
    ("Boulangerie", "bakery"),
    ("Pharmacie", "chemist"),
    ("Boutique", "clothes"),
    ("Opticien", "optician"),
    ("Agence bancaire", "bank"),
    ("Coiffeur", "hairdresser"),
    ("Librairie", "books"),
    ("Supérette", "convenience"),
    ("Agence immobilière", "estate_agent"),
    ("Fleuriste", "florist"),
]
STREETS = [
    "rue de la République",
    "avenue Jean-Jaurès",
    "boulevard Voltaire",
    "rue Victor-Hugo",
    "place de la Mairie",
    "rue du Commerce",
    "avenue de la Gare",
    "rue Pasteur",
]
SUFFIXES = [
    "du Centre",
    "de la Place",
    "des Arts",
    "Saint-Michel",
    "du Marché",
    "Lumière",
    "Moderne",
    "du Parc",
    "de la Gare",
    "des Halles",
]
STATUS_WEIGHTS = [
    (Shop.Status.REPORTED, 60),
    (Shop.Status.CONTACTED, 25),
    (Shop.Status.RESOLVED, 12),
    (Shop.Status.RELAPSED, 3),
    (Shop.Status.TO_REFER, 3),
    (Shop.Status.REFERRED, 2),
]
DEMO_SOURCE = "demo"


DEMO_CHANNELS = list(ContactAction.Channel.values)


def demo_shop(i, rng_seed):
    """The i-th demo shop, the same on every run (so that seeding is idempotent)."""
    rng = random.Random(f"{rng_seed}:{i}")
    city, postcode, lat, lng, _w = rng.choices(CITIES, weights=[c[4] for c in CITIES])[0]
    spread = 0.03 if city == "Paris" else 0.02
    kind, category = rng.choice(KINDS)
    status = rng.choices([s for s, _ in STATUS_WEIGHTS], weights=[w for _, w in STATUS_WEIGHTS])[0]
    return Shop(
        name=f"{kind} {rng.choice(SUFFIXES)} n°{i}",
        address=f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
        postcode=postcode,
        city=city,
        latitude=Decimal(f"{lat + rng.uniform(-spread, spread):.6f}"),
        longitude=Decimal(f"{lng + rng.uniform(-spread * 1.4, spread * 1.4):.6f}"),
        category=category,
        status=status,
    )


def _night(today, days_ago):
    """A moment in the night `days_ago` days before today, between 1 h and 6 h (local
    time): when the rule wants windows dark, so a dark check counts."""
    day = today - datetime.timedelta(days=days_ago)
    minutes = 60 + (days_ago * 37) % 300
    midnight = datetime.datetime.combine(day, datetime.time())
    return timezone.make_aware(midnight + datetime.timedelta(minutes=minutes))


def _day(today, days_ago):
    """11 h on the day `days_ago` days before today: when someone phones the shop."""
    day = today - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(11)))


def demo_story(shop, i, rng_seed, today):
    """The sightings and contact behind the i-th shop's status, dated over the last year,
    with the shop's counts and stage dates set to match. Returns (sightings, contacts)."""
    rng = random.Random(f"{rng_seed}:{i}:story")
    status = shop.status
    # Days ago it was reported: early enough for the steps that follow it.
    repeat = status in (Shop.Status.TO_REFER, Shop.Status.REFERRED)
    reported = rng.randint(20 if repeat else 12 if status != Shop.Status.REPORTED else 1, 330)
    sightings = [Sighting(shop=shop, seen_at=_night(today, reported), lit=True)]
    contacts = []
    shop.created_at = sightings[0].seen_at
    if status != Shop.Status.REPORTED:
        done_at = _day(today, reported - 1)
        contacts.append(
            ContactAction(shop=shop, channel=rng.choice(DEMO_CHANNELS), done_at=done_at)
        )
        shop.contacted_at = done_at
    if status in (Shop.Status.RESOLVED, Shop.Status.RELAPSED):
        # Two dark checks on two nights after the contact resolve it.
        checks = [_night(today, reported - 3), _night(today, reported - 6)]
        sightings += [Sighting(shop=shop, seen_at=at, lit=False) for at in checks]
        shop.resolved_at = max(checks)
    if status == Shop.Status.RELAPSED:
        sightings.append(Sighting(shop=shop, seen_at=_night(today, reported - 10), lit=True))
    if repeat:
        # Still lit on three nights, more than two weeks after the contact: a repeat
        # offender (a demo "referred" shop has no dossier: seeding builds no PDF).
        sightings += [
            Sighting(shop=shop, seen_at=_night(today, reported - days), lit=True)
            for days in (16, 17, 18)
        ]
    shop.sightings_count = len(sightings)
    shop.contacts_count = len(contacts)
    shop.last_seen_lit_at = max(s.seen_at for s in sightings if s.lit)
    return sightings, contacts


def _set_created_at(model, created):
    """created_at is auto_now_add, which bulk_create overrides with now: set it
    afterwards, one UPDATE per distinct moment (a few hundred, whatever the count).
    `created` maps each moment to the ids of the rows created then."""
    for moment, pks in created.items():
        for start in range(0, len(pks), 5000):
            model.objects.filter(pk__in=pks[start : start + 5000]).update(created_at=moment)


def seed(options, stdout):
    count = options.get("shops", 300)
    rng_seed = options.get("seed", 2022)
    existing = set(Shop.objects.filter(name__contains=" n°").values_list("name", flat=True))
    new = [
        (i, shop)
        for i in range(1, count + 1)
        if (shop := demo_shop(i, rng_seed)).name not in existing
    ]
    batch = 5000
    today = timezone.localdate()
    shops_created, contacts_created = {}, {}
    for start in range(0, len(new), batch):
        chunk = new[start : start + batch]
        stories = [demo_story(shop, i, rng_seed, today) for i, shop in chunk]
        moments = [shop.created_at for _i, shop in chunk]
        shops = Shop.objects.bulk_create([shop for _i, shop in chunk], batch_size=batch)
        if shops and not shops[0].pk:  # a database that returns no ids
            ids = dict(
                Shop.objects.filter(name__in=[s.name for s in shops]).values_list("name", "pk")
            )
            for shop in shops:
                shop.pk = ids[shop.name]
        for shop, moment in zip(shops, moments, strict=True):
            shops_created.setdefault(moment, []).append(shop.pk)
        Sighting.objects.bulk_create(
            [sighting for sightings, _c in stories for sighting in sightings], batch_size=batch
        )
        contacts = [contact for _s, contacts in stories for contact in contacts]
        for contact in ContactAction.objects.bulk_create(contacts, batch_size=batch):
            if contact.pk:
                contacts_created.setdefault(contact.done_at, []).append(contact.pk)
    _set_created_at(Shop, shops_created)
    _set_created_at(ContactAction, contacts_created)
    # bulk_create skips save(): recount the map's cells once, from the shops.
    cells.rebuild()
    stdout.write(f"Shops: {len(new)} created ({Shop.objects.count()} in all).\n")
