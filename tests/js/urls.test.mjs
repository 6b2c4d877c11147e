// static/lightsoff/urls.js: the map fills the server's URL templates and asks only for the
// bboxes the API serves. The limits are lightsoff/geo.py's (the page config carries them;
// tests/lightsoff/test_pages.py checks that it does).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { fillUrl, viewBBox, viewSpan } from "../../static/lightsoff/urls.js";

const LIMITS = { maxSpan: 40, maxViewTiles: 24 };

describe("fillUrl", () => {
  it("puts each value where its placeholder is", () => {
    assert.equal(fillUrl("/lightsoff/shops/{id}/", { id: 42 }), "/lightsoff/shops/42/");
    assert.equal(fillUrl("/reserve/a/{x}/b/{y}/", { x: 1, y: "two" }), "/reserve/a/1/b/two/");
  });

  it("leaves a URL without placeholders as it is", () => {
    assert.equal(fillUrl("/lightsoff/report/", {}), "/lightsoff/report/");
  });

  it("escapes what it puts in a path", () => {
    assert.equal(fillUrl("/s/{name}/", { name: "a/b c" }), "/s/a%2Fb%20c/");
  });

  it("refuses a template whose value is missing", () => {
    assert.throws(() => fillUrl("/lightsoff/shops/{id}/", {}), /No value for \{id\}/);
  });
});

describe("viewSpan", () => {
  it("is the widest screen in tiles at a zoom", () => {
    assert.equal(viewSpan(9, LIMITS), 16.875);
    assert.equal(viewSpan(17, LIMITS), (24 * 360) / 2 ** 17);
  });

  it("never goes over the API's widest bbox", () => {
    assert.equal(viewSpan(3, LIMITS), 40);
    assert.equal(viewSpan(0, LIMITS), 40);
  });
});

describe("viewBBox", () => {
  const sides = (bbox) => bbox.split(",").map(Number);

  it("keeps a view that the API serves, to five decimals", () => {
    const bounds = { west: 2.35, south: 48.85, east: 2.36, north: 48.86 };
    assert.equal(viewBBox(bounds, { lat: 48.855, lng: 2.355 }, 17, LIMITS), "2.35000,48.85000,2.36000,48.86000");
  });

  it("cuts a zoomed-out view down to the span around its center", () => {
    const bounds = { west: -170, south: -80, east: 170, north: 80 };
    const [west, south, east, north] = sides(viewBBox(bounds, { lat: 46.6, lng: 2.4 }, 2, LIMITS));
    assert.ok(east - west < 40 && north - south < 40);
    assert.ok(west < 2.4 && 2.4 < east && south < 46.6 && 46.6 < north);
  });

  it("stays within the world when Leaflet's bounds wrap past 180°", () => {
    const bounds = { west: 179.9, south: -10, east: 180.4, north: -9.5 };
    const [west, , east] = sides(viewBBox(bounds, { lat: -9.75, lng: 179.99 }, 9, LIMITS));
    assert.ok(west < east && east <= 180);
  });
});
