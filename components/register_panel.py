"""The premises register: editors add, edit, re-status and renew listings, and import
broker lists; everyone else can read the listings and their change logs.

Every write goes through ``layers.register`` and is authorised on the server by
``auth.require_editor()`` in the callback itself, whatever the page showed. The
form carries the version of the listing it shows, so a stale edit gets a conflict
message instead of overwriting someone else's change. The register is read from
the store for each request (not from a per-process cache), so editors on other
workers see each change at once.
"""

from __future__ import annotations

import html as html_lib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
import shapely
from dash import (
    ClientsideFunction,
    Input,
    Output,
    Patch,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from components import auth, data, figures, ids
from components.i18n import STRINGS, fmt_m2, fmt_num, t
from components.i18n.errors import error_text
from components.i18n.map import premises_type_name
from components.urlstate import with_params
from layers import register
from layers.addresses import normalise_street, parse_address_line
from layers.errors import InputError, StoreError
from layers.register import staging
from layers.schemas import PREMISES_STATUSES, PREMISES_TYPES

PATH = "/lokaler/register"
NAV_KEY = "nav_register"
HIDDEN_IN_NAV = False

FIELDS = register.FORM_FIELDS
TEXT_FIELDS = ("title", "address", "contact", "url")
MAX_UPLOAD_MB = staging.MAX_MB
MAX_UPLOAD_BYTES = staging.MAX_BYTES
UPLOAD_SUFFIXES = staging.SUFFIXES
HISTORY_LIMIT = 50
MARKER_TRACE = 1  # index of the chosen-point trace in the register map
MAP_ZOOM = 10.5
TZ = ZoneInfo("Europe/Oslo")


# --------------------------------------------------------------------------
# Formatting (pure).
# --------------------------------------------------------------------------


def status_name(status, lang):
    """Display name of a listing status."""
    if status in PREMISES_STATUSES:
        return t(f"register_status_{status}", lang)
    return str(status or "")


def fmt_decimal(value, lang, decimals=6):
    """A number for an input field: no thousands separator, trailing zeros dropped."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = f"{float(value):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang != "en" else text


def fmt_date(iso, lang):
    """``2026-03-01`` -> ``01.03.2026`` (bokmål) or as is (English)."""
    if not iso:
        return ""
    if lang == "en":
        return str(iso)
    try:
        return datetime.strptime(str(iso), "%Y-%m-%d").strftime("%d.%m.%Y")
    except ValueError:
        return str(iso)


def _parse_stamp(stamp):
    try:
        return datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def fmt_time(stamp, lang):
    """``2026-11-29T18:05:00Z`` -> ``29.11.2026 19:05`` (Oslo time)."""
    when = _parse_stamp(stamp)
    if when is None:
        return str(stamp or "")
    local = when.astimezone(TZ)
    return local.strftime("%Y-%m-%d %H:%M" if lang == "en" else "%d.%m.%Y %H:%M")


def fmt_clock(stamp, lang, *, now=None):
    """The time of day of ``stamp`` in Oslo, with the date unless it is today."""
    when = _parse_stamp(stamp)
    if when is None:
        return str(stamp or "")
    local = when.astimezone(TZ)
    today = (now or datetime.now(UTC)).astimezone(TZ).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    return fmt_time(stamp, lang)


def form_values(listing, lang):
    """The form's field values (text) for a stored listing, or empty for a new one."""
    if listing is None:
        return {
            f: ("ledig" if f == "status" else None if f == "type" else "")
            for f in FIELDS
        }
    return {
        "title": listing["title"],
        "address": listing["address"],
        "type": listing["type"],
        "size_m2": fmt_decimal(listing["size_m2"], lang, 1),
        "rent_nok_m2_year": fmt_decimal(listing["rent_nok_m2_year"], lang, 0),
        "available_from": fmt_date(listing["available_from"], lang),
        "status": listing["status"],
        "contact": listing["contact"],
        "url": listing["url"],
        "lat": fmt_decimal(listing["lat"], lang),
        "lon": fmt_decimal(listing["lon"], lang),
    }


def _show_value(field, value, lang):
    if value is None or value == "":
        return t("register_empty_value", lang)
    if field == "status":
        return status_name(value, lang)
    if field == "type":
        return premises_type_name(value, lang)
    if field == "size_m2":
        return fmt_m2(value, lang, decimals=0 if float(value).is_integer() else 1)
    if field == "available_from":
        return fmt_date(value, lang)
    if field == "updated_at":
        return fmt_time(value, lang)
    if isinstance(value, float):
        return fmt_num(value, 0 if value.is_integer() else 6, lang)
    return str(value)


def user_message(error, lang):
    """An error of the layers in the UI language, looked up by its code.

    ``error`` is an InputError/StoreError (or a plain message, shown as it is).
    """
    return error_text(error, lang)


def _field_label(field, lang):
    key = f"register_field_{field}"
    return t(key, lang) if key in STRINGS else field


def history_view(entries, lang, *, limit=HISTORY_LIMIT):
    """The change log of a listing (newest first) as an ordered list."""
    if not entries:
        return html.P(t("register_history_empty", lang), className="muted")
    items = []
    for entry in entries[:limit]:
        action = entry["action"]
        key = f"register_action_{action}"
        changes = entry["changes"] or {}
        created = changes and all(old is None for old, _new in changes.values())
        details = []
        if action not in ("renew",) and not created:
            details = [
                html.Li(
                    [
                        html.Span(_field_label(f, lang), className="history-field"),
                        ": ",
                        html.Span(_show_value(f, old, lang), className="history-old"),
                        " → ",
                        html.Span(_show_value(f, new, lang), className="history-new"),
                    ]
                )
                for f, (old, new) in changes.items()
            ]
        items.append(
            html.Li(
                [
                    html.Div(
                        [
                            html.Time(
                                fmt_time(entry["at"], lang),
                                dateTime=entry["at"],
                                className="history-time",
                            ),
                            " ",
                            html.Span(
                                t(key, lang) if key in STRINGS else action,
                                className=f"history-action history-{action}",
                            ),
                            f" {t('register_by', lang)} ",
                            html.Span(entry["user"], className="history-user"),
                        ],
                        className="history-head",
                    ),
                    html.Ul(details, className="history-changes") if details else None,
                ],
                className="history-entry",
            )
        )
    if len(entries) > limit:
        items.append(
            html.Li(
                t("register_history_more", lang, n=len(entries) - limit),
                className="history-entry muted",
            )
        )
    return html.Ol(items, className="history-list")


def conflict_text(exc, lang):
    """The message shown when someone else saved the listing first."""
    return t(
        "register_conflict",
        lang,
        user=exc.updated_by,
        time=fmt_clock(exc.updated_at, lang),
    )


def meta_text(listing, lang):
    """One line: id, version, when and by whom the listing was last changed."""
    if listing is None:
        return ""
    return t(
        "register_meta",
        lang,
        id=listing["premises_id"],
        version=listing["version"],
        time=fmt_time(listing["updated_at"], lang),
        user=listing["updated_by"],
    )


def address_key(text):
    """Match key ``(street, number, letter)`` of an address line, or None."""
    street, number, letter = parse_address_line(text)
    if number is None or not street:
        return None
    return normalise_street(street), int(number), letter


def address_point(text, candidates):
    """Place an address by an identical address already in the store.

    Parameters
    ----------
    text : str
        Address as typed ("Skårersletta 12B, 1473 Lørenskog").
    candidates : iterable of (address, lon, lat, label)

    Returns
    -------
    tuple of (lon, lat, label) or None
    """
    key = address_key(text)
    if key is None:
        return None
    for address, lon, lat, label in candidates:
        if address and address_key(address) == key:
            return float(lon), float(lat), label
    return None


# --------------------------------------------------------------------------
# Reading the store (fresh per request: other workers write too).
# --------------------------------------------------------------------------


def _store():
    return data.store()


def _listings():
    """All listings as dicts, sorted by title."""
    store = _store()
    rows = register.all_listings(store)
    return sorted(rows, key=lambda r: (r["title"].casefold(), r["premises_id"]))


def listing_options(rows, lang):
    """Dropdown options: "title – address · status" (plain text, escaped by Dash)."""
    options = []
    for r in rows:
        label = r["title"]
        if r["address"]:
            label += f" – {r['address']}"
        label += f" · {status_name(r['status'], lang)}"
        options.append({"label": label, "value": r["premises_id"]})
    return options


def _boundary():
    try:
        return data.layer("boundary")
    except StoreError:
        return None


_GEOJSON: dict[tuple, tuple] = {}


def _context_geojson():
    """Boundary, areas and neighbours as GeoJSON, and the boundary's bbox centre."""
    store = _store()
    key = (str(store.path), store.version())
    hit = _GEOJSON.get(key)
    if hit is None:
        boundary = data.layer("boundary")
        try:
            neighbours = figures.geojson(
                data.layer("neighbours"), tolerance=0.0005, decimals=4
            )
        except StoreError:
            neighbours = {"type": "FeatureCollection", "features": []}
        minx, miny, maxx, maxy = boundary.total_bounds
        hit = (
            figures.geojson(boundary, tolerance=0.00005),
            figures.geojson(data.layer("areas"), id_column="area_id"),
            neighbours,
            (round((miny + maxy) / 2, 5), round((minx + maxx) / 2, 5)),
        )
        _GEOJSON.clear()
        _GEOJSON[key] = hit
    return hit


def _points_trace_data(rows, lang):
    return {
        "lat": [round(r["lat"], 6) for r in rows],
        "lon": [round(r["lon"], 6) for r in rows],
        "customdata": [r["premises_id"] for r in rows],
        "hovertext": [
            html_lib.escape(f"{r['title']} ({status_name(r['status'], lang)})")
            for r in rows
        ],
    }


def map_figure(rows, point, lang):
    """The register's map: boundary and areas drawn offline, the listings, the point.

    Parameters
    ----------
    rows : list of dict
        Listings (``layers.register`` columns).
    point : tuple of (lat, lon) or None
        The chosen point.
    lang : str

    Returns
    -------
    plotly.graph_objects.Figure
    """
    boundary_gj, areas_gj, neighbours_gj, centre = _context_geojson()
    pts = _points_trace_data(rows, lang)
    fig = go.Figure(
        [
            go.Scattermap(
                lat=pts["lat"],
                lon=pts["lon"],
                customdata=pts["customdata"],
                hovertext=pts["hovertext"],
                hoverinfo="text",
                mode="markers",
                marker={"size": 8, "color": "#52606d", "opacity": 0.7},
                name=t("register_map_listings", lang),
            ),
            go.Scattermap(
                lat=[point[0]] if point else [],
                lon=[point[1]] if point else [],
                mode="markers",
                marker={"size": 17, "color": "#b3261e"},
                hoverinfo="skip",
                name=t("register_map_point", lang),
            ),
        ]
    )
    lat, lon = point or centre
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        map={
            "style": "white-bg",
            "center": {"lat": lat, "lon": lon},
            "zoom": MAP_ZOOM if point is None else MAP_ZOOM + 2,
            "layers": [
                {
                    "sourcetype": "geojson",
                    "source": neighbours_gj,
                    "type": "fill",
                    "color": "#dde2e8",
                    "opacity": 0.9,
                    "below": "traces",
                },
                {
                    "sourcetype": "geojson",
                    "source": neighbours_gj,
                    "type": "line",
                    "color": "#9aa5b1",
                    "line": {"width": 1},
                    "below": "traces",
                },
                {
                    "sourcetype": "geojson",
                    "source": boundary_gj,
                    "type": "fill",
                    "color": "#fbfaf5",
                    "below": "traces",
                },
                {
                    "sourcetype": "geojson",
                    "source": areas_gj,
                    "type": "fill",
                    "color": "#2f6fba",
                    "opacity": 0.14,
                    "below": "traces",
                },
                {
                    "sourcetype": "geojson",
                    "source": areas_gj,
                    "type": "line",
                    "color": "#1d4f91",
                    "line": {"width": 1.5},
                    "below": "traces",
                },
                {
                    "sourcetype": "geojson",
                    "source": boundary_gj,
                    "type": "line",
                    "color": "#323f4b",
                    "line": {"width": 2.5},
                    "below": "traces",
                },
            ],
            "uirevision": "register",
        },
        uirevision="register",
        clickmode="event",
        dragmode="pan",
        hoverlabel={"align": "left"},
    )
    return fig


