"""The business developer's whole journey (issue #4) in headless Chromium, against
gunicorn (2 workers) on a copy of the default store with an editor: log in, add a
listing by clicking the register map, find it in the finder, shortlist it, export
the shortlist, and reopen the copied link in a fresh, logged-out browser."""

import io
import re
import time
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import shapely
from playwright.sync_api import expect
from shapely.geometry import Point

from layers import register
from layers.schemas import CRS, METRIC_CRS
from layers.store import open_store
from tests.conftest import PageLog
from tests.register_support import (
    EDITOR,
    start_gunicorn,
    stop_gunicorn,
    store_with_users,
)

pytestmark = pytest.mark.browser

TIMEOUT = 20_000
REGISTER_MAP = "#register-map .js-plotly-plot"
FINDER_MAP = "#finder-map .js-plotly-plot"
ROWS = "#finder-grid .ag-center-cols-container .ag-row"
PINNED = "#finder-grid .ag-pinned-left-cols-container .ag-row"
AREA = "visperud"
TYPE = "lager/logistikk"
SIZE = (800, 1500)
PLACE_ZOOM = 12.3  # zoom in this far before clicking: markers no longer crowd


@pytest.fixture(scope="module")
def server(default_store, tmp_path_factory):
    """(base URL, store path) of gunicorn serving a copy with two editors."""
    folder = tmp_path_factory.mktemp("journey-browser")
    path = store_with_users(default_store, folder / "store")
    proc, url = start_gunicorn(path, folder / "instance")
    yield url, path
    stop_gunicorn(proc)


def clean(log, where):
    """No console errors, no requests outside 127.0.0.1, none failed, so far."""
    assert log.console_errors == [], where
    assert log.outside_requests == [], where
    assert log.failed_requests == [], where


def logged_context(browser):
    """A new context like the ``page`` fixture's: outside requests blocked, logged."""
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
    return context, pg, log


def spot_to_place(store):
    """(polygon, lon, lat): a point inside Visperud far from its edge and listings.

    A click within plotly's hover distance of a listing would pick that listing's
    point, so the spot keeps clear of them (chosen in metres, EPSG:25833).
    """
    areas = store.read_layer("areas")
    polygon = areas.loc[areas["area_id"] == AREA].geometry.iloc[0]
    metric = areas.loc[areas["area_id"] == AREA].to_crs(METRIC_CRS).geometry.iloc[0]
    listings = store.read_layer("premises").to_crs(METRIC_CRS)
    minx, miny, maxx, maxy = metric.bounds
    xs, ys = np.meshgrid(np.arange(minx, maxx, 20.0), np.arange(miny, maxy, 20.0))
    grid = shapely.points(xs.ravel(), ys.ravel())
    grid = grid[shapely.contains(metric, grid)]
    px, py = listings.geometry.x.to_numpy(), listings.geometry.y.to_numpy()
    gx, gy = shapely.get_x(grid), shapely.get_y(grid)
    near = np.hypot(gx[:, None] - px[None], gy[:, None] - py[None]).min(axis=1)
    score = np.minimum(near, shapely.distance(grid, metric.boundary))
    assert score.max() > 150, "no free spot in Visperud"
    best = gpd.GeoSeries([grid[int(score.argmax())]], crs=METRIC_CRS).to_crs(CRS)
    lon, lat = best.x.iloc[0], best.y.iloc[0]
    return polygon, float(lon), float(lat)


def register_map_spot(page, lon, lat):
    """Where (lon, lat) is on the register map (page pixels), whether it is well
    inside the map, the map's zoom, and the pixel distance to the nearest listing."""
    return page.evaluate(
        f"""([lon, lat]) => {{
            const gd = document.querySelector('{REGISTER_MAP}');
            const map = gd._registerMap;
            const box = map.getCanvas().getBoundingClientRect();
            const p = map.project([lon, lat]);
            const near = gd.data[0].lat.map((y, i) => {{
                const q = map.project([gd.data[0].lon[i], y]);
                return Math.hypot(q.x - p.x, q.y - p.y);
            }});
            return {{x: box.left + p.x, y: box.top + p.y, zoom: map.getZoom(),
                     inside: p.x > 5 && p.y > 5 && p.x < box.width - 5
                             && p.y < box.height - 5,
                     nearest: Math.min(...near)}};
        }}""",
        [lon, lat],
    )


