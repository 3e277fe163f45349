"""The app over HTTP in process (Flask's test client): pages, health, serving."""

import gzip
import json
import re

import pytest

SCRIPT_OR_LINK = re.compile(r"<(?:script|link)\b[^>]*?(?:src|href)=\"([^\"]+)\"")


@pytest.fixture
def index_html(client):
    """The index page's HTML."""
    resp = client.get("/")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_index_page_is_served(index_html):
    """The dashboard's page loads with its title."""
    assert "<title>Næringsarealer Lørenskog</title>" in index_html


def test_no_external_scripts_or_styles(index_html):
    """No script or stylesheet comes from another host (no CDN, no web fonts)."""
    urls = SCRIPT_OR_LINK.findall(index_html)
    assert urls, "no script or link found"
    assert not [u for u in urls if u.startswith(("http:", "https:", "//"))]
    assert "https://" not in index_html


def test_every_front_end_file_served_locally(client, index_html):
    """Every script and stylesheet of the page is served by our own server."""
    for url in SCRIPT_OR_LINK.findall(index_html):
        assert client.get(url).status_code == 200, url


def test_plotly_js_served_locally(client):
    """plotly.js (which the map needs) comes from /_dash-component-suites."""
    resp = client.get("/_dash-component-suites/plotly/package_data/plotly.min.js")
    assert resp.status_code == 200
    assert b"plotly.js" in resp.data[:200]


def test_base_stylesheet_is_linked(client, index_html):
    """assets/app.css is on the page and served."""
    assert "/assets/app.css" in index_html
    assert client.get("/assets/app.css").status_code == 200


def test_responses_are_compressed(client, index_html):
    """Front-end files are sent compressed to a browser that accepts it."""
    url = next(u for u in SCRIPT_OR_LINK.findall(index_html) if "react-dom" in u)
    resp = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert resp.headers.get("Content-Encoding") == "gzip"
    # Assets are streamed files: Flask-Compress uses br (or zstd) for those.
    css = client.get("/assets/app.css", headers={"Accept-Encoding": "gzip, br"})
    assert css.headers.get("Content-Encoding") == "br"


def test_health_reports_ok(client):
    """/health answers 200 with the store's layers."""
    resp = client.get("/health")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["ok"] is True and "establishments" in body["layers"]


def test_layout_is_the_page_shell(client):
    """The layout holds the URL, the header and the content area."""
    text = client.get("/_dash-layout").get_data(as_text=True)
    for name in ("page-url", "page-header", "page-content"):
        assert name in text


def test_missing_store_gives_a_clear_page(client, dash_app, tmp_path, monkeypatch):
    """With a missing store the page says what is wrong and how to rebuild it."""
    missing = tmp_path / "nowhere.gpkg"
    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(missing))
    layout = json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert "broken-store" in layout
    assert "Datalageret kan ikke leses" in layout
    assert "nowhere.gpkg" in layout
    assert str(missing) not in layout  # never the absolute path to a reader
    assert "python -m layers rebuild" in layout
    assert client.get("/health").status_code == 503


def test_broken_store_file_gives_a_clear_page(client, dash_app, tmp_path, monkeypatch):
    """A store file that is not a GeoPackage gives the same clear page."""
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"not a database")
    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(bad))
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "broken-store" in layout
    assert client.get("/health").status_code == 503


def test_map_page_renders_over_http(client):
    """The router renders the map page for / with the map graph and the profile."""
    client.get("/")
    token = client.get_cookie("_csrf_token").value
    deps = client.get("/_dash-dependencies").get_json()
    (dep,) = [d for d in deps if "page-content.children" in d["output"]]
    body = {
        "output": dep["output"],
        "outputs": [
            {"id": o.split(".")[0], "property": o.split(".")[1]}
            for o in dep["output"].strip(".").split("...")
        ],
        "inputs": [{**dep["inputs"][0], "value": "/"}],
        "state": [{**s, "value": "?area=visperud"} for s in dep["state"]],
        "changedPropIds": ["page-url.pathname"],
    }
    resp = client.post(
        "/_dash-update-component",
        json=body,
        headers={"X-CSRFToken": token, "Accept-Encoding": "gzip"},
    )
    assert resp.status_code == 200
    assert resp.headers.get("Content-Encoding") == "gzip"
    text = gzip.decompress(resp.data).decode()
    assert '"map-graph"' in text and '"profile-content"' in text
    assert "choroplethmap" in text
