"""The front end's JavaScript: the custom plotly.js bundle, the grid on demand, caching.

The custom bundle holds only some trace types (``assets/vendor/plotly``): every
figure the app sends, on every page and after every callback, must use only those.
"""

import hashlib
import json
import re
from pathlib import Path

import brotli
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs_version

from components import frontend

ROOT = Path(__file__).resolve().parent.parent
META = json.loads(frontend.PLOTLY_META.read_text())
BUNDLED = set(META["traces"])
# Every trace type plotly knows, to tell a trace's "type" from a layer's or an axis's.
TRACE_TYPES = set(go.Figure()._data_validator.class_strs_map)
SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"")
PRELOAD = re.compile(r"<link rel=\"preload\" as=\"script\" href=\"([^\"]+)\"")
PAGES = ("/", "/sammenligning", "/lokaler", "/lokaler/register", "/presentasjon")


# --- the bundle itself ---------------------------------------------------------------


def test_bundle_is_the_plotly_js_that_plotly_py_pins():
    """The bundle, its build recipe and plotly.py name the same plotly.js version."""
    package = json.loads((ROOT / "tools/plotly_bundle/package.json").read_text())
    assert META["plotly.js"] == get_plotlyjs_version()
    assert package["dependencies"]["plotly.js"] == get_plotlyjs_version()


def test_bundle_file_matches_its_record():
    """The vendored file is the one recorded, with its licence, and its .br is it."""
    js = (frontend.PLOTLY_DIR / META["file"]).read_bytes()
    assert hashlib.sha256(js).hexdigest() == META["sha256"]
    assert b"Licensed under the MIT license" in js[:400]
    assert f"v{META['plotly.js']}".encode() in js[:400]
    assert b"window.Plotly = Plotly;" in js[-200:]
    br = (frontend.PLOTLY_DIR / (META["file"] + ".br")).read_bytes()
    assert brotli.decompress(br) == js


def test_bundle_has_the_map_traces():
    """The record lists the traces the maps and charts need (and scatter, always in)."""
    assert {"scattermap", "choroplethmap", "bar", "scatter"} <= BUNDLED <= TRACE_TYPES


# --- every figure of the app ---------------------------------------------------------


