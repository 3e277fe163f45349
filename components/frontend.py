"""What the browser loads, and for how long it keeps it.

* plotly.js: our custom bundle (``assets/vendor/plotly``, only the trace types the
  app draws) instead of the full ``plotly.min.js``, which is never fetched:
  ``assets/vendor/dash_loader.js`` points dcc.Graph's loader at it.
* dash-ag-grid: its 1.3 MB bundle only when a grid is drawn (the loader's
  stand-in loads it), not on every page.
* Caching: every fingerprinted URL (Dash's component suites, ``/assets/...?m=``,
  our content-hashed bundles) is ``public, max-age=31536000, immutable``, so a
  repeat visit fetches only the page and its data.
* Preload: each page's HTML names the scripts its first view will need, so they
  download while the renderer starts instead of after its round trips.

``register(app)`` wires it all into a Dash app.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import dash_ag_grid
import flask
from dash import dash_table
from dash.fingerprint import check_fingerprint

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "assets" / "vendor"
PLOTLY_DIR = VENDOR / "plotly"
PLOTLY_META = PLOTLY_DIR / "plotly-custom.json"
LOADER = VENDOR / "dash_loader.js"

# Served beside Dash's assets (under the app's path prefix), so that the
# static-file rules (no session, no "Vary: Cookie") apply to them too.
BUNDLE_PATH = "assets/bundle/"
BUNDLE_PREFIX = "/" + BUNDLE_PATH
IMMUTABLE = "public, max-age=31536000, immutable"
FAVICON_CACHE = "public, max-age=86400"
GRID_BUNDLE = "dash_ag_grid.min.js"
# The grid (community edition), which the bundle loads on first use.
GRID_CHUNK = "dash_ag_grid/async-community.js"

# dcc's lazily loaded chunks, by the component that needs them.
DCC_CHUNKS = {
    "Graph": "async-graph.js",
    "Dropdown": "async-dropdown.js",
    "Slider": "async-slider.js",
    "RangeSlider": "async-slider.js",
    "DatePickerSingle": "async-datepicker.js",
    "DatePickerRange": "async-datepicker.js",
    "Upload": "async-upload.js",
    "Markdown": "async-markdown.js",
}


def plotly_meta():
    """The custom bundle's record: plotly.js version, trace types, sha256."""
    return json.loads(PLOTLY_META.read_text())


@lru_cache(maxsize=1)
def bundles():
    """``{url name: (bytes, brotli bytes or None)}`` of the files we serve ourselves."""
    meta = plotly_meta()
    js = (PLOTLY_DIR / meta["file"]).read_bytes()
    if hashlib.sha256(js).hexdigest() != meta["sha256"]:
        raise RuntimeError(f"{PLOTLY_DIR / meta['file']} does not match {PLOTLY_META}")
    br_path = PLOTLY_DIR / (meta["file"] + ".br")
    br = br_path.read_bytes() if br_path.exists() else None
    loader = LOADER.read_bytes()
    return {
        _hashed("plotly-custom", js): (js, br),
        _hashed("dash-loader", loader): (loader, None),
    }


def _hashed(stem, data):
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:16]}.js"


def bundle_url(stem, prefix="/"):
    """The URL of one of our bundles (``plotly-custom`` or ``dash-loader``).

    ``prefix`` is the app's ``requests_pathname_prefix``.
    """
    (name,) = [n for n in bundles() if n.startswith(stem + ".")]
    return prefix + BUNDLE_PATH + name


def _serve_bundle(name):
    entry = bundles().get(name)
    if entry is None:
        flask.abort(404)
    data, br = entry
    accepts = flask.request.headers.get("Accept-Encoding", "")
    if br is not None and "br" in [a.split(";")[0].strip() for a in accepts.split(",")]:
        response = flask.Response(br, mimetype="application/javascript")
        # flask-compress leaves a response with an encoding alone.
        response.headers["Content-Encoding"] = "br"
    else:
        response = flask.Response(data, mimetype="application/javascript")
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = IMMUTABLE
    return response


