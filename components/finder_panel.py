"""The premises finder: filter the register's listings, shortlist, export, share.

A business developer gets a call ("800–1 500 m² of warehouse with offices, near a
bus stop, from next spring") and answers it here. The work is split so that a
filter change stays cheap with many listings (see ``bench/bench_finder.py``):

- ``update_results`` (server) computes the matches with ``components.finder`` on
  arrays prepared once per store version and returns only the count and a bitset
  of the matches (about 1 KB for 10 000 listings);
- the map's points were sent once with the page; ``assets/finder.js`` hides the
  points that do not match, using that bitset;
- the table is an AG Grid with the infinite row model: the grid asks for one page
  at a time (``update_rows``), sorted and sliced on the server, so it never
  receives every row;
- the shortlist is the grid's checkbox selection, kept in a store and in the URL
  (with every filter and the listing shown), so a copied link restores the search.

Text from the register (titles, addresses, contacts, links) is shown as text only:
the grid renders cells as text, hover labels are escaped, and a link is an anchor
only when it is http(s).
"""

from __future__ import annotations

import hashlib
import html as html_lib
from datetime import datetime

import dash_ag_grid as dag
import numpy as np
import plotly.graph_objects as go
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

from components import data, finder, ids
from components.figures import (
    MAP_GRAPH_CONFIG,
    PREMISES_COLORS,
    TEMPLATE,
    base_layers,
    basemap,
    camera,
    separators,
)
from components.i18n import fmt_int, fmt_m2, fmt_nok, fmt_num, t
from components.i18n.map import premises_type_name
from components.urlstate import with_params
from layers.schemas import (
    AREA_IDS,
    PREMISES_STATUSES,
    PREMISES_TYPES,
)

PATH = "/lokaler"
NAV_KEY = "nav_premises"
REGISTER_PATH = "/lokaler/register"

BLOCK_SIZE = 20  # rows per grid request; a page shows as many rows as fit
MAX_BLOCK = 200  # the most rows one grid request may ask for
ZOOM_LISTING = 13.5
MAP_PX = (338, 230)  # the map's size at 1280 x 720, for the first view
# Map traces, bottom first: areas, stops, the selected listing's halo, then one
# trace per premises type (always all types, so their positions are fixed).
AREAS_TRACE, STOPS_TRACE, SELECTED_TRACE = 0, 1, 2
FIRST_TYPE_TRACE = 3

_LISTINGS: dict[tuple, finder.Listings] = {}


# --------------------------------------------------------------------------
# Data, cached per store version (read-only).
# --------------------------------------------------------------------------


def _version():
    return data.version()


def version_key(version=None):
    """A short opaque name of the store version the page was built from."""
    return hashlib.sha1(repr(version or _version()).encode()).hexdigest()[:12]


def listings():
    """The register's listings prepared for searching (cached per store version)."""
    version = _version()
    hit = _LISTINGS.get(version)
    if hit is None:
        hit = finder.prepare(
            data.layer("premises"),
            data.layer("areas"),
            data.layer_or_empty("transit_stops"),
        )
        _LISTINGS.clear()
        _LISTINGS[version] = hit
    return hit


def _source():
    info = data.layer_infos().get("premises")
    if info is None:
        return "", False
    text = info.source + (f", per {info.as_of}" if info.as_of else "")
    return text, bool(info.demonstration)


# --------------------------------------------------------------------------
# Pure builders: the map, the grid's columns, the detail card.
# --------------------------------------------------------------------------


def _round(values):
    return np.round(np.asarray(values, dtype=float), 5).tolist()


def map_points(listings_, key):
    """Every listing's point, grouped by map trace, for ``assets/finder.js``.

    Returns
    -------
    dict
        ``v`` (store version key), ``traces`` (figure trace positions), and per
        trace ``idx`` (rows of ``listings_``), ``lat`` and ``lon``.
    """
    out = {"v": key, "traces": [], "idx": [], "lat": [], "lon": []}
    frame = listings_.frame
    codes = np.where(
        listings_.type_code < 0, len(PREMISES_TYPES) - 1, listings_.type_code
    )
    for k in range(len(PREMISES_TYPES)):
        idx = np.flatnonzero(codes == k)
        out["traces"].append(FIRST_TYPE_TRACE + k)
        out["idx"].append(idx.tolist())
        out["lat"].append(_round(frame["lat"].to_numpy()[idx]))
        out["lon"].append(_round(frame["lon"].to_numpy()[idx]))
    return out


def _hover_rows(listings_, idx, lang):
    f = listings_.frame.iloc[idx]
    out = []
    for pid, title, kind, size, rent, area, addr in zip(
        f["premises_id"],
        f["title"],
        f["type"],
        f["size_m2"],
        f["rent_nok_m2_year"],
        f["area_id"],
        f["address"],
        strict=True,
    ):
        out.append(
            [
                str(pid),
                html_lib.escape(str(title)),
                html_lib.escape(premises_type_name(kind, lang)),
                fmt_m2(size, lang),
                fmt_nok(rent, lang) if rent == rent else t("finder_no_rent", lang),
                html_lib.escape(finder.area_name(listings_, area, lang)),
                html_lib.escape(str(addr)),
            ]
        )
    return out


