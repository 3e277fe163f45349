/* Every map: an update redraws what changed, not the whole map.

   plotly.js (the map subplot of our vendored bundle, src/plots/map/map.js and
   src/traces/scattermap/plot.js) does three things on every update of a map (a
   filter, a layer toggle, a new area) that make MapLibre reload and redraw
   everything; with a software renderer each redraw costs about 100 ms:

   1. fillBelowLookup forgets to reset its "below" value between traces, so a
      hidden trace (whose "below" is never filled in) takes the one of the
      trace before it; two traces sharing a value are then removed and added
      again on every update, and MapLibre re-tiles their sources. Below, the
      same function with the value reset per trace. (components/figures/
      basemap.stacked gives every layer and trace a "below" of its own.)
   2. Each visible trace's GeoJSON is handed to MapLibre again, changed or not,
      and MapLibre re-tiles it and draws a frame as each one comes back. Here
      setData is skipped when the data equals what the source holds (compared
      as JSON text): the skipped call would have set an equal copy.
   3. map.resize() on every update, which resets the canvas and forces a full
      redraw even when its size did not change. Here it is skipped when the
      container's size and the pixel ratio are what they were; MapLibre's own
      resize observer still follows every real change of size.

   4. Labels fade in over 300 ms after every move or update, a frame each
      time; with a software renderer that is three redraws of the whole map.
      Here they fade in 100 ms, and not at all for a reader who asks for
      reduced motion (prefers-reduced-motion).

   What is drawn is the same; only redundant work is left out, and the labels'
   fade is shorter. */
