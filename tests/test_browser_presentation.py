"""A presenter walks the tour in headless Chromium (the app served by gunicorn)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from layers.schemas import AREA_IDS
from layers.sources.areas import AREA_INFO
from layers.store import open_store

pytestmark = pytest.mark.browser

GRAPH = "#present-map .js-plotly-plot"
CURRENT = ".present-view.is-current"
TIMEOUT = 20_000
# The keys a keyboard or a presentation clicker sends to go forward.
FORWARD = ("ArrowRight", "PageDown", "Space", "ArrowDown")

CENTRE = f"""() => {{
    const gd = document.querySelector('{GRAPH}');
    const c = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map.center;
    return c ? [c.lon, c.lat] : null;
}}"""

# WCAG contrast of an element's text against the first opaque background behind it.
CONTRAST = """(sel) => {
    const el = document.querySelector(sel);
    const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
        const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let bg = null;
    for (let n = el; n; n = n.parentElement) {
        const c = rgb(getComputedStyle(n).backgroundColor);
        if (c.length >= 3 && (c.length === 3 || c[3] > 0.99)) { bg = c; break; }
    }
    bg = bg || [255, 255, 255];
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture(scope="module")
def bounds(default_store):
    """Each area's bounds (west, south, east, north) from the store."""
    areas = open_store(default_store).read_layer("areas")
    return {
        a: tuple(g.bounds)
        for a, g in zip(areas["area_id"], areas.geometry, strict=True)
    }


def shots_dir(tmp_path):
    """Where screenshots go: $PRESENT_SCREENSHOTS, or the test's temporary folder."""
    folder = Path(os.environ.get("PRESENT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_tour(page, url):
    """Open the presentation and wait until the map has drawn and settled."""
    page.goto(url)
    page.wait_for_selector(CURRENT, timeout=TIMEOUT)
    page.wait_for_selector(".maplibregl-canvas", timeout=TIMEOUT)
    page.wait_for_function(
        f"() => {{ const gd = document.querySelector('{GRAPH}');"
        " return gd && gd._presentShown; }",
        timeout=TIMEOUT,
    )


def wait_centre_in(page, box, previous=None):
    """Wait until the map's centre lies inside ``box`` (and moved from ``previous``)."""
    west, south, east, north = box
    page.wait_for_function(
        f"""() => {{
            const c = ({CENTRE})();
            if (!c) return false;
            const prev = {list(previous) if previous else "null"};
            const moved = !prev || Math.abs(c[0] - prev[0]) + Math.abs(c[1] - prev[1]) > 1e-4;
            return moved && c[0] > {west} && c[0] < {east}
                && c[1] > {south} && c[1] < {north};
        }}""",
        timeout=TIMEOUT,
    )
    return page.evaluate(CENTRE)


def assert_clean(page):
    """No console errors, and nothing requested outside 127.0.0.1."""
    assert page.log.console_errors == []
    assert page.log.outside_requests == []


def test_walk_the_tour_with_the_keyboard(page, live_server, bounds):
    """Arrow keys, Page Down and Space walk every view; the map flies to each area."""
    open_tour(page, live_server + "/presentasjon")
    total = len(AREA_IDS) + 2
    expect(page.locator("#present-progress")).to_have_text(f"1 / {total}")
    centre = page.evaluate(CENTRE)
    for k, area in enumerate(AREA_IDS, start=2):
        page.keyboard.press(FORWARD[k % len(FORWARD)])
        expect(page.locator("#present-progress")).to_have_text(f"{k} / {total}")
        expect(page.locator(f"{CURRENT} h2")).to_have_text(AREA_INFO[area]["name"])
        centre = wait_centre_in(page, bounds[area], centre)
        assert page.url.endswith(f"view={area}")
    page.keyboard.press("PageDown")
    expect(page.locator("#present-progress")).to_have_text(f"{total} / {total}")
    expect(page.locator(f"{CURRENT} .export-button")).to_have_count(3)
    expect(page.locator("#present-next")).to_be_disabled()
    page.keyboard.press("Home")
    expect(page.locator("#present-progress")).to_have_text(f"1 / {total}")
    page.keyboard.press("End")
    expect(page.locator("#present-progress")).to_have_text(f"{total} / {total}")
    page.keyboard.press("PageUp")
    expect(page.locator(f"{CURRENT} h2")).to_have_text(AREA_INFO[AREA_IDS[-1]]["name"])
    assert_clean(page)


def test_buttons_move_for_touch(page, live_server):
    """The next and previous buttons move between views too."""
    open_tour(page, live_server + "/presentasjon")
    page.click("#present-next")
    expect(page.locator(f"{CURRENT} h2")).to_have_text(AREA_INFO[AREA_IDS[0]]["name"])
    page.click("#present-prev")
    expect(page.locator("#present-progress")).to_have_text(f"1 / {len(AREA_IDS) + 2}")
    assert_clean(page)


def test_open_a_view_by_its_address(page, live_server, bounds):
    """?view=3 and ?view=visperud open those views, with the map on the area."""
    open_tour(page, live_server + "/presentasjon?view=3")
    expect(page.locator(f"{CURRENT} h2")).to_have_text(AREA_INFO[AREA_IDS[1]]["name"])
    wait_centre_in(page, bounds[AREA_IDS[1]])
    open_tour(page, live_server + "/presentasjon?view=visperud")
    expect(page.locator(f"{CURRENT} h2")).to_have_text("Visperud")
    wait_centre_in(page, bounds["visperud"])
    assert_clean(page)


def test_custom_order_from_the_link(page, live_server, bounds):
    """?areas=visperud,ahus,sentrum shows those three in that order."""
    order = ["visperud", "ahus", "sentrum"]
    open_tour(page, live_server + "/presentasjon?areas=" + ",".join(order))
    expect(page.locator("#present-progress")).to_have_text("1 / 5")
    for k, area in enumerate(order, start=2):
        page.keyboard.press("PageDown")
        expect(page.locator("#present-progress")).to_have_text(f"{k} / 5")
        expect(page.locator(f"{CURRENT} h2")).to_have_text(AREA_INFO[area]["name"])
        wait_centre_in(page, bounds[area])
        assert "areas=visperud,ahus,sentrum" in page.url
    page.go_back()
    expect(page.locator(f"{CURRENT} h2")).to_have_text(AREA_INFO["ahus"]["name"])
    assert_clean(page)


def test_setup_control_changes_the_tour(page, live_server):
    """The setup list takes an area out and moves one up, by keyboard; the link keeps it."""
    open_tour(page, live_server + "/presentasjon")
    page.click(".present-setup summary")
    page.locator(".present-setup-row", has_text="Fjellhamar").locator("input").click()
    expect(page.locator("#present-progress")).to_have_text(f"1 / {len(AREA_IDS) + 1}")
    assert "fjellhamar" not in page.url and "areas=" in page.url
    up = page.get_by_role("button", name="Flytt Visperud opp")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#present-tour li").nth(1)).to_have_text("Visperud")
    # Focus stays on the moved area's button, so it can be pressed again.
    expect(page.get_by_role("button", name="Flytt Visperud opp")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#present-tour li").first).to_have_text("Visperud")
    assert "areas=visperud,sentrum,stasjonsomradet,ahus,losbydalen" in page.url
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"{CURRENT} h2")).to_have_text("Visperud")
    assert_clean(page)


def test_escape_leaves_to_the_dashboard(page, live_server):
    """Esc goes back to the map page, in the same language."""
    open_tour(page, live_server + "/presentasjon?view=2&lang=en")
    expect(page.locator(f"{CURRENT} h2")).to_have_text(
        AREA_INFO[AREA_IDS[0]]["name_en"]
    )
    page.keyboard.press("Escape")
    page.wait_for_url(live_server + "/?lang=en", timeout=TIMEOUT)
    page.wait_for_selector("#map-graph", timeout=TIMEOUT)
    expect(page.locator(".page-header")).to_be_visible()
    assert_clean(page)


def test_no_hover_only_information(page, live_server):
    """Hover is off on the map and the chart; the area colours are named in text."""
    open_tour(page, live_server + "/presentasjon")
    assert (
        page.evaluate(f"() => document.querySelector('{GRAPH}')._fullLayout.hovermode")
        is False
    )
    expect(page.locator("#present-tour li")).to_have_count(len(AREA_IDS))
    assert_clean(page)


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_readable_from_the_back_of_the_room(page, live_server, tmp_path, width, height):
    """Large figures, AAA contrast for text, nothing cut off; screenshots to look at."""
    page.set_viewport_size({"width": width, "height": height})
    folder = shots_dir(tmp_path)
    for view in ("1", "visperud", "sammenligning"):
        open_tour(page, f"{live_server}/presentasjon?view={view}")
        page.wait_for_timeout(600)
        page.screenshot(path=str(folder / f"presentation-{width}-{view}.png"))
        overflow = page.evaluate(
            """() => [...document.querySelectorAll('.present-view.is-current, '
                + '.present-view.is-current .present-text, .present-page')]
                .filter(e => e.scrollHeight > e.clientHeight + 1
                          || e.scrollWidth > e.clientWidth + 1).map(e => e.className)"""
        )
        assert overflow == [], f"{view}: content does not fit: {overflow}"
    open_tour(page, f"{live_server}/presentasjon?view=visperud")
    size = page.evaluate(
        "() => parseFloat(getComputedStyle("
        "document.querySelector('.is-current .present-figure-value')).fontSize)"
    )
    assert size >= 40 * width / 1280 - 1
    for sel in (
        f"{CURRENT} h2",
        f"{CURRENT} .present-lead",
        f"{CURRENT} .present-body",
        f"{CURRENT} .present-figure-value",
        f"{CURRENT} .present-figure-detail",
        f"{CURRENT} .present-sources",
        "#present-progress",
    ):
        assert page.evaluate(CONTRAST, sel) >= 7, sel
    assert_clean(page)
