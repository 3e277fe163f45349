/* Travel-time reach (components/reach_views.py): a click anywhere on a map (not
   only on a point) is written to a dcc.Store as {lat, lon}; the server then
   uses it as the origin of the finder's reach filter or of the map's bands. */
(function () {
  "use strict";

  function mapOf(graphId) {
    var outer = document.getElementById(graphId);
    var gd = outer && outer.querySelector(".js-plotly-plot");
    var sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return sub && sub.map ? { gd: gd, map: sub.map } : null;
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.reach = {
    attach: function (figure, graphId, storeId) {
      var tries = 0;
      function hook() {
        var found = mapOf(graphId);
        if (!found) {
          if (tries++ < 100) {
            window.setTimeout(hook, 100);
          }
          return;
        }
        if (found.gd._reachMap === found.map) {
          return;
        }
        found.gd._reachMap = found.map;
        found.map.on("click", function (event) {
          // A click on a drawn point is the point's (selection), not a place.
          var hits = found.map.queryRenderedFeatures(event.point) || [];
          var onPoint = hits.some(function (f) {
            return f.layer && f.layer.type === "circle";
          });
          if (onPoint) {
            return;
          }
          window.dash_clientside.set_props(storeId, {
            data: {
              lat: Math.round(event.lngLat.lat * 1e6) / 1e6,
              lon: Math.round(event.lngLat.lng * 1e6) / 1e6,
              at: Date.now()
            }
          });
        });
      }
      hook();
      return window.dash_clientside.no_update;
    }
  };
})();
