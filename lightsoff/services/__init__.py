"""Every LightsOff write that spans rows or needs a transaction, one module per subject:

- `reports`: a citizen's report, the same shop found again, the status from sightings;
- `contacts`: contacts logged, and the volunteers' "do it for me" tasks;
- `subscriptions`: reporters' news of a shop (opt-in, unsubscribe, the e-mails);
- `outreach`: the platform's messages to shops, their answers, the four-week follow-up;
- `moderation`: merging shops, hiding sightings and contacts, recounts;
- `referrals`: repeat offenders referred to the town hall (the PDF dossier, its e-mail);
- `town_halls`: the town-hall agents and the actions they record;
- `osm`: importing shops from OpenStreetMap.

Views, the admin, tasks and the import command call them from here
(`lightsoff.services.X`).
"""

from . import outreach, referrals, town_halls
from .contacts import complete_task, log_contact, request_volunteer_contact, take_task
from .moderation import (
    merge_shops,
    recount,
    recount_shops,
    set_contacts_hidden,
    set_shops_hidden,
    set_sightings_hidden,
)
from .osm import OSM_FIELDS, import_osm_shops, import_osm_stream
from .reports import (
    CHOSEN_SHOP_MAX_DISTANCE_M,
    DARK_CHECKS_TO_RESOLVE,
    Report,
    counts_as_dark_check,
    find_same_shop,
    hash_ip,
    night_of,
    normalize_name,
    report_sighting,
)
from .subscriptions import (
    CONFIRMATION_INTERVAL_S,
    claim_notification,
    confirm_subscription,
    notify_subscribers,
    send_subscription_confirmation,
    subscribe,
    unsubscribe,
)

__all__ = [
    "CHOSEN_SHOP_MAX_DISTANCE_M",
    "CONFIRMATION_INTERVAL_S",
    "DARK_CHECKS_TO_RESOLVE",
    "OSM_FIELDS",
    "Report",
    "claim_notification",
    "complete_task",
    "confirm_subscription",
    "counts_as_dark_check",
    "find_same_shop",
    "hash_ip",
    "import_osm_shops",
    "import_osm_stream",
    "log_contact",
    "merge_shops",
    "night_of",
    "normalize_name",
    "outreach",
    "notify_subscribers",
    "recount",
    "recount_shops",
    "referrals",
    "report_sighting",
    "request_volunteer_contact",
    "send_subscription_confirmation",
    "set_contacts_hidden",
    "set_shops_hidden",
    "set_sightings_hidden",
    "subscribe",
    "take_task",
    "town_halls",
    "unsubscribe",
]
