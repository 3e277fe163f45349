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

import dash_ag_grid as dag
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

from components import data, finder, ids, reach_views
from components.figures import MAP_GRAPH_CONFIG, basemap
from components.figures.finder_map import (
    SELECTED_TRACE,
    ZOOM_LISTING,
    map_figure,
    map_points,
)
from components.finder_exports import export_file, update_download  # noqa: F401
from components.finder_reach import _with_bands, card_reach, legend, with_when
from components.finder_views import (
    count_text,
    detail_card,
    filter_controls,
    grid_columns,
    grid_locale,
    map_legend,
    notes,
    query_from_controls,
    toolbar,
)
from components.i18n import fmt_int, t
from components.i18n.sources import source_label

PATH = "/lokaler"
NAV_KEY = "nav_premises"
# Column widths of the XLSX list, in ``finder.EXPORT_COLUMNS`` order.
BLOCK_SIZE = 20  # rows per grid request; a page shows as many rows as fit
MAX_BLOCK = 200  # the most rows one grid request may ask for


def _version():
    return data.version()


def version_key(version=None):
    """A short opaque name of the store version the page was built from."""
    return hashlib.sha1(repr(version or _version()).encode()).hexdigest()[:12]


def listings():
    """The register's listings prepared for searching (memoised per store version)."""
    return data.finder_listings()


def _source(lang="nb"):
    info = data.layer_infos().get("premises")
    if info is None:
        return "", False
    text = source_label(info.source, lang) + (
        f", per {info.as_of}" if info.as_of else ""
    )
    return text, bool(info.demonstration)


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
    if q.reach_from and data.has_timetable():
        fig = _with_bands(fig, q.reach_from, lang, q)
    fig = basemap.stacked(fig.to_plotly_json())  # updates redraw what changed only
    today = finder.local_today()
    places = data.reach_places() if data.has_timetable() else None
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
            filter_controls(L, q, lang, reach=places),
            html.Section(
                [
                    toolbar(int(mask.sum()), shortlist, notes(L, q, lang), lang),
                    html.Div(
                        [
                            html.A(
                                t("finder_skip_grid", lang),
                                href="#" + ids.FINDER_DETAIL,
                                className="skip-link skip-link-inline",
                            ),
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
                                        ],
                                        # Enter on a row opens its card.
                                        "cellKeyDown": [
                                            "finderCellKeyDown(params, setEventData)"
                                        ],
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
                                    html.Div(
                                        legend(q, lang),
                                        id=ids.FINDER_REACH_LEGEND,
                                        className="reach-legend",
                                        **{"aria-live": "polite"},
                                    ),
                                    html.P(
                                        t("finder_map_hint", lang),
                                        className="finder-map-hint",
                                    ),
                                    html.Section(
                                        detail_card(
                                            L,
                                            selected,
                                            q,
                                            today,
                                            lang,
                                            reach=card_reach(L, selected, q),
                                        ),
                                        id=ids.FINDER_DETAIL,
                                        className="finder-detail",
                                        tabIndex="-1",  # skip link, Enter in grid
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
        dcc.Input(id=ids.FINDER_REACH_MINUTES),
        dcc.Dropdown(id=ids.FINDER_REACH_FROM),
        dcc.DatePickerSingle(id=reach_views.DATE_ID),
        dcc.Dropdown(id=reach_views.WINDOW_ID),
        html.P(id=reach_views.ERROR_ID),
        dcc.Store(id=ids.FINDER_REACH_CLICK),
        html.Div(id=ids.FINDER_REACH_LEGEND),
        html.Button(id=ids.FINDER_REACH_HERE),
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
    Input(ids.FINDER_REACH_MINUTES, "value"),
    Input(ids.FINDER_REACH_FROM, "value"),
    Input(reach_views.DATE_ID, "date"),
    Input(reach_views.WINDOW_ID, "value"),
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
    # The reach date and window come last; a caller without them: the defaults.
    values += [None] * (len(FILTER_INPUTS) - len(values))
    *values, day, window = values
    L = listings()
    q = with_when(query_from_controls(*values), day, window)
    mask = finder.filter_mask(L, q)
    key = version_key()
    fresh = (no_update, no_update, no_update)
    if key != shown_version:
        pid = (selected or {}).get("id")
        fresh = (
            key,
            map_points(L, key),
            basemap.stacked(
                map_figure(L, mask, basemap.current(), lang, pid).to_plotly_json()
            ),
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
    today = finder.local_today()
    card = detail_card(L, pid, q, today, lang, reach=card_reach(L, pid, q))
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
    Output(ids.FINDER_REACH_MINUTES, "value"),
    Output(ids.FINDER_REACH_FROM, "value"),
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
        None,
        None,
    )


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
