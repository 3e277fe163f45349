"""The register page (components/register_panel.py): callbacks as functions and
over HTTP, on a copy of the default store with two editors."""

import base64
import contextlib
import json
import time

import flask
import pytest
from dash import no_update

from components import (
    data,
    ids,
    register_access,
    register_editor,
    register_format,
    register_import_panel,
    register_panel,
    register_views,
)
from components.figures import register_map
from layers import register
from layers.store import open_store
from tests.register_support import (
    EDITOR,
    callback_payload,
    dash_post,
    login,
    response_props,
    session_fields,
    store_with_users,
)

GOOD = {
    "title": "Kontor ved Metro",
    "address": "Skårersletta 40",
    "type": "kontor",
    "size_m2": "250",
    "rent_nok_m2_year": "1 900",
    "available_from": "",
    "status": "ledig",
    "contact": "Kari",
    "url": "https://example.no/kontor",
    "lat": "59,9275",
    "lon": "10,9583",
}


@pytest.fixture
def reg_store(default_store, tmp_path):
    """A copy of the default store with two editors."""
    return store_with_users(default_store, tmp_path / "store")


@pytest.fixture
def store(reg_store):
    """The copy as a store object."""
    return open_store(reg_store)


@pytest.fixture
def app(dash_app, reg_store, monkeypatch):
    """The app, pointed at the copy."""
    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(reg_store))
    return dash_app


@pytest.fixture
def as_user(app, reg_store):
    """Context manager: a request of ``username`` (None: a reader)."""

    @contextlib.contextmanager
    def make(username="kari", role="editor"):
        with app.server.test_request_context("/"):
            if username:
                fields = session_fields(reg_store, username, role)
                flask.session.update(**fields, csrf="t")
            yield

    return make


def count(store):
    """Number of listings in the register."""
    return len(register.read_register(store))


def text_of(component):
    """All text in a component tree."""
    if component is None or component is no_update:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def find(component, ident):
    """The component with id ``ident`` in a tree, or None."""
    if getattr(component, "id", None) == ident:
        return component
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            hit = find(child, ident)
            if hit is not None:
                return hit
    elif children is not None and not isinstance(children, str | int | float):
        return find(children, ident)
    return None


def upload(name, text):
    """What the browser's upload callback hands to the server."""
    data = base64.b64encode(text.encode("utf-8")).decode()
    return {"name": name, "contents": f"data:text/csv;base64,{data}"}


# --- form validation, saving, history --------------------------------------


def test_validation_messages_at_fields(as_user, store):
    """Every wrong field gets its own message under the input; nothing is saved."""
    before = count(store)
    bad = {**GOOD, "title": "", "size_m2": "-5", "url": "javascript:alert(1)"}
    with as_user():
        out = register_editor.save(bad, None, "nb")
    assert out["errors"]["title"] == "Må fylles ut."
    assert out["errors"]["size_m2"] == "Må være større enn 0."
    assert "http" in out["errors"]["url"]
    assert out["errors"]["address"] == ""
    assert "Ingenting er lagret" in out["message"]
    assert count(store) == before


def test_point_outside_municipality_marks_both_coordinates(as_user, store):
    """A point outside Lørenskog is reported at latitude and longitude."""
    with as_user():
        out = register_editor.save({**GOOD, "lat": "59,80"}, None, "nb")
    assert "utenfor kommunen" in out["errors"]["lat"]
    assert out["errors"]["lat"] == out["errors"]["lon"]


def test_english_messages(as_user):
    """The messages follow the page's language."""
    with as_user():
        out = register_editor.save({**GOOD, "title": ""}, None, "en")
    assert out["errors"]["title"] == "Required."
    assert "Nothing was saved" in out["message"]


def test_add_listing_is_saved_with_history(as_user, store):
    """A new listing is stored as version 1, chosen in the form, with its log entry."""
    with as_user():
        out = register_editor.save(GOOD, None, "nb")
    pid = out["listing"]
    saved = register.get_listing(store, pid)
    assert saved["title"] == GOOD["title"] and saved["created_by"] == "kari"
    assert out["version"] == {"id": pid, "version": 1}
    assert "er lagt inn" in out["message"]
    assert "lagt inn" in text_of(out["history"]) and "kari" in text_of(out["history"])
    assert pid in [o["value"] for o in out["options"]]


