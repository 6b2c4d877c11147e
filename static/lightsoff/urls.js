// What the map asks the server for, from what the server says (uMap's urls.js): URL
// templates and the API's limits come from the page config (lightsoff.views.map.map_config).
// Pure functions, unit-tested with `node --test tests/js/`.

// "/lightsoff/shops/{id}/" with { id: 12 } → "/lightsoff/shops/12/".
export function fillUrl(template, params) {
  return template.replace(/\{(\w+)\}/g, (_match, name) => {
    if (!Object.hasOwn(params, name)) throw new Error(`No value for {${name}} in ${template}`);
    return encodeURIComponent(String(params[name]));
  });
}

// The widest bbox side in degrees that the API serves at `zoom` (geo.parse_bbox and
// geo.fits_zoom): limits are { maxSpan, maxViewTiles }.
export function viewSpan(zoom, limits) {
  return Math.min(limits.maxSpan, (limits.maxViewTiles * 360) / 2 ** zoom);
}

// The "west,south,east,north" of a view, clamped around its center to what the API serves
// (Leaflet's bounds may wrap past ±180 and, zoomed out, exceed it).
export function viewBBox(bounds, center, zoom, limits) {
  const half = viewSpan(zoom, limits) / 2 - 0.00001;
  const west = Math.max(bounds.west, center.lng - half, -180);
  const east = Math.min(bounds.east, center.lng + half, 180);
  const south = Math.max(bounds.south, center.lat - half, -90);
  const north = Math.min(bounds.north, center.lat + half, 90);
  return [west, south, east, north].map((v) => v.toFixed(5)).join(",");
}
