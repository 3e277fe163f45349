"""A business developer answers a call with the premises finder, in headless Chromium."""

import io
import re
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TIMEOUT = 20_000
MAP = "#finder-map .js-plotly-plot"
ROWS = "#finder-grid .ag-center-cols-container .ag-row"


def open_finder(page, url):
    """Open the finder and wait until the grid has rows and the map has drawn."""
    page.goto(url)
    page.wait_for_selector(".maplibregl-canvas", timeout=TIMEOUT)
    page.wait_for_function(
        f"() => {{ const gd = document.querySelector('{MAP}');"
        " return gd && gd._fullData && gd._fullData.length > 3; }",
        timeout=TIMEOUT,
    )
    page.wait_for_selector(f"{ROWS}[row-id]", timeout=TIMEOUT)


def row_ids(page):
    """Ids of the grid's loaded rows, top to bottom."""
    return page.evaluate(
        f"() => Array.from(document.querySelectorAll('{ROWS}[row-id]'))"
        ".sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)"
        ".map(r => r.getAttribute('row-id'))"
    )


def shown_points(page):
    """Ids of the listings the map shows (points with a position)."""
    return page.evaluate(
        f"() => document.querySelector('{MAP}').data.slice(3).flatMap(t =>"
        " (t.customdata || []).filter((c, i) => t.lat[i] !== null).map(c => c[0]))"
    )


def point_on_screen(page, pid):
    """Where a listing is drawn on the map, in page pixels (MapLibre's projection)."""
    return page.evaluate(
        f"""(id) => {{
            const gd = document.querySelector('{MAP}');
            const map = gd._fullLayout.map._subplot.map;
            for (const t of gd.data.slice(3)) {{
                const i = (t.customdata || []).findIndex(c => c[0] === id);
                if (i >= 0) {{
                    const p = map.project([t.lon[i], t.lat[i]]);
                    const box = map.getCanvas().getBoundingClientRect();
                    return [box.left + p.x, box.top + p.y];
                }}
            }}
            return null;
        }}""",
        pid,
    )


def search_visperud_warehouses(page):
    """Area Visperud, type warehouse/logistics, 800–1 500 m²."""
    page.locator("#finder-areas input[value=visperud]").check()
    page.locator("#finder-types input[value='lager/logistikk']").check()
    page.fill("#finder-size-min", "800")
    page.fill("#finder-size-max", "1500")
    page.locator("#finder-size-max").press("Tab")