def map_figure(listings_, mask, base, lang, selected=None):
    """The results map: areas and boundary as offline GeoJSON, stops, listings.

    Parameters
    ----------
    listings_ : finder.Listings
    mask : numpy.ndarray of bool
        The matches; other listings are drawn without a position (hidden).
    base : components.figures.Basemap
        The offline basemap (``basemap.current()``).
    lang : str
    selected : str, optional
        Id of the listing to mark.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    names = [html_lib.escape(base.area_names.get(a, a)) for a in AREA_IDS]
    traces = [
        go.Choroplethmap(
            geojson=base.areas,
            locations=list(AREA_IDS),
            featureidkey="properties.area_id",
            z=[1] * len(AREA_IDS),
            colorscale=[[0, "#2f6fba"], [1, "#2f6fba"]],
            showscale=False,
            marker={"opacity": 0.12, "line": {"width": 1.5, "color": "#1d4f91"}},
            text=names,
            hovertemplate="<b>%{text}</b><extra></extra>",
            name=t("finder_areas_trace", lang),
            showlegend=False,
        )
    ]
    stops = listings_.stops
    traces.append(
        go.Scattermap(
            lat=_round(stops["lat"]),
            lon=_round(stops["lon"]),
            mode="markers",
            marker={"size": 6, "color": "#0b6e4f", "opacity": 0.75},
            text=[
                html_lib.escape(f"{n} ({', '.join(finder.sorted_lines(li))})")
                for n, li in zip(stops["name"], stops["lines"], strict=True)
            ],
            hovertemplate="%{text}<extra></extra>",
            name=t("finder_stops_trace", lang),
            showlegend=False,
        )
    )
    frame = listings_.frame
    k = listings_.index.get(selected) if selected else None
    traces.append(
        go.Scattermap(
            lat=[] if k is None else _round([frame["lat"].iat[k]]),
            lon=[] if k is None else _round([frame["lon"].iat[k]]),
            mode="markers",
            marker={"size": 30, "color": "#b3261e", "opacity": 0.45},
            hoverinfo="skip",
            name=t("finder_selected_trace", lang),
            showlegend=False,
        )
    )
    points = map_points(listings_, "")
    for j, kind in enumerate(PREMISES_TYPES):
        idx = np.asarray(points["idx"][j], dtype=np.int64)
        show = mask[idx] if len(idx) else np.zeros(0, dtype=bool)
        lat = [v if s else None for v, s in zip(points["lat"][j], show, strict=True)]
        lon = [v if s else None for v, s in zip(points["lon"][j], show, strict=True)]
        traces.append(
            go.Scattermap(
                lat=lat,
                lon=lon,
                mode="markers",
                marker={
                    "size": 11,
                    "color": PREMISES_COLORS.get(kind, "#9e9e9e"),
                    "opacity": 0.95,
                },
                customdata=_hover_rows(listings_, idx, lang),
                hovertemplate=(
                    "<b>%{customdata[1]}</b><br>%{customdata[6]}<br>"
                    "%{customdata[2]} · %{customdata[3]} · %{customdata[4]}<br>"
                    "%{customdata[5]}<extra></extra>"
                ),
                name=html_lib.escape(premises_type_name(kind, lang)),
                showlegend=False,
            )
        )
    centre, zoom = camera(base.areas_bounds, MAP_PX, margin=0.08)
    fig = go.Figure(traces)
    fig.update_layout(
        template=TEMPLATE,
        separators=separators(lang),
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        map={
            "style": "white-bg",
            "center": centre,
            "zoom": zoom,
            "layers": base_layers(base, lang, online_allowed=False),
            "uirevision": "finder",
        },
        showlegend=False,
        hoverlabel={"align": "left"},
        uirevision="finder",
        clickmode="event",
        dragmode="pan",
    )
    return fig


def map_legend(listings_, lang):
    """The map's key, as HTML under the map (plotly's legend would cover it)."""
    present = set(listings_.frame["type"])
    items = [
        html.Li(
            [
                html.Span(
                    className="finder-swatch",
                    style={"backgroundColor": PREMISES_COLORS.get(kind, "#9e9e9e")},
                ),
                premises_type_name(kind, lang),
            ]
        )
        for kind in PREMISES_TYPES
        if kind in present
    ]
    items.append(
        html.Li(
            [
                html.Span(className="finder-swatch finder-swatch-stop"),
                t("finder_stops_trace", lang),
            ]
        )
    )
    return html.Ul(
        items, className="finder-legend", **{"aria-label": t("finder_legend", lang)}
    )


def grid_columns(lang):
    """Column definitions: text cells only (no HTML renderers), sorted server-side."""

    def col(field, width, **kw):
        return {
            "field": field,
            "colId": field,
            "headerName": t(f"finder_grid_{field}", lang),
            "width": width,
            **kw,
        }

    right = {"type": "rightAligned"}
    return [
        col("title", 235, pinned="left", tooltipField="title"),
        col("size", 92, **right),
        col("available", 112),
        col("walk", 78, **right),
        col("stop", 190, tooltipField="stop"),
        col("rent", 135, **right),
        col("area", 140),
        col("type", 140),
        col(
            "updated",
            200,
            cellClassRules={
                "finder-stale": "params.data && params.data.stale === true"
            },
        ),
        col("status", 100),
    ]


def grid_locale(lang):
    """AG Grid's own texts (pagination, loading) in the page's language."""
    if lang == "en":
        return {}
    return {
        "page": "Side",
        "of": "av",
        "to": "til",
        "more": "flere",
        "firstPage": "Første side",
        "lastPage": "Siste side",
        "nextPage": "Neste side",
        "previousPage": "Forrige side",
        "loadingOoo": "Laster …",
        "noRowsToShow": "Ingen lokaler passer til søket",
        "pageLastRowUnknown": "?",
        "ariaChecked": "valgt",
        "ariaUnchecked": "ikke valgt",
        "ariaRowSelect": "Trykk mellomrom for å velge raden",
        "ariaRowDeselect": "Trykk mellomrom for å fjerne valget",
        "ariaRowToggleSelection": "Trykk mellomrom for å velge eller fjerne raden",
        "ariaLabelSelectAll": "Velg alle",
        "ariaLabelRowSelection": "Velg rad",
    }


def count_text(n, lang):
    """``23 lokaler`` / ``1 lokale``."""
    key = "finder_count_one" if n == 1 else "finder_count_many"
    return t(key, lang, n=fmt_int(n, lang))


def _fact(label, value):
    return html.Div([html.Dt(label), html.Dd(value)], className="finder-fact")


def detail_card(listings_, pid, query, today, lang):
    """The card of one listing, or a hint when none is chosen. Text only."""
    k = listings_.index.get(pid) if pid else None
    if k is None:
        return html.P(t("finder_detail_empty", lang), className="finder-detail-empty")
    r = finder.records(listings_, [k], query, today)[0]
    rent = r["rent_nok_m2_year"]
    facts = [
        _fact(t("finder_types", lang), premises_type_name(r["type"], lang)),
        _fact(t("finder_size", lang), fmt_m2(r["size_m2"], lang)),
        _fact(
            t("finder_rent", lang),
            fmt_nok(rent, lang) if rent is not None else t("finder_no_rent", lang),
        ),
        _fact(
            t("finder_grid_available", lang), finder.fmt_date(r["available_from"], lang)
        ),
        _fact(t("finder_status", lang), finder.status_name(r["status"], lang)),
    ]
    if r["stop_name"]:
        dep = r["stop_departures"]
        facts += [
            _fact(t("finder_detail_stop", lang), r["stop_name"]),
            _fact(
                t("finder_detail_lines", lang),
                ", ".join(finder.sorted_lines(r["stop_lines"])) or "–",
            ),
            _fact(
                t("finder_detail_departures", lang),
                f"{fmt_num(dep, 0 if dep == int(dep) else 1, lang)} "
                f"{t('finder_detail_per_hour', lang)}",
            ),
            _fact(t("finder_detail_walk", lang), finder.walk_text(r["walk_m"], lang)),
        ]
    else:
        facts.append(
            _fact(t("finder_detail_stop", lang), t("finder_detail_no_stop", lang))
        )
    updated = [finder.fmt_date(r["updated_day"], lang)]
    if r["age_days"] is not None:
        updated.append(
            f" ({t('finder_detail_fresh', lang, days=fmt_int(r['age_days'], lang))})"
        )
    facts.append(_fact(t("finder_detail_updated", lang), updated))
    if r["contact"]:
        facts.append(_fact(t("finder_detail_contact", lang), r["contact"]))
    link = finder.safe_link(r["url"])
    if link:
        facts.append(
            _fact(
                t("finder_detail_link", lang),
                html.A(
                    t("finder_detail_open_link", lang),
                    href=link,
                    target="_blank",
                    rel="noopener noreferrer",
                ),
            )
        )
    badges = []
    if r["stale"]:
        badges.append(
            html.P(
                t("finder_stale_long", lang, days=fmt_int(finder.STALE_DAYS, lang)),
                className="finder-stale-note",
            )
        )
    if r.get("demonstration"):
        badges.append(html.Span(t("finder_demo_tag", lang), className="demo-tag"))
    register_href = REGISTER_PATH + with_params(
        "", id=r["premises_id"], lang=lang if lang == "en" else None
    )
    return html.Article(
        [
            html.H3(r["title"], className="finder-detail-title"),
            html.P(
                f"{r['address']} · {finder.area_name(listings_, r['area_id'], lang)}",
                className="finder-detail-address",
            ),
            *badges,
            html.Dl(facts, className="finder-facts"),
            dcc.Link(
                t("finder_detail_register", lang),
                href=register_href,
                className="finder-register-link",
            ),
        ],
        className="finder-detail-card",
        **{"data-id": r["premises_id"]},
    )


# --------------------------------------------------------------------------
# Layout.
# --------------------------------------------------------------------------


def _options(values, label):
    return [{"label": label(v), "value": v} for v in values]


def _number_input(id_, value, label, placeholder="", inline=False):
    return html.Div(
        [
            html.Label(label, htmlFor=id_),
            dcc.Input(
                id=id_,
                type="number",
                min=0,
                step="any",
                value=value,
                debounce=0.4,
                placeholder=placeholder,
                inputMode="numeric",
                className="finder-number",
            ),
        ],
        className="finder-field finder-field-inline" if inline else "finder-field",
    )


def _filters(L, q, lang):
    return html.Div(
        [
            html.H2(t("finder_filters", lang), className="finder-filters-title"),
            html.Fieldset(
                [
                    html.Legend(t("finder_areas", lang)),
                    dcc.Checklist(
                        id=ids.FINDER_AREAS,
                        options=_options(
                            finder.AREA_CHOICES,
                            lambda a: finder.area_name(L, a, lang),
                        ),
                        value=list(q.areas),
                        className="finder-choices",
                        labelClassName="choice",
                    ),
                ],
                className="finder-group",
            ),
            html.Fieldset(
                [
                    html.Legend(t("finder_types", lang)),
                    dcc.Checklist(
                        id=ids.FINDER_TYPES,
                        options=_options(
                            PREMISES_TYPES, lambda k: premises_type_name(k, lang)
                        ),
                        value=list(q.types),
                        className="finder-choices",
                        labelClassName="choice",
                    ),
                    html.P(t("finder_none_is_all", lang), className="finder-hint"),
                ],
                className="finder-group",
            ),
            html.Fieldset(
                [
                    html.Legend(t("finder_size_legend", lang)),
                    html.Div(
                        [
                            _number_input(
                                ids.FINDER_SIZE_MIN,
                                q.size_min,
                                t("finder_from", lang),
                                inline=True,
                            ),
                            _number_input(
                                ids.FINDER_SIZE_MAX,
                                q.size_max,
                                t("finder_to", lang),
                                inline=True,
                            ),
                        ],
                        className="finder-pair",
                    ),
                ],
                className="finder-group",
            ),
            html.Div(
                [
                    html.Label(
                        t("finder_available_by", lang), htmlFor=ids.FINDER_AVAILABLE
                    ),
                    dcc.DatePickerSingle(
                        id=ids.FINDER_AVAILABLE,
                        date=q.available_by,
                        display_format="DD.MM.YYYY",
                        first_day_of_week=1,
                        clearable=True,
                        placeholder=t("finder_date_placeholder", lang),
                        className="finder-date",
                    ),
                    html.P(t("finder_available_hint", lang), className="finder-hint"),
                ],
                className="finder-group finder-field",
            ),
            html.Fieldset(
                [
                    html.Legend(t("finder_transit", lang)),
                    _number_input(
                        ids.FINDER_WALK, q.max_walk_m, t("finder_walk", lang), "800"
                    ),
                    _number_input(
                        ids.FINDER_DEPARTURES,
                        q.min_departures,
                        t("finder_min_departures", lang),
                        "4",
                    ),
                    html.P(t("finder_walk_note", lang), className="finder-hint"),
                ],
                className="finder-group",
            ),
            html.Fieldset(
                [
                    html.Legend(t("finder_rent_legend", lang)),
                    html.Div(
                        [
                            _number_input(
                                ids.FINDER_RENT_MIN,
                                q.rent_min,
                                t("finder_from", lang),
                                inline=True,
                            ),
                            _number_input(
                                ids.FINDER_RENT_MAX,
                                q.rent_max,
                                t("finder_to", lang),
                                inline=True,
                            ),
                        ],
                        className="finder-pair",
                    ),
                    dcc.RadioItems(
                        id=ids.FINDER_RENT_MISSING,
                        options=[
                            {"label": t("finder_rent_keep", lang), "value": "keep"},
                            {
                                "label": t("finder_rent_exclude", lang),
                                "value": "exclude",
                            },
                        ],
                        value=q.rent_missing,
                        className="finder-radios",
                        labelClassName="choice",
                    ),
                ],
                className="finder-group",
            ),
            html.Fieldset(
                [
                    html.Legend(t("finder_status", lang)),
                    dcc.Checklist(
                        id=ids.FINDER_STATUS,
                        options=_options(
                            PREMISES_STATUSES, lambda s: finder.status_name(s, lang)
                        ),
                        value=list(q.statuses),
                        className="finder-choices",
                        labelClassName="choice",
                    ),
                ],
                className="finder-group",
            ),
            html.Button(
                t("finder_reset", lang),
                id=ids.FINDER_RESET,
                type="button",
                className="btn finder-reset",
            ),
        ],
        className="finder-filters",
        role="search",
        **{"aria-label": t("finder_filters", lang)},
    )


def _toolbar(n, shortlist, note, lang):
    empty = not shortlist
    return html.Div(
        [
            html.Div(
                [
                    html.P(
                        [
                            html.Span(
                                count_text(n, lang),
                                id=ids.FINDER_COUNT,
                                className="finder-count",
                            ),
                            html.Span(
                                note, id=ids.FINDER_NOTE, className="finder-note"
                            ),
                        ],
                        className="finder-count-line",
                        **{"aria-live": "polite"},
                    ),
                    dcc.Clipboard(
                        id=ids.FINDER_COPY,
                        children=t("finder_copy", lang),
                        copied_children=t("finder_copied", lang),
                        title=t("finder_copy", lang),
                        className="btn btn-small finder-copy",
                    ),
                    dcc.Link(
                        t("finder_register_link", lang),
                        href=REGISTER_PATH + ("?lang=en" if lang == "en" else ""),
                        className="finder-register",
                    ),
                ],
                className="finder-toolbar-row",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Span(
                                t(
                                    "finder_shortlist_count",
                                    lang,
                                    n=fmt_int(len(shortlist), lang),
                                ),
                                id=ids.FINDER_SHORTLIST_COUNT,
                                className="finder-shortlist-count",
                                title=t("finder_shortlist_hint", lang),
                                **{"aria-live": "polite"},
                            ),
                            html.Button(
                                t("finder_shortlist_clear", lang),
                                id=ids.FINDER_SHORTLIST_CLEAR,
                                type="button",
                                disabled=empty,
                                className="btn btn-small",
                            ),
                        ],
                        className="finder-toolbar-group",
                    ),
                    html.Div(
                        [
                            html.Span(
                                f"{t('finder_export', lang)}:",
                                className="finder-toolbar-label",
                            ),
                            html.Span(
                                t("finder_export_list", lang),
                                className="finder-toolbar-sub",
                            ),
                            _export_button(
                                ids.FINDER_EXPORT_LIST_XLSX,
                                "XLSX",
                                "finder_export_list_xlsx",
                                empty,
                                lang,
                            ),
                            _export_button(
                                ids.FINDER_EXPORT_LIST_CSV,
                                "CSV",
                                "finder_export_list_csv",
                                empty,
                                lang,
                            ),
                            html.Span(
                                t("finder_export_all", lang),
                                className="finder-toolbar-sub",
                            ),
                            _export_button(
                                ids.FINDER_EXPORT_ALL_XLSX,
                                "XLSX",
                                "finder_export_all_xlsx",
                                False,
                                lang,
                            ),
                            _export_button(
                                ids.FINDER_EXPORT_ALL_CSV,
                                "CSV",
                                "finder_export_all_csv",
                                False,
                                lang,
                            ),
                        ],
                        className="finder-toolbar-group",
                        role="group",
                        **{"aria-label": t("finder_export", lang)},
                    ),
                ],
                className="finder-toolbar-row",
            ),
        ],
        className="finder-toolbar",
    )


def _export_button(id_, fmt, aria_key, disabled, lang):
    return html.Button(
        fmt,
        id=id_,
        type="button",
        disabled=disabled,
        className="btn btn-small",
        title=t(aria_key, lang),
        **{"aria-label": t(aria_key, lang)},
    )


def notes(L, q, lang):
    """Warnings about the search itself (a reversed range, an impossible stop)."""
    out = []
    if q.size_min is not None and q.size_max is not None and q.size_min > q.size_max:
        out.append(t("finder_note_size", lang))
    if q.rent_min is not None and q.rent_max is not None and q.rent_min > q.rent_max:
        out.append(t("finder_note_rent", lang))
    if q.min_departures is not None and finder.stop_level(L, q.min_departures) is None:
        out.append(t("finder_note_no_stop", lang))
    return " ".join(out)


def layout(state, lang):
    """The finder for the URL ``state`` (``parse_search``) in ``lang``."""
    L = listings()
    q = finder.query_from_params(state)
    shortlist = finder.ids_from_param(state.get("list"), L.index)
    selected = state.get("sel") if state.get("sel") in L.index else None
    mask = finder.filter_mask(L, q)
    key = version_key()
    base = basemap.current()
    fig = map_figure(L, mask, base, lang, selected)
    today = finder.local_today()
    return html.Div(
        [
            dcc.Store(id=ids.FINDER_LANG, data=lang),
            dcc.Store(id=ids.FINDER_VERSION, data=key),
            dcc.Store(id=ids.FINDER_QUERY, data=_query_data(q)),
            dcc.Store(id=ids.FINDER_MATCH, data=_match_data(mask, key)),
            dcc.Store(id=ids.FINDER_POINTS, data=map_points(L, key)),
            dcc.Store(id=ids.FINDER_SHORTLIST, data=shortlist),
            dcc.Store(
                id=ids.FINDER_SELECTED, data={"id": selected} if selected else None
            ),
            dcc.Store(id=ids.FINDER_SYNC),
            dcc.Download(id=ids.FINDER_DOWNLOAD),
            html.H2(t("finder_heading", lang), className="visually-hidden"),
            _filters(L, q, lang),
            html.Section(
                [
                    _toolbar(int(mask.sum()), shortlist, notes(L, q, lang), lang),
                    html.Div(
                        [
                            html.Div(
                                dag.AgGrid(
                                    id=ids.FINDER_GRID,
                                    rowModelType="infinite",
                                    columnDefs=grid_columns(lang),
                                    defaultColDef={
                                        "sortable": True,
                                        "resizable": True,
                                        "suppressHeaderMenuButton": True,
                                        "sortingOrder": ["asc", "desc", None],
                                    },
                                    getRowId="params.data.premises_id",
                                    rowClassRules={
                                        "finder-row-active": "params.data && "
                                        "params.data.active === true"
                                    },
                                    eventListeners={
                                        "rowSelected": [
                                            "finderRowSelected(params, setEventData)"
                                        ]
                                    },
                                    dashGridOptions={
                                        "pagination": True,
                                        "paginationAutoPageSize": True,
                                        "cacheBlockSize": BLOCK_SIZE,
                                        "maxBlocksInCache": 50,
                                        "rowSelection": {
                                            "mode": "multiRow",
                                            "checkboxes": True,
                                            "headerCheckbox": False,
                                            "enableClickSelection": False,
                                        },
                                        "selectionColumnDef": {"pinned": "left"},
                                        "rowHeight": 34,
                                        "headerHeight": 36,
                                        "tooltipShowDelay": 500,
                                        "localeText": grid_locale(lang),
                                        "suppressDragLeaveHidesColumns": True,
                                        "suppressColumnVirtualisation": True,
                                    },
                                    className="finder-grid",
                                    style={"height": "100%", "width": "100%"},
                                ),
                                className="finder-grid-frame",
                                role="region",
                                **{"aria-label": t("finder_grid_aria", lang)},
                            ),
                            html.Div(
                                [
                                    html.Div(
                                        dcc.Graph(
                                            id=ids.FINDER_MAP,
                                            figure=fig,
                                            config=MAP_GRAPH_CONFIG,
                                            className="finder-map",
                                        ),
                                        className="finder-map-frame",
                                        role="region",
                                        **{"aria-label": t("finder_map_aria", lang)},
                                    ),
                                    map_legend(L, lang),
                                    html.P(
                                        t("finder_map_hint", lang),
                                        className="finder-map-hint",
                                    ),
                                    html.Section(
                                        detail_card(L, selected, q, today, lang),
                                        id=ids.FINDER_DETAIL,
                                        className="finder-detail",
                                        **{"aria-live": "polite"},
                                    ),
                                ],
                                className="finder-side",
                            ),
                        ],
                        className="finder-results",
                    ),
                ],
                className="finder-main",
            ),
        ],
        className="finder-page",
    )


def _query_data(q):
    return {**q.to_dict(), "params": finder.query_to_params(q)}


def _match_data(mask, key):
    return {"v": key, "n": int(len(mask)), "bits": finder.match_bits(mask)}


def validation_components():
    """Every component a callback of this panel names, for the validation layout."""
    return [
        dcc.Store(id=ids.FINDER_LANG),
        dcc.Store(id=ids.FINDER_VERSION),
        dcc.Store(id=ids.FINDER_QUERY),
        dcc.Store(id=ids.FINDER_MATCH),
        dcc.Store(id=ids.FINDER_POINTS),
        dcc.Store(id=ids.FINDER_SHORTLIST),
        dcc.Store(id=ids.FINDER_SELECTED),
        dcc.Store(id=ids.FINDER_SYNC),
        dcc.Download(id=ids.FINDER_DOWNLOAD),
        dcc.Checklist(id=ids.FINDER_AREAS),
        dcc.Checklist(id=ids.FINDER_TYPES),
        dcc.Input(id=ids.FINDER_SIZE_MIN),
        dcc.Input(id=ids.FINDER_SIZE_MAX),
        dcc.Input(id=ids.FINDER_RENT_MIN),
        dcc.Input(id=ids.FINDER_RENT_MAX),
        dcc.RadioItems(id=ids.FINDER_RENT_MISSING),
        dcc.DatePickerSingle(id=ids.FINDER_AVAILABLE),
        dcc.Checklist(id=ids.FINDER_STATUS),
        dcc.Input(id=ids.FINDER_WALK),
        dcc.Input(id=ids.FINDER_DEPARTURES),
        html.Button(id=ids.FINDER_RESET),
        html.Span(id=ids.FINDER_COUNT),
        html.Span(id=ids.FINDER_NOTE),
        dag.AgGrid(id=ids.FINDER_GRID),
        dcc.Graph(id=ids.FINDER_MAP),
        html.Section(id=ids.FINDER_DETAIL),
        html.Span(id=ids.FINDER_SHORTLIST_COUNT),
        html.Button(id=ids.FINDER_SHORTLIST_CLEAR),
        html.Button(id=ids.FINDER_EXPORT_LIST_XLSX),
        html.Button(id=ids.FINDER_EXPORT_LIST_CSV),
        html.Button(id=ids.FINDER_EXPORT_ALL_XLSX),
        html.Button(id=ids.FINDER_EXPORT_ALL_CSV),
        dcc.Clipboard(id=ids.FINDER_COPY),
    ]


# --------------------------------------------------------------------------
# Callbacks.
# --------------------------------------------------------------------------


FILTER_INPUTS = (
    Input(ids.FINDER_AREAS, "value"),
    Input(ids.FINDER_TYPES, "value"),
    Input(ids.FINDER_SIZE_MIN, "value"),
    Input(ids.FINDER_SIZE_MAX, "value"),
    Input(ids.FINDER_RENT_MIN, "value"),
    Input(ids.FINDER_RENT_MAX, "value"),
    Input(ids.FINDER_RENT_MISSING, "value"),
    Input(ids.FINDER_AVAILABLE, "date"),
    Input(ids.FINDER_STATUS, "value"),
    Input(ids.FINDER_WALK, "value"),
    Input(ids.FINDER_DEPARTURES, "value"),
)


def query_from_controls(
    areas,
    types,
    size_min,
    size_max,
    rent_min,
    rent_max,
    rent_missing,
    available,
    statuses,
    walk,
    departures,
):
    """The :class:`finder.Query` of the filter controls' values."""
    return finder.make_query(
        areas=areas,
        types=types,
        size=(size_min, size_max),
        rent=(rent_min, rent_max),
        rent_missing=rent_missing,
        available_by=available,
        statuses=statuses or (),
        min_departures=departures,
        max_walk_m=walk,
    )


