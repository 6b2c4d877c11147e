// LightsOff map: the shops around (browse mode) or the pin of a new report (report mode).
// Data comes from the page through json_script (#lightsoff-config), the URLs to call and the
// API's limits included (urls.js uses them); Leaflet from our static files.

import { fillUrl, viewBBox } from "./urls.js";

const config = JSON.parse(document.getElementById("lightsoff-config").textContent);
const element = document.getElementById("lightsoff-map");
const statusBox = document.getElementById("map-status");
const messages = config.messages || {};
const L = window.L;
const STREET_ZOOM = 17;

// What the map says, one line per subject ("position", "tiles", "shops"…) in the
// #map-status live region: a new text replaces that subject's line, "" removes it, so
// that "no background map" and "no shop here" can both be read at once.
function say(subject, text) {
  if (!statusBox) return;
  let line = statusBox.querySelector(`[data-subject="${subject}"]`);
  if (!text) {
    line?.remove();
    return;
  }
  if (!line) {
    line = document.createElement("p");
    line.dataset.subject = subject;
    statusBox.append(line);
  }
  if (line.textContent !== text) line.textContent = text;
}

// "{count} shops" in the plural form the page's language needs.
function countLabel(forms, count) {
  const rule = new Intl.PluralRules(document.documentElement.lang || undefined).select(count);
  return (forms[rule] || forms.other || "{count}").replace("{count}", String(count));
}

function createMap() {
  const map = L.map(element, {
    minZoom: config.minZoom,
    maxZoom: config.maxZoom,
    zoomControl: true,
    tapTolerance: 20,
  }).setView(config.center, config.zoom);
  const tiles = L.tileLayer(config.tiles, {
    maxZoom: config.maxZoom,
    attribution: config.attribution,
  }).addTo(map);
  // Offline, or the tile server down: the markers still work, say why the map is blank.
  tiles.on("tileerror", () => say("tiles", messages.noTiles));
  tiles.on("tileload", () => say("tiles", ""));
  return map;
}