def test_finder_answers_the_call_and_shares_the_search(page, live_server, tmp_path):
    """Filter, open a listing, shortlist it, export it, copy the link, reopen it."""
    open_finder(page, live_server + "/lokaler")
    total = int(re.sub(r"\D", "", page.inner_text("#finder-count")))
    assert total > 2

    search_visperud_warehouses(page)
    expect(page.locator("#finder-count")).to_have_text("2 lokaler", timeout=TIMEOUT)
    page.wait_for_function(
        f"() => document.querySelectorAll('{ROWS}[row-id]').length === 2",
        timeout=TIMEOUT,
    )
    ids = row_ids(page)
    page.wait_for_function(
        f"() => document.querySelector('{MAP}').data.slice(3)"
        ".reduce((n, t) => n + (t.lat || []).filter(v => v !== null).length, 0) === 2",
        timeout=TIMEOUT,
    )
    assert sorted(shown_points(page)) == sorted(ids)
    assert page.inner_text("#finder-grid").count("Lager/logistikk") == 2

    # A row click opens the card and zooms the map to the listing.
    first = ids[0]
    page.locator(
        f"#finder-grid .ag-pinned-left-cols-container .ag-row[row-id='{first}']"
        " [col-id=title]"
    ).click()
    expect(page.locator(f"#finder-detail [data-id='{first}']")).to_be_visible(
        timeout=TIMEOUT
    )
    card = page.inner_text("#finder-detail")
    assert "Visperud" in card and "Lager/logistikk" in card
    # Demonstration listings' age counts from the data's as-of date, not today.
    assert "Nærmeste holdeplass" in card and "dager siden" in card
    page.wait_for_function(
        f"() => document.querySelector('{MAP}').layout.map.zoom === 13.5",
        timeout=TIMEOUT,
    )

    # Tick it: the shortlist holds it, and the address too.
    page.locator(
        f"#finder-grid .ag-pinned-left-cols-container .ag-row[row-id='{first}']"
        " input[type=checkbox]"
    ).check()
    expect(page.locator("#finder-shortlist-count")).to_have_text(
        "1 på kortlisten", timeout=TIMEOUT
    )
    page.wait_for_url(re.compile(rf".*list={first}.*"), timeout=TIMEOUT)

    # Export the shortlist as XLSX and read it back.
    expect(page.locator("#finder-export-list-xlsx")).to_be_enabled(timeout=TIMEOUT)
    with page.expect_download(timeout=TIMEOUT) as info:
        page.click("#finder-export-list-xlsx")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    ws = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active
    column_a = [c.value for c in ws["A"]]
    header = "\n".join(str(v) for v in column_a[:8] if v)
    assert "Filter:" in header and "Visperud" in header and "800–1" in header
    assert "Eksportert:" in header and "Kilde:" in header
    assert "Demonstrasjonsdata" in header
    assert column_a.count(first) == 1 and len([v for v in column_a if v]) >= 10

    # Copy the link: it is the page's address, which holds the whole search.
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server
    )
    page.focus("#finder-copy")  # a keyboard user: Tab to it, press Enter
    page.keyboard.press("Enter")
    expect(page.locator("#finder-copy")).to_contain_text("kopiert", timeout=TIMEOUT)
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link == page.url
    params = parse_qs(urlsplit(link).query)
    assert params["areas"] == ["visperud"] and params["m2"] == ["800-1500"]
    assert params["types"] == ["lager/logistikk"] and params["list"] == [first]

    # A colleague opens the link: the same search, the shortlist, the card.
    fresh = page.context.new_page()
    fresh.on("pageerror", lambda e: page.log.console_errors.append(str(e)))
    fresh.on(
        "console",
        lambda m: m.type == "error" and page.log.console_errors.append(m.text),
    )
    open_finder(fresh, link)
    expect(fresh.locator("#finder-count")).to_have_text("2 lokaler")
    assert fresh.locator("#finder-areas input[value=visperud]").is_checked()
    assert fresh.locator("#finder-types input[value='lager/logistikk']").is_checked()
    assert fresh.input_value("#finder-size-min") == "800"
    assert fresh.input_value("#finder-size-max") == "1500"
    assert sorted(row_ids(fresh)) == sorted(ids)
    expect(fresh.locator("#finder-shortlist-count")).to_have_text("1 på kortlisten")
    expect(fresh.locator(f"#finder-detail [data-id='{first}']")).to_be_visible()
    fresh.wait_for_function(
        "() => { const r = document.querySelector("
        f"\"#finder-grid .ag-row[row-id='{first}']\");"
        " return r && r.classList.contains('ag-row-selected'); }",
        timeout=TIMEOUT,
    )
    fresh.close()

    assert page.log.console_errors == []
    assert page.log.outside_requests == []


def test_map_click_selects_the_row(page, live_server):
    """Clicking a listing on the map opens its card and marks its row in the grid."""
    open_finder(page, live_server + "/lokaler?areas=visperud&types=lager/logistikk")
    ids = row_ids(page)
    target = ids[-1]
    card = page.locator(f"#finder-detail [data-id='{target}']")
    for _attempt in range(5):  # the map may still be settling its size
        x, y = point_on_screen(page, target)
        page.mouse.move(x, y)  # plotly picks the point under the pointer on hover
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
        try:
            card.wait_for(timeout=4000)
            break
        except Exception:
            page.mouse.move(5, 5)
    expect(card).to_be_visible(timeout=TIMEOUT)
    page.wait_for_function(
        "() => { const r = document.querySelector("
        f"\"#finder-grid .ag-center-cols-container .ag-row[row-id='{target}']\");"
        " return r && r.classList.contains('finder-row-active'); }",
        timeout=TIMEOUT,
    )
    page.wait_for_url(re.compile(rf".*sel={target}.*"), timeout=TIMEOUT)
    assert page.log.console_errors == []
    assert page.log.outside_requests == []