def test_edit_shows_what_changed(as_user, store):
    """An edit is logged with who and the old and new values, shown on the listing."""
    with as_user():
        listing = register.get_listing(store, "demo-001")
        values = register_format.form_values(listing, "nb")
        out = register_editor.save(
            {**values, "rent_nok_m2_year": "2500"},
            {"id": "demo-001", "version": listing["version"]},
            "nb",
        )
    assert out["version"]["version"] == listing["version"] + 1
    log = text_of(out["history"])
    assert "endret" in log and "kari" in log
    assert "Leie (kr/m²/år)" in log and "2" in log and "500" in log
    assert register.history(store, "demo-001")[0]["changes"] == {
        "rent_nok_m2_year": [listing["rent_nok_m2_year"], 2500.0]
    }


def test_conflict_message_does_not_overwrite(as_user, store):
    """A stale version names who changed the listing and when; nothing is overwritten."""
    listing = register.get_listing(store, "demo-001")
    register.update_listing(
        store,
        "demo-001",
        {"size_m2": 700},
        expected_version=listing["version"],
        user="ola",
    )
    with as_user():
        values = register_format.form_values(listing, "nb")
        out = register_editor.save(
            {**values, "size_m2": "999"},
            {"id": "demo-001", "version": listing["version"]},
            "nb",
        )
    assert out["message"].startswith("Lokalet ble endret av ola kl. ")
    assert "mens du redigerte — last inn på nytt" in out["message"]
    assert out["reload_hidden"] is False
    assert register.get_listing(store, "demo-001")["size_m2"] == 700


def test_reload_after_conflict_shows_current(as_user, store):
    """Reloading shows the stored values and version."""
    register.update_listing(
        store, "demo-001", {"size_m2": 700}, expected_version=1, user="ola"
    )
    with as_user():
        out = register_editor.load("demo-001", "nb")
    assert out["values"]["size_m2"] == "700"
    assert out["version"] == {"id": "demo-001", "version": 2}


# --- status and renewal -------------------------------------------------------


def test_only_allowed_status_buttons(as_user):
    """A listing that is 'ledig' offers reserve and withdraw, nothing else."""
    with as_user():
        out = register_editor.load("demo-001", "nb")
    shown = {s for s, hidden in out["to_hidden"].items() if not hidden}
    assert shown == set(register.TRANSITIONS["ledig"])
    assert out["status_disabled"] is True


def test_reader_sees_no_buttons(as_user):
    """Readers see the listing, its log, and no buttons."""
    with as_user(None):
        out = register_editor.load("demo-001", "nb")
        page = register_panel.layout({"id": "demo-001"}, "nb")
    assert all(out["to_hidden"].values()) and out["renew_hidden"]
    assert find(page, ids.REGISTER_SAVE).hidden
    assert find(page, ids.REGISTER_FIELDS["title"]).disabled
    assert "Logg inn" in text_of(find(page, ids.REGISTER_USER))


def test_status_change_and_renew(as_user, store):
    """Status changes and renewals are saved as new versions and logged."""
    with as_user():
        out = register_editor.change_status(
            "reservert", {"id": "demo-001", "version": 1}, "nb"
        )
        assert "Reservert" in out["message"]
        assert out["values"]["status"] == "reservert"
        assert out["to_hidden"]["utleid"] is False
        out = register_editor.renew(out["version"], "nb")
    listing = register.get_listing(store, "demo-001")
    assert listing["status"] == "reservert" and listing["version"] == 3
    assert listing["updated_at"][:10] == time.strftime("%Y-%m-%d", time.gmtime())
    actions = [h["action"] for h in register.history(store, "demo-001")]
    assert actions[:2] == ["renew", "status"]
    assert "bekreftet aktuelt" in text_of(out["history"])


def test_disallowed_transition_is_refused(as_user, store):
    """'ledig' cannot become 'utleid' directly, even by a forged click."""
    with as_user():
        out = register_editor.change_status(
            "utleid", {"id": "demo-001", "version": 1}, "nb"
        )
    assert "«Ledig» til «Utleid»" in out["errors"]["status"]
    assert register.get_listing(store, "demo-001")["status"] == "ledig"


