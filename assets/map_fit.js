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
    sub.map.jumpTo({ center: [c.lon, c.lat], zoom: gd.layout.map.zoom });
  }
  window.setInterval(check, 400);
})();
