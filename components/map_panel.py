"""The map page: the six areas, four switchable layers, filters and the area profile.

The map figure (with all geometry) is built once per page load in ``layout``; the
callbacks then send small ``dash.Patch`` updates. The view (area, layers, filters,
basemap, map centre and zoom) is written to the query string, so a copied link
restores it. The export buttons download the selected area with the visible layers.
"""

from __future__ import annotations

from dash import (
    ClientsideFunction,
    Input,
    Output,
    Patch,
    State,
    callback,
    clientside_callback,
    dcc,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from components import data, exports_panel, figures, ids, profile_panel
from components.figures import basemap
from components.figures.firm_layer import (
    FIRM_MIN_ZOOM,
    MAX_VIEW_FIRMS,
    cell_points,
    firm_points,
    firm_trace,
    patch_firms,
)
from components.i18n import fmt_int, t
from components.map_camera import FIT_PREFIX, camera, fit_camera
from components.map_controls import (
    EXPORT_PREFIX,
    OFFLINE_NOTICE,
    _controls,
    _legend_toggle,
    _online_allowed,
    _toolbar,
)
from components.urlstate import parse_search, with_params
from layers import aggregates, grid
from layers.schemas import AREA_IDS

PATH = "/"
NAV_KEY = "nav_map"

CAMERA = "map-camera"  # dcc.Store: centre, zoom, extent and what the firms show
FIGURE_MEMO_ENTRIES = 64  # page figures kept per store version (without camera)
CELL_MEMO_ENTRIES = 256  # cell aggregates kept per store version


def frames():
    """The engine's frames (``layers.aggregates.Frames``) of the store (``data``)."""
    return data.frames()


def context():
    """The map's drawing data for the current store version (memoised, read-only)."""

    def build():
        return figures.map_context(
            data.frames(),
            basemap.current(),
            data.layer_or_empty("landmarks"),
            data.layer_or_empty("transit_lines"),
        )

    return data.memo("map.context", None, build)


def _view_data(view):
    return {
        "layers": list(view.layers),
        "area": view.area,
        "sections": list(view.sections),
        "size": list(view.size),
        "basemap": view.basemap,
    }


def _view(d):
    if not d:
        return None
    return figures.MapView(
        layers=tuple(d.get("layers") or ()),
        area=d.get("area"),
        sections=tuple(d.get("sections") or ()),
        size=aggregates.normalise_size(d.get("size")),
        basemap=d.get("basemap") or "offline",
    )


def _summary_text(fr, view, lang):
    if "firms" not in view.layers:
        return ""
    counts = fr.cube.totals(None, view.sections, view.size)
    return t(
        "map_summary",
        lang,
        firms=fmt_int(counts["establishments"], lang),
        jobs=fmt_int(counts["jobs"], lang),
    )


def _grid(fr, size_m):
    return data.memo("grid.cells", size_m, lambda: grid.build_grid(fr, size_m))


def firm_layer(fr, view, cam, lang):
    """The firms layer of a view: single firms in the extent, or grid cells.

    Single firms only from zoom ``FIRM_MIN_ZOOM`` on, and only when the extent
    holds at most ``MAX_VIEW_FIRMS`` of them under the filters; otherwise one
    symbol per occupied 250 m (zoomed in) or 500 m cell. Either way the payload
    is bounded independent of the number of firms in the store.

    Returns
    -------
    tuple
        ``(mode, points)``: mode ``"firms"`` or ``"cells:<metres>"``, points for
        ``figures.firm_trace`` / ``figures.patch_firms``.
    """
    zoom = cam["zoom"]
    if zoom >= FIRM_MIN_ZOOM:
        mask = aggregates.selection(fr, None, view.sections, view.size)
        rows = grid.firms_in_extent(
            fr, _grid(fr, 250), mask, cam["bounds"], MAX_VIEW_FIRMS
        )
        if rows is not None:
            return "firms", firm_points(fr.firm_rows(rows), lang)
    size_m = 250 if zoom >= 12 else 500

    def build():
        agg = grid.aggregate_view(_grid(fr, size_m), view.sections, view.size)
        return cell_points(agg, size_m, lang)

    key = (size_m, view.sections, view.size, lang)
    return f"cells:{size_m}", data.memo("map.cells", key, build, CELL_MEMO_ENTRIES)


def _filters(view):
    return [list(view.sections), list(view.size)]


def _map_figure(fr, ctx, view, lang, cam):
    # The figure without firms and camera is memoised per store version as a
    # plain dict (what dcc.Graph takes), bounded in entries and bytes; the firms
    # layer (bounded points) and the camera are set on a shallow copy.
    online = _online_allowed()
    base_view = figures.MapView(**{**view.__dict__, "center": None, "zoom": None})

    def build():
        density = aggregates.jobs_density(fr, view.sections, view.size)
        fig = figures.map_figure(ctx, base_view, density, lang, online_allowed=online)
        return basemap.stacked(fig.to_plotly_json())

    base = data.memo(
        "map.figure", (lang, base_view, online), build, FIGURE_MEMO_ENTRIES
    )
    mode, points = firm_layer(fr, view, cam, lang)
    i = figures.trace_keys(ctx).index(("firms", ""))
    fig = {**base, "data": list(base["data"])}
    firms = firm_trace(points, base["data"][i].get("visible", True), lang)
    fig["data"][i] = {**firms, "below": base["data"][i]["below"]}
    lat, lon = cam["center"]
    fig["layout"] = {
        **base["layout"],
        "map": {
            **base["layout"]["map"],
            "center": {"lat": lat, "lon": lon},
            "zoom": cam["zoom"],
        },
    }
    return fig, mode


def profile(area, sections, size, lang):
    """The profile of ``area`` under the filters (memoised per store version).

    A planner moves between six areas and a few filters, so most clicks hit the
    memo. The profile is in the components' JSON form (``profile_panel.element``).
    """
    key = (area, tuple(sections), tuple(size), lang)
    return data.memo(
        "map.profile",
        key,
        lambda: profile_panel.profile(
            data.frames(),
            data.figures(),
            area,
            sections,
            size,
            lang,
            reach=({area: data.area_reach_row(area)}, data.reach_info()),
        ),
    )


def export_context(view, lang):
    """What the export buttons download for a view: its area and visible layers."""
    return exports_panel.context_data(view.area, lang, view.layers)


def layout(state, lang):
    """The map page for the URL ``state`` (``parse_search``) in ``lang``."""
    fr = frames()
    ctx = context()
    view = figures.view_from_state(state, ctx.sections)
    if not _online_allowed():
        view = figures.MapView(**{**view.__dict__, "basemap": "offline"})
    if view.area and view.center is None:
        # A link to an area opens fitted to it (a link with a camera keeps it).
        centre, zoom = fit_camera(ctx, view.area)
        view = figures.MapView(
            **{**view.__dict__, "center": (centre["lat"], centre["lon"]), "zoom": zoom}
        )
    cam = camera(ctx, view)
    fig, mode = _map_figure(fr, ctx, view, lang, cam)
    return html.Div(
        [
            dcc.Store(id=ids.MAP_LANG, data=lang),
            dcc.Store(id=CAMERA, data={**cam, "mode": mode, "filters": _filters(view)}),
            dcc.Store(id=ids.MAP_VIEW, data=_view_data(view)),
            html.H2(t("map_heading", lang), className="visually-hidden"),
            _controls(ctx, view, lang),
            html.Div(
                [
                    html.Section(
                        [
                            _toolbar(view, lang),
                            html.Div(
                                [
                                    dcc.Graph(
                                        id=ids.MAP_GRAPH,
                                        figure=fig,
                                        config=figures.MAP_GRAPH_CONFIG,
                                        className="map-graph",
                                    ),
                                    _legend_toggle(lang),
                                    html.P(
                                        t("map_offline_notice", lang),
                                        id=OFFLINE_NOTICE,
                                        className="map-offline-notice",
                                        role="status",
                                        hidden=True,
                                    ),
                                ],
                                className="map-frame",
                                role="region",
                                **{"aria-label": t("map_aria", lang)},
                            ),
                            html.P(
                                [
                                    html.Span(
                                        _summary_text(fr, view, lang),
                                        id=ids.MAP_SUMMARY,
                                        **{"aria-live": "polite"},
                                    ),
                                    " ",
                                    html.Span(t("map_hint", lang), className="muted"),
                                ],
                                className="map-status",
                            ),
                        ],
                        className="map-column",
                    ),
                    html.Section(
                        profile(view.area, view.sections, view.size, lang),
                        id=ids.PROFILE_CONTENT,
                        className="profile-column",
                        tabIndex="0",  # it scrolls: keyboard users can too
                        **{"aria-live": "polite", "aria-labelledby": "profile-heading"},
                    ),
                ],
                className="map-layout",
            ),
        ],
        className="map-page",
    )


def warm():
    """Build the map page's data and default pages in both languages (start-up)."""
    for lang in ("nb", "en"):
        layout({}, lang)


def validation_components():
    """Every component a callback of this panel names, for the validation layout."""
    return [
        dcc.Store(id=ids.MAP_LANG),
        dcc.Store(id=ids.MAP_VIEW),
        dcc.Store(id=CAMERA),
        dcc.Graph(id=ids.MAP_GRAPH),
        dcc.Dropdown(id=ids.MAP_AREA),
        dcc.Dropdown(id=ids.MAP_SECTIONS, multi=True),
        dcc.RangeSlider(id=ids.MAP_SIZE, min=0, max=7),
        dcc.Checklist(id=ids.MAP_LAYERS),
        dcc.RadioItems(id=ids.MAP_BASEMAP),
        html.Button(id=ids.MAP_RESET),
        html.Span(id=ids.MAP_SUMMARY),
        html.Section(id=ids.PROFILE_CONTENT),
        *exports_panel.validation_components(EXPORT_PREFIX),
    ]


@callback(
    Output(ids.MAP_AREA, "value"),
    Input(ids.MAP_GRAPH, "clickData"),
    prevent_initial_call=True,
)
def update_area_from_click(click):
    """A click on an area of the map, or on a firm inside one, selects the area."""
    for point in (click or {}).get("points", []):
        custom = point.get("customdata")
        # Areas carry their id; firms carry [name, employees, area id].
        area = custom[-1] if isinstance(custom, list) and custom else custom
        if isinstance(area, str) and area in AREA_IDS:
            return area
    raise PreventUpdate


@callback(
    Output(ids.MAP_SECTIONS, "value"),
    Output(ids.MAP_SIZE, "value"),
    Input(ids.MAP_RESET, "n_clicks"),
    prevent_initial_call=True,
)
def update_filters_reset(n_clicks):
    """The reset button clears the industry and size filters."""
    if not n_clicks:
        raise PreventUpdate
    return [], list(aggregates.FULL_SIZE)


@callback(
    Output(ids.MAP_GRAPH, "figure"),
    Output(ids.MAP_VIEW, "data"),
    Output(ids.MAP_SUMMARY, "children"),
    Output(exports_panel.context_id(EXPORT_PREFIX), "data"),
    Input(ids.MAP_LAYERS, "value"),
    Input(ids.MAP_AREA, "value"),
    Input(ids.MAP_SECTIONS, "value"),
    Input(ids.MAP_SIZE, "value"),
    Input(ids.MAP_BASEMAP, "value"),
    State(ids.MAP_VIEW, "data"),
    State(ids.MAP_LANG, "data"),
    State(CAMERA, "data"),
    prevent_initial_call=True,
)
def update_map(layers, area, sections, size, basemap, old, lang, cam=None):
    """Send the map only what changed: a Patch of visibility, selection and points.

    The export buttons' context follows the area and the visible layers.
    """
    ctx = context()
    new = figures.MapView(
        layers=tuple(v for v in figures.LAYERS if v in (layers or [])),
        area=area if area in AREA_IDS else None,
        sections=tuple(s for s in ctx.sections if s in (sections or [])),
        size=aggregates.normalise_size(size),
        basemap=basemap if basemap in figures.BASEMAPS else "offline",
    )
    old_view = _view(old)
    if old_view == new:
        raise PreventUpdate
    fr = frames()
    filters = (new.layers, new.sections, new.size)
    changed = old_view is None or filters != (
        old_view.layers,
        old_view.sections,
        old_view.size,
    )
    # The density and the summary depend on the filters only, not on the area.
    density = aggregates.jobs_density(fr, new.sections, new.size) if changed else None
    points = None
    if old_view is None or (old_view.sections, old_view.size) != (
        new.sections,
        new.size,
    ):
        # The firms layer under the new filters: new cell aggregates (or the
        # firms of the extent), never the store's whole point list.
        _mode, points = firm_layer(fr, new, cam or camera(ctx, new), lang)
    patch = figures.map_patch(
        Patch(),
        ctx,
        old_view,
        new,
        density,
        lang,
        online_allowed=_online_allowed(),
        firm_layer=points,
    )
    if old_view is not None and old_view.area != new.area:
        # Selecting an area fits the map to it; clearing fits the municipality.
        centre, zoom = fit_camera(ctx, new.area)
        patch["layout"]["map"]["center"] = centre
        patch["layout"]["map"]["zoom"] = zoom
        # A new ui revision: assets/map_fit.js moves the map there.
        patch["layout"]["map"]["uirevision"] = f"{FIT_PREFIX}{new.area or ''}"
    summary = _summary_text(fr, new, lang) if changed else no_update
    export_changed = old_view is None or (old_view.area, old_view.layers) != (
        new.area,
        new.layers,
    )
    export = export_context(new, lang) if export_changed else no_update
    return patch, _view_data(new), summary, export


@callback(
    Output(ids.PROFILE_CONTENT, "children"),
    Input(ids.MAP_AREA, "value"),
    Input(ids.MAP_SECTIONS, "value"),
    Input(ids.MAP_SIZE, "value"),
    State(ids.MAP_LANG, "data"),
    prevent_initial_call=True,
)
def update_profile(area, sections, size, lang):
    """Show the profile of the selected area under the filters."""
    sections = tuple(s for s in aggregates.SECTIONS if s in (sections or []))
    area = area if area in AREA_IDS else None
    return profile(area, sections, aggregates.normalise_size(size), lang)


@callback(
    Output(ids.MAP_GRAPH, "figure", allow_duplicate=True),
    Output(CAMERA, "data"),
    Input(ids.MAP_GRAPH, "relayoutData"),
    State(ids.MAP_VIEW, "data"),
    State(CAMERA, "data"),
    State(ids.MAP_LANG, "data"),
    prevent_initial_call=True,
)
def update_extent(relayout, view_data, old_cam, lang):
    """After a pan or zoom: the firms of the new extent, or cells of another size.

    Cells cover the whole map, so a pan at the same cell size sends nothing; single
    firms are fetched for the visible extent only.
    """
    view = _view(view_data)
    if view is None or not any(str(k).startswith("map.") for k in relayout or {}):
        raise PreventUpdate
    ctx = context()
    old_cam = old_cam or {}
    cam = camera(ctx, view, relayout, old_cam)
    mode, points = firm_layer(frames(), view, cam, lang)
    record = {**cam, "mode": mode, "filters": _filters(view)}
    same = (old_cam.get("mode"), old_cam.get("filters")) == (mode, _filters(view))
    if same and mode != "firms":
        return no_update, record
    i = figures.trace_keys(ctx).index(("firms", ""))
    return patch_firms(Patch(), i, points), record


# The query string follows the view and the camera in the browser
# (assets/map_url.js), without a round trip; ``update_url`` is its reference.
clientside_callback(
    ClientsideFunction(namespace="naringMap", function_name="updateUrl"),
    Output(ids.PAGE_URL, "search", allow_duplicate=True),
    Input(ids.MAP_VIEW, "data"),
    Input(ids.MAP_GRAPH, "relayoutData"),
    State(ids.PAGE_URL, "search"),
    prevent_initial_call=True,
)


def update_url(view_data, relayout, search):
    """The query string of a view (keeping ``lang``), for a copyable link.

    The browser computes it in ``assets/map_url.js``; this is the reference the
    tests hold the script to.
    """
    view = _view(view_data)
    if view is None:
        raise PreventUpdate
    state = parse_search(search)
    relayout = relayout or {}
    centre = relayout.get("map.center")
    zoom = relayout.get("map.zoom")
    current = figures.view_from_state(state)
    if isinstance(centre, dict) and "lat" in centre and "lon" in centre:
        view = figures.MapView(
            **{**view.__dict__, "center": (float(centre["lat"]), float(centre["lon"]))}
        )
    else:
        view = figures.MapView(**{**view.__dict__, "center": current.center})
    if isinstance(zoom, int | float):
        view = figures.MapView(**{**view.__dict__, "zoom": float(zoom)})
    else:
        view = figures.MapView(**{**view.__dict__, "zoom": current.zoom})
    new_search = with_params(search, **figures.view_to_params(view))
    if new_search == (search or ""):
        return no_update
    return new_search
