/* The map page's legend toggle and offline notice (components/map_panel.py).

   - ``#map-legend-toggle`` hides or shows the plotly legend (a relayout in the
     browser; the server's patches never touch ``showlegend``).
   - When an online basemap is chosen and its tiles cannot be loaded (no network),
     ``#map-offline-notice`` says so on the map: the simple offline map is what
     is shown. The notice goes when the offline basemap is chosen again or a tile
     loads. */
(function () {
  "use strict";

  function graph() {
    return document.querySelector("#map-graph .js-plotly-plot");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#map-legend-toggle");
    var gd = graph();
    if (!button || !gd || !window.Plotly) {
      return;
    }
    var shown = button.getAttribute("aria-expanded") === "true";
    window.Plotly.relayout(gd, { showlegend: !shown });
    button.setAttribute("aria-expanded", shown ? "false" : "true");
    button.textContent = button.getAttribute(shown ? "data-show" : "data-hide");
  });

  function rasterSlot(gd) {
    var layers = (gd.layout && gd.layout.map && gd.layout.map.layers) || [];
    var first = layers[0];
    var src = first && first.sourcetype === "raster" && first.source;
    var url = src && src[0];
    // An online basemap only: our own /tiles/ route is the same origin.
    return typeof url === "string" && /^https?:/.test(url) && first.visible !== false;
  }

  function notice(show) {
    var el = document.getElementById("map-offline-notice");
    if (el && el.hidden === show) {
      el.hidden = !show;
    }
  }

  var failed = false;

  function chosenOnline() {
    var input = document.querySelector("#map-basemap input:checked");
    return Boolean(input && input.value !== "offline");
  }

  function watch(gd) {
    var sub = gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    var map = sub && sub.map;
    if (!map || map.__naringOffline) {
      return;
    }
    map.__naringOffline = true;
    map.on("error", function (e) {
      // A tile of the online basemap failed: no network (or the server is down).
      if (e && e.tile && rasterSlot(gd)) {
        failed = true;
      }
    });
    map.on("data", function (e) {
      if (e && e.dataType === "source" && e.tile && rasterSlot(gd)) {
        failed = false;
      }
    });
  }

  window.setInterval(function () {
    var gd = graph();
    if (!gd) {
      return;
    }
    watch(gd);
    if (!chosenOnline()) {
      failed = false;
      notice(false);
      return;
    }
    // Chosen, but not drawn (this server allows no online tiles) or not loading.
    notice(!rasterSlot(gd) || failed || !navigator.onLine);
  }, 500);
})();
