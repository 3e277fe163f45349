// The map page's camera fit: when the server sends a new camera for a selected
// area (layout.map.uirevision "fit:<area>"), move the MapLibre map there.
// plotly.js updates its layout but leaves the map's camera where the user left it.
(function () {
  "use strict";
  function check() {
    var gd = document.querySelector("#map-graph .js-plotly-plot");
    if (!gd || !gd.layout || !gd.layout.map || !gd._fullLayout) return;
    var rev = gd.layout.map.uirevision;
    if (typeof rev !== "string" || rev.indexOf("fit:") !== 0) return;
    if (gd.__naringFit === rev) return;
    var sub = gd._fullLayout.map && gd._fullLayout.map._subplot;
    var c = gd.layout.map.center;
    if (!sub || !sub.map || !c) return;
    gd.__naringFit = rev;
    // plotly.js has mostly moved the map there already: a jump to where it is
    // would only draw it (and place its labels) once more.
    var now = sub.map.getCenter();
    var zoom = gd.layout.map.zoom;
    var there =
      Math.abs(now.lng - c.lon) < 1e-5 &&
      Math.abs(now.lat - c.lat) < 1e-5 &&
      Math.abs(sub.map.getZoom() - zoom) < 1e-3;
    if (!there) {
      sub.map.jumpTo({ center: [c.lon, c.lat], zoom: zoom });
    }
  }
  window.setInterval(check, 400);
})();
