"""Accessibility in headless Chromium: axe-core on every page and page state.

axe-core is vendored from npm (``tests/vendor/axe-core/axe.min.js``, see its
``VERSION``); it is injected by the test, never served to users. Each state is
checked in Norwegian and English: no critical or serious violation, ``<html lang>``
following the language, a skip link. Screenshots of every state are saved in
``$A11Y_SCREENSHOTS`` or ``test-artefacts/a11y/`` (git-ignored) for a person to
look at; the counts per state are written next to them as ``axe-counts.json``.
"""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.register_support import (
    EDITOR,
    start_gunicorn,
    stop_gunicorn,
    store_with_users,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
TIMEOUT = 20_000
BLOCKING = ("critical", "serious")
# Set to record the counts of a tree that does not pass yet (the "before" figures).
RECORD_ONLY = bool(os.environ.get("A11Y_RECORD_ONLY"))


def shots_dir():
    """Where screenshots and counts go (git-ignored by default)."""
    folder = Path(
        os.environ.get("A11Y_SCREENSHOTS") or ROOT / "test-artefacts" / "a11y"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(default_store, tmp_path_factory):
    """Base URL of gunicorn serving a copy of the default store with two editors."""
    folder = tmp_path_factory.mktemp("a11y-browser")
    path = store_with_users(default_store, folder / "store")
    proc, url = start_gunicorn(path, folder / "instance")
    yield url
    stop_gunicorn(proc)


@pytest.fixture(scope="module")
def counts():
    """Axe counts per state, written to ``axe-counts.json`` at the end."""
    found = {}
    yield found
    out = shots_dir() / "axe-counts.json"
    old = json.loads(out.read_text()) if out.exists() else {}
    old.update(found)
    out.write_text(json.dumps(old, indent=1, sort_keys=True))


def run_axe(page):
    """Run axe-core on the page; return its violations (id, impact, nodes)."""
    # Through the DevTools protocol: the page's CSP forbids an injected script tag.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }"
    )
    return result


def settle(page):
    """Wait until Dash has no callback in flight and the fonts have loaded."""
    page.wait_for_function(
        "() => !document.querySelector('._dash-loading-callback')", timeout=TIMEOUT
    )
    page.wait_for_timeout(300)


def check_state(page, name, counts):
    """Screenshot the state, run axe, record the counts, assert no blocking issue."""
    settle(page)
    page.screenshot(path=str(shots_dir() / f"{name}.png"))
    violations = run_axe(page)
    by_impact = {}
    for v in violations:
        by_impact[v["impact"]] = by_impact.get(v["impact"], 0) + 1
    counts[name] = {
        "by_impact": by_impact,
        "rules": sorted(f"{v['impact']}:{v['id']}" for v in violations),
    }
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert RECORD_ONLY or blocking == [], json.dumps(blocking, indent=1)


def expect_lang(page, lang):
    """``<html lang>`` follows the language of the page."""
    if RECORD_ONLY:
        return
    expect(page.locator("html")).to_have_attribute("lang", lang, timeout=TIMEOUT)


def suffix(lang, sep="?"):
    """The query string part that picks ``lang``."""
    return f"{sep}lang=en" if lang == "en" else ""


LANGS = ("nb", "en")


@pytest.mark.parametrize("lang", LANGS)
def test_map_page(page, server, counts, lang):
    """The map page, then with an area selected."""
    page.goto(server + "/" + suffix(lang))
    page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=TIMEOUT)
    expect_lang(page, lang)
    check_state(page, f"map-{lang}", counts)
    page.goto(server + "/?area=visperud" + suffix(lang, "&"))
    expect(page.locator("#profile-heading")).to_have_text("Visperud", timeout=TIMEOUT)
    expect_lang(page, lang)
    check_state(page, f"map-area-{lang}", counts)


@pytest.mark.parametrize("lang", LANGS)
def test_comparison_page(page, server, counts, lang):
    """The comparison of the areas."""
    page.goto(server + "/sammenligning" + suffix(lang))
    page.wait_for_selector("#page-content table, #page-content .js-plotly-plot")
    expect_lang(page, lang)
    check_state(page, f"comparison-{lang}", counts)


@pytest.mark.parametrize("lang", LANGS)
def test_finder_page(page, server, counts, lang):
    """The finder, then with a listing's detail card open."""
    page.goto(server + "/lokaler" + suffix(lang))
    page.wait_for_selector("#finder-grid .ag-row[row-id]", timeout=TIMEOUT)
    expect_lang(page, lang)
    check_state(page, f"finder-{lang}", counts)
    page.goto(server + "/lokaler?sel=demo-001" + suffix(lang, "&"))
    page.wait_for_selector("#finder-detail [data-id='demo-001']", timeout=TIMEOUT)
    check_state(page, f"finder-card-{lang}", counts)