# --------------------------------------------------------------------------
# Layout.
# --------------------------------------------------------------------------


def _can_edit():
    user = auth.current_user()
    return user is not None and user["role"] in auth.EDIT_ROLES


def _user_bar(lang):
    user = auth.current_user()
    login_href = "/login" + with_params(
        "",
        next=PATH + with_params("", lang=None if lang == "nb" else lang),
        lang=None if lang == "nb" else lang,
    )
    if user is None:
        return html.Div(
            [
                html.Span(t("auth_reader", lang)),
                " ",
                html.A(t("auth_login_link", lang), href=login_href, className="btn"),
            ],
            id=ids.REGISTER_USER,
            className="register-user",
        )
    role_key = f"auth_role_{user['role']}"
    role = t(role_key, lang) if role_key in STRINGS else user["role"]
    next_path = PATH + with_params("", lang=None if lang == "nb" else lang)
    return html.Div(
        [
            html.Span(t("auth_logged_in", lang, user=user["username"], role=role)),
            html.Form(
                [
                    dcc.Input(
                        type="hidden", name=auth.CSRF_FIELD, value=auth.csrf_token()
                    ),
                    dcc.Input(type="hidden", name="next", value=next_path),
                    html.Button(t("auth_logout", lang), type="submit", className="btn"),
                ],
                id=ids.AUTH_LOGOUT,
                method="post",
                action="/logout" + with_params("", lang=None if lang == "nb" else lang),
                className="logout-form",
            ),
        ],
        id=ids.REGISTER_USER,
        className="register-user",
    )


