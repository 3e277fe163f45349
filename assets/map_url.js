/* The map page (components/map_panel.py): the query string follows the view.

   The view store (layers, area, filters, basemap) and the map's camera
   (relayoutData) are written to the URL in the browser, with the same
   parameters and formats as map_panel.update_url, so a copied link restores
   the view without a round trip to the server. Other parameters (lang) stay. */
(function () {
  "use strict";

  var DEFAULT_LAYERS = ["firms"];
  var FULL_SIZE = [0, 7];
  // relayoutData holds only the latest change: the camera's other part comes
  // from the query string, which this script keeps current.

  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  function sameList(a, b) {
    return a.length === b.length && a.every(function (v, i) { return v === b[i]; });
  }

  function params(view, relayout, search) {
    var q = new URLSearchParams(search || "");
    var last = { center: null, zoom: null };
    if (q.has("center")) {
      var parts = q.get("center").split(",").map(Number);
      if (parts.length === 2 && parts.every(isFinite)) last.center = parts;
    }
    if (q.has("zoom") && q.get("zoom") !== "" && isFinite(Number(q.get("zoom")))) {
      last.zoom = Math.min(22, Math.max(0, Number(q.get("zoom"))));
    }
    var c = relayout["map.center"];
    if (c && isFinite(c.lat) && isFinite(c.lon)) last.center = [c.lat, c.lon];
    if (isFinite(relayout["map.zoom"])) last.zoom = Number(relayout["map.zoom"]);
    var layers = view.layers || [];
    var size = view.size || FULL_SIZE;
    var out = {
      area: view.area || null,
      layers: sameList(layers, DEFAULT_LAYERS) ? null
        : (layers.length ? layers.join(",") : "none"),
      nace: (view.sections || []).join(",") || null,
      size: sameList(size, FULL_SIZE) ? null : size[0] + "-" + size[1],
      basemap: view.basemap && view.basemap !== "offline" ? view.basemap : null,
      center: last.center ? last.center[0].toFixed(5) + "," + last.center[1].toFixed(5)
        : null,
      zoom: last.zoom !== null ? last.zoom.toFixed(2) : null
    };
    Object.keys(out).forEach(function (k) {
      if (out[k] === null) q.delete(k); else q.set(k, out[k]);
    });
    // Sorted keys, commas kept readable: as urlstate.with_params writes them.
    var keys = Array.from(q.keys()).sort();
    var text = keys.map(function (k) {
      return encodeURIComponent(k) + "=" +
        encodeURIComponent(q.get(k)).replace(/%2C/g, ",").replace(/%3A/g, ":");
    }).join("&");
    return text ? "?" + text : "";
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.naringMap = {
    updateUrl: function (view, relayout, search) {
      if (!view) return noUpdate();
      var next = params(view, relayout || {}, search);
      return next === (search || "") ? noUpdate() : next;
    }
  };
})();
