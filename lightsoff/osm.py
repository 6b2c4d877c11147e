"""Read shops from an OpenStreetMap extract: GeoJSON (overpass-turbo, osmtogeojson),
.osm XML, or the binary .osm.pbf in which whole countries are distributed (read by
pyosmium, streaming). Only named shops (shop=*, and amenities with a shop window) are
kept; ways get the centre of their nodes."""

import json
import xml.etree.ElementTree as ET  # noqa: S405 (local files given by an operator)

import osmium


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


def _wanted(tags):
    """A named shop, or an amenity with a window (`tags`: a dict or pyosmium's TagList)."""
    if not (tags.get("name") or "").strip():
        return False
    return bool(tags.get("shop")) or tags.get("amenity") in AMENITIES_WITH_WINDOWS


def _record(osm_id, lat, lng, tags):
    if not _wanted(tags):
        return None
    name = tags.get("name").strip()
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


# What pyosmium reads: the binary format, and compressed XML too big to hold in memory.
OSMIUM_SUFFIXES = (".pbf", ".osm.bz2", ".osm.gz")


def read_osmium(path):
    """Yield the shops of a .osm.pbf (or compressed .osm) extract, one at a time.

    Memory stays bounded by the shops, not by the extract (France: some 500 million
    nodes): a first pass notes the ids of the wanted nodes and ways and of the nodes
    those ways use (compact id sets); the second pass keeps the locations of those nodes
    only, and gives each way the centre of its nodes. The file must be sorted (nodes,
    then ways), as every published extract is.
    """
    wanted = osmium.IdTracker()
    try:
        for obj in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_filter(
            osmium.filter.KeyFilter("shop", "amenity")
        ):
            if not _wanted(obj.tags):
                continue
            if obj.is_node():
                wanted.add_node(obj.id)
            else:
                wanted.add_way(obj.id)
                wanted.add_references(obj)
        locations = osmium.NodeLocationsForWays(osmium.index.create_map("sparse_mem_array"))
        locations.ignore_errors()  # a way cut by the extract's border keeps its other nodes
        shops = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_filter(wanted.id_filter())
            .with_filter(locations)
        )
        for obj in shops:
            if obj.is_node():
                if "shop" not in obj.tags and "amenity" not in obj.tags:
                    continue  # a node of a shop's outline, kept for its location
                if not obj.location.valid():
                    raise OSMFileError(f"node {obj.id} has no valid lat/lon")
                kind, lat, lng = "node", obj.location.lat, obj.location.lon
            else:
                points = [n.location for n in obj.nodes if n.location.valid()]
                if len(points) > 1 and obj.nodes[0].ref == obj.nodes[-1].ref:
                    points.pop()  # a closed outline repeats its first node
                if not points:
                    continue
                kind = "way"
                lat = sum(p.lat for p in points) / len(points)
                lng = sum(p.lon for p in points) / len(points)
            record = _record(f"{kind}/{obj.id}", lat, lng, obj.tags)
            if record:
                yield record
    except RuntimeError as error:  # libosmium's errors: not a PBF, truncated, unsorted…
        raise OSMFileError(str(error)) from None


def read(path):
    """The shops of an extract: an iterator for pyosmium's formats, else a list."""
    if str(path).lower().endswith(OSMIUM_SUFFIXES):
        return read_osmium(path)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if text.lstrip().startswith("<"):
        return read_osm_xml(text)
    return read_geojson(text)