function locate(onFound, onFailed) {
  if (!("geolocation" in navigator)) {
    onFailed();
    return;
  }
  navigator.geolocation.getCurrentPosition(
    (position) => onFound([position.coords.latitude, position.coords.longitude]),
    onFailed,
    { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
  );
}

function clampedBBox(map) {
  const bounds = map.getBounds();
  return viewBBox(
    { west: bounds.getWest(), south: bounds.getSouth(), east: bounds.getEast(), north: bounds.getNorth() },
    map.getCenter().wrap(),
    map.getZoom(),
    config.limits,
  );
}

function pinIcon(feature) {
  const props = feature.properties;
  if (props.cluster) {
    const size = props.count < 10 ? 34 : props.count < 100 ? 42 : 50;
    return L.divIcon({
      className: "",
      html: `<span class="cluster-pin status-${props.status}" data-count="${Number(props.count)}" aria-hidden="true">${Number(props.count)}</span>`,
      iconSize: [size, size],
    });
  }
  return L.divIcon({
    className: "",
    html: `<span class="shop-pin status-${props.status}" data-shop-id="${Number(props.id)}" data-status="${props.status}"></span>`,
    iconSize: [28, 28],
  });
}

function popupFor(props) {
  const box = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = props.name;
  const status = document.createElement("p");
  status.textContent = config.statuses[props.status] || props.status;
  const link = document.createElement("a");
  link.href = fillUrl(config.shopUrl, { id: props.id });
  link.className = "button button-small";
  link.textContent = messages.openKit || "→";
  box.append(title, status, link);
  return box;
}

function browse() {
  const map = createMap();
  const layer = L.layerGroup().addTo(map);
  const reportLink = document.getElementById("report-link");
  let userPosition = null;
  let pending = null;

  function updateReportLink() {
    if (!reportLink) return;
    const point = map.getZoom() >= config.pointsFromZoom ? map.getCenter() : null;
    const [lat, lng] = point ? [point.lat, point.lng] : userPosition || [];
    const url = new URL(config.reportUrl, window.location.origin);
    if (lat !== undefined) {
      url.searchParams.set("lat", lat.toFixed(6));
      url.searchParams.set("lng", lng.toFixed(6));
    }
    reportLink.href = url.pathname + url.search;
  }

  async function load() {
    updateReportLink();
    if (pending) pending.abort();
    pending = new AbortController();
    const url = `${config.api}?bbox=${clampedBBox(map)}&zoom=${map.getZoom()}`;
    let data;
    try {
      const response = await fetch(url, { signal: pending.signal, headers: { Accept: "application/geo+json" } });
      data = await response.json();
      if (!response.ok) {
        say("shops", data.error || messages.loadError);
        return;
      }
    } catch (error) {
      if (error.name !== "AbortError") say("shops", messages.loadError);
      return;
    }
    say("shops", data.features.length ? "" : messages.noShops);
    layer.clearLayers();
    for (const feature of data.features) {
      const [lng, lat] = feature.geometry.coordinates;
      const marker = L.marker([lat, lng], {
        icon: pinIcon(feature),
        keyboard: true,
        title: feature.properties.cluster
          ? countLabel(messages.cluster || {}, feature.properties.count)
          : feature.properties.name,
      });
      if (feature.properties.cluster) {
        marker.on("click", () => map.setView([lat, lng], Math.min(map.getZoom() + 2, config.maxZoom)));
      } else {
        marker.bindPopup(popupFor(feature.properties));
      }
      marker.addTo(layer);
    }
    element.dataset.loaded = String(data.features.length);
    element.dataset.loadedZoom = String(map.getZoom());
  }

  function goToUser() {
    say("position", messages.locating);
    locate(
      (position) => {
        userPosition = position;
        say("position", "");
        map.setView(position, STREET_ZOOM);
        L.circleMarker(position, { radius: 7, className: "you-are-here" }).addTo(map);
      },
      () => say("position", messages.noLocation),
    );
  }

  map.on("moveend", load);
  document.getElementById("locate-me")?.addEventListener("click", goToUser);
  load();
  goToUser();
}

function report() {
  const map = createMap();
  const lat = document.getElementById("id_latitude");
  const lng = document.getElementById("id_longitude");
  const knownShop = document.getElementById("id_known_shop");
  const fieldset = document.getElementById("known-shops");
  const list = document.getElementById("known-shops-list");
  const newShopFields = document.getElementById("new-shop-fields");
  const address = document.getElementById("id_address");
  let marker = null;

  function chooseKnown(id) {
    knownShop.value = id || "";
    newShopFields.hidden = Boolean(id);
  }

  async function refreshNearby(position) {
    const url = `${config.nearby}?lat=${position.lat.toFixed(6)}&lng=${position.lng.toFixed(6)}`;
    const response = await fetch(url);
    if (!response.ok) return;
    const data = await response.json();
    list.replaceChildren();
    for (const shop of data.shops) {
      const item = document.createElement("li");
      const label = document.createElement("label");
      label.className = "choice";
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "known_shop_choice";
      radio.value = String(shop.id);
      radio.checked = knownShop.value === String(shop.id);
      const text = document.createElement("span");
      text.textContent = ` ${shop.name} — ${shop.address ? `${shop.address}, ` : ""}${shop.distance_m} m (${shop.status_label})`;
      label.append(radio, text);
      item.append(label);
      list.append(item);
    }
    fieldset.hidden = data.shops.length === 0;
    if (!data.shops.some((shop) => String(shop.id) === knownShop.value)) chooseKnown("");
    say("nearby", data.shops.length ? fieldset.querySelector("legend").textContent : "");
  }

  async function fillAddress(position) {
    if (!config.reverse || !address || address.value) return;
    const response = await fetch(`${config.reverse}?lat=${position.lat.toFixed(6)}&lng=${position.lng.toFixed(6)}`);
    if (!response.ok) return;
    const data = await response.json();
    if (!data.address || address.value) return;
    address.value = data.address.address || "";
    const postcode = document.getElementById("id_postcode");
    const city = document.getElementById("id_city");
    if (postcode && !postcode.value) postcode.value = data.address.postcode || "";
    if (city && !city.value) city.value = data.address.city || "";
  }

  function moved() {
    const position = marker.getLatLng();
    lat.value = position.lat.toFixed(6);
    lng.value = position.lng.toFixed(6);
    refreshNearby(position);
    fillAddress(position);
  }

  function place(position, zoom) {
    if (marker) {
      marker.setLatLng(position);
    } else {
      marker = L.marker(position, {
        draggable: true,
        autoPan: true,
        keyboard: true,
        title: element.getAttribute("aria-label"),
        icon: L.divIcon({ className: "", html: '<span class="report-pin"></span>', iconSize: [32, 32], iconAnchor: [16, 30] }),
      }).addTo(map);
      marker.on("dragend", moved);
    }
    map.setView(position, zoom);
    moved();
  }

  fieldset.addEventListener("change", (event) => {
    if (event.target.name === "known_shop_choice") chooseKnown(event.target.value);
  });
  map.on("click", (event) => place(event.latlng, Math.max(map.getZoom(), STREET_ZOOM)));

  const start = parseFloat(lat.value);
  const startLng = parseFloat(lng.value);
  if (Number.isFinite(start) && Number.isFinite(startLng)) {
    place(L.latLng(start, startLng), STREET_ZOOM + 1);
  } else {
    locate(
      (position) => place(L.latLng(position[0], position[1]), STREET_ZOOM + 1),
      () => {
        say("position", messages.noLocation);
        place(L.latLng(config.center[0], config.center[1]), config.zoom);
      },
    );
  }
}

if (element.dataset.mode === "report") {
  report();
} else {
  browse();
}
