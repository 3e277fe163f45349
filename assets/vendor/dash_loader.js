/* What the dashboard's pages load, and when (served by components/frontend.py,
 * which sets the addresses as data- attributes of this script's tag).
 *
 * 1. dcc.Graph loads plotly.js on first use from window._dashPlotlyJSURL, which
 *    the Dash renderer sets to the full plotly.min.js (4.8 MB). Pin it to our
 *    custom bundle (assets/vendor/plotly), so the full file is never fetched.
 * 2. dash-ag-grid's bundle (1.3 MB) is not on every page: window.dash_ag_grid is a
 *    stand-in whose AgGrid loads the real bundle when a grid is first drawn and
 *    then renders the real component inside itself (the component type stays the
 *    same, so React never remounts the grid).
 */
(function () {
  "use strict";

  var me = document.currentScript;
  var plotlyUrl = me && me.getAttribute("data-plotly");
  var gridUrl = me && me.getAttribute("data-ag-grid");

  if (plotlyUrl) {
    Object.defineProperty(window, "_dashPlotlyJSURL", {
      configurable: false,
      enumerable: true,
      get: function () {
        return plotlyUrl;
      },
      set: function () {},
    });
  }

  if (!gridUrl || window.dash_ag_grid) {
    return;
  }

  var real = null;
  var loading = null;

  function load() {
    if (real) {
      return Promise.resolve(real);
    }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = gridUrl;
        script.onload = function () {
          // The bundle sets window.dash_ag_grid; keep it, and put the stand-in
          // back so the renderer keeps resolving the same component.
          real = window.dash_ag_grid;
          window.dash_ag_grid = stub;
          ["defaultProps", "dashPersistence", "propTypes"].forEach(function (k) {
            if (real.AgGrid[k]) {
              LazyAgGrid[k] = real.AgGrid[k];
            }
          });
          resolve(real);
        };
        script.onerror = function () {
          loading = null;
          reject(new Error("dash-ag-grid did not load: " + gridUrl));
        };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function LazyAgGrid(props) {
    var React = window.React;
    var tick = React.useState(0);
    React.useEffect(function () {
      if (!real) {
        load().then(
          function () {
            tick[1](1);
          },
          function (err) {
            console.error(err);
          },
        );
      }
    }, []);
    return real ? React.createElement(real.AgGrid, props) : null;
  }
  // The renderer waits for a lazy component before running callbacks on it.
  Object.defineProperty(LazyAgGrid, "_dashprivate_isLazyComponentReady", {
    get: function () {
      if (real) {
        return real.AgGrid._dashprivate_isLazyComponentReady || true;
      }
      return load().then(function (r) {
        return r.AgGrid._dashprivate_isLazyComponentReady || true;
      });
    },
  });

  var stub = {
    AgGrid: LazyAgGrid,
    getApi: function (id) {
      if (!real) {
        throw new Error("dash-ag-grid is not loaded yet");
      }
      return real.getApi(id);
    },
    getApiAsync: function (id) {
      return load().then(function (r) {
        return r.getApiAsync(id);
      });
    },
  };
  window.dash_ag_grid = stub;
})();