@callback(
    Output(ids.FINDER_QUERY, "data"),
    Output(ids.FINDER_MATCH, "data"),
    Output(ids.FINDER_COUNT, "children"),
    Output(ids.FINDER_NOTE, "children"),
    Output(ids.FINDER_VERSION, "data"),
    Output(ids.FINDER_POINTS, "data"),
    Output(ids.FINDER_MAP, "figure", allow_duplicate=True),
    *FILTER_INPUTS,
    State(ids.FINDER_VERSION, "data"),
    State(ids.FINDER_SELECTED, "data"),
    State(ids.FINDER_LANG, "data"),
    prevent_initial_call=True,
)
def update_results(*args):
    """A filter changed: the matches as a count and a bitset (the map and the grid
    fetch the rest themselves). A new store version also sends a new map."""
    *values, shown_version, selected, lang = args
    L = listings()
    q = query_from_controls(*values)
    mask = finder.filter_mask(L, q)
    key = version_key()
    fresh = (no_update, no_update, no_update)
    if key != shown_version:
        pid = (selected or {}).get("id")
        fresh = (
            key,
            map_points(L, key),
            map_figure(L, mask, basemap.current(), lang, pid),
        )
    return (
        _query_data(q),
        _match_data(mask, key),
        count_text(int(mask.sum()), lang),
        notes(L, q, lang),
        *fresh,
    )