def _field(field, control, lang, hint=None, wide=False):
    label_id = ids.REGISTER_FIELDS[field]
    return html.Div(
        [
            html.Label(_field_label(field, lang), htmlFor=label_id),
            control,
            html.Small(hint, className="field-hint") if hint else None,
            html.Div(
                id=ids.REGISTER_ERRORS[field],
                className="field-error",
                role="alert",
            ),
        ],
        className="register-field" + (" wide" if wide else ""),
    )


def _text_input(field, value, disabled, **kw):
    return dcc.Input(
        id=ids.REGISTER_FIELDS[field],
        type="text",
        value=value,
        disabled=disabled,
        debounce=False,
        className="register-input",
        **kw,
    )


def _form(values, lang, *, editable, existing):
    type_options = [
        {"label": premises_type_name(k, lang), "value": k} for k in PREMISES_TYPES
    ]
    status_options = [
        {"label": status_name(s, lang), "value": s} for s in PREMISES_STATUSES
    ]
    ro = not editable
    return html.Div(
        [
            _field(
                "title",
                _text_input("title", values["title"], ro, maxLength=200),
                lang,
                wide=True,
            ),
            _field(
                "address",
                _text_input(
                    "address",
                    values["address"],
                    ro,
                    maxLength=200,
                    autoComplete="off",
                ),
                lang,
                wide=True,
            ),
            _field(
                "type",
                dcc.Dropdown(
                    id=ids.REGISTER_FIELDS["type"],
                    options=type_options,
                    value=values["type"],
                    clearable=False,
                    searchable=False,
                    disabled=ro,
                    placeholder=t("register_placeholder_type", lang),
                    className="dropdown",
                ),
                lang,
            ),
            _field(
                "status",
                dcc.Dropdown(
                    id=ids.REGISTER_FIELDS["status"],
                    options=status_options,
                    value=values["status"],
                    clearable=False,
                    searchable=False,
                    disabled=ro or existing,
                    className="dropdown",
                ),
                lang,
            ),
            _field(
                "size_m2",
                _text_input("size_m2", values["size_m2"], ro, inputMode="decimal"),
                lang,
            ),
            _field(
                "rent_nok_m2_year",
                _text_input(
                    "rent_nok_m2_year",
                    values["rent_nok_m2_year"],
                    ro,
                    inputMode="decimal",
                ),
                lang,
                hint=t("register_hint_rent", lang),
            ),
            _field(
                "available_from",
                _text_input("available_from", values["available_from"], ro),
                lang,
                hint=t("register_hint_available_from", lang),
            ),
            _field(
                "contact",
                _text_input("contact", values["contact"], ro, maxLength=200),
                lang,
            ),
            _field(
                "url",
                _text_input("url", values["url"], ro, maxLength=2000, inputMode="url"),
                lang,
                wide=True,
            ),
            html.Fieldset(
                [
                    html.Legend(t("register_place_legend", lang)),
                    html.P(t("register_place_hint", lang), className="field-hint"),
                    html.Div(
                        [
                            _field(
                                "lat",
                                _text_input(
                                    "lat", values["lat"], ro, inputMode="decimal"
                                ),
                                lang,
                            ),
                            _field(
                                "lon",
                                _text_input(
                                    "lon", values["lon"], ro, inputMode="decimal"
                                ),
                                lang,
                            ),
                            html.Button(
                                t("register_locate", lang),
                                id=ids.REGISTER_LOCATE,
                                type="button",
                                className="btn",
                                hidden=ro,
                            ),
                        ],
                        className="register-place-row",
                    ),
                ],
                className="register-place wide",
            ),
        ],
        className="register-form",
    )


def _actions(listing, lang, *, editable):
    allowed = register.TRANSITIONS.get(listing["status"], ()) if listing else ()
    return html.Div(
        [
            html.Button(
                t("register_save", lang),
                id=ids.REGISTER_SAVE,
                type="button",
                className="btn btn-primary",
                hidden=not editable,
            ),
            html.Div(
                [
                    html.Button(
                        t(f"register_to_{s}", lang),
                        id=ids.REGISTER_TO[s],
                        type="button",
                        className="btn",
                        hidden=not (editable and s in allowed),
                    )
                    for s in PREMISES_STATUSES
                ]
                + [
                    html.Button(
                        t("register_renew", lang),
                        id=ids.REGISTER_RENEW,
                        type="button",
                        className="btn",
                        hidden=not (editable and listing is not None),
                    )
                ],
                className="register-transitions",
                role="group",
                **{"aria-label": t("register_actions", lang)},
            ),
        ],
        className="register-actions",
    )


