"""Read shops from an OpenStreetMap extract: GeoJSON (overpass-turbo, osmtogeojson) or
.osm XML. Only named shops (shop=*, and amenities with a shop window) are kept; ways
get the centre of their nodes."""

import json
import xml.etree.ElementTree as ET  # noqa: S405 (local files given by an operator)


class OSMFileError(ValueError):
    pass


def _address(tags):
    street = " ".join(t for t in (tags.get("addr:housenumber"), tags.get("addr:street")) if t)
    return {
        "address": street,
        "postcode": tags.get("addr:postcode", ""),
        "city": tags.get("addr:city", ""),
    }


# Premises with a window that may stay lit at night, besides every shop=*: streets,
# bus stops, parks and the rest of a real extract are left out.
AMENITIES_WITH_WINDOWS = {
    "bank",
    "bar",
    "bureau_de_change",
    "cafe",
    "car_rental",
    "fast_food",
    "ice_cream",
    "pharmacy",
    "restaurant",
}


def _record(osm_id, lat, lng, tags):
    name = (tags.get("name") or "").strip()
    if not name:
        return None
    if not tags.get("shop") and tags.get("amenity") not in AMENITIES_WITH_WINDOWS:
        return None
    return {
        "osm_id": osm_id,
        "latitude": float(lat),
        "longitude": float(lng),
        "name": name,
        "category": tags.get("shop") or tags.get("amenity") or "",
        "opening_hours": tags.get("opening_hours", "")[:255],
        "phone": (tags.get("phone") or tags.get("contact:phone") or "")[:32],
        "website": (tags.get("website") or tags.get("contact:website") or "")[:200],
        "email": (tags.get("email") or tags.get("contact:email") or "")[:254],
        **_address(tags),
    }


def _centre(coordinates):
    """The mean of a GeoJSON geometry's positions (enough for a shop's outline)."""
    points = []

    def walk(value):
        if value and isinstance(value[0], (int, float)):
            points.append(value)
        else:
            for item in value:
                walk(item)

    walk(coordinates)
    if not points:
        raise OSMFileError("empty geometry")
    return (sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points))


def read_geojson(text):
    try:
        data = json.loads(text)
    except ValueError as error:
        raise OSMFileError(f"not JSON: {error}") from None
    records = []
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        tags = props.get("tags") if isinstance(props.get("tags"), dict) else props
        osm_id = str(feature.get("id") or props.get("@id") or props.get("id") or "")
        geometry = feature.get("geometry") or {}
        if not osm_id or not geometry.get("coordinates"):
            continue
        lat, lng = _centre(geometry["coordinates"])
        record = _record(osm_id, lat, lng, tags)
        if record:
            records.append(record)
    return records


def read_osm_xml(text):
    try:
        root = ET.fromstring(text)  # noqa: S314
    except ET.ParseError as error:
        raise OSMFileError(f"not OSM XML: {error}") from None
    nodes = {}
    records = []
    for node in root.iter("node"):
        try:
            nodes[node.get("id")] = (float(node.get("lat")), float(node.get("lon")))
        except (TypeError, ValueError):
            raise OSMFileError(f"node {node.get('id')} has no valid lat/lon") from None
    for element in root:
        if element.tag not in ("node", "way"):
            continue
        tags = {tag.get("k"): tag.get("v") for tag in element.findall("tag")}
        if element.tag == "node":
            lat, lng = nodes[element.get("id")]
        else:
            refs = [nodes[nd.get("ref")] for nd in element.findall("nd") if nd.get("ref") in nodes]
            if not refs:
                continue
            lat = sum(p[0] for p in refs) / len(refs)
            lng = sum(p[1] for p in refs) / len(refs)
        record = _record(f"{element.tag}/{element.get('id')}", lat, lng, tags)
        if record:
            records.append(record)
    return records


def read(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if text.lstrip().startswith("<"):
        return read_osm_xml(text)
    return read_geojson(text)