def wait_map_still(page):
    """Wait until the register map has stopped moving (wheel zoom eases)."""
    page.wait_for_function(
        f"() => !document.querySelector('{REGISTER_MAP}')._registerMap.isMoving()",
        timeout=TIMEOUT,
    )


def place_by_click(page, lon, lat):
    """Zoom the register map in on (lon, lat) with the wheel, then click it there."""
    page.locator("#register-map").scroll_into_view_if_needed()
    spot = register_map_spot(page, lon, lat)
    assert spot["inside"], spot
    page.mouse.move(spot["x"], spot["y"])
    deadline = time.time() + 20
    while spot["zoom"] < PLACE_ZOOM and time.time() < deadline:
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(150)
        wait_map_still(page)
        spot = register_map_spot(page, lon, lat)
        page.mouse.move(spot["x"], spot["y"])
    assert spot["zoom"] >= PLACE_ZOOM, spot
    assert spot["inside"] and spot["nearest"] > 30, spot  # clear of other listings
    page.mouse.click(spot["x"], spot["y"])
    page.wait_for_function(
        "() => document.querySelector('#register-lat').value !== ''"
        " && document.querySelector('#register-lon').value !== ''",
        timeout=TIMEOUT,
    )


def choose(page, dropdown, label):
    """Pick an option of a register dropdown."""
    page.click(dropdown)
    page.get_by_role("option", name=label, exact=True).click()
    expect(page.locator(dropdown)).to_contain_text(label)


def decimal(text):
    """A coordinate as the register form writes it (decimal comma)."""
    return float(text.replace(",", "."))


def open_finder_filters(page):
    """Wait until the finder shows its grid rows and its map has drawn."""
    page.wait_for_selector("#finder-map .maplibregl-canvas", timeout=TIMEOUT)
    page.wait_for_function(
        f"() => {{ const gd = document.querySelector('{FINDER_MAP}');"
        " return gd && gd._fullData && gd._fullData.length > 3; }",
        timeout=TIMEOUT,
    )
    page.wait_for_selector(f"{ROWS}[row-id]", timeout=TIMEOUT)


def row_ids(page):
    """Ids of the grid's loaded rows."""
    return page.evaluate(
        f"() => Array.from(document.querySelectorAll('{ROWS}[row-id]'))"
        ".map(r => r.getAttribute('row-id'))"
    )


def shown_points(page):
    """``{id: [lon, lat]}`` of the listings the finder map shows."""
    return page.evaluate(
        f"""() => {{
            const out = {{}};
            for (const t of document.querySelector('{FINDER_MAP}').data.slice(3)) {{
                (t.customdata || []).forEach((c, i) => {{
                    if (t.lat[i] !== null) out[c[0]] = [t.lon[i], t.lat[i]];
                }});
            }}
            return out;
        }}"""
    )


def expected_matches(store):
    """Ids the search should find, worked out from the store directly."""
    areas = store.read_layer("areas")
    polygon = areas.loc[areas["area_id"] == AREA].geometry.iloc[0]
    p = store.read_layer("premises")
    hit = (
        p.geometry.within(polygon)
        & (p["type"] == TYPE)
        & p["size_m2"].between(*SIZE)
        & (p["status"] == "ledig")
    )
    return set(p.loc[hit, "premises_id"])


def assert_search_shown(page, title, pid, matches):
    """The Visperud warehouse search, with the new listing in table and map."""
    n = len(matches)
    expect(page.locator("#finder-count")).to_have_text(f"{n} lokaler", timeout=TIMEOUT)
    page.wait_for_function(
        f"(n) => document.querySelectorAll('{ROWS}[row-id]').length === n",
        arg=n,
        timeout=TIMEOUT,
    )
    assert set(row_ids(page)) == matches
    row = page.locator(f"{PINNED}[row-id='{pid}']")
    expect(row).to_contain_text(title, timeout=TIMEOUT)
    page.wait_for_function(
        f"(n) => document.querySelector('{FINDER_MAP}').data.slice(3)"
        ".reduce((k, t) => k + (t.lat || []).filter(v => v !== null).length, 0) === n",
        arg=n,
        timeout=TIMEOUT,
    )
    return shown_points(page)