def _import_section(lang, *, editable):
    return html.Section(
        [
            html.H3(t("register_import_heading", lang)),
            html.P(
                t("register_import_intro", lang, limit=MAX_UPLOAD_MB),
                className="muted",
            ),
            dcc.Upload(
                html.Div(t("register_upload", lang)),
                id=ids.REGISTER_UPLOAD,
                accept=",".join(UPLOAD_SUFFIXES),
                multiple=False,
                className="register-upload",
                className_active="register-upload active",
            ),
            html.Div(id=ids.REGISTER_PREVIEW, **{"aria-live": "polite"}),
            html.Button(
                "",
                id=ids.REGISTER_CONFIRM,
                type="button",
                className="btn btn-primary",
                hidden=True,
            ),
        ],
        className="register-import",
        hidden=not editable,
    )


def layout(state, lang):
    """The register page; ``state["id"]`` preselects a listing (from the finder)."""
    editable = _can_edit()
    rows = _listings()
    pid = state.get("id")
    listing = None
    message = ""
    if pid:
        listing = register.get_listing(_store(), pid)
        if listing is None:
            message = t("register_not_found", lang, id=pid)
    values = form_values(listing, lang)
    point = (listing["lat"], listing["lon"]) if listing else None
    version = (
        {"id": listing["premises_id"], "version": listing["version"]}
        if listing
        else None
    )
    heading = _heading(listing, lang, editable)
    return html.Div(
        [
            dcc.Store(id=ids.REGISTER_LANG, data=lang),
            dcc.Store(id=ids.REGISTER_VERSION, data=version),
            dcc.Store(id=ids.REGISTER_ARIA),
            dcc.Store(id=ids.REGISTER_MAP_READY),
            dcc.Store(id=ids.REGISTER_UPLOAD_DATA),
            dcc.Store(id=ids.REGISTER_IMPORT),
            html.Div(
                [
                    html.Div(
                        [
                            html.H2(t("register_heading", lang)),
                            html.P(t("register_intro", lang), className="muted"),
                        ]
                    ),
                    _user_bar(lang),
                ],
                className="register-top",
            ),
            html.Div(
                [
                    html.Section(
                        [
                            html.Div(
                                dcc.Graph(
                                    id=ids.REGISTER_MAP,
                                    figure=map_figure(rows, point, lang),
                                    config=figures.MAP_GRAPH_CONFIG,
                                    className="register-graph",
                                ),
                                className="register-map-frame",
                                role="region",
                                **{"aria-label": t("register_map_aria", lang)},
                            ),
                            html.P(
                                t("register_place_hint", lang),
                                className="map-status muted",
                            ),
                        ],
                        className="register-map-column",
                    ),
                    html.Section(
                        [
                            html.Div(
                                [
                                    html.Label(
                                        t("register_choose", lang),
                                        htmlFor=ids.REGISTER_LISTING,
                                    ),
                                    html.Div(
                                        [
                                            dcc.Dropdown(
                                                id=ids.REGISTER_LISTING,
                                                options=listing_options(rows, lang),
                                                value=listing["premises_id"]
                                                if listing
                                                else None,
                                                placeholder=t(
                                                    "register_choose_placeholder",
                                                    lang,
                                                ),
                                                clearable=True,
                                                searchable=True,
                                                className="dropdown",
                                            ),
                                            html.Button(
                                                t("register_new", lang),
                                                id=ids.REGISTER_NEW,
                                                type="button",
                                                className="btn",
                                                hidden=not editable,
                                            ),
                                        ],
                                        className="register-choose-row",
                                    ),
                                ],
                                className="register-choose",
                            ),
                            html.H3(heading, id=ids.REGISTER_HEADING),
                            html.P(
                                meta_text(listing, lang),
                                id=ids.REGISTER_META,
                                className="register-meta muted",
                            ),
                            _form(
                                values,
                                lang,
                                editable=editable,
                                existing=listing is not None,
                            ),
                            _actions(listing, lang, editable=editable),
                            html.Div(
                                [
                                    html.Div(
                                        message,
                                        id=ids.REGISTER_MESSAGE,
                                        className="register-message"
                                        + (" error" if message else ""),
                                        role="status",
                                        **{"aria-live": "polite"},
                                    ),
                                    html.Button(
                                        t("register_reload", lang),
                                        id=ids.REGISTER_RELOAD,
                                        type="button",
                                        className="btn",
                                        hidden=True,
                                    ),
                                ],
                                className="register-message-row",
                            ),
                            html.Section(
                                [
                                    html.H3(t("register_history", lang)),
                                    html.Div(
                                        history_view(
                                            register.history(
                                                _store(), listing["premises_id"]
                                            )
                                            if listing
                                            else [],
                                            lang,
                                        ),
                                        id=ids.REGISTER_HISTORY,
                                    ),
                                ],
                                className="register-history",
                            ),
                        ],
                        className="register-form-column",
                    ),
                ],
                className="register-layout",
            ),
            _import_section(lang, editable=editable),
        ],
        className="register-page",
    )


def _heading(listing, lang, editable):
    if listing is None:
        return t("register_heading_new", lang) if editable else ""
    key = "register_heading_edit" if editable else "register_heading_view"
    return f"{t(key, lang)}: {listing['title']}"