@callback(
    Output(ids.FINDER_GRID, "getRowsResponse"),
    Input(ids.FINDER_GRID, "getRowsRequest"),
    State(ids.FINDER_QUERY, "data"),
    State(ids.FINDER_LANG, "data"),
    prevent_initial_call=True,
)
def update_rows(request, query, lang):
    """One page of the grid, sorted and sliced on the server."""
    if not request:
        raise PreventUpdate
    start = int(request.get("startRow") or 0)
    end = int(request.get("endRow") or start + BLOCK_SIZE)
    end = min(end, start + MAX_BLOCK)
    return finder.page(
        listings(),
        finder.Query.from_dict(query),
        request.get("sortModel"),
        start,
        end,
        finder.local_today(),
        lang,
    )


def _clicked_listing(click):
    for point in (click or {}).get("points", []):
        custom = point.get("customdata")
        if isinstance(custom, list) and custom and isinstance(custom[0], str):
            return custom[0]
    return None


@callback(
    Output(ids.FINDER_SELECTED, "data"),
    Output(ids.FINDER_DETAIL, "children"),
    Output(ids.FINDER_MAP, "figure", allow_duplicate=True),
    Output(ids.FINDER_GRID, "paginationGoTo"),
    Input(ids.FINDER_GRID, "cellClicked"),
    Input(ids.FINDER_MAP, "clickData"),
    State(ids.FINDER_QUERY, "data"),
    State(ids.FINDER_GRID, "getRowsRequest"),
    State(ids.FINDER_GRID, "paginationInfo"),
    State(ids.FINDER_LANG, "data"),
    prevent_initial_call=True,
)
def update_selection(cell, click, query, request, pages, lang):
    """A row or a map point was clicked: show its card, mark it on the map.

    A row click also zooms the map to the listing; a map click turns the grid to
    the page holding the listing's row.
    """
    L = listings()
    q = finder.Query.from_dict(query)
    goto = no_update
    if ctx.triggered_id == ids.FINDER_GRID:
        cell = cell or {}
        if str(cell.get("colId", "")).startswith("ag-Grid-"):
            raise PreventUpdate  # the checkbox column: that is the shortlist
        pid = cell.get("rowId")
    else:
        pid = _clicked_listing(click)
    k = L.index.get(pid) if isinstance(pid, str) else None
    if k is None:
        raise PreventUpdate
    lat, lon = (float(L.frame["lat"].iat[k]), float(L.frame["lon"].iat[k]))
    patch = Patch()
    patch["data"][SELECTED_TRACE]["lat"] = [round(lat, 5)]
    patch["data"][SELECTED_TRACE]["lon"] = [round(lon, 5)]
    if ctx.triggered_id == ids.FINDER_GRID:
        patch["layout"]["map"]["center"] = {"lat": round(lat, 5), "lon": round(lon, 5)}
        patch["layout"]["map"]["zoom"] = ZOOM_LISTING
    else:
        sort_model = (request or {}).get("sortModel")
        index = finder.row_index(L, q, sort_model, pid)
        size = int((pages or {}).get("pageSize") or 0)
        if index is not None and size > 0:
            goto = index // size
    card = detail_card(L, pid, q, finder.local_today(), lang)
    return {"id": pid}, card, patch, goto


