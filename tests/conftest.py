"""Shared fixtures: tiny frames built in code, each with an explicit CRS."""

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from layers.schemas import AREA_IDS, CRS, empty_layer
from tests.pg.fixtures import backend, new_store, pg_cluster, pg_url  # noqa: F401


@pytest.fixture
def six_squares():
    """Six disjoint unit-ish squares near Lørenskog, one per area id, EPSG:4326."""
    rows = []
    for k, area_id in enumerate(AREA_IDS):
        x0 = 10.90 + 0.02 * k
        rows.append(
            {
                "area_id": area_id,
                "name": area_id.title(),
                "description_nb": "",
                "description_en": "",
                "ambition_nb": "",
                "ambition_en": "",
                "indicative": True,
                "geometry": box(x0, 59.90, x0 + 0.01, 59.91),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def square_centre(k):
    """Centre of the k-th square of ``six_squares``."""
    return Point(10.905 + 0.02 * k, 59.905)


@pytest.fixture
def empty():
    """Factory for an empty layer with its schema's columns."""
    return empty_layer


# --- the default store, the app in process, and the app over HTTP -------------


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def default_store(tmp_path_factory):
    """A default store, built once per session by `python -m layers build`."""
    path = tmp_path_factory.mktemp("store") / "store.gpkg"
    subprocess.run(
        [sys.executable, "-m", "layers", "build", "--store", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture(scope="session")
def dash_app(default_store):
    """The one Dash app of this test process, on the default store."""
    from app import create_app

    return create_app({"NARING_STORE": str(default_store), "SECRET_KEY": "test-key"})


@pytest.fixture
def client(dash_app):
    """Flask test client of the app."""
    return dash_app.server.test_client()


@pytest.fixture(scope="session")
def live_server(default_store, tmp_path_factory):
    """Base URL of the app served by gunicorn (2 workers) on 127.0.0.1, for browsers."""
    from tests.register_support import start_gunicorn, stop_gunicorn

    instance = tmp_path_factory.mktemp("instance")
    proc, url = start_gunicorn(default_store, instance, secret="browser-test-key")
    yield url
    stop_gunicorn(proc)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_missing():
    """Why the browser tier cannot run here, or None when it can."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing: run `make browser-deps` (Debian's chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -r requirements-dev.txt"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip the browser tier, with the reason, when Chromium or Playwright is missing."""
    reason = _browser_missing()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"browser tier skipped: {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (never downloads a browser)."""
    reason = _browser_missing()
    if reason is not None:
        pytest.skip(f"browser tier skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield b
        b.close()


class PageLog:
    """What a page did: console errors and requests that left 127.0.0.1."""

    def __init__(self):
        self.console_errors = []
        self.outside_requests = []
        self.failed_requests = []


@pytest.fixture
def page(browser):
    """A fresh 1280x720 page that blocks and records requests leaving 127.0.0.1.

    ``page.log`` holds console errors, blocked outside requests and failed requests;
    browser tests assert they are empty.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    log = PageLog()

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            log.outside_requests.append(url)
            r.abort()

    context.route("**/*", route)
    pg.on("console", lambda m: m.type == "error" and log.console_errors.append(m.text))
    pg.on("pageerror", lambda e: log.console_errors.append(str(e)))
    pg.on("requestfailed", lambda r: log.failed_requests.append(r.url))
    pg.log = log
    yield pg
    context.close()