def validation_components():
    """Every component a callback of this panel names, for the validation layout."""
    fields = [dcc.Input(id=i) for f, i in ids.REGISTER_FIELDS.items()]
    fields[FIELDS.index("type")] = dcc.Dropdown(id=ids.REGISTER_FIELDS["type"])
    fields[FIELDS.index("status")] = dcc.Dropdown(id=ids.REGISTER_FIELDS["status"])
    return [
        dcc.Store(id=ids.REGISTER_LANG),
        dcc.Store(id=ids.REGISTER_VERSION),
        dcc.Store(id=ids.REGISTER_ARIA),
        dcc.Store(id=ids.REGISTER_MAP_READY),
        dcc.Store(id=ids.REGISTER_UPLOAD_DATA),
        dcc.Store(id=ids.REGISTER_IMPORT),
        dcc.Graph(id=ids.REGISTER_MAP),
        dcc.Dropdown(id=ids.REGISTER_LISTING),
        html.Button(id=ids.REGISTER_NEW),
        html.H3(id=ids.REGISTER_HEADING),
        html.P(id=ids.REGISTER_META),
        html.Div(id=ids.REGISTER_MESSAGE),
        html.Button(id=ids.REGISTER_RELOAD),
        *fields,
        *[html.Div(id=i) for i in ids.REGISTER_ERRORS.values()],
        html.Button(id=ids.REGISTER_LOCATE),
        html.Button(id=ids.REGISTER_SAVE),
        *[html.Button(id=i) for i in ids.REGISTER_TO.values()],
        html.Button(id=ids.REGISTER_RENEW),
        html.Div(id=ids.REGISTER_HISTORY),
        dcc.Upload(id=ids.REGISTER_UPLOAD),
        html.Div(id=ids.REGISTER_PREVIEW),
        html.Button(id=ids.REGISTER_CONFIRM),
        html.Div(id=ids.REGISTER_USER),
    ]


# --------------------------------------------------------------------------
# The editor: load, save, change status, renew.
# --------------------------------------------------------------------------

# Output groups of update_editor; every key not returned stays as it is.
_KEYS = (
    "values",
    "errors",
    "status_disabled",
    "version",
    "heading",
    "meta",
    "message",
    "message_class",
    "reload_hidden",
    "to_hidden",
    "renew_hidden",
    "history",
    "options",
    "listing",
    "figure",
)


def _clean_values(values):
    """Form values as sent by the browser; anything but text or a number is empty."""
    values = values if isinstance(values, dict) else {}
    out = {}
    for f in FIELDS:
        v = values.get(f)
        ok = (
            v is None
            or isinstance(v, str)
            or (isinstance(v, int | float) and not isinstance(v, bool))
        )
        out[f] = v if ok else None
    return out


def _clean_version(version):
    """``{"id", "version"}`` as sent by the browser, or None when malformed."""
    if not isinstance(version, dict):
        return None
    pid, number = version.get("id"), version.get("version")
    if not isinstance(pid, str) or not pid or isinstance(number, bool):
        return None
    if not isinstance(number, int):
        return None
    return {"id": pid, "version": number}


def _result(**parts):
    out = {k: no_update for k in _KEYS}
    for key in ("values", "errors"):
        out[key] = {f: no_update for f in FIELDS}
    out["to_hidden"] = {s: no_update for s in PREMISES_STATUSES}
    for key, value in parts.items():
        if key in ("values", "errors", "to_hidden"):
            out[key].update(value)
        else:
            out[key] = value
    return out


def _no_errors():
    return {f: "" for f in FIELDS}


def _message(text, kind):
    return {"message": text, "message_class": f"register-message {kind}"}


def _figure_patch(rows, point, lang):
    patch = Patch()
    pts = _points_trace_data(rows, lang)
    for key, value in pts.items():
        patch["data"][0][key] = value
    if point is not None:
        patch["data"][MARKER_TRACE]["lat"] = [point[0]]
        patch["data"][MARKER_TRACE]["lon"] = [point[1]]
    return patch


def _show_listing(listing, lang, *, values=True, editable=True):
    """Outputs that show a stored listing (after a load or a write)."""
    rows = _listings()
    allowed = register.TRANSITIONS.get(listing["status"], ())
    parts = {
        "version": {"id": listing["premises_id"], "version": listing["version"]},
        "heading": _heading(listing, lang, editable),
        "meta": meta_text(listing, lang),
        "status_disabled": True,
        "reload_hidden": True,
        "to_hidden": {s: not (editable and s in allowed) for s in PREMISES_STATUSES},
        "renew_hidden": not editable,
        "history": history_view(
            register.history(_store(), listing["premises_id"]), lang
        ),
        "options": listing_options(rows, lang),
        "listing": listing["premises_id"],
        "figure": _figure_patch(rows, (listing["lat"], listing["lon"]), lang),
    }
    if values:
        parts["values"] = form_values(listing, lang)
        parts["errors"] = _no_errors()
    else:
        parts["values"] = {"status": listing["status"]}
    return parts


def load(pid, lang):
    """Show listing ``pid`` in the form (or an empty form for a new listing)."""
    editable = _can_edit()
    listing = register.get_listing(_store(), pid) if pid else None
    if listing is None:
        parts = {
            "values": form_values(None, lang),
            "errors": _no_errors(),
            "version": None,
            "heading": _heading(None, lang, editable),
            "meta": "",
            "status_disabled": not editable,
            "reload_hidden": True,
            "to_hidden": dict.fromkeys(PREMISES_STATUSES, True),
            "renew_hidden": True,
            "history": history_view([], lang),
            "listing": None,
            **_message(t("register_not_found", lang, id=pid) if pid else "", "info"),
        }
        return _result(**parts)
    return _result(
        **_show_listing(listing, lang, editable=editable), **_message("", "info")
    )


def _denied(lang):
    key = "auth_expired" if auth.session_expired() else "auth_denied"
    return _result(**_message(t(key, lang), "error"))


def _conflict(exc, lang):
    return _result(**_message(conflict_text(exc, lang), "error"), reload_hidden=False)


def _form_errors(exc, lang):
    errors = _no_errors()
    errors.update(
        {f: user_message(e, lang) for f, e in exc.causes.items() if f in errors}
    )
    other = [user_message(e, lang) for f, e in exc.causes.items() if f not in errors]
    text = t("register_form_errors", lang, n=len(exc.errors))
    if other:
        text += " " + " ".join(other)
    return _result(errors=errors, **_message(text, "error"))