@callback(
    Output(ids.FINDER_SHORTLIST_COUNT, "children"),
    Output(ids.FINDER_SHORTLIST_CLEAR, "disabled"),
    Output(ids.FINDER_EXPORT_LIST_XLSX, "disabled"),
    Output(ids.FINDER_EXPORT_LIST_CSV, "disabled"),
    Input(ids.FINDER_SHORTLIST, "data"),
    State(ids.FINDER_LANG, "data"),
    prevent_initial_call=True,
)
def update_shortlist_view(shortlist, lang):
    """The shortlist's size, and its buttons enabled only when it has listings."""
    n = len(shortlist or [])
    return t("finder_shortlist_count", lang, n=fmt_int(n, lang)), n == 0, n == 0, n == 0


@callback(
    Output(ids.FINDER_SHORTLIST, "data", allow_duplicate=True),
    Input(ids.FINDER_SHORTLIST_CLEAR, "n_clicks"),
    prevent_initial_call=True,
)
def update_shortlist_clear(n_clicks):
    """Empty the shortlist."""
    if not n_clicks:
        raise PreventUpdate
    return []


@callback(
    Output(ids.FINDER_AREAS, "value"),
    Output(ids.FINDER_TYPES, "value"),
    Output(ids.FINDER_SIZE_MIN, "value"),
    Output(ids.FINDER_SIZE_MAX, "value"),
    Output(ids.FINDER_RENT_MIN, "value"),
    Output(ids.FINDER_RENT_MAX, "value"),
    Output(ids.FINDER_RENT_MISSING, "value"),
    Output(ids.FINDER_AVAILABLE, "date"),
    Output(ids.FINDER_STATUS, "value"),
    Output(ids.FINDER_WALK, "value"),
    Output(ids.FINDER_DEPARTURES, "value"),
    Input(ids.FINDER_RESET, "n_clicks"),
    prevent_initial_call=True,
)
def update_reset(n_clicks):
    """Put every filter back to its default (available premises, anywhere)."""
    if not n_clicks:
        raise PreventUpdate
    return (
        [],
        [],
        None,
        None,
        None,
        None,
        "keep",
        None,
        list(finder.DEFAULT_STATUSES),
        None,
        None,
    )


