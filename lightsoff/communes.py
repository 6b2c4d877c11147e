"""Communes and their mairies: reading the two reference files, and finding a shop's commune.

- `read_communes`: the communes of INSEE's official geographic code, as the
  `@etalab/decoupage-administratif` npm package ships them (`data/communes.json`), or as
  geo.api.gouv.fr exports them (same fields, with a `centre`).
- `read_mairies`: the mairies of the DILA's "Annuaire de l'administration – base de
  données locales" (its national JSON export, or the JSON export of its API).
- `commune_for`: a shop's commune from its position and postcode.

Writes are in `services.communes`; the commands `load_communes` and `import_annuaire` read
with these and write with those.
"""

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from . import geo
from .jsonstream import JSONStreamError, iter_array
from .models import Commune

# "06088", "2A004", "97411": text, never a number (a leading zero matters).
INSEE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
POSTCODE = re.compile(r"^\d{5}$")


class ReferenceFileError(ValueError):
    """A reference file that cannot be read as expected; the message says why."""


# --- The communes file ---------------------------------------------------------------


@dataclass
class CommuneRecord:
    insee_code: str
    name: str
    departement: str
    region: str
    postcodes: list
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _point(value):
    """(latitude, longitude) of a GeoJSON point ({"type": "Point", "coordinates": [lng,
    lat]}), or None."""
    if not isinstance(value, dict):
        return None
    coordinates = value.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) != 2:
        return None
    lng, lat = coordinates
    if not geo.valid_lat_lng(lat, lng):
        return None
    return _decimal(lat), _decimal(lng)


def _decimal(value):
    return Decimal(f"{float(value):.6f}")


def read_communes(file):
    """Yield a CommuneRecord for each current commune of an open communes file.

    Only `type` "commune-actuelle" is kept (the package also lists delegated and
    associated communes and the arrondissements of Paris, Lyon and Marseille, which
    have no mairie of their own to refer a shop to); a record without `type` (the
    geo.api.gouv.fr export) is a current commune. The centre is `centre`, else
    `mairie`, when the file has them (the npm package has neither).
    Raises ReferenceFileError on a file or record of the wrong shape.
    """
    try:
        for index, item in enumerate(iter_array(file)):
            if not isinstance(item, dict):
                raise ReferenceFileError(f"record {index + 1} is not an object")
            if item.get("type", "commune-actuelle") != "commune-actuelle":
                continue
            code = item.get("code")
            if not isinstance(code, str) or not INSEE_CODE.match(code):
                raise ReferenceFileError(
                    f"record {index + 1}: {code!r} is not an INSEE commune code (text such "
                    f'as "06088" or "2A004")'
                )
            name = item.get("nom")
            if not isinstance(name, str) or not name.strip():
                raise ReferenceFileError(f"record {index + 1} ({code}) has no name")
            postcodes = item.get("codesPostaux") or []
            if not isinstance(postcodes, list) or not all(
                isinstance(p, str) and POSTCODE.match(p) for p in postcodes
            ):
                raise ReferenceFileError(
                    f"record {index + 1} ({code}): codesPostaux must be a list of "
                    f'five-digit texts such as "06000"'
                )
            centre = _point(item.get("centre")) or _point(item.get("mairie"))
            yield CommuneRecord(
                insee_code=code,
                name=name.strip()[:120],
                departement=str(item.get("departement") or item.get("codeDepartement") or "")[:3],
                region=str(item.get("region") or item.get("codeRegion") or "")[:3],
                postcodes=sorted(set(postcodes)),
                latitude=centre[0] if centre else None,
                longitude=centre[1] if centre else None,
            )
    except JSONStreamError as error:
        raise ReferenceFileError(str(error)) from None


# --- The administration directory ----------------------------------------------------

# The directory files a commune's town hall as "mairie"; its delegated mairies (of the
# communes merged into a new one), annexes and antennas too. The main one is chosen
# (see `MairieRecord.rank`); a secondary one only where the commune has no other.
MAIRIE = "mairie"
SECONDARY_NAME = re.compile(
    r"mairie[s]? (?:déléguée|deleguee|annexe)|\b(?:annexe|antenne)\b|arrondissement",
    re.IGNORECASE,
)


@dataclass
class MairieRecord:
    source_id: str
    name: str
    insee_codes: list
    email: str = ""
    phone: str = ""
    website: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    is_main: bool = True

    @property
    def rank(self):
        """Lower is better: a main mairie before a secondary one, one with an e-mail
        before one without."""
        return (not self.is_main, not self.email, self.source_id)


