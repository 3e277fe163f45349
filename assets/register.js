/* The premises register page (components/register_panel.py): clicks on the map set
   the listing's point, the point is drawn as a marker, fields with an error get
   aria-invalid, and uploads over the size limit are stopped before they are sent. */
(function () {
  "use strict";

  // Keep in step with layers.limits.MAX_PREMISES_FILE_BYTES (staging.MAX_BYTES).
  var MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
  var MARKER_TRACE = 1;

  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  function coordinate(value, lang) {
    var text = (Math.round(value * 1e6) / 1e6).toFixed(6).replace(/0+$/, "");
    text = text.replace(/\.$/, "");
    return lang === "en" ? text : text.replace(".", ",");
  }

  function parse(value) {
    if (value === null || value === undefined) {
      return NaN;
    }
    var text = String(value).trim().replace(/\s/g, "").replace(",", ".");
    return text === "" ? NaN : Number(text);
  }

  function setPoint(latId, lonId, lat, lon, lang) {
    var field = document.getElementById(latId);
    if (!field || field.disabled) {
      return;
    }
    window.dash_clientside.set_props(latId, { value: coordinate(lat, lang) });
    window.dash_clientside.set_props(lonId, { value: coordinate(lon, lang) });
  }

  function mapOf(graphId) {
    var outer = document.getElementById(graphId);
    var gd = outer && outer.querySelector(".js-plotly-plot");
    var sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return sub && sub.map ? { gd: gd, map: sub.map } : null;
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.register = {
    // A click anywhere on the map (not only on a point) sets lat/lon.
    attach: function (figure, lang, graphId, latId, lonId) {
      var tries = 0;
      function hook() {
        var found = mapOf(graphId);
        if (!found) {
          if (tries++ < 100) {
            window.setTimeout(hook, 100);
          }
          return;
        }
        found.gd._registerLang = lang;
        if (found.gd._registerMap === found.map) {
          return;
        }
        found.gd._registerMap = found.map;
        found.map.on("click", function (event) {
          setPoint(latId, lonId, event.lngLat.lat, event.lngLat.lng,
            found.gd._registerLang);
        });
      }
      hook();
      return noUpdate();
    },

    // plotly_click on a drawn point (also what tests can emit).
    pick: function (clickData, disabled, lang) {
      var point = clickData && clickData.points && clickData.points[0];
      if (disabled || !point || point.lat === undefined || point.lon === undefined) {
        return [noUpdate(), noUpdate()];
      }
      return [coordinate(point.lat, lang), coordinate(point.lon, lang)];
    },

    marker: function (lat, lon) {
      var y = parse(lat);
      var x = parse(lon);
      var ok = isFinite(y) && isFinite(x) && Math.abs(y) <= 90 && Math.abs(x) <= 180;
      return new window.dash_clientside.Patch()
        .assign(["data", MARKER_TRACE, "lat"], ok ? [y] : [])
        .assign(["data", MARKER_TRACE, "lon"], ok ? [x] : [])
        .build();
    },

    // Arguments: the error texts of every field, then the fields' ids.
    aria: function () {
      var n = arguments.length / 2;
      for (var k = 0; k < n; k++) {
        var message = arguments[k];
        var id = arguments[n + k];
        var el = document.getElementById(id);
        if (!el) {
          continue;
        }
        var targets = [el].concat(
          Array.prototype.slice.call(
            el.querySelectorAll("input, [role='combobox'], button")
          )
        );
        targets.forEach(function (target) {
          if (message) {
            target.setAttribute("aria-invalid", "true");
            target.setAttribute("aria-describedby", id + "-error");
          } else {
            target.removeAttribute("aria-invalid");
            target.removeAttribute("aria-describedby");
          }
        });
      }
      return noUpdate();
    },

    // Send an upload to the server only when it is within the limit.
    upload: function (contents, filename) {
      if (!contents) {
        return [noUpdate(), noUpdate()];
      }
      var comma = contents.indexOf(",");
      var b64 = comma >= 0 ? contents.length - comma - 1 : contents.length;
      var size = Math.floor((b64 * 3) / 4);
      if (size > MAX_UPLOAD_BYTES) {
        return [{ name: filename, size: size, too_big: true }, null];
      }
      return [{ name: filename, contents: contents }, null];
    },
  };
})();