EXPORTS = {
    ids.FINDER_EXPORT_LIST_XLSX: ("list", "xlsx"),
    ids.FINDER_EXPORT_LIST_CSV: ("list", "csv"),
    ids.FINDER_EXPORT_ALL_XLSX: ("all", "xlsx"),
    ids.FINDER_EXPORT_ALL_CSV: ("all", "csv"),
}


def export_file(L, q, shortlist, which, fmt, lang, *, now=None, sort_model=None):
    """Build an export: ``(bytes, file name)`` of the shortlist or all matches."""
    now = now or datetime.now(finder_tz())
    today = now.date()
    ids_ = list(shortlist or []) if which == "list" else None
    rows = finder.export_rows(L, q, today, ids=ids_, sort_model=sort_model, lang=lang)
    what_key = (
        "finder_export_what_list" if which == "list" else "finder_export_what_all"
    )
    source, demo = _source()
    header = finder.export_header(
        L,
        q,
        today=today,
        now=now,
        source=source,
        demonstration=demo,
        what=t(what_key, lang, n=fmt_int(len(rows), lang)),
        lang=lang,
    )
    labels = finder.export_labels(lang)
    stem = "kortliste" if which == "list" else "treff"
    name = f"ledige-lokaler-{stem}-{today.isoformat()}.{fmt}"
    if fmt == "xlsx":
        return finder.xlsx_bytes(header, labels, rows), name
    return finder.csv_bytes(header, labels, rows, lang), name


