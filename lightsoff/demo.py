"""Demo LightsOff shops for `manage.py seed_demo`: around Paris, then across France."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from . import cells
from .models import Shop, Sighting

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
]
DEMO_SOURCE = "demo"


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
        sightings_count=1,
        contacts_count=1 if status != Shop.Status.REPORTED else 0,
    )


def seed(options, stdout):
    count = options.get("shops", 300)
    rng_seed = options.get("seed", 2022)
    existing = set(Shop.objects.filter(name__contains=" n°").values_list("name", flat=True))
    new = [
        shop for i in range(1, count + 1) if (shop := demo_shop(i, rng_seed)).name not in existing
    ]
    batch = 5000
    now = timezone.now()
    for start in range(0, len(new), batch):
        shops = Shop.objects.bulk_create(new[start : start + batch], batch_size=batch)
        if shops and not shops[0].pk:
            names = [s.name for s in shops]
            shops = list(Shop.objects.filter(name__in=names))
        Sighting.objects.bulk_create(
            [
                Sighting(
                    shop=shop,
                    seen_at=now - datetime.timedelta(days=(shop.pk or 0) % 60, hours=2),
                    lit=True,
                )
                for shop in shops
            ],
            batch_size=batch,
        )
    # bulk_create skips save(): recount the map's cells once, from the shops.
    cells.rebuild()
    stdout.write(f"Shops: {len(new)} created ({Shop.objects.count()} in all).\n")