def _components(tree):
    """Every component (as JSON: type, namespace, props) in a layout tree."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict) and "namespace" in node and "props" in node:
            yield node
            stack.extend(
                v for v in node["props"].values() if isinstance(v, dict | list)
            )


def _trace_types(figure):
    """The trace types of a figure, or of the traces a Patch adds or retypes."""
    if not isinstance(figure, dict):
        return set()
    if "operations" in figure:  # a dash.Patch
        found = set()
        for op in figure["operations"]:
            where, value = op.get("location", []), op.get("params", {}).get("value")
            if not where or where[0] != "data":
                continue
            if len(where) == 1:
                traces = value if isinstance(value, list) else [value]
                found |= {(t or {}).get("type", "scatter") for t in traces}
            elif len(where) == 2 and isinstance(value, dict):
                found.add(value.get("type", "scatter"))
            elif where[-1] == "type":
                found.add(value)
        return found
    return {t.get("type", "scatter") for t in figure.get("data") or []}


class Browser:
    """Runs the server callbacks of a page over HTTP as the renderer would."""

    def __init__(self, client):
        self.client = client
        client.get("/")
        self.headers = {"X-CSRFToken": client.get_cookie("_csrf_token").value}
        deps = client.get("/_dash-dependencies").get_json()
        # Server callbacks with plain string ids (pattern-matching ones are the
        # export buttons, which draw no figure).
        self.deps = [
            d
            for d in deps
            if not d.get("clientside_function")
            and "{" not in d["output"]
            and all(isinstance(i["id"], str) for i in d["inputs"] + d.get("state", []))
        ]
        self.values = {}
        self.kinds = {}
        self.figures = []
        self.namespaces = set()

    def add(self, tree):
        for comp in _components(tree):
            self.namespaces.add(comp["namespace"])
            props = comp["props"]
            if "figure" in props:
                self.figures.append(props["figure"])
            cid = props.get("id")
            if isinstance(cid, str):
                self.kinds[cid] = comp["type"]
                for prop, value in props.items():
                    self.values[f"{cid}.{prop}"] = value

    def post(self, dep, values, changed):
        outputs = [
            {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
            for o in dep["output"].strip(".").split("...")
        ]

        def vals(items):
            return [
                {**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items
            ]

        body = {
            "output": dep["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": vals(dep["inputs"]),
            "state": vals(dep.get("state", [])),
            "changedPropIds": [changed],
        }
        resp = self.client.post(
            "/_dash-update-component", json=body, headers=self.headers
        )
        assert resp.status_code in (200, 204), (dep["output"], resp.status_code)
        if resp.status_code == 204:
            return {}
        return resp.get_json().get("response", {})

    def page(self, path, search=""):
        (router,) = [d for d in self.deps if "page-content.children" in d["output"]]
        self.values = {"page-url.pathname": path, "page-url.search": search}
        response = self.post(router, self.values, "page-url.pathname")
        self.add(response["page-content"]["children"])

    def on_page(self, dep):
        return all(
            f"{i['id']}.{i['property']}" in self.values
            or i["id"] in self.kinds
            or i["id"] == "page-url"
            for i in dep["inputs"] + dep.get("state", [])
        )

    def variations(self, dep):
        """Each input as on the page, then each choice of each option input."""
        yield self.values, f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"
        for i in dep["inputs"]:
            key = f"{i['id']}.{i['property']}"
            options = self.values.get(f"{i['id']}.options") or []
            choices = [o["value"] if isinstance(o, dict) else o for o in options]
            if not choices or i["property"] != "value":
                continue
            if self.kinds.get(i["id"]) == "Checklist" or self.values.get(
                f"{i['id']}.multi"
            ):
                yield {**self.values, key: choices}, key
            else:
                for choice in choices[:8]:
                    yield {**self.values, key: choice}, key

    def run_callbacks(self, rounds=2):
        for _ in range(rounds):
            for dep in self.deps:
                if "page-content.children" in dep["output"] or not self.on_page(dep):
                    continue
                for values, changed in self.variations(dep):
                    response = self.post(dep, values, changed)
                    for props in response.values():
                        for prop, value in props.items():
                            if prop == "figure":
                                self.figures.append(value)
                            elif isinstance(value, dict | list):
                                self.add(value)


@pytest.fixture(scope="module")
def rendered(dash_app):
    """Every figure and component namespace of every page, nb and en."""
    browser = Browser(dash_app.server.test_client())
    for path in PAGES:
        for search in ("", "?lang=en&area=visperud"):
            browser.page(path, search)
            browser.run_callbacks()
    return browser


def test_every_page_figure_uses_a_bundled_trace(rendered):
    """No figure on any page, nor any callback's figure or patch, needs a missing trace."""
    used = set().union(*(_trace_types(f) for f in rendered.figures))
    assert {"scattermap", "choroplethmap", "bar"} <= used, used
    assert used <= BUNDLED, f"not in the plotly.js bundle: {sorted(used - BUNDLED)}"


def test_every_component_library_is_loaded(rendered):
    """Pages use only libraries whose JS the page loads (dash_table's is cut)."""
    assert rendered.namespaces <= {
        "dash_core_components",
        "dash_html_components",
        "dash_ag_grid",
    }, rendered.namespaces
    assert "dash_ag_grid" in rendered.namespaces


def test_source_names_only_bundled_traces():
    """Every trace type named in the code (go.X(...) or "type": "x") is bundled."""
    used = set()
    for path in (ROOT / "components").rglob("*.py"):
        text = path.read_text()
        used |= {m.lower() for m in re.findall(r"\bgo\.([A-Z][A-Za-z]+)\(", text)}
        used |= set(re.findall(r"[\"']type[\"']\s*:\s*[\"']([a-z0-9]+)[\"']", text))
        used |= {m for m in re.findall(r"\bpx\.([a-z_]+)\(", text)}
    traces = {u for u in used if u in TRACE_TYPES}
    assert not {u for u in used if u.startswith(("scatter_", "choropleth_"))}, (
        "plotly.express builds figures through plotly's validators; use dicts or go"
    )
    assert {"scattermap", "choroplethmap", "bar"} <= traces <= BUNDLED


def test_exports_draw_no_plotly_figures():
    """The meeting pack draws with Leaflet (HTML) and reportlab (PDF), not plotly."""
    files = [
        *sorted((ROOT / "components" / "exports").glob("*.py")),
        ROOT / "components" / "export_cli.py",
        ROOT / "components" / "exports_panel.py",
    ]
    assert len(files) > 3
    for path in files:
        assert "plotly" not in path.read_text(), path.name