# --- authorisation over HTTP ----------------------------------------------------


def editor_payload(client, trigger, values=None, version=None, listing=None):
    """The editor callback's request body, triggered by ``trigger`` ("id.prop")."""
    deps = client.get("/_dash-dependencies").get_json()
    vals = {f"{ids.REGISTER_FIELDS[f]}.value": v for f, v in (values or {}).items()}
    vals[f"{ids.REGISTER_VERSION}.data"] = version
    vals[f"{ids.REGISTER_LANG}.data"] = "nb"
    vals[f"{ids.REGISTER_LISTING}.value"] = listing
    vals[trigger] = 1
    return callback_payload(deps, f"{ids.REGISTER_VERSION}.data", vals, [trigger])


def test_reader_cannot_add_by_forged_callback(app, store):
    """A reader posting the save callback directly (valid CSRF) gets no write."""
    client = app.server.test_client()
    before = count(store)
    payload = editor_payload(client, f"{ids.REGISTER_SAVE}.n_clicks", GOOD)
    response = dash_post(client, payload)
    assert response.status_code == 200
    props = response_props(response)
    assert "Bare innloggede redaktører" in props[ids.REGISTER_MESSAGE]["children"]
    assert count(store) == before


def test_reader_cannot_change_status_by_forged_callback(app, store):
    """Neither status changes nor renewals pass for a reader."""
    client = app.server.test_client()
    version = {"id": "demo-001", "version": 1}
    for trigger in (ids.REGISTER_TO["reservert"], ids.REGISTER_RENEW):
        payload = editor_payload(client, f"{trigger}.n_clicks", version=version)
        assert dash_post(client, payload).status_code == 200
    assert register.get_listing(store, "demo-001")["version"] == 1


def test_reader_cannot_import_by_forged_callback(app, store, reg_store):
    """A forged confirm of an import writes nothing."""
    client = app.server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    deps = [  # the confirm callback (the progress poll has the same outputs)
        d for d in deps if any(i["id"] == ids.REGISTER_CONFIRM for i in d["inputs"])
    ]
    payload = callback_payload(
        deps,
        f"{ids.REGISTER_CONFIRM}.hidden@",
        {
            f"{ids.REGISTER_CONFIRM}.n_clicks": 1,
            f"{ids.REGISTER_IMPORT}.data": {"token": "0" * 32, "suffix": ".csv"},
            f"{ids.REGISTER_LANG}.data": "nb",
        },
        [f"{ids.REGISTER_CONFIRM}.n_clicks"],
    )
    props = response_props(dash_post(client, payload))
    assert "Bare innloggede" in json.dumps(props, ensure_ascii=False)
    assert ids.REGISTER_LISTING not in props


def test_editor_saves_over_http(app, store):
    """A logged-in editor's save callback writes the listing."""
    client = app.server.test_client()
    assert login(client, *EDITOR).status_code == 302
    before = count(store)
    payload = editor_payload(client, f"{ids.REGISTER_SAVE}.n_clicks", GOOD)
    props = response_props(dash_post(client, payload))
    assert "er lagt inn" in props[ids.REGISTER_MESSAGE]["children"]
    assert count(store) == before + 1


def test_expired_login_cannot_write(app, store):
    """After the idle timeout the save callback says so and writes nothing."""
    client = app.server.test_client()
    login(client, *EDITOR)
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 2 * 3600
    before = count(store)
    payload = editor_payload(client, f"{ids.REGISTER_SAVE}.n_clicks", GOOD)
    props = response_props(dash_post(client, payload))
    assert "Innloggingen er utløpt" in props[ids.REGISTER_MESSAGE]["children"]
    assert count(store) == before


def test_forged_version_is_handled(app):
    """A malformed version from the browser is a clean no-op, not a server error."""
    client = app.server.test_client()
    login(client, *EDITOR)
    payload = editor_payload(
        client,
        f"{ids.REGISTER_RENEW}.n_clicks",
        version={"id": "demo-001", "version": "x"},
    )
    assert dash_post(client, payload).status_code in (200, 204)


# --- text stays text ------------------------------------------------------------