def _edit(lang, write):
    """Run one register write as the logged-in editor and turn its outcome into outputs.

    ``write(username)`` does the write and returns ``(listing, message, values)``:
    the saved listing, the success message, and whether the form's values are
    refreshed. Errors become messages at the fields or above the form.
    """
    try:
        user = auth.require_editor()
    except auth.NotEditor:
        return _denied(lang)
    except StoreError as exc:
        text = t("register_error", lang, message=user_message(exc, lang))
        return _result(**_message(text, "error"))
    try:
        listing, text, values = write(user["username"])
    except register.FormErrors as exc:
        return _form_errors(exc, lang)
    except register.ConflictError as exc:
        return _conflict(exc, lang)
    except (InputError, StoreError) as exc:
        text = t("register_error", lang, message=user_message(exc, lang))
        return _result(**_message(text, "error"))
    return _result(
        **_show_listing(listing, lang, values=values), **_message(text, "success")
    )


def _shown(version):
    """The ``{"id", "version"}`` of the shown listing; nothing to do without one."""
    version = _clean_version(version)
    if not version:
        raise PreventUpdate
    return version


def save(values, version, lang):
    """Add a new listing, or save the edited one against its version.

    Parameters
    ----------
    values : dict
        Field -> value as typed.
    version : dict or None
        ``{"id", "version"}`` of the listing the form shows; None for a new one.
    lang : str

    Returns
    -------
    dict
        The outputs of ``update_editor`` (``no_update`` where nothing changes).
    """

    def write(user):
        clean = _clean_values(values)
        shown = _clean_version(version)
        if not shown:
            listing = register.add_listing(
                _store(), clean, user=user, boundary=_boundary()
            )
            return listing, t("register_saved_new", lang, title=listing["title"]), True
        before = shown["version"]
        edited = {f: v for f, v in clean.items() if f != "status"}
        listing = register.update_listing(
            _store(),
            shown["id"],
            edited,
            expected_version=int(before),
            user=user,
            boundary=_boundary(),
        )
        text = (
            t("register_unchanged", lang)
            if listing["version"] == before
            else t("register_saved", lang, version=listing["version"])
        )
        return listing, text, True

    return _edit(lang, write)


def change_status(status, version, lang):
    """Change the shown listing's status along ``register.TRANSITIONS``."""

    def write(user):
        shown = _shown(version)
        listing = register.set_status(
            _store(),
            shown["id"],
            status,
            expected_version=int(shown["version"]),
            user=user,
        )
        text = t("register_status_changed", lang, status=status_name(status, lang))
        return listing, text, False

    return _edit(lang, write)


def renew(version, lang):
    """Confirm the shown listing is still current (its updated date becomes now)."""

    def write(user):
        shown = _shown(version)
        listing = register.renew_listing(
            _store(),
            shown["id"],
            expected_version=int(shown["version"]),
            user=user,
        )
        text = t("register_renewed", lang, time=fmt_time(listing["updated_at"], lang))
        return listing, text, False

    return _edit(lang, write)


_BUTTONS = {ids.REGISTER_SAVE, ids.REGISTER_RENEW, *ids.REGISTER_TO.values()}
_TO_STATUS = {i: s for s, i in ids.REGISTER_TO.items()}


@callback(
    output={
        "values": {
            f: Output(ids.REGISTER_FIELDS[f], "value", allow_duplicate=True)
            for f in FIELDS
        },
        "errors": {f: Output(ids.REGISTER_ERRORS[f], "children") for f in FIELDS},
        "status_disabled": Output(ids.REGISTER_FIELDS["status"], "disabled"),
        "version": Output(ids.REGISTER_VERSION, "data"),
        "heading": Output(ids.REGISTER_HEADING, "children"),
        "meta": Output(ids.REGISTER_META, "children"),
        "message": Output(ids.REGISTER_MESSAGE, "children"),
        "message_class": Output(ids.REGISTER_MESSAGE, "className"),
        "reload_hidden": Output(ids.REGISTER_RELOAD, "hidden"),
        "to_hidden": {
            s: Output(ids.REGISTER_TO[s], "hidden") for s in PREMISES_STATUSES
        },
        "renew_hidden": Output(ids.REGISTER_RENEW, "hidden"),
        "history": Output(ids.REGISTER_HISTORY, "children"),
        "options": Output(ids.REGISTER_LISTING, "options", allow_duplicate=True),
        "listing": Output(ids.REGISTER_LISTING, "value"),
        "figure": Output(ids.REGISTER_MAP, "figure", allow_duplicate=True),
    },
    inputs={
        "listing": Input(ids.REGISTER_LISTING, "value"),
        "new": Input(ids.REGISTER_NEW, "n_clicks"),
        "reload": Input(ids.REGISTER_RELOAD, "n_clicks"),
        "save_clicks": Input(ids.REGISTER_SAVE, "n_clicks"),
        "renew_clicks": Input(ids.REGISTER_RENEW, "n_clicks"),
        "to_clicks": {
            s: Input(ids.REGISTER_TO[s], "n_clicks") for s in PREMISES_STATUSES
        },
    },
    state={
        "values": {f: State(ids.REGISTER_FIELDS[f], "value") for f in FIELDS},
        "version": State(ids.REGISTER_VERSION, "data"),
        "lang": State(ids.REGISTER_LANG, "data"),
    },
    prevent_initial_call=True,
)
def update_editor(
    listing, new, reload, save_clicks, renew_clicks, to_clicks, values, version, lang
):
    """Load, save, re-status or renew the listing shown in the form."""
    trigger = ctx.triggered_id
    if trigger in _BUTTONS:
        # A button that was just (re)inserted reports no click.
        clicks = {ids.REGISTER_SAVE: save_clicks, ids.REGISTER_RENEW: renew_clicks}
        clicks.update({ids.REGISTER_TO[s]: c for s, c in to_clicks.items()})
        if not clicks.get(trigger):
            raise PreventUpdate
    if trigger == ids.REGISTER_SAVE:
        return save(values, version, lang)
    if trigger == ids.REGISTER_RENEW:
        return renew(version, lang)
    if trigger in _TO_STATUS:
        return change_status(_TO_STATUS[trigger], version, lang)
    if trigger == ids.REGISTER_NEW:
        return load(None, lang)
    if trigger == ids.REGISTER_RELOAD:
        return load((version or {}).get("id") or listing, lang)
    if trigger == ids.REGISTER_LISTING:
        if version and listing == version.get("id"):
            raise PreventUpdate
        return load(listing, lang)
    raise PreventUpdate


