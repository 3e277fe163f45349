"""The register page in headless Chromium, against gunicorn (2 workers) on a copy of
the default store: log in, place a listing by clicking the map, save, see its log."""

import time

import pytest

from layers import register
from layers.store import open_store
from tests.register_support import (
    EDITOR,
    start_gunicorn,
    stop_gunicorn,
    store_with_users,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(default_store, tmp_path_factory):
    """(base URL, store path) of gunicorn serving a copy with two editors."""
    folder = tmp_path_factory.mktemp("register-browser")
    path = store_with_users(default_store, folder / "store")
    proc, url = start_gunicorn(path, folder / "instance")
    yield url, path
    stop_gunicorn(proc)


def log_in(page, url, user=EDITOR, target="/lokaler/register"):
    """Log in through the form and wait for the register map."""
    page.goto(f"{url}/login?next={target}")
    page.fill("#auth-username", user[0])
    page.fill("#auth-password", user[1])
    page.click("#auth-submit")
    page.wait_for_selector("#register-map .js-plotly-plot")
    page.wait_for_function(
        "() => document.querySelector('#register-map .js-plotly-plot')._registerMap"
    )


def click_map(page, fx=0.45, fy=0.45):
    """Click the map; fall back to a plotly_click if the canvas click is lost."""
    box = page.locator("#register-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    try:
        page.wait_for_function(
            "() => document.querySelector('#register-lat').value !== ''", timeout=3000
        )
    except Exception:
        page.evaluate(
            """() => document.querySelector('#register-map .js-plotly-plot')
                .emit('plotly_click', {points: [{lat: 59.9043, lon: 10.9513}]})"""
        )
        page.wait_for_function(
            "() => document.querySelector('#register-lat').value !== ''"
        )


def choose_type(page, label="Kontor"):
    """Pick a premises type in the dropdown."""
    page.click("#register-type")
    page.get_by_role("option", name=label).click()


def assert_clean(page):
    """No console errors, no requests outside 127.0.0.1."""
    assert page.log.console_errors == []
    assert page.log.outside_requests == []


def test_add_listing_by_map_click(page, server):
    """An editor places a listing by a map click, saves it, and sees its log."""
    url, path = server
    log_in(page, url)
    page.fill("#register-title", "Nytt kontor fra kartet")
    page.fill("#register-size", "-3")
    page.click("#register-save")
    page.wait_for_selector("#register-size-error:not(:empty)")
    assert page.text_content("#register-size-error") == "Må være større enn 0."
    assert page.get_attribute("#register-size", "aria-invalid") == "true"
    page.fill("#register-size", "320")
    choose_type(page)
    click_map(page)
    lat = float(page.input_value("#register-lat").replace(",", "."))
    lon = float(page.input_value("#register-lon").replace(",", "."))
    marker = page.evaluate(
        "() => document.querySelector('#register-map .js-plotly-plot').data[1].lat"
    )
    assert marker == [pytest.approx(lat)]
    page.click("#register-save")
    page.wait_for_selector("#register-message.success")
    assert "Nytt kontor fra kartet" in page.text_content("#register-message")
    assert page.get_attribute("#register-size", "aria-invalid") is None
    log = page.text_content("#register-history")
    assert "lagt inn" in log and "kari" in log
    assert page.is_visible("#register-to-reservert")
    assert not page.is_visible("#register-to-utleid")
    rows = register.read_register(open_store(path))
    saved = rows[rows["title"] == "Nytt kontor fra kartet"]
    assert len(saved) == 1
    assert saved.geometry.y.iloc[0] == pytest.approx(lat)
    assert saved.geometry.x.iloc[0] == pytest.approx(lon)
    page.click("#auth-logout button")
    page.wait_for_selector("#register-user a[href^='/login']")
    assert page.is_disabled("#register-title")
    assert_clean(page)


def test_conflict_and_reload(page, server):
    """A change by someone else meanwhile gives the conflict message; reload shows it."""
    url, path = server
    log_in(page, url, target="/lokaler/register?id=demo-003")
    assert page.input_value("#register-title").startswith("Demo:")
    store = open_store(path)
    register.update_listing(
        store, "demo-003", {"size_m2": 999}, expected_version=1, user="ola"
    )
    page.fill("#register-contact", "Ny kontakt")
    page.click("#register-save")
    page.wait_for_selector("#register-message.error")
    text = page.text_content("#register-message")
    assert text.startswith("Lokalet ble endret av ola kl. ")
    assert register.get_listing(store, "demo-003")["contact"] != "Ny kontakt"
    page.click("#register-reload")
    page.wait_for_function(
        "() => document.querySelector('#register-size').value === '999'"
    )
    assert_clean(page)


def test_bulk_import_preview_then_confirm(page, server, tmp_path):
    """An upload shows its preview, and only the confirm writes it."""
    url, path = server
    log_in(page, url)
    csv = tmp_path / "megler.csv"
    csv.write_text(
        "tittel;adresse;lat;lon;type;areal_m2;status\n"
        "Lager fra megler;Visperudveien 7;59,917;10,985;lager;800;ledig\n",
        encoding="utf-8",
    )
    page.set_input_files("#register-upload input[type=file]", str(csv))
    page.wait_for_selector(".register-preview")
    assert "Legges til" in page.text_content(".register-preview")
    store = open_store(path)
    assert not (register.read_register(store)["title"] == "Lager fra megler").any()
    page.click("#register-confirm")
    page.wait_for_selector("#register-preview .register-message.success")
    assert (register.read_register(store)["title"] == "Lager fra megler").any()
    assert_clean(page)


def test_reader_sees_listing_read_only(page, server):
    """Without a login the listing and its log are shown, with no way to change it."""
    url, _path = server
    page.goto(f"{url}/lokaler/register?id=demo-001")
    page.wait_for_selector("#register-history .history-entry")
    assert page.is_disabled("#register-title")
    assert not page.is_visible("#register-save")
    assert not page.is_visible("#register-upload")
    assert page.get_by_role("link", name="Logg inn").is_visible()
    time.sleep(0.5)
    assert_clean(page)
