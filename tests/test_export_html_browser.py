"""The exported HTML map works in headless Chromium with the network cut off."""

import itertools

import pytest

from components.exports import html_map, read_layers
from components.exports.html_map import MAX_ZOOM, MIN_ZOOM
from layers.stats import store_figures
from tests.test_exports import XSS, build_store

pytestmark = pytest.mark.browser

HOVER_TIP = ".leaflet-tooltip:not(.naering-label)"  # the names are tooltips too
# `browser` is the session fixture of tests/conftest.py (one Chromium per run).


@pytest.fixture
def offline_map(browser, tmp_path, six_squares):
    """The exported map opened from file://; every other request is aborted."""
    store = build_store(tmp_path / "s.gpkg", six_squares)
    doc = html_map(
        read_layers(store),
        store_figures(store),
        layer_names=("areas", "premises", "stops"),
    )
    path = tmp_path / "kart.html"
    path.write_text(doc, encoding="utf-8")
    url = path.as_uri()
    log = {"blocked": [], "failed": [], "dialogs": []}
    page = browser.new_page(viewport={"width": 1400, "height": 900})

    def route(r):
        if r.request.url == url:
            r.continue_()
        else:
            log["blocked"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda r: log["failed"].append(r.url))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_selector("path.naering-area")
    yield page, log
    page.close()


def test_map_draws_six_area_polygons(offline_map):
    """All six areas are drawn as interactive SVG paths."""
    page, _log = offline_map
    assert page.locator("path.leaflet-interactive.naering-area").count() == 6


def test_hover_shows_area_name(offline_map):
    """Hovering an area opens a tooltip with its name."""
    page, _log = offline_map
    page.locator("path.naering-area-visperud").hover(position={"x": 4, "y": 4})
    tip = page.locator(HOVER_TIP)
    tip.wait_for()
    assert "Visperud" in tip.inner_text()


def test_tooltip_shows_markup_as_text(offline_map):
    """A premises title with a tag is shown as text; no element, no script runs."""
    page, log = offline_map
    page.locator("path.naering-premises").first.hover()
    tip = page.locator(HOVER_TIP)
    tip.wait_for()
    assert XSS in tip.inner_text()
    assert tip.locator("img").count() == 0
    assert log["dialogs"] == []


def test_no_request_blocked_or_failed(offline_map):
    """Opening and using the map needs nothing but the file itself."""
    page, log = offline_map
    page.locator("path.naering-area-sentrum").hover(position={"x": 4, "y": 4})
    page.mouse.wheel(0, -300)
    page.wait_for_timeout(300)
    assert log["blocked"] == []
    assert log["failed"] == []


PANELS = (".naering-title", ".naering-legend", ".naering-sources", ".naering-figures")


def test_fits_a_1024x768_screen_with_names(offline_map):
    """At 1024×768 the boxes do not overlap and lie inside the window, the key
    figures need no sideways scroll, every area's name is on the map, and the
    zoom is limited to where there is data."""
    page, _log = offline_map
    page.set_viewport_size({"width": 1024, "height": 768})
    page.wait_for_timeout(300)
    boxes = page.evaluate(
        "(sels) => [...sels, '.leaflet-control-layers', '.leaflet-control-zoom']"
        ".map(s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return [s, r.left, r.top, r.right, r.bottom]; })",
        list(PANELS),
    )
    for _s, left, top, right, bottom in boxes:
        assert left >= 0 and top >= 0 and right <= 1024 and bottom <= 768, _s
    for (a, *ra), (b, *rb) in itertools.combinations(boxes, 2):
        apart = ra[2] <= rb[0] or rb[2] <= ra[0] or ra[3] <= rb[1] or rb[3] <= ra[1]
        # The legend and the sources are stacked in one column, on purpose.
        assert apart or {a, b} == {".naering-legend", ".naering-sources"}, (a, b)
    table = page.locator(".naering-figures")
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    names = page.locator(".leaflet-tooltip.naering-label").all_inner_texts()
    assert len(names) == 6 and "Visperud" in names
    zoom = page.evaluate(
        "() => { const m = Object.values(window).find(v => v && v._leaflet_id"
        " && v.getMinZoom); return [m.getMinZoom(), m.getMaxZoom(),"
        " !!m.options.maxBounds]; }"
    )
    assert zoom == [MIN_ZOOM, MAX_ZOOM, True]