# --------------------------------------------------------------------------
# Placing by address.
# --------------------------------------------------------------------------


def _address_candidates():
    for r in _listings():
        yield r["address"], r["lon"], r["lat"], r["title"]
    try:
        est = data.layer("establishments")
    except StoreError:
        return
    placed = est[est["placed"] & est.geometry.notna()]
    xs = shapely.get_x(placed.geometry.values)
    ys = shapely.get_y(placed.geometry.values)
    yield from zip(placed["address"], xs, ys, placed["name"], strict=True)


def locate(address, lang):
    """Return ``(lat, lon, message)`` for an address found in the store."""
    if address_key(address or "") is None:
        return no_update, no_update, t("register_locate_empty", lang)
    found = address_point(address, _address_candidates())
    if found is None:
        return no_update, no_update, t("register_locate_none", lang, address=address)
    lon, lat, label = found
    return (
        fmt_decimal(lat, lang),
        fmt_decimal(lon, lang),
        t("register_locate_found", lang, what=label),
    )


@callback(
    Output(ids.REGISTER_FIELDS["lat"], "value", allow_duplicate=True),
    Output(ids.REGISTER_FIELDS["lon"], "value", allow_duplicate=True),
    Output(ids.REGISTER_ERRORS["address"], "children", allow_duplicate=True),
    Input(ids.REGISTER_LOCATE, "n_clicks"),
    State(ids.REGISTER_FIELDS["address"], "value"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)
def update_locate(n_clicks, address, lang):
    """Place the listing at an identical address already in the store."""
    if not n_clicks:
        raise PreventUpdate
    return locate(address, lang)


# --------------------------------------------------------------------------
# Bulk import: upload -> preview (nothing written) -> confirm.
# --------------------------------------------------------------------------


def _problems(exc):
    return list(getattr(exc, "problems", None) or [exc])


def _count_card(label, n, kind):
    return html.Div(
        [html.P(label, className="card-title"), html.P(str(n), className="card-value")],
        className=f"card preview-{kind}",
    )


def preview_view(name, lang, *, report=None, problems=None):
    """The preview: counts, the field changes, and the rejected rows and why."""
    heading = html.H4(t("register_preview_heading", lang, name=name))
    if problems:
        rows = {p.row for p in problems if p.row is not None}
        table = html.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th(t("register_col_row", lang)),
                            html.Th(t("register_col_field", lang)),
                            html.Th(t("register_col_problem", lang)),
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td("" if p.row is None else str(p.row)),
                                html.Td(p.field or ""),
                                html.Td(user_message(p, lang)),
                            ]
                        )
                        for p in problems
                    ]
                ),
            ],
            className="data-table preview-problems",
        )
        return html.Div(
            [
                heading,
                html.Div(
                    [
                        _count_card(t("register_preview_added", lang), 0, "added"),
                        _count_card(t("register_preview_changed", lang), 0, "changed"),
                        _count_card(
                            t("register_preview_rejected", lang),
                            len(rows) or len(problems),
                            "rejected",
                        ),
                    ],
                    className="cards preview-counts",
                ),
                html.P(
                    t("register_preview_blocked", lang),
                    className="register-message error",
                ),
                html.Div(table, className="table-scroll"),
            ],
            className="register-preview",
        )
    added, changed = report["added"], report["changed"]
    parts = [
        heading,
        html.Div(
            [
                _count_card(t("register_preview_added", lang), len(added), "added"),
                _count_card(
                    t("register_preview_changed", lang), len(changed), "changed"
                ),
                _count_card(
                    t("register_preview_unchanged", lang),
                    len(report["unchanged"]),
                    "unchanged",
                ),
                _count_card(t("register_preview_rejected", lang), 0, "rejected"),
            ],
            className="cards preview-counts",
        ),
    ]
    if added or changed:
        body = [
            html.Tr(
                [
                    html.Td(t("register_preview_added", lang)),
                    html.Td(e["title"]),
                    html.Td(""),
                ],
                className="preview-added",
            )
            for e in added
        ] + [
            html.Tr(
                [
                    html.Td(t("register_preview_changed", lang)),
                    html.Td(e["title"]),
                    html.Td(
                        html.Ul(
                            [
                                html.Li(
                                    f"{_field_label(f, lang)}: "
                                    f"{_show_value(f, old, lang)} → "
                                    f"{_show_value(f, new, lang)}"
                                )
                                for f, (old, new) in e["changes"].items()
                            ],
                            className="history-changes",
                        )
                    ),
                ],
                className="preview-changed",
            )
            for e in changed
        ]
        parts.append(
            html.Div(
                html.Table(
                    [
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th(""),
                                    html.Th(t("register_col_listing", lang)),
                                    html.Th(t("register_col_changes", lang)),
                                ]
                            )
                        ),
                        html.Tbody(body),
                    ],
                    className="data-table preview-table",
                ),
                className="table-scroll",
            )
        )
        parts.append(html.P(t("register_preview_ready", lang), className="muted"))
    else:
        parts.append(html.P(t("register_preview_nothing", lang), className="muted"))
    return html.Div(parts, className="register-preview")


def _confirm_outputs(report, lang):
    n_added, n_changed = len(report["added"]), len(report["changed"])
    label = t("register_confirm", lang, added=n_added, changed=n_changed)
    return label, not (n_added or n_changed)


