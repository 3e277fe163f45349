/* Presentation mode (components/presentation_panel.py): keys, clicker, the map's
   flight between views, and the link. Everything runs in the browser, offline. */
(function () {
  "use strict";

  var DECK = "present-deck";
  var FLY_MS = 1400;
  // Arrow keys, Page Up/Down (what a presentation clicker sends), Space, Home/End.
  var KEYS = {
    ArrowRight: "next",
    ArrowDown: "next",
    PageDown: "next",
    " ": "next",
    Spacebar: "next",
    ArrowLeft: "prev",
    ArrowUp: "prev",
    PageUp: "prev",
    Home: "first",
    End: "last",
    Escape: "exit",
    Esc: "exit"
  };

  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  function typing(el) {
    if (!el || !el.tagName) {
      return false;
    }
    var tag = el.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || el.isContentEditable) {
      return true;
    }
    if (tag === "input") {
      var type = (el.type || "text").toLowerCase();
      return ["checkbox", "button", "submit", "reset"].indexOf(type) < 0;
    }
    return false;
  }

  function activates(el) {
    // Space and Enter belong to the focused control (button, link, checkbox).
    return !!(el && el.closest &&
      el.closest("button, a, summary, label, input, [role=button]"));
  }

  function onKey(ev) {
    if (!document.getElementById(DECK)) {
      return;
    }
    if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey) {
      return;
    }
    var action = KEYS[ev.key];
    if (!action) {
      return;
    }
    var target = ev.target;
    if (typing(target)) {
      return;
    }
    if ((ev.key === " " || ev.key === "Spacebar") && activates(target)) {
      return;
    }
    if (ev.key === " " && ev.shiftKey) {
      action = "prev";
    }
    ev.preventDefault();
    ev.stopPropagation();  // the map must not pan on arrow keys as well
    if (action === "exit") {
      var link = document.getElementById("present-exit");
      if (link) {
        link.click();  // through onExitClick, like a click on the button
      }
      return;
    }
    window.dash_clientside.set_props("present-key", {
      data: {action: action, at: Date.now()}
    });
  }

  function onHistory() {
    // The browser's back/forward button: follow ?view= of the new address.
    if (!document.getElementById(DECK) || !onTourPage()) {
      return;
    }
    var view = new URLSearchParams(window.location.search).get("view") || "";
    window.dash_clientside.set_props("present-key", {
      data: {go: view, at: Date.now()}
    });
  }

  function onTourPage() {
    return /\/presentasjon\/?$/.test(window.location.pathname);
  }

  // Leaving the tour unmounts its map and dcc.Graph purges it. A redraw still in
  // flight at that moment (a resize, a restyle waiting for the map's style) then
  // finishes on the purged graph and fails inside plotly.js ("reading
  // '_rangeSliderData'" of the removed layout). So the tour stops its flight and is
  // left once the map is idle (at most LEAVE_WAIT_MS later).
  var LEAVE_WAIT_MS = 5000;
  var leaving = false;

  function busy(gd) {
    if (!gd || !gd.isConnected) {
      return false;
    }
    return gd.classList.contains("dash-graph--pending") ||  // dcc.Graph: react, resize
      !!gd._resolveResize ||                                 // Plotly.Plots.resize
      (gd._promises || []).length > 0 ||                     // a map still loading
      (gd._presentPending || 0) > 0;                         // this file's queue
  }

  function leaveWhenIdle(link) {
    var gd = graphDiv();
    pending = null;
    if (gd) {
      gd._presentFly = null;  // no further steps of a flight
    }
    var started = Date.now();
    (function wait() {
      if (busy(gd) && Date.now() - started < LEAVE_WAIT_MS) {
        setTimeout(wait, 50);
        return;
      }
      leaving = true;
      try {
        link.click();
      } finally {
        leaving = false;
      }
    })();
  }

  function onExitClick(ev) {
    var link = ev.target && ev.target.closest && ev.target.closest("#present-exit");
    if (!link || leaving || ev.button || ev.ctrlKey || ev.metaKey || ev.shiftKey) {
      return;
    }
    if (!busy(graphDiv())) {
      var gd = graphDiv();
      if (gd) {
        gd._presentFly = null;
      }
      return;
    }
    ev.preventDefault();
    ev.stopPropagation();  // before dcc.Link's handler: no navigation yet
    leaveWhenIdle(link);
  }

  window.addEventListener("keydown", onKey, true);
  window.addEventListener("popstate", onHistory);
  document.addEventListener("click", onExitClick, true);

  function resolve(views, value) {
    var text = String(value || "").trim().toLowerCase();
    if (/^[0-9]+$/.test(text)) {
      return Math.max(0, Math.min(parseInt(text, 10), views.length) - 1);
    }
    var aliases = {overview: "oversikt", summary: "sammenligning",
                   comparison: "sammenligning"};
    text = aliases[text] || text;
    for (var i = 0; i < views.length; i++) {
      if (views[i].key === text) {
        return i;
      }
    }
    return 0;
  }

  function reducedMotion() {
    return window.matchMedia &&
      window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  var pending = null;

  function graphDiv() {
    return document.querySelector("#present-map .js-plotly-plot");
  }

  function mapOf(gd) {
    var full = gd && gd._fullLayout;
    var sub = full && full.map && full.map._subplot;
    return sub && sub.map;
  }

  // Plotly calls on the map run one after another: a restyle that starts while
  // another redraw is still loading the map's layers fails inside plotly.js.
  // Each call waits until the map's style has loaded (right after the first draw
  // it has not, and plotly.js then fails reading its layers).
  function enqueue(gd, fn) {
    gd._presentPending = (gd._presentPending || 0) + 1;
    var next = (gd._presentQueue || Promise.resolve())
      .then(function () {
        return styleReady(gd);
      })
      .then(function () {
        // A graph that has left the page (or a cancelled flight) is not drawn on.
        if (gd.isConnected && gd._presentFly) {
          return fn();
        }
      })
      .catch(function () {
        return null;
      })
      .then(function () {
        gd._presentPending -= 1;
      });
    gd._presentQueue = next;
    return next;
  }

  function styleReady(gd) {
    return new Promise(function (resolve) {
      var tries = 0;
      (function check() {
        var map = mapOf(gd);
        var ok = false;
        try {
          ok = !!(map && map.getStyle());
        } catch (e) {
          ok = false;
        }
        if (ok || !gd._presentFly || !gd.isConnected || tries++ > 100) {
          resolve();
        } else {
          setTimeout(check, 50);
        }
      })();
    });
  }

  // Fly the map to a view: restyle the areas first (a restyle redraws the map at
  // the layout's centre), then fly, then write the target into the layout so
  // that later redraws keep it.
  function fly(view, tries) {
    var gd = graphDiv();
    var map = mapOf(gd);
    pending = view;
    if (!map || !window.Plotly) {
      if ((tries || 0) < 150) {
        setTimeout(function () {
          if (pending === view) {
            fly(view, (tries || 0) + 1);
          }
        }, 100);
      }
      return;
    }
    // The first view of a freshly drawn map is set, not flown to.
    var animate = !!gd._presentShown;
    gd._presentShown = true;
    var token = {};
    gd._presentFly = token;
    var b = view.bounds;
    var cam = null;
    try {
      cam = map.cameraForBounds([[b[0], b[1]], [b[2], b[3]]], {padding: 40});
    } catch (e) {
      cam = null;
    }
    var center = cam && cam.center ?
      {lon: cam.center.lng, lat: cam.center.lat} : view.center;
    var zoom = cam && isFinite(cam.zoom) ? cam.zoom : view.zoom;
    var settled = false;
    function settle() {
      if (settled || gd._presentFly !== token) {
        return;
      }
      settled = true;
      enqueue(gd, function () {
        if (gd._presentFly === token) {
          return window.Plotly.relayout(gd, {"map.center": center, "map.zoom": zoom});
        }
      });
    }
    enqueue(gd, function () {
      if (gd._presentFly !== token) {
        return;
      }
      return window.Plotly.restyle(gd, {
        "marker.opacity": [view.opacity],
        "marker.line.width": [view.line_width]
      }, [0]).then(function () {
        return window.Plotly.restyle(gd, {visible: [!!view.points]}, [1]);
      }).then(function () {
        if (gd._presentFly !== token) {
          return;
        }
        if (!animate || reducedMotion()) {
          settle();
          return;
        }
        map.flyTo({center: [center.lon, center.lat], zoom: zoom,
                   duration: FLY_MS, essential: true});
        map.once("moveend", settle);
        setTimeout(settle, FLY_MS + 400);
      });
    });
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.presentation = {
    step: function (key, prevClicks, nextClicks, index, views) {
      var count = (views || []).length;
      if (!count) {
        return noUpdate();
      }
      var trig = (window.dash_clientside.callback_context.triggered || [])[0];
      var prop = trig ? trig.prop_id : "";
      var i = index || 0;
      var target = i;
      if (prop.indexOf("present-prev") === 0) {
        target = i - 1;
      } else if (prop.indexOf("present-next") === 0) {
        target = i + 1;
      } else if (key && key.go !== undefined) {
        target = resolve(views, key.go);
      } else if (key && key.action) {
        target = {next: i + 1, prev: i - 1, first: 0, last: count - 1}[key.action];
      }
      target = Math.max(0, Math.min(count - 1, target));
      return target === i ? noUpdate() : target;
    },

    show: function (index, views) {
      var count = (views || []).length;
      var i = Math.max(0, Math.min(count - 1, index || 0));
      var outs = window.dash_clientside.callback_context.outputs_list[0] || [];
      var classes = outs.map(function (o) {
        var el = document.getElementById(JSON.stringify({index: o.id.index,
                                                         type: o.id.type}));
        var base = el ? el.className.replace(/\s*is-current\b/g, "") :
          "present-view";
        return base + (o.id.index === i ? " is-current" : "");
      });
      if (count) {
        fly(views[i], 0);
      }
      return [classes, (i + 1) + " / " + count, i === 0, i === count - 1];
    },

    url: function (index, views, search) {
      if (!views || !views.length || !onTourPage()) {
        return noUpdate();
      }
      var params = new URLSearchParams(search || "");
      // A link that already names this view (?view=3) is left as it is.
      if (resolve(views, params.get("view")) === index) {
        return noUpdate();
      }
      if (index > 0 && index < views.length) {
        params.set("view", views[index].key);
      } else {
        params.delete("view");
      }
      var text = params.toString().replace(/%2C/g, ",");
      text = text ? "?" + text : "";
      return text === (search || "") ? noUpdate() : text;
    },

    focus: function (data) {
      var id = data && data.id;
      if (!id) {
        return;
      }
      setTimeout(function () {
        var keys = Object.keys(id).sort();
        var text = "{" + keys.map(function (k) {
          return JSON.stringify(k) + ":" + JSON.stringify(id[k]);
        }).join(",") + "}";
        var el = document.getElementById(text);
        var target = el && (el.matches("button, input") ? el :
          el.querySelector("input, button"));
        if (target) {
          target.focus();
        }
      }, 0);
    }
  };
})();