def test_user_text_is_not_html(as_user, store):
    """Markup typed into a listing is stored verbatim and escaped in hover text."""
    evil = {**GOOD, "title": "<img src=x onerror=alert(1)>"}
    with as_user():
        out = register_editor.save(evil, None, "nb")
        rows = register_access.all_listings()
        fig = register_map.map_figure(rows, None, "nb")
    assert register.get_listing(store, out["listing"])["title"] == evil["title"]
    hover = " ".join(fig.data[0].hovertext)
    assert "&lt;img" in hover and "<img" not in hover
    label = next(o["label"] for o in out["options"] if o["value"] == out["listing"])
    assert label.startswith("<img")  # a plain string: Dash renders it as text


# --- page, finder link, address lookup --------------------------------------------


def test_page_from_finder_link(as_user):
    """?id= opens the listing in the form, with its history."""
    with as_user():
        page = register_panel.layout({"id": "demo-001"}, "nb")
    assert find(page, ids.REGISTER_FIELDS["title"]).value.startswith("Demo:")
    assert find(page, ids.REGISTER_LISTING).value == "demo-001"
    assert text_of(find(page, ids.REGISTER_HEADING)).startswith("Rediger lokale")
    assert "importert" in text_of(find(page, ids.REGISTER_HISTORY))
    assert find(page, ids.AUTH_LOGOUT) is not None


def test_page_with_unknown_id(as_user):
    """An unknown id says so and shows an empty form."""
    with as_user():
        page = register_panel.layout({"id": "nope"}, "nb")
    assert "Fant ikke lokalet med id nope" in text_of(find(page, ids.REGISTER_MESSAGE))


def test_locate_by_address_in_store(as_user, store):
    """An address already in the store places the point; an unknown one says so."""
    listing = register.get_listing(store, "demo-001")
    with as_user():
        lat, lon, message = register_editor.locate(listing["address"], "nb")
        assert float(lat.replace(",", ".")) == pytest.approx(listing["lat"])
        assert float(lon.replace(",", ".")) == pytest.approx(listing["lon"])
        assert "Plassert ved" in message
        lat, lon, message = register_editor.locate("Ukjentveien 999", "nb")
    assert lat is no_update and "har noe adresseregister" in message


# --- bulk import ------------------------------------------------------------------

HEADER = "id;tittel;adresse;lat;lon;type;areal_m2;leie_kr_m2_aar;ledig_fra;status\n"


def broker_csv(store):
    """One listing changed (demo-001's rent) and one new."""
    old = register.get_listing(store, "demo-001")
    changed = (
        f"demo-001;{old['title']};{old['address']};{old['lat']};{old['lon']};"
        f"{old['type']};{old['size_m2']:g};9999;{old['available_from']};"
        f"{old['status']}\n"
    )
    new = (
        "megler-1;Lager på Visperud;Visperudveien 5;59,9170;10,9850;lager;800;;;ledig\n"
    )
    return HEADER + changed + new


def test_preview_counts_and_writes_nothing(as_user, store):
    """The preview shows 1 added and 1 changed (with the field diff); nothing is written."""
    before = count(store), len(register.history(store, "demo-001"))
    with as_user():
        view, token, label, hidden = register_import_panel.preview_upload(
            upload("megler.csv", broker_csv(store)), "nb"
        )
    text = text_of(view)
    assert "Legges til 1" in text and "Endres 1" in text and "Avvist 0" in text
    assert "Leie (kr/m²/år)" in text and "9" in text
    assert hidden is False and "1 nye, 1 endrede" in label
    assert token["digest"]
    assert (count(store), len(register.history(store, "demo-001"))) == before
    assert register.get_listing(store, "megler-1") is None


def test_confirm_applies_the_preview(as_user, store):
    """Confirming imports what was previewed, in one step."""
    with as_user():
        _view, token, _label, _hidden = register_import_panel.preview_upload(
            upload("megler.csv", broker_csv(store)), "nb"
        )
        view, new_token, _l, hidden, options = register_import_panel.apply_upload(
            token, "nb"
        )
    assert "Importert: 1 nye og 1 endrede" in text_of(view)
    assert new_token is None and hidden is True
    assert register.get_listing(store, "demo-001")["rent_nok_m2_year"] == 9999
    assert register.get_listing(store, "megler-1")["created_by"] == "kari"
    assert "megler-1" in [o["value"] for o in options]