@pytest.mark.parametrize("lang", LANGS)
def test_register_page(page, server, counts, lang):
    """The register, logged out and logged in."""
    page.goto(server + "/lokaler/register?id=demo-001" + suffix(lang, "&"))
    page.wait_for_selector("#register-map .js-plotly-plot", timeout=TIMEOUT)
    expect_lang(page, lang)
    check_state(page, f"register-reader-{lang}", counts)
    page.goto(f"{server}/login?next=/lokaler/register" + suffix(lang, "%3F"))
    check_state(page, f"login-{lang}", counts)
    page.fill("#auth-username", EDITOR[0])
    page.fill("#auth-password", EDITOR[1])
    page.click("#auth-submit")
    page.wait_for_selector("#register-map .js-plotly-plot", timeout=TIMEOUT)
    page.goto(server + "/lokaler/register?id=demo-001" + suffix(lang, "&"))
    page.wait_for_selector("#register-save", timeout=TIMEOUT)
    expect_lang(page, lang)
    check_state(page, f"register-editor-{lang}", counts)


@pytest.mark.parametrize("lang", LANGS)
def test_presentation_views(page, server, counts, lang):
    """The presentation: the overview, an area, and the last view."""
    for view in ("1", "2", "99"):
        page.goto(f"{server}/presentasjon?view={view}" + suffix(lang, "&"))
        page.wait_for_selector(".present-view.is-current", timeout=TIMEOUT)
        page.wait_for_selector(".maplibregl-canvas", timeout=TIMEOUT)
        expect_lang(page, lang)
        check_state(page, f"presentation-{view}-{lang}", counts)


@pytest.mark.parametrize(
    "path", ["/", "/sammenligning", "/lokaler", "/lokaler/register"]
)
def test_skip_link_goes_to_the_content(page, server, path):
    """The first Tab stop is a skip link; following it moves focus past the header."""
    page.goto(server + path)
    page.wait_for_selector("#page-content *", timeout=TIMEOUT)
    settle(page)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.className, document.activeElement.href || '']"
    )
    assert "skip-link" in focused[0] and focused[1].endswith("#page-content")
    # The page-wide skip link (the finder adds its own past the grid).
    expect(page.locator(".skip-link:not(.skip-link-inline)")).to_be_visible()
    page.keyboard.press("Enter")
    inside = page.evaluate(
        "() => document.getElementById('page-content')"
        ".contains(document.activeElement)"
        " || document.activeElement.id === 'page-content'"
    )
    assert inside


# --- journeys: keyboard, connection, presentation, phone ------------------------


def is_callback_url(url):
    """Playwright route matcher: Dash's callback requests, whatever their query."""
    return "/_dash-update-component" in url


def first_cell(page, col="title"):
    """The grid cell of the first loaded row in column ``col``; and the row's id."""
    row = page.locator("#finder-grid .ag-center-cols-container .ag-row[row-id]").first
    rid = row.get_attribute("row-id")
    return page.locator(f"#finder-grid .ag-row[row-id='{rid}'] [col-id={col}]"), rid


def test_date_field_is_named_by_its_label(page, server):
    """The date field's accessible name is its label."""
    from components.i18n import t

    page.goto(server + "/lokaler")
    page.wait_for_selector("#finder-grid .ag-row[row-id]", timeout=TIMEOUT)
    settle(page)
    label = t("finder_available_by", "nb")
    field = page.get_by_label(label, exact=True)
    expect(field).to_have_count(1)
    assert field.evaluate("e => e.classList.contains('dash-datepicker-input')")


def test_finder_keyboard_opens_the_card(page, server):
    """Enter on a row opens its card and moves focus there; Space shortlists it."""
    page.goto(server + "/lokaler")
    page.wait_for_selector("#finder-grid .ag-row[row-id]", timeout=TIMEOUT)
    settle(page)
    cell, rid = first_cell(page, "area")
    cell.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#finder-detail [data-id='{rid}']")).to_be_visible(
        timeout=TIMEOUT
    )
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'finder-detail'",
        timeout=TIMEOUT,
    )
    # The card's links are the next Tab stops.
    page.keyboard.press("Tab")
    inside = page.evaluate(
        "() => document.getElementById('finder-detail').contains(document.activeElement)"
        " && ['A', 'BUTTON'].includes(document.activeElement.tagName)"
    )
    assert inside
    page.screenshot(path=str(shots_dir() / "journey-finder-enter.png"))
    # Space on the row ticks it for the shortlist.
    cell, rid = first_cell(page, "area")
    cell.focus()
    page.keyboard.press("Space")
    expect(page.locator("#finder-shortlist-count")).to_have_text(
        "1 på kortlisten", timeout=TIMEOUT
    )
    # The skip link past the grid leads to the card.
    skip = page.locator(".skip-link-inline")
    skip.focus()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement.id === 'finder-detail'", timeout=TIMEOUT
    )
    assert page.log.console_errors == []