def test_business_developer_journey(page, browser, server, tmp_path):
    """Add a listing on the map, find it, shortlist, export and share the search."""
    url, path = server
    store = open_store(path)
    polygon, lon, lat = spot_to_place(store)
    title = f"Journey lager {int(time.time() * 1000) % 100000:05d}"

    # Log in; the login form sends the editor to the register.
    page.goto(f"{url}/login?next=/lokaler/register")
    page.fill("#auth-username", EDITOR[0])
    page.fill("#auth-password", EDITOR[1])
    page.click("#auth-submit")
    page.wait_for_url(re.compile(r".*/lokaler/register$"), timeout=TIMEOUT)
    page.wait_for_selector(REGISTER_MAP, timeout=TIMEOUT)
    page.wait_for_function(
        f"() => document.querySelector('{REGISTER_MAP}')._registerMap",
        timeout=TIMEOUT,
    )
    expect(page.locator("#register-user")).to_contain_text("kari")
    expect(page.locator("#register-heading")).to_have_text("Nytt lokale")
    clean(page.log, "login")

    # A new listing: warehouse, 1 100 m², a rent, available, placed in Visperud.
    page.fill("#register-title", title)
    choose(page, "#register-type", "Lager/logistikk")
    page.fill("#register-size", "1 100")
    page.fill("#register-rent", "1 250")
    choose(page, "#register-status", "Ledig")
    place_by_click(page, lon, lat)
    got_lat = decimal(page.input_value("#register-lat"))
    got_lon = decimal(page.input_value("#register-lon"))
    assert polygon.contains(Point(got_lon, got_lat))
    assert got_lon == pytest.approx(lon, abs=3e-4)
    assert got_lat == pytest.approx(lat, abs=3e-4)
    page.wait_for_function(
        f"(y) => {{ const d = document.querySelector('{REGISTER_MAP}').data[1].lat;"
        " return d.length === 1 && Math.abs(d[0] - y) < 1e-6; }",
        arg=got_lat,
        timeout=TIMEOUT,
    )
    page.click("#register-save")
    page.wait_for_selector("#register-message.success", timeout=TIMEOUT)
    assert title in page.text_content("#register-message")
    expect(page.locator("#register-heading")).to_contain_text(title)
    entry = page.locator("#register-history .history-entry")
    expect(entry).to_have_count(1)
    expect(entry.first.locator(".history-action")).to_have_text("lagt inn")
    expect(entry.first.locator(".history-user")).to_have_text("kari")

    rows = register.read_register(store)
    saved = rows[rows["title"] == title]
    assert len(saved) == 1
    pid = saved["premises_id"].iloc[0]
    assert saved["type"].iloc[0] == TYPE and saved["status"].iloc[0] == "ledig"
    assert saved["size_m2"].iloc[0] == 1100
    assert saved["rent_nok_m2_year"].iloc[0] == 1250
    assert saved.geometry.x.iloc[0] == pytest.approx(got_lon)
    assert saved.geometry.y.iloc[0] == pytest.approx(got_lat)
    assert [h["action"] for h in register.history(store, pid)] == ["create"]
    expect(page.locator("#register-meta")).to_contain_text(pid)
    matches = expected_matches(store)
    assert pid in matches
    clean(page.log, "register")

    # To the finder through the menu; search Visperud, warehouse, 800–1 500 m².
    page.get_by_role("link", name="Ledige lokaler").click()
    page.wait_for_url(re.compile(r".*/lokaler(\?.*)?$"), timeout=TIMEOUT)
    open_finder_filters(page)
    page.locator(f"#finder-areas input[value={AREA}]").check()
    page.locator(f"#finder-types input[value='{TYPE}']").check()
    page.fill("#finder-size-min", str(SIZE[0]))
    page.fill("#finder-size-max", str(SIZE[1]))
    page.locator("#finder-size-max").press("Tab")
    points = assert_search_shown(page, title, pid, matches)
    assert set(points) == matches
    assert points[pid] == [
        pytest.approx(got_lon, abs=1e-5),
        pytest.approx(got_lat, abs=1e-5),
    ]
    row_text = page.locator(f"{ROWS}[row-id='{pid}']").inner_text()
    assert "Visperud" in row_text and "Lager/logistikk" in row_text
    assert "1\u00a0100" in row_text or "1 100" in row_text

    # Tick it into the shortlist: the count and the address follow.
    # click(), not check(): a grid sync that assets/finder.js scheduled on the last
    # page load (0/120/400 ms) can untick the box for a moment, until the shortlist
    # store has caught up and ticks it again.
    tick = page.locator(f"{PINNED}[row-id='{pid}'] input[type=checkbox]")
    tick.click()
    expect(tick).to_be_checked(timeout=TIMEOUT)
    expect(page.locator("#finder-shortlist-count")).to_have_text(
        "1 på kortlisten", timeout=TIMEOUT
    )
    page.wait_for_url(re.compile(rf".*list={pid}(&.*)?$"), timeout=TIMEOUT)

    # Export the shortlist as XLSX: the filters on top, the listing in the table.
    expect(page.locator("#finder-export-list-xlsx")).to_be_enabled(timeout=TIMEOUT)
    with page.expect_download(timeout=TIMEOUT) as info:
        page.click("#finder-export-list-xlsx")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    xlsx = tmp_path / download.suggested_filename
    download.save_as(xlsx)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes())).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    header = [r[0] for r in cells[:10] if r and r[0]]
    filter_line = next(str(v) for v in header if str(v).startswith("Filter:"))
    assert "Område: Visperud" in filter_line
    assert "Type lokale: Lager/logistikk" in filter_line
    assert re.search(r"Størrelse: 800–1[\s\u00a0]500", filter_line), filter_line
    listed = [r for r in cells if r and r[0] == pid]
    assert len(listed) == 1 and listed[0][1] == title
    assert len([r for r in cells if r and r[0] and str(r[0]).startswith("demo-")]) == 0

    # Copy the link: it is the page's address, holding the whole search.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page.click("#finder-copy")
    expect(page.locator("#finder-copy")).to_contain_text("kopiert", timeout=TIMEOUT)
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link == page.url
    params = parse_qs(urlsplit(link).query)
    assert params["areas"] == [AREA] and params["types"] == [TYPE]
    assert params["m2"] == [f"{SIZE[0]}-{SIZE[1]}"] and params["list"] == [pid]
    clean(page.log, "finder")

    # A colleague opens the link in a fresh browser, not logged in.
    context, fresh, log = logged_context(browser)
    try:
        assert context.cookies() == []
        fresh.goto(link)
        open_finder_filters(fresh)
        assert fresh.locator(f"#finder-areas input[value={AREA}]").is_checked()
        assert fresh.locator(f"#finder-types input[value='{TYPE}']").is_checked()
        assert fresh.input_value("#finder-size-min") == str(SIZE[0])
        assert fresh.input_value("#finder-size-max") == str(SIZE[1])
        assert assert_search_shown(fresh, title, pid, matches) == points
        expect(fresh.locator("#finder-shortlist-count")).to_have_text(
            "1 på kortlisten", timeout=TIMEOUT
        )
        fresh.wait_for_function(
            "(id) => { const r = document.querySelector("
            "`#finder-grid .ag-row[row-id='${id}']`);"
            " return r && r.classList.contains('ag-row-selected'); }",
            arg=pid,
            timeout=TIMEOUT,
        )
        assert fresh.locator(
            f"{PINNED}[row-id='{pid}'] input[type=checkbox]"
        ).is_checked()
        clean(log, "shared link")
    finally:
        context.close()
    clean(page.log, "end")
