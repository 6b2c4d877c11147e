"""LightsOff's views, a module per audience: the map and its API (`map`), the report
form (`reporting`), a shop's kit (`kit`), the figures and open data (`open_data`), the
volunteers' tasks and rounds (`volunteering`), the town hall's space (`town_hall`).
Every view is importable from here, as urls.py does."""

from .kit import (
    check,
    contacted,
    delegate,
    letter,
    shop,
    subscribe,
    subscription_confirm,
    subscription_unsubscribe,
)
from .map import api_nearby, api_reverse, api_shops, index
from .open_data import (
    export_shops_csv,
    export_shops_geojson,
    export_sightings_csv,
    export_sightings_geojson,
    stats,
)
from .outreach import answer, follow_up, opt_out, platform_contact, task_platform_contact
from .reporting import report
from .town_hall import mairie, mairie_dossier, mairie_export, mairie_shop
from .volunteering import rounds, task_area, task_done, task_take, tasks

__all__ = [
    "answer",
    "api_nearby",
    "api_reverse",
    "api_shops",
    "check",
    "contacted",
    "delegate",
    "export_shops_csv",
    "export_shops_geojson",
    "export_sightings_csv",
    "export_sightings_geojson",
    "follow_up",
    "index",
    "letter",
    "mairie",
    "mairie_dossier",
    "mairie_export",
    "mairie_shop",
    "opt_out",
    "platform_contact",
    "report",
    "rounds",
    "shop",
    "stats",
    "subscribe",
    "subscription_confirm",
    "subscription_unsubscribe",
    "task_area",
    "task_done",
    "task_platform_contact",
    "task_take",
    "tasks",
]