def finder_tz():
    """The time zone exports are stamped in (Norway)."""
    from zoneinfo import ZoneInfo

    return ZoneInfo(finder.LOCAL_TZ)


@callback(
    Output(ids.FINDER_DOWNLOAD, "data"),
    *(Input(i, "n_clicks") for i in EXPORTS),
    State(ids.FINDER_QUERY, "data"),
    State(ids.FINDER_SHORTLIST, "data"),
    State(ids.FINDER_GRID, "getRowsRequest"),
    State(ids.FINDER_LANG, "data"),
    prevent_initial_call=True,
)
def update_download(*args):
    """Download the shortlist or all matches as XLSX or CSV, filters on top."""
    *clicks, query, shortlist, request, lang = args
    which_fmt = EXPORTS.get(ctx.triggered_id)
    if which_fmt is None or not any(clicks):
        raise PreventUpdate
    which, fmt = which_fmt
    if which == "list" and not shortlist:
        raise PreventUpdate
    content, name = export_file(
        listings(),
        finder.Query.from_dict(query),
        shortlist,
        which,
        fmt,
        lang,
        sort_model=(request or {}).get("sortModel"),
    )
    return dcc.send_bytes(content, name)


# --- in the browser (assets/finder.js) -----------------------------------------

clientside_callback(
    ClientsideFunction("finder", "refreshGrid"),
    Output(ids.FINDER_SYNC, "data", allow_duplicate=True),
    Input(ids.FINDER_QUERY, "data"),
    State(ids.FINDER_GRID, "id"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("finder", "updateMap"),
    Output(ids.FINDER_MAP, "figure", allow_duplicate=True),
    Input(ids.FINDER_MATCH, "data"),
    State(ids.FINDER_POINTS, "data"),
    State(ids.FINDER_MAP, "figure"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("finder", "syncGrid"),
    Output(ids.FINDER_SYNC, "data", allow_duplicate=True),
    Input(ids.FINDER_GRID, "getRowsResponse"),
    Input(ids.FINDER_SHORTLIST, "data"),
    Input(ids.FINDER_SELECTED, "data"),
    State(ids.FINDER_GRID, "id"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("finder", "shortlistFromEvent"),
    Output(ids.FINDER_SHORTLIST, "data", allow_duplicate=True),
    Input(ids.FINDER_GRID, "eventData"),
    State(ids.FINDER_SHORTLIST, "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("finder", "writeUrl"),
    Output(ids.PAGE_URL, "search", allow_duplicate=True),
    Input(ids.FINDER_QUERY, "data"),
    Input(ids.FINDER_SHORTLIST, "data"),
    Input(ids.FINDER_SELECTED, "data"),
    State(ids.PAGE_URL, "search"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("finder", "copyLink"),
    Output(ids.FINDER_COPY, "content"),
    Input(ids.FINDER_COPY, "n_clicks"),
    prevent_initial_call=True,
)
