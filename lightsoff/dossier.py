"""The dossier sent to the mairie about a repeat offender: a PDF made with WeasyPrint
from `templates/lightsoff/dossier.html`, in French (the mairie's language).

It holds the shop, the rule that applies (windows or signs, by what was seen lit), the
dated sightings with their photos, the contacts made and the shop's answers, and never a
reporter's identity: no account, e-mail or address fingerprint reaches the template.
"""

import dataclasses
import datetime
import logging

from django.http import FileResponse, Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import constants, hours
from .models import Sighting

logger = logging.getLogger(__name__)

# Checking the rules on night lighting falls to the maire (code de l'environnement).
MAIRE_POWER_ARTICLE = "L583-3"
# Photos are at most 2048 px (photos.py); the page shows them this wide.
PHOTO_WIDTH_MM = 80


@dataclasses.dataclass
class DossierSighting:
    """One sighting as the dossier shows it: when, what, whether the law wanted it dark,
    and the photo's address for `_PhotoFetcher` (None when the file is missing)."""

    seen_at: datetime.datetime
    lit: bool
    lit_kind: str
    must_be_off: bool
    photo_url: str | None
    had_photo: bool
    photo: object = None  # the FieldFile that `_PhotoFetcher` reads


def _photo_available(photo):
    """Whether the photo's file is still in the storage (a missing file must not stop
    the dossier: the page says the photo is gone)."""
    if not photo:
        return False
    try:
        return photo.storage.exists(photo.name)
    except OSError:
        return False


class _PhotoFetcher:
    """WeasyPrint's fetcher for the dossier: `dossier-photo:<id>` reads that sighting's
    photo through the storage, and nothing else is fetched (no file of the server, no
    address on the network, whatever a shop's name or address holds). Photos go by
    reference rather than as data: URIs, which would make the HTML parser read megabytes
    of base64."""

    SCHEME = "dossier-photo:"

    def __init__(self, photos):
        from weasyprint.urls import URLFetcher

        self.photos = photos  # {index in the dossier: FieldFile}
        self.base = URLFetcher(allowed_protocols=[])

    def __getattr__(self, name):
        return getattr(self.base, name)  # the options WeasyPrint reads (_fail_on_errors…)

    def __call__(self, url):
        return self.fetch(url)

    def fetch(self, url, headers=None):
        from weasyprint.urls import URLFetcherResponse

        if not url.startswith(self.SCHEME):
            raise ValueError(f"The dossier fetches nothing: {url[:60]}")
        photo = self.photos[int(url.removeprefix(self.SCHEME))]
        with photo.storage.open(photo.name, "rb") as handle:
            body = handle.read()
        return URLFetcherResponse(url, body, {"Content-Type": "image/jpeg"})


def dossier_sightings(shop):
    """The visible sightings, oldest first, with the rule at each moment."""
    rows = []
    sightings = Sighting.objects.filter(shop=shop, is_hidden=False).order_by("seen_at")
    for index, sighting in enumerate(sightings):
        kind = sighting.lit_kind
        available = _photo_available(sighting.photo)
        rule = hours.legality(sighting.seen_at, shop.opening_hours, kind=kind or None)
        rows.append(
            DossierSighting(
                seen_at=sighting.seen_at,
                lit=sighting.lit,
                lit_kind=sighting.get_lit_kind_display() if kind else "",
                must_be_off=rule.must_be_off,
                photo_url=f"{_PhotoFetcher.SCHEME}{index}" if available else None,
                had_photo=bool(sighting.photo),
                photo=sighting.photo if available else None,
            )
        )
    return rows


def dossier_answers(shop):
    """Hook for the shop's answers (ShopAnswer, from the answer page): only those a
    moderator published, oldest first."""
    answers = getattr(shop, "answers", None)
    if answers is None:
        return []
    return list(answers.filter(status="published").order_by("created_at"))


def dossier_context(shop, *, referral_date=None):
    from .services.reports import REFER_AFTER_CONTACT_DAYS, lit_nights_after_contact

    commune = shop.commune
    town_hall = getattr(commune, "town_hall", None) if commune else None
    sightings = dossier_sightings(shop)
    kinds = set(shop.sightings.filter(is_hidden=False, lit=True).values_list("lit_kind", flat=True))
    # Which rule: signs follow R581-59, windows and interior lighting the arrêté of 2018.
    sign_seen = bool(kinds & {constants.LIT_SIGN, constants.LIT_BOTH})
    window_seen = bool(kinds - {constants.LIT_SIGN}) or not sign_seen
    return {
        "shop": shop,
        "commune": commune,
        "town_hall": town_hall,
        "referral_date": referral_date or timezone.localdate(),
        "sightings": sightings,
        "lit_nights": lit_nights_after_contact(shop),
        "refer_after_days": REFER_AFTER_CONTACT_DAYS,
        "contacts": list(
            shop.contacts.filter(is_hidden=False)
            .order_by("done_at")
            .only("channel", "done_at", "by_volunteer")
        ),
        "answers": dossier_answers(shop),
        "town_hall_actions": list(shop.town_hall_actions.order_by("done_on")),
        "window_rule": constants.RULE_SOURCE if window_seen else None,
        "sign_rule": constants.SIGN_RULE_SOURCE if sign_seen else None,
        "sign_sanctions": constants.SIGN_SANCTIONS if sign_seen else "",
        "fines": constants.FINES,
        "exceptions": constants.EXCEPTIONS,
        "maire_power_article": MAIRE_POWER_ARTICLE,
        "photo_width_mm": PHOTO_WIDTH_MM,
    }


def build_dossier(shop, *, referral_date=None):
    """The dossier's PDF, as bytes. Pure reads: callers decide where it goes."""
    # Imported here: Pango is loaded only when a dossier is made.
    from weasyprint import HTML

    context = dossier_context(shop, referral_date=referral_date)
    with translation.override("fr"):
        html = render_to_string("lightsoff/dossier.html", context)
    fetcher = _PhotoFetcher({i: row.photo for i, row in enumerate(context["sightings"])})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def dossier_response(referral):
    """A referral's PDF as a download (the admin and the town hall's space); a 404 page
    if its file is gone."""
    try:
        handle = referral.pdf.open("rb")
    except (OSError, ValueError) as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"dossier-lightsoff-{referral.shop_id}-{referral.pk}.pdf",
        content_type="application/pdf",
    )