def preview_upload(upload, lang):
    """Check an uploaded broker list and show what an import would do.

    Parameters
    ----------
    upload : dict
        ``{"name", "contents"}`` (a data URL) or ``{"name", "size", "too_big"}``.
    lang : str

    Returns
    -------
    tuple
        (preview children, import data for the confirm button or None,
        confirm label, confirm hidden).
    """
    try:
        auth.require_editor()
    except auth.NotEditor:
        key = "auth_expired" if auth.session_expired() else "auth_denied"
        return html.P(t(key, lang), className="register-message error"), None, "", True

    def fail(text):
        return html.P(text, className="register-message error"), None, "", True

    name, raw = staging.decode(upload)
    if isinstance(raw, staging.Refused):
        if raw.reason == "too_big":
            size = f"{raw.size / 1024 / 1024:.1f}".replace(
                ".", "," if lang != "en" else "."
            )
            return fail(
                t("register_too_big", lang, name=name, size=size, limit=MAX_UPLOAD_MB)
            )
        if raw.reason == "file_type":
            return fail(t("register_bad_type", lang, name=name))
        return fail(t("register_bad_upload", lang))
    try:
        staged = staging.stage(_store(), name, raw, boundary=_boundary())
    except InputError as exc:
        return preview_view(name, lang, problems=_problems(exc)), None, "", True
    view = preview_view(name, lang, report=staged.report)
    if staged.ticket is None:
        return view, None, "", True
    label, _hidden = _confirm_outputs(staged.report, lang)
    return view, staged.ticket, label, False


def apply_upload(token_data, lang):
    """Import the previewed list, if the register has not changed since the preview.

    Returns
    -------
    tuple
        (preview children, import data, confirm label, confirm hidden, listing
        options or ``no_update``).
    """
    try:
        user = auth.require_editor()
    except auth.NotEditor:
        key = "auth_expired" if auth.session_expired() else "auth_denied"
        msg = html.P(t(key, lang), className="register-message error")
        return msg, no_update, no_update, no_update, no_update
    try:
        outcome = staging.confirm(
            _store(), token_data, user=user["username"], boundary=_boundary()
        )
    except InputError as exc:
        name = str((token_data or {}).get("name") or "")[: staging.MAX_NAME]
        view = preview_view(name, lang, problems=_problems(exc))
        return view, None, "", True, no_update
    except StoreError as exc:
        msg = html.P(
            t("register_error", lang, message=user_message(exc, lang)),
            className="register-message error",
        )
        return msg, no_update, no_update, no_update, no_update
    if outcome.state == "expired":
        msg = html.P(
            t("register_preview_expired", lang), className="register-message error"
        )
        return msg, None, "", True, no_update
    if outcome.state == "stale":
        label, hidden = _confirm_outputs(outcome.report, lang)
        view = html.Div(
            [
                html.P(
                    t("register_preview_stale", lang),
                    className="register-message warning",
                ),
                preview_view(outcome.name, lang, report=outcome.report),
            ]
        )
        return view, outcome.ticket, label, hidden, no_update
    done = outcome.report
    text = t(
        "register_imported",
        lang,
        added=len(done["added"]),
        changed=len(done["changed"]),
    )
    return (
        html.P(text, className="register-message success"),
        None,
        "",
        True,
        listing_options(_listings(), lang),
    )


@callback(
    Output(ids.REGISTER_PREVIEW, "children"),
    Output(ids.REGISTER_IMPORT, "data"),
    Output(ids.REGISTER_CONFIRM, "children"),
    Output(ids.REGISTER_CONFIRM, "hidden"),
    Input(ids.REGISTER_UPLOAD_DATA, "data"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)
def update_preview(upload, lang):
    """Preview an uploaded broker list; nothing is written."""
    if not upload:
        raise PreventUpdate
    return preview_upload(upload, lang)


@callback(
    Output(ids.REGISTER_PREVIEW, "children", allow_duplicate=True),
    Output(ids.REGISTER_IMPORT, "data", allow_duplicate=True),
    Output(ids.REGISTER_CONFIRM, "children", allow_duplicate=True),
    Output(ids.REGISTER_CONFIRM, "hidden", allow_duplicate=True),
    Output(ids.REGISTER_LISTING, "options", allow_duplicate=True),
    Input(ids.REGISTER_CONFIRM, "n_clicks"),
    State(ids.REGISTER_IMPORT, "data"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)
def update_import(n_clicks, token_data, lang):
    """Apply the previewed import in one transaction."""
    if not n_clicks:
        raise PreventUpdate
    return apply_upload(token_data, lang)


# --------------------------------------------------------------------------
# In the browser: map clicks, the chosen point, aria-invalid, the upload limit.
# --------------------------------------------------------------------------

clientside_callback(
    ClientsideFunction("register", "attach"),
    Output(ids.REGISTER_MAP_READY, "data"),
    Input(ids.REGISTER_MAP, "figure"),
    State(ids.REGISTER_LANG, "data"),
    State(ids.REGISTER_MAP, "id"),
    State(ids.REGISTER_FIELDS["lat"], "id"),
    State(ids.REGISTER_FIELDS["lon"], "id"),
)

clientside_callback(
    ClientsideFunction("register", "pick"),
    Output(ids.REGISTER_FIELDS["lat"], "value", allow_duplicate=True),
    Output(ids.REGISTER_FIELDS["lon"], "value", allow_duplicate=True),
    Input(ids.REGISTER_MAP, "clickData"),
    State(ids.REGISTER_FIELDS["lat"], "disabled"),
    State(ids.REGISTER_LANG, "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("register", "marker"),
    Output(ids.REGISTER_MAP, "figure", allow_duplicate=True),
    Input(ids.REGISTER_FIELDS["lat"], "value"),
    Input(ids.REGISTER_FIELDS["lon"], "value"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("register", "aria"),
    Output(ids.REGISTER_ARIA, "data"),
    [Input(ids.REGISTER_ERRORS[f], "children") for f in FIELDS],
    [State(ids.REGISTER_FIELDS[f], "id") for f in FIELDS],
)

clientside_callback(
    ClientsideFunction("register", "upload"),
    Output(ids.REGISTER_UPLOAD_DATA, "data"),
    Output(ids.REGISTER_UPLOAD, "contents"),
    Input(ids.REGISTER_UPLOAD, "contents"),
    State(ids.REGISTER_UPLOAD, "filename"),
    prevent_initial_call=True,
)