# --- what the pages load ---------------------------------------------------------------


@pytest.fixture(scope="module")
def pages(dash_app):
    client = dash_app.server.test_client()
    return {p: client.get(p).get_data(as_text=True) for p in PAGES}


def test_pages_never_load_the_full_plotly(pages):
    """No page names plotly.min.js; the loader points dcc.Graph at the bundle."""
    for path, html in pages.items():
        assert "plotly.min.js" not in html, path
        assert f'data-plotly="{frontend.bundle_url("plotly-custom")}"' in html, path


def test_grid_script_only_preloaded_on_the_finder(pages):
    """dash-ag-grid's bundle is no page's script; only the finder preloads it."""
    for path, html in pages.items():
        scripts = SCRIPT_SRC.findall(html)
        assert not [s for s in scripts if "dash_ag_grid" in s], path
        assert not [s for s in scripts if "dash_table" in s], path
        preloads = PRELOAD.findall(html)
        grid = [u for u in preloads if "dash_ag_grid" in u]
        assert bool(grid) == (path == "/lokaler"), (path, preloads)
        assert frontend.bundle_url("plotly-custom") in preloads, path


def test_bundle_served_compressed_and_immutable(client):
    """The bundle is served brotli-compressed to a browser that accepts it, cached."""
    url = frontend.bundle_url("plotly-custom")
    br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert br.status_code == 200
    assert br.headers["Content-Encoding"] == "br"
    assert br.headers["Cache-Control"] == frontend.IMMUTABLE
    js = (frontend.PLOTLY_DIR / META["file"]).read_bytes()
    assert brotli.decompress(br.data) == js
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.data == js
    assert client.get(frontend.BUNDLE_PREFIX + "nothing.js").status_code == 404


def test_fingerprinted_files_are_cached_for_a_year(client, pages):
    """Every script and stylesheet of a page is immutable; the page itself is not."""
    html = pages["/"]
    urls = SCRIPT_SRC.findall(html) + re.findall(
        r"<link rel=\"stylesheet\" href=\"([^\"]+)\"", html
    )
    assert len(urls) > 8
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert resp.headers.get("Cache-Control") == frontend.IMMUTABLE, url
    page = client.get("/")
    assert "immutable" not in page.headers.get("Cache-Control", "")
    favicon = client.get("/_favicon.ico?v=1")
    assert favicon.headers["Cache-Control"] == frontend.FAVICON_CACHE


def test_lazy_grid_bundle_is_served(client, dash_app):
    """The grid's bundle, out of the page's scripts, is still served when asked for."""
    resp = client.get(frontend.grid_url(dash_app))
    assert resp.status_code == 200
    assert b"dash_ag_grid" in resp.data[-3000:]


# --- in the browser --------------------------------------------------------------------


def _requests(page):
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    return urls


@pytest.mark.browser
def test_map_page_draws_with_the_custom_bundle(page, live_server):
    """The map draws; plotly.js is the bundle (its traces), the full one never loads."""
    urls = _requests(page)
    page.goto(live_server + "/")
    page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=30_000)
    page.wait_for_load_state("networkidle")
    traces = page.evaluate("Object.keys(window.Plotly.PlotSchema.get().traces)")
    assert set(traces) == BUNDLED
    assert not [u for u in urls if "plotly.min.js" in u]
    assert [u for u in urls if "/assets/bundle/plotly-custom." in u]
    assert not [u for u in urls if "dash_ag_grid" in u or "dash_table" in u]
    assert page.log.console_errors == [] and page.log.failed_requests == []


@pytest.mark.browser
def test_grid_loads_when_the_finder_is_opened(page, live_server):
    """From the map page, the finder's grid fetches its bundle and shows rows."""
    urls = _requests(page)
    page.goto(live_server + "/")
    page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=30_000)
    assert not [u for u in urls if "dash_ag_grid" in u]
    page.click("a.nav-link[href^='/lokaler']:not([href^='/lokaler/register'])")
    page.wait_for_selector("#finder-grid .ag-row", timeout=30_000)
    assert [u for u in urls if "dash_ag_grid.v" in u and u.endswith(".min.js")]
    api = page.evaluate(
        "typeof window.dash_ag_grid.getApi('finder-grid').getDisplayedRowCount"
    )
    assert api == "function"
    assert page.log.console_errors == [] and page.log.failed_requests == []