def _json_field(value):
    """The API's JSON export nests lists as JSON text ('[{"valeur": ...}]'); the
    national export as lists. Either way, a list."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "{")):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                return [value]
        else:
            return [value] if text else []
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first_value(value):
    for item in _json_field(value):
        text = item.get("valeur") if isinstance(item, dict) else item
        if isinstance(text, str) and text.strip():
            return text.strip()
    return ""


def _first_email(value):
    """The first valid address: the directory has lists, and strings like "a@x.fr; b@x.fr"."""
    for item in _json_field(value):
        text = item.get("valeur") if isinstance(item, dict) else item
        for candidate in re.split(r"[;,\s]+", text if isinstance(text, str) else ""):
            try:
                validate_email(candidate)
            except ValidationError:
                continue
            return candidate[:254]
    return ""


def _website(value):
    url = _first_value(value)
    if url and "://" not in url:
        url = f"https://{url}"  # the directory has some "www.x.fr"
    try:
        URLValidator()(url)
    except ValidationError:
        return ""
    return url[:255]


def _address(value):
    """(text, latitude, longitude): the postal address for letters when there is one,
    the position from the street address."""
    addresses = [a for a in _json_field(value) if isinstance(a, dict)]
    if not addresses:
        return "", None, None
    postal = next((a for a in addresses if a.get("type_adresse") == "Adresse postale"), None)
    street = next((a for a in addresses if a.get("type_adresse") == "Adresse"), addresses[0])
    chosen = postal or street
    lines = [
        chosen.get(k, "")
        for k in ("complement1", "complement2", "numero_voie", "service_distribution")
    ]
    town = " ".join(str(chosen.get(k) or "").strip() for k in ("code_postal", "nom_commune"))
    text = ", ".join(str(part).strip() for part in [*lines, town] if str(part or "").strip())
    position = None
    for candidate in (street, *addresses):
        try:
            lat, lng = float(candidate.get("latitude")), float(candidate.get("longitude"))
        except (TypeError, ValueError):
            continue
        if geo.valid_lat_lng(lat, lng) and (lat, lng) != (0.0, 0.0):
            position = _decimal(lat), _decimal(lng)
            break
    return text[:255], *(position or (None, None))


def _mairie_codes(item):
    """The INSEE codes a mairie entry serves: those of its "mairie" pivot, and the
    entry's own `code_insee_commune`."""
    codes = []
    for pivot in _json_field(item.get("pivot")):
        if isinstance(pivot, dict) and pivot.get("type_service_local") == MAIRIE:
            codes.extend(str(code) for code in _json_field(pivot.get("code_insee_commune")))
    own = item.get("code_insee_commune")
    if isinstance(own, str):
        codes.append(own)
    return [code for code in dict.fromkeys(codes) if INSEE_CODE.match(code)]


def _is_mairie(item):
    return any(
        isinstance(pivot, dict) and pivot.get("type_service_local") == MAIRIE
        for pivot in _json_field(item.get("pivot"))
    )


def read_mairies(file):
    """Yield a MairieRecord for each mairie entry of an open directory export.

    The national export is {"service": [entry, ...]}; the API's JSON export is a list
    of entries. An entry is a mairie when one of its `pivot`s has `type_service_local`
    "mairie"; other services (CCAS, police, schools...) are skipped. Raises
    ReferenceFileError on a file of the wrong shape.
    """
    try:
        for index, item in enumerate(iter_array(file, key="service")):
            if not isinstance(item, dict):
                raise ReferenceFileError(f"entry {index + 1} is not an object")
            if not _is_mairie(item):
                continue
            source_id = str(item.get("id") or "").strip()
            name = str(item.get("nom") or "").strip()
            if not source_id or not name:
                raise ReferenceFileError(f"entry {index + 1} has no id or no name")
            address, lat, lng = _address(item.get("adresse"))
            old_pivot = str(item.get("ancien_code_pivot") or "")
            yield MairieRecord(
                source_id=source_id[:64],
                name=name[:200],
                insee_codes=_mairie_codes(item),
                email=_first_email(item.get("adresse_courriel")),
                phone=_first_value(item.get("telephone"))[:40],
                website=_website(item.get("site_internet")),
                address=address,
                latitude=lat,
                longitude=lng,
                # "mairie-45300-01" is a commune's main mairie in the directory's old ids.
                is_main=not SECONDARY_NAME.search(name)
                and (not old_pivot or old_pivot.endswith("-01")),
            )
    except JSONStreamError as error:
        raise ReferenceFileError(str(error)) from None