def test_preview_rejects_bad_rows(as_user, store):
    """Bad rows are listed with row, field and why; nothing can be imported."""
    text = (
        HEADER
        + "a;Godt lokale;Vei 1;59,93;10,95;kontor;100;;;ledig\n"
        + "b;Dårlig areal;Vei 2;59,93;10,95;kontor;-3;;;ledig\n"
        + "c;Ukjent type;Vei 3;59,93;10,95;romskip;100;;;ledig\n"
    )
    before = count(store)
    with as_user():
        view, token, _label, hidden = register_import_panel.preview_upload(
            upload("feil.csv", text), "nb"
        )
    rendered = text_of(view)
    assert "Avvist 2" in rendered
    assert "Må være større enn 0." in rendered and "Ukjent type" in rendered
    assert "areal_m2" in rendered and "type" in rendered
    assert token is None and hidden is True
    assert count(store) == before


def test_stale_preview_is_not_applied(as_user, store):
    """If the register changed after the preview, confirm shows the new preview."""
    with as_user():
        _v, token, _l, _h = register_import_panel.preview_upload(
            upload("megler.csv", broker_csv(store)), "nb"
        )
        register.update_listing(
            store, "demo-001", {"size_m2": 1}, expected_version=1, user="ola"
        )
        view, new_token, _label, hidden, _opts = register_import_panel.apply_upload(
            token, "nb"
        )
    assert "endret siden forhåndsvisningen" in text_of(view)
    assert new_token["digest"] != token["digest"] and hidden is False
    assert register.get_listing(store, "megler-1") is None


def test_upload_too_big(as_user):
    """Files over the limit are refused with the sizes named."""
    with as_user():
        view, *_ = register_import_panel.preview_upload(
            {"name": "stor.csv", "size": 12 * 1024 * 1024, "too_big": True}, "nb"
        )
        assert "grensen er 10 MB" in text_of(view)
        big = "x" * (register_views.MAX_UPLOAD_BYTES + 10)
        view, token, *_ = register_import_panel.preview_upload(
            upload("stor.csv", big), "nb"
        )
    assert "grensen er 10 MB" in text_of(view) and token is None


def test_upload_wrong_type(as_user):
    """Only CSV, XLSX and GeoJSON are read."""
    with as_user():
        view, token, *_ = register_import_panel.preview_upload(
            upload("liste.pdf", "x"), "nb"
        )
    assert "filtype som ikke støttes" in text_of(view) and token is None


def test_preview_of_geojson(as_user, store):
    """A GeoJSON list is previewed like a CSV."""
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [10.95, 59.93]},
        "properties": {
            "tittel": "Kontor i GeoJSON",
            "adresse": "Vei 9",
            "type": "kontor",
            "areal_m2": 120,
            "status": "ledig",
        },
    }
    text = json.dumps({"type": "FeatureCollection", "features": [feature]})
    with as_user():
        view, token, *_ = register_import_panel.preview_upload(
            upload("liste.geojson", text), "nb"
        )
    assert "Legges til 1" in text_of(view) and token


def test_reader_cannot_preview(as_user):
    """Previews are for editors only."""
    with as_user(None):
        view, token, *_ = register_import_panel.preview_upload(
            upload("megler.csv", HEADER), "nb"
        )
    assert "Bare innloggede redaktører" in text_of(view) and token is None


def test_expired_upload_token(as_user):
    """A confirm with an unknown or malformed token asks for a new upload."""
    with as_user():
        for token in ({"token": "../../etc/passwd", "suffix": ".csv"}, None):
            view, *_ = register_import_panel.apply_upload(token, "nb")
            assert "last opp filen på nytt" in text_of(view)


def test_cached_premises_layer_follows_register_writes(app, store):
    """The per-process premises layer (used by the finder and map) sees each write."""
    with app.server.test_request_context("/"):
        before = data.layer("premises")
        row = before[before["premises_id"] == "demo-001"].iloc[0]
        register.update_listing(
            store, "demo-001", {"size_m2": 4321}, expected_version=1, user="ola"
        )
        after = data.layer("premises")
    assert after is not before
    assert after[after["premises_id"] == "demo-001"]["size_m2"].iloc[0] == 4321
    assert row["size_m2"] != 4321
