/* The premises finder (components/finder_panel.py): small browser-side steps.

   A filter change sends the map only a bitset of the matching listings; the map's
   points came with the page, so the browser hides and shows them here. The grid
   (AG Grid, infinite row model) keeps the shortlist as its checkbox selection:
   ticks by the user update the shortlist store, and rows that load are ticked
   from it. Nothing here reaches the network. */
(function () {
  "use strict";

  // Selection changes made by a person (not by the grid's API or a data load).
  var USER_SOURCES = {
    checkboxSelected: true,
    rowClicked: true,
    spaceKey: true,
    uiSelectAll: true,
    uiSelectAllCurrentPage: true,
    uiSelectAllFiltered: true
  };

  // The newest shortlist and active listing: delayed grid syncs read these, not
  // the values of the call that scheduled them, so a late sync never undoes a
  // tick made in between.
  var latest = { shortlist: [], active: null };

  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  function gridApi(gridId) {
    try {
      return window.dash_ag_grid.getApi(gridId);
    } catch (e) {
      return null;
    }
  }

  function decodeBits(text) {
    var raw = window.atob(text || "");
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return function (k) {
      return ((bytes[k >> 3] >> (k & 7)) & 1) === 1;
    };
  }

  function syncNow(gridId) {
    var shortlist = latest.shortlist;
    var active = latest.active;
    var api = gridApi(gridId);
    if (!api || api.isDestroyed()) {
      return;
    }
    var want = {};
    (shortlist || []).forEach(function (id) {
      want[id] = true;
    });
    var on = [];
    var off = [];
    api.forEachNode(function (node) {
      if (!node.data) {
        return;
      }
      var ticked = want[node.id] === true;
      if (node.isSelected() !== ticked) {
        (ticked ? on : off).push(node);
      }
      var isActive = node.id === active;
      if ((node.data.active === true) !== isActive) {
        node.setData(Object.assign({}, node.data, { active: isActive }));
      }
    });
    if (on.length) {
      api.setNodesSelected({ nodes: on, newValue: true, source: "api" });
    }
    if (off.length) {
      api.setNodesSelected({ nodes: off, newValue: false, source: "api" });
    }
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.finder = {
    // New search: drop the grid's cached blocks and show the first page.
    refreshGrid: function (query, gridId) {
      var api = gridApi(gridId);
      if (api && !api.isDestroyed()) {
        api.purgeInfiniteCache();
        if (api.paginationGetCurrentPage() !== 0) {
          api.paginationGoToFirstPage();
        }
      }
      return noUpdate();
    },

    // Show only the matching listings: non-matching points get no position.
    updateMap: function (match, points, figure) {
      if (!match || !points || !figure || match.v !== points.v) {
        return noUpdate();
      }
      var isOn = decodeBits(match.bits);
      var data = figure.data.slice();
      points.traces.forEach(function (traceIndex, k) {
        var idx = points.idx[k];
        var lat = new Array(idx.length);
        var lon = new Array(idx.length);
        for (var i = 0; i < idx.length; i++) {
          var show = isOn(idx[i]);
          lat[i] = show ? points.lat[k][i] : null;
          lon[i] = show ? points.lon[k][i] : null;
        }
        data[traceIndex] = Object.assign({}, data[traceIndex], { lat: lat, lon: lon });
      });
      return Object.assign({}, figure, { data: data });
    },

    // Tick the shortlisted rows and mark the active one, once rows have loaded.
    syncGrid: function (response, shortlist, selected, gridId) {
      latest.shortlist = shortlist || [];
      latest.active = (selected && selected.id) || null;
      [0, 120, 400].forEach(function (ms) {
        window.setTimeout(function () {
          syncNow(gridId);
        }, ms);
      });
      return noUpdate();
    },

    // A tick or untick by the user changes the shortlist.
    shortlistFromEvent: function (event, shortlist) {
      var d = event && (event.data || event);
      if (!d || typeof d.id !== "string") {
        return noUpdate();
      }
      var list = (shortlist || []).slice();
      var at = list.indexOf(d.id);
      if (d.selected && at < 0) {
        list.push(d.id);
      } else if (!d.selected && at >= 0) {
        list.splice(at, 1);
      } else {
        return noUpdate();
      }
      latest.shortlist = list;
      return list;
    },

    // Keep the search, the shortlist and the listing shown in the address.
    writeUrl: function (query, shortlist, selected, search) {
      var current = new URLSearchParams(search || "");
      var params = (query && query.params) || {};
      var out = {};
      Object.keys(params).forEach(function (k) {
        var v = params[k];
        if (v !== null && v !== undefined && v !== "") {
          out[k] = String(v);
        }
      });
      if (shortlist && shortlist.length) {
        out.list = shortlist.join(",");
      }
      if (selected && selected.id) {
        out.sel = selected.id;
      }
      if (current.get("lang")) {
        out.lang = current.get("lang");
      }
      var text = Object.keys(out)
        .sort()
        .map(function (k) {
          var v = encodeURIComponent(out[k]).replace(/%2C/gi, ",").replace(/%3A/gi, ":");
          return encodeURIComponent(k) + "=" + v;
        })
        .join("&");
      text = text ? "?" + text : "";
      return text === (search || "") ? noUpdate() : text;
    },

    // The link to copy: the page's address holds the whole search.
    copyLink: function () {
      return window.location.href;
    }
  };

  // dcc.Clipboard renders a plain <div>: make it a keyboard-usable button
  // (focusable, Enter and Space copy) whenever it appears on the page.
  var COPY = "finder-copy";

  function enhanceCopy() {
    var el = document.getElementById(COPY);
    if (el && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "button");
    }
  }

  document.addEventListener("keydown", function (e) {
    var el = e.target;
    if (el && el.id === COPY && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      el.click();
    }
  });

  if (window.MutationObserver) {
    new window.MutationObserver(enhanceCopy).observe(document.documentElement, {
      childList: true,
      subtree: true
    });
  }

  // Called by the grid for each rowSelected event (see the grid's eventListeners).
  window.dashAgGridFunctions = window.dashAgGridFunctions || {};

  // Enter on a cell opens the listing's card, as a click does; then the card
  // takes the focus, so its contact, link and edit link are the next Tab stops.
  var focusCard = false;
  window.dashAgGridFunctions.finderCellKeyDown = function (params) {
    var e = params && params.event;
    if (!e || e.key !== "Enter" || !params.node || !params.node.data) {
      return;
    }
    var colId = params.column && params.column.getColId ? params.column.getColId() : "";
    if (String(colId).indexOf("ag-Grid-") === 0) {
      return; // the checkbox column: that is the shortlist (Space ticks it)
    }
    e.preventDefault();
    focusCard = true;
    window.dash_clientside.set_props("finder-grid", {
      cellClicked: {
        value: params.value === undefined ? null : params.value,
        colId: colId,
        rowIndex: params.rowIndex,
        rowId: params.node.id,
        timestamp: Date.now()
      }
    });
  };

  function watchCard() {
    var card = document.getElementById("finder-detail");
    if (!card || card.__finderWatched) {
      return;
    }
    card.__finderWatched = true;
    new window.MutationObserver(function () {
      if (focusCard && card.querySelector("[data-id]")) {
        focusCard = false;
        card.focus();
      }
    }).observe(card, { childList: true, subtree: true });
  }
  if (window.MutationObserver) {
    new window.MutationObserver(watchCard).observe(document.documentElement, {
      childList: true,
      subtree: true
    });
  }
  window.dashAgGridFunctions.finderRowSelected = function (params, setEventData) {
    if (!params || !USER_SOURCES[params.source] || !params.node || !params.node.data) {
      return;
    }
    // Update our copy of the shortlist at once: a grid sync already scheduled
    // would otherwise untick the row until the Dash callback catches up.
    var id = params.node.id;
    var on = params.node.isSelected();
    var list = (latest.shortlist || []).slice();
    var at = list.indexOf(id);
    if (on && at < 0) {
      list.push(id);
    } else if (!on && at >= 0) {
      list.splice(at, 1);
    }
    latest.shortlist = list;
    setEventData({ id: id, selected: on });
  };
})();