# --- Finding a shop's commune --------------------------------------------------------

# A postcode's communes all farther than this from the shop: the postcode is taken for a
# mistake, and the position decides.
POSTCODE_MAX_DISTANCE_M = 30_000
# The nearest centre is searched in a box this size, widened until one is found.
SEARCH_START_M = 5_000
# No centre within this distance: not in France (at sea, abroad), no commune.
SEARCH_MAX_M = 150_000


def normalize_postcode(value):
    text = "".join(str(value or "").split())
    return text if POSTCODE.match(text) else ""


def _nearest(communes, lat, lng):
    best, best_m = None, math.inf
    for commune in communes:
        if commune.latitude is None:
            continue
        distance = geo.haversine_m(lat, lng, commune.latitude, commune.longitude)
        if distance < best_m or (distance == best_m and commune.insee_code < best.insee_code):
            best, best_m = commune, distance
    return best, best_m


def _find(lat, lng, postcode, *, with_postcode, in_box):
    """The commune of a point: among the communes of its postcode, the one whose centre
    is nearest; without a (plausible) postcode, the nearest centre.

    Nearest centre is an approximation of "inside the boundary" (no polygons here): near
    a boundary it may name the neighbour, which is why the postcode decides first.
    """
    code = normalize_postcode(postcode)
    if code:
        candidates = with_postcode(code)
        if len(candidates) == 1 and candidates[0].latitude is None:
            return candidates[0]  # the only commune with this postcode: no need of a centre
        best, distance = _nearest(candidates, lat, lng)
        if best is not None and distance <= POSTCODE_MAX_DISTANCE_M:
            return best
    radius = SEARCH_START_M
    while radius <= SEARCH_MAX_M:
        best, distance = _nearest(in_box(geo.bbox_around(lat, lng, radius)), lat, lng)
        # Beyond `radius` a centre outside the box could be nearer: look again that far.
        if best is not None and distance <= radius:
            return best
        radius = max(radius * 3, distance if best is not None else 0)
    return None


def commune_for(latitude, longitude, postcode=None):
    """The Commune of a shop at (latitude, longitude), or None (no communes loaded, or
    nothing within SEARCH_MAX_M). A few indexed queries: one by postcode, one per
    widening of the box."""
    if not geo.valid_lat_lng(latitude, longitude):
        return None

    def with_postcode(code):
        return list(Commune.objects.filter(postcodes__postcode=code))

    def in_box(box):
        return Commune.objects.filter(
            latitude__gte=box.south,
            latitude__lte=box.north,
            longitude__gte=box.west,
            longitude__lte=box.east,
        )

    lat, lng = float(latitude), float(longitude)
    return _find(lat, lng, postcode, with_postcode=with_postcode, in_box=in_box)


class CommuneIndex:
    """Every commune in memory, for assigning many shops at once (a backfill, an
    import): the same choice as `commune_for`, without a query per shop. France's
    35,000 communes take a few megabytes."""

    CELL_DEG = 0.25

    def __init__(self, communes=None):
        self.by_postcode = defaultdict(list)
        self.cells = defaultdict(list)
        communes = Commune.objects.prefetch_related("postcodes") if communes is None else communes
        for commune in communes:
            for postcode in commune.postcodes.all():
                self.by_postcode[postcode.postcode].append(commune)
            if commune.latitude is not None:
                self.cells[self._cell(commune.latitude, commune.longitude)].append(commune)
        self.empty = not self.by_postcode and not self.cells

    def _cell(self, lat, lng):
        return math.floor(float(lat) / self.CELL_DEG), math.floor(float(lng) / self.CELL_DEG)

    def _in_box(self, box):
        lat_0, lng_0 = self._cell(box.south, box.west)
        lat_1, lng_1 = self._cell(box.north, box.east)
        for i in range(lat_0, lat_1 + 1):
            for j in range(lng_0, lng_1 + 1):
                for commune in self.cells.get((i, j), ()):
                    if box.contains(float(commune.latitude), float(commune.longitude)):
                        yield commune

    def find(self, latitude, longitude, postcode=None):
        if self.empty or not geo.valid_lat_lng(latitude, longitude):
            return None
        return _find(
            float(latitude),
            float(longitude),
            postcode,
            with_postcode=lambda code: self.by_postcode.get(code, []),
            in_box=self._in_box,
        )