def test_connection_lost_banner(page, server):
    """A callback with no answer shows the banner; the next answer hides it."""
    page.goto(server + "/")
    page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=TIMEOUT)
    settle(page)
    banner = page.locator("#connection-alert")
    expect(banner).to_be_hidden()
    # Dash adds a query (``?endId=…``) to the callback URL: match the path.
    page.route(is_callback_url, lambda r: r.abort("internetdisconnected"))
    choose = "(v) => window.dash_clientside.set_props('map-area', {value: v})"
    page.evaluate(choose, "visperud")
    expect(banner).to_be_visible(timeout=TIMEOUT)
    assert "ikke oppdatert" in banner.inner_text()
    page.screenshot(path=str(shots_dir() / "journey-connection-lost.png"))
    page.unroute(is_callback_url)
    page.evaluate(choose, "fjellhamar")
    expect(page.locator("#profile-heading")).to_have_text("Fjellhamar", timeout=TIMEOUT)
    expect(banner).to_be_hidden(timeout=TIMEOUT)


def test_presentation_fullscreen_and_fit(page, server):
    """The full screen button, and every view's text inside a 1280×720 screen."""
    page.goto(server + "/presentasjon")
    page.wait_for_selector(".present-view.is-current", timeout=TIMEOUT)
    settle(page)
    button = page.locator("#present-fullscreen")
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    page.evaluate("() => document.exitFullscreen && document.exitFullscreen()")
    n = int(page.inner_text("#present-progress").split("/")[1])
    clipped = {}
    for k in range(1, n + 1):
        page.goto(f"{server}/presentasjon?view={k}")
        page.wait_for_selector(".present-view.is-current", timeout=TIMEOUT)
        settle(page)
        page.screenshot(path=str(shots_dir() / f"presentation-1280x720-{k}.png"))
        bad = page.evaluate(
            """() => {
                const out = [];
                const view = document.querySelector('.present-view.is-current');
                for (const el of view.querySelectorAll('h1,h2,h3,p,li,dt,dd,span')) {
                    const r = el.getBoundingClientRect();
                    if (!r.width || !el.textContent.trim()) continue;
                    if (r.right > innerWidth + 1 || r.bottom > innerHeight + 1
                        || el.scrollWidth > el.clientWidth + 1 && el.clientWidth)
                        out.push(el.textContent.trim().slice(0, 40));
                }
                const text = view.querySelector('.present-text');
                if (text && text.scrollHeight > text.clientHeight + 1)
                    out.push('present-text scrolls');
                return out;
            }"""
        )
        if bad:
            clipped[k] = bad[:5]
    assert clipped == {}


def test_map_page_at_phone_width(browser, server):
    """390 px wide: no sideways scroll, the map one tap away at most."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(server + "/")
        page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=TIMEOUT)
        settle(page)
        page.screenshot(path=str(shots_dir() / "phone-390-map.png"), full_page=True)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
        top = page.evaluate(
            "() => document.getElementById('map-graph').getBoundingClientRect().top"
        )
        assert top < 844 or page.locator(".skip-to-map").count() == 1
        marks = page.evaluate(
            "() => [...document.querySelectorAll('.control-size .dash-slider-mark')]"
            ".map(e => { const r = e.getBoundingClientRect();"
            " return [r.left, r.right]; })"
        )
        assert len(marks) >= 2
        assert all(a[1] <= b[0] for a, b in zip(marks, marks[1:], strict=False))
    finally:
        context.close()


def other_months(names):
    """The month names of the other language (that must not be shown)."""
    nb = (
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    )
    en = (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
    other = en if names[0] == nb[0] else nb
    return [m for m in other if m.lower() not in {n.lower() for n in names}]


@pytest.mark.parametrize(
    ("lang", "month_names", "day_name"),
    [
        (
            "nb",
            (
                "januar",
                "februar",
                "mars",
                "april",
                "mai",
                "juni",
                "juli",
                "august",
                "september",
                "oktober",
                "november",
                "desember",
            ),
            "ma",
        ),
        (
            "en",
            (
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ),
            "Mo",
        ),
    ],
)
def test_date_picker_speaks_the_language(page, server, lang, month_names, day_name):
    """The calendar's month and day names follow the language of the UI."""
    page.goto(server + "/lokaler" + suffix(lang))
    page.wait_for_selector("#finder-grid .ag-row[row-id]", timeout=TIMEOUT)
    settle(page)
    page.click("#finder-available")
    popup = page.locator(".dash-datepicker-calendar-container, [role=dialog]").first
    expect(popup).to_be_visible(timeout=TIMEOUT)
    text = popup.inner_text()
    page.screenshot(path=str(shots_dir() / f"datepicker-{lang}.png"))
    assert day_name in text.split(), text[:200]
    assert not any(m.lower() in text.lower() for m in other_months(month_names))