def _fingerprinted(request):
    path = request.path
    if path.startswith("/_dash-component-suites/"):
        return check_fingerprint(path.rsplit("/", 1)[-1])[1]
    if f"/{BUNDLE_PATH}" in path:
        return True
    return path.startswith("/assets/") and "m" in request.args


def _cache_headers(response):
    if flask.request.method == "GET" and response.status_code in (200, 304):
        if _fingerprinted(flask.request):
            response.headers["Cache-Control"] = IMMUTABLE
        elif flask.request.path == "/_favicon.ico":
            # Its URL names Dash's version, not the file's: a day, not a year.
            # (Chromium asks for it again whenever a page changes its address.)
            response.headers["Cache-Control"] = FAVICON_CACHE
    return response


def _component_types(components):
    """``{(namespace, type)}`` of a component tree."""
    found = set()
    stack = list(components)
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if not hasattr(node, "_type"):
            continue
        found.add((node._namespace, node._type))
        children = getattr(node, "children", None)
        if children is not None:
            stack.append(children)
    return found


@lru_cache(maxsize=1)
def _page_types():
    from components import layout

    return {
        p.PATH: _component_types(p.validation_components()) for p in layout.panels()
    }


def preload_urls(app, path):
    """The scripts the first view of ``path`` needs, to preload in its HTML."""
    types = _page_types().get(path)
    if types is None:
        return []
    prefix = app.config.requests_pathname_prefix
    # Every page draws charts or maps (the comparison page's charts are built as
    # plain dicts, so its validation components do not show them).
    urls = [bundle_url("plotly-custom", prefix)]
    chunks = {"async-graph.js"}
    chunks.update(
        DCC_CHUNKS[t]
        for ns, t in types
        if ns == "dash_core_components" and t in DCC_CHUNKS
    )
    urls += [f"{prefix}_dash-component-suites/dash/dcc/{c}" for c in sorted(chunks)]
    if any(ns == "dash_ag_grid" for ns, _t in types):
        urls += [grid_url(app), f"{prefix}_dash-component-suites/{GRID_CHUNK}"]
    return urls


def grid_url(app):
    """The fingerprinted URL of dash-ag-grid's bundle (registered with Dash)."""
    (url,) = app._collect_and_register_resources(
        [{"relative_package_path": GRID_BUNDLE, "namespace": "dash_ag_grid"}]
    )
    return url


def _lazy_bundles():
    """Take dash-ag-grid's and dash_table's bundles out of every page's scripts.

    They stay registered, so Dash still serves them: the grid's when the
    loader asks for it; dash_table's is not used by any page.
    """
    for dist, name in (
        (dash_ag_grid._js_dist, GRID_BUNDLE),
        (dash_table._js_dist, None),
    ):
        for entry in dist:
            path = entry.get("relative_package_path", "")
            if (name is None or path == name) and "async" not in entry:
                entry["dynamic"] = True


def register(app):
    """Serve our bundles, lazy-load the grid, set cache headers and preloads."""
    server = app.server
    _lazy_bundles()
    server.add_url_rule(
        app.config.routes_pathname_prefix + BUNDLE_PATH + "<name>",
        "naring_bundle",
        _serve_bundle,
        methods=["GET"],
    )
    server.after_request(_cache_headers)

    prefix = app.config.requests_pathname_prefix
    app.config.external_scripts = [
        *app.config.external_scripts,
        {
            "src": bundle_url("dash-loader", prefix),
            "data-plotly": bundle_url("plotly-custom", prefix),
            "data-ag-grid": grid_url(app),
        },
    ]

    interpolate = app.interpolate_index

    def interpolate_index(**kwargs):
        links = [
            f'<link rel="preload" as="script" href="{url}">'
            for url in preload_urls(app, flask.request.path)
        ]
        kwargs["metas"] = "\n      ".join([kwargs.get("metas", ""), *links])
        return interpolate(**kwargs)

    app.interpolate_index = interpolate_index
