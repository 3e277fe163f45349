"""The business developer's bulk import in headless Chromium, against gunicorn (2
workers) on a copy of the default store: download the template, upload a broker
list with human headers and addresses only (one address not found), read the
preview's map and interpreted values, confirm, place the unplaced listing by a map
click; and a list of a few thousand rows imported with its progress shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from layers import register
from layers.register import staging
from layers.store import open_store
from tests.register_support import start_gunicorn, stop_gunicorn, store_with_users
from tests.test_browser_register import assert_clean, click_map, log_in
from tests.test_register_import import BROKER_CSV, _generated

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
# Screenshots for a person to look at (git-ignored), as the a11y tier keeps them.
SHOTS = Path(
    os.environ.get("REGISTER_SCREENSHOTS") or ROOT / "test-artefacts" / "register"
)


@pytest.fixture(scope="module")
def server(default_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("register-import-browser")
    path = store_with_users(default_store, folder / "store")
    proc, url = start_gunicorn(path, folder / "instance")
    yield url, path
    stop_gunicorn(proc)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_broker_list_journey(page, server, tmp_path):
    url, path = server
    log_in(page, url)
    # the template, and the accepted columns beside the upload
    assert "Areal (m²)" in page.text_content(".register-columns")
    with page.expect_download() as info:
        page.click("#register-template-xlsx")
    download = info.value
    assert download.suggested_filename == "lokaler-mal.xlsx"
    assert Path(download.path()).read_bytes()[:2] == b"PK"
    with page.expect_download() as info:
        page.click("#register-template-csv")
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Tittel;Adresse;Type;Areal (m²)")
    # the broker's list: human headers, addresses only, one not in the register
    csv = tmp_path / "meglerliste.csv"
    csv.write_bytes(BROKER_CSV.encode("utf-8"))
    page.set_input_files("#register-upload input[type=file]", str(csv))
    page.wait_for_selector("#register-preview .preview-rows")
    page.wait_for_selector("#register-preview-map .js-plotly-plot")
    points = page.evaluate(
        "() => document.querySelector('#register-preview-map .js-plotly-plot')"
        ".data[0].lat.length"
    )
    assert points == 3
    table = page.text_content("#register-preview .preview-rows")
    assert "1\u00a0850 kr/m²/år" in table and "«1.850,-»" in table
    assert "ikke plassert" in table
    assert page.text_content(".preview-unplaced .card-value") == "1"
    page.locator("#register-preview").scroll_into_view_if_needed()
    shot(page, "1-preview")
    store = open_store(path)
    assert not any(r["title"] == "Ukjent" for r in register.all_listings(store))
    page.click("#register-confirm")
    page.wait_for_selector("#register-preview .register-message.success")
    unknown = next(r for r in register.all_listings(store) if r["title"] == "Ukjent")
    assert unknown["lat"] is None
    # choose the unplaced listing, click the map, save
    page.click("#register-listing")
    page.keyboard.type("Ukjent")
    option = page.get_by_role("option", name="ikke plassert")
    assert "Finnesikkeveien 99" in option.text_content()
    option.click()
    page.wait_for_function(
        "() => document.querySelector('#register-title').value === 'Ukjent'"
    )
    assert page.input_value("#register-lat") == ""
    page.locator("#register-map").scroll_into_view_if_needed()
    click_map(page)
    page.click("#register-save")
    page.wait_for_selector("#register-message.success")
    placed = register.get_listing(store, unknown["premises_id"])
    assert placed["lat"] is not None and placed["version"] == 2
    assert register.unplaced_count(store) == 0
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "2-placed")
    assert_clean(page)


def test_big_list_shows_progress(page, server, tmp_path):
    url, path = server
    log_in(page, url)
    raw = _generated(3000).replace("Testveien", "Fremdriftsveien")
    assert len(raw.encode()) > staging.BACKGROUND_BYTES
    csv = tmp_path / "stor.csv"
    csv.write_text(raw, encoding="utf-8")
    page.set_input_files("#register-upload input[type=file]", str(csv))
    page.wait_for_selector("#register-preview .register-progress progress")
    page.locator("#register-preview").scroll_into_view_if_needed()
    shot(page, "3-progress")
    page.wait_for_selector("#register-preview .preview-rows", timeout=240_000)
    more = page.text_content("#register-preview .preview-rows-box")
    assert "Viser 200 av 3\u00a0000 rader" in more
    assert "3000 nye" in page.text_content("#register-confirm").replace("\u00a0", "")
    page.click("#register-confirm")
    page.wait_for_selector("#register-preview .register-progress")
    page.wait_for_selector(
        "#register-preview .register-message.success", timeout=240_000
    )
    assert "Importert: 3000 nye" in page.text_content("#register-preview")
    shot(page, "4-imported")
    titles = {r["title"] for r in register.all_listings(open_store(path))}
    assert "Lokale 2999" in titles
    assert_clean(page)