(function () {
  "use strict";

  var LAST = "__naringData";
  var FADE_MS = 100;
  var SIZE = "__naringSize";
  var done = { source: false, subplot: false, map: false };

  function fillBelowLookup(calcData, fullLayout) {
    // plotly.js 4.1.1's fillBelowLookup, with ``val`` reset for each trace.
    var opts = fullLayout[this.id];
    var layers = opts.layers;
    var i, val;
    var belowLookup = (this.belowLookup = {});
    var hidden = {};
    var hasTraceAtTop = false;

    for (i = 0; i < calcData.length; i++) {
      var trace = calcData[i][0].trace;
      var module = trace._module;
      val = undefined;
      if (typeof trace.below === "string") {
        val = trace.below;
      } else if (trace.visible !== true && hasOwnBelow(trace)) {
        // A hidden trace (plotly fills in none of its attributes): the one
        // given, so that its layers are made in their place and stay there.
        val = trace._input.below;
      } else if (module && module.getBelow) {
        val = module.getBelow(trace, this);
      }
      if (val === "") {
        hasTraceAtTop = true;
      }
      belowLookup["trace-" + trace.uid] = val || "";
      hidden["trace-" + trace.uid] = trace.visible !== true;
    }
    for (i = 0; i < layers.length; i++) {
      var item = layers[i];
      if (typeof item.below === "string") {
        val = item.below;
      } else if (hasTraceAtTop) {
        val = "traces";
      } else {
        val = "";
      }
      belowLookup["layout-" + i] = val;
    }
    // Layers sharing a value are re-added on each update to keep their order.
    // Hidden traces are left out: their order does not show, and each is
    // placed again when it is shown (its "below" then changes).
    var lists = {};
    Object.keys(belowLookup).forEach(function (k) {
      if (hidden[k]) {
        return;
      }
      (lists[belowLookup[k]] = lists[belowLookup[k]] || []).push(k);
    });
    var self = this;
    Object.keys(lists).forEach(function (v) {
      var list = lists[v];
      if (list.length < 2) {
        return;
      }
      list.forEach(function (k) {
        if (k.indexOf("trace-") === 0) {
          var obj = self.traceHash[k.slice(6)];
          if (obj) {
            obj.below = null;
          }
        } else if (k.indexOf("layout-") === 0) {
          var layer = self.layerList[k.slice(7)];
          if (layer) {
            layer.below = null;
          }
        }
      });
    });
  }

  function hasOwnBelow(trace) {
    return Boolean(trace._input) && typeof trace._input.below === "string";
  }

  function layerIds(obj) {
    if (obj.layerIds) {
      return ["fill", "line", "circle", "symbol"].map(function (k) {
        return obj.layerIds[k];
      });
    }
    return (obj.layerList || []).map(function (item) {
      return item[1];
    });
  }

  // A map drawn before this script saw it: move each trace made in the wrong
  // place (a hidden one, on top) to its own slot, as the new lookup places it.
  function repair(sub) {
    var map = sub.map;
    ((sub.gd && sub.gd._fullData) || []).forEach(function (trace) {
      var obj = sub.traceHash[trace.uid];
      var below = hasOwnBelow(trace) ? trace._input.below : null;
      if (!obj || !below || obj.below === below || !map.getLayer(below)) {
        return;
      }
      layerIds(obj).forEach(function (id) {
        if (id && map.getLayer(id)) {
          map.moveLayer(id, below);
        }
      });
      obj.below = below;
    });
  }

  function sameData(source, data) {
    if (!data || typeof data !== "object") {
      return false; // a URL: MapLibre fetches it, it may have changed
    }
    var text;
    try {
      text = JSON.stringify(data);
    } catch (e) {
      return false;
    }
    if (source[LAST] === text) {
      return true;
    }
    source[LAST] = text;
    return false;
  }

  function patchSource(proto) {
    var setData = proto.setData;
    proto.setData = function (data, waitForCompletion) {
      if (sameData(this, data)) {
        return waitForCompletion ? Promise.resolve() : this;
      }
      return setData.apply(this, arguments);
    };
  }

  function patchMap(proto) {
    var resize = proto.resize;
    proto.resize = function () {
      var box = this.getContainer && this.getContainer();
      var rect = box && box.getBoundingClientRect();
      var size = rect
        ? [rect.width, rect.height, window.devicePixelRatio].join("x")
        : null;
      // Events (eventData) or a changed size: MapLibre does its full resize.
      if (arguments.length || !size || this[SIZE] !== size) {
        this[SIZE] = size;
        return resize.apply(this, arguments);
      }
      return this;
    };
  }

  function shortFade(map) {
    // MapLibre's fadeDuration option (plotly.js sets none: 300 ms).
    if (typeof map._fadeDuration !== "number" || map.__naringFade) {
      return;
    }
    var reduced =
      window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
    map._fadeDuration = reduced && reduced.matches ? 0 : FADE_MS;
    map.__naringFade = true;
  }

  function geojsonSource(map) {
    var style = null;
    try {
      style = map.style && map.isStyleLoaded() && map.getStyle();
    } catch (e) {
      return null; // not loaded yet: the next check
    }
    var ids = Object.keys((style && style.sources) || {});
    for (var i = 0; i < ids.length; i++) {
      var source = map.getSource(ids[i]);
      if (source && source.type === "geojson" && source.setData) {
        return source;
      }
    }
    return null;
  }

  function check() {
    var plots = document.querySelectorAll(".js-plotly-plot");
    for (var i = 0; i < plots.length; i++) {
      var fl = plots[i]._fullLayout;
      var sub = fl && fl.map && fl.map._subplot;
      if (!sub || !sub.map) {
        continue;
      }
      // One prototype each for every map, subplot and source on the page.
      shortFade(sub.map);
      if (!done.subplot && typeof sub.fillBelowLookup === "function") {
        Object.getPrototypeOf(sub).fillBelowLookup = fillBelowLookup;
        done.subplot = true;
      }
      if (!sub.__naringRepaired && sub.map.loaded && sub.map.style) {
        sub.__naringRepaired = true;
        if (Object.keys(sub.traceHash).length) {
          repair(sub);
        }
      }
      if (!done.map && typeof sub.map.resize === "function") {
        patchMap(Object.getPrototypeOf(sub.map));
        done.map = true;
      }
      var source = !done.source && geojsonSource(sub.map);
      if (source) {
        patchSource(Object.getPrototypeOf(source));
        done.source = true;
      }
    }
    return done.source && done.subplot && done.map;
  }

  // The subplot exists as soon as plotly starts a map, and MapLibre's "load"
  // (after which plotly adds the traces) comes frames later: watching the
  // page's changes patches the lookup before the first traces are made.
  var observer = new MutationObserver(function () {
    check();
    if (done.subplot) {
      observer.disconnect();
    }
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  // Maps come and go with the pages (each new one gets the short fade).
  window.setInterval(check, 250);
})();
