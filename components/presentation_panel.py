"""Presentation mode: a full-screen guided tour of the business areas, for a room.

An overview of the municipality, one view per chosen area (the map flies there;
its key figures in large type, its character, ambition and largest premises), then
a closing comparison with the export buttons. Every view is rendered with the page;
moving between them happens in the browser (``assets/presentation.js``: keys,
buttons, the map's flight), so it is instant and needs no network. The current view
(``?view=3`` or ``?view=visperud``) and the chosen areas in order
(``?areas=visperud,ahus``) are kept in the link.
"""

from __future__ import annotations

from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
)
from dash.exceptions import PreventUpdate

from components import data, exports, exports_panel, ids
from components.figures import basemap
from components.figures.tour_map import presentation_map_figure
from components.i18n import lang_or_default, t
from components.tour import (
    areas_param,
    parse_areas,
    selection_change,
    view_index,
    view_list,
    with_cameras,
)
from components.tour_views import (
    EXPORT_PREFIX,
    area_names,
    area_view,
    closing_view,
    overview_view,
    setup_rows,
    tour_list,
    view_id,
)
from components.urlstate import with_params
from layers.errors import StoreError
from layers.schemas import AREA_IDS

PATH = "/presentasjon"
NAV_KEY = "nav_present"
FULLSCREEN = True
GRAPH_CONFIG = {
    "displayModeBar": False,
    "scrollZoom": False,
    "doubleClick": False,
    "responsive": True,
}


def _bounds():
    base = basemap.current()
    return base.area_bounds, base.boundary_bounds


def build_views(chosen):
    """The views of a tour with their cameras, from the store's geometry."""
    area_bounds, overview = _bounds()
    return with_cameras(view_list(chosen), area_bounds, overview)


def later_views(chosen, current, lang):
    """The area views and the closing view (re-rendered when the choice changes)."""
    fr = data.frames()
    rows = data.figures()
    by_id = exports.figures_by_id(rows)
    out = [
        area_view(
            k,
            current,
            a,
            k,
            len(chosen),
            by_id.get(a, {"area_id": a}),
            fr.premises,
            lang,
        )
        for k, a in enumerate(chosen, start=1)
    ]
    out.append(closing_view(len(chosen) + 1, current, rows, chosen, lang))
    return out


def exit_href(lang):
    """The dashboard's address in the same language."""
    return "/" + with_params("", lang=lang if lang != "nb" else None)


def layout(state, lang):
    """The presentation for the URL ``state`` (``parse_search``) in ``lang``."""
    lang = lang_or_default(lang)
    chosen = parse_areas(state.get("areas"))
    views = build_views(chosen)
    index = view_index(views, state.get("view"))
    fig = presentation_map_figure(
        basemap.current(), views[index], data.frames().premises, area_names(lang), lang
    )
    bar = html.Nav(
        [
            html.P(t("present_brand", lang), className="present-bar-brand"),
            html.P(t("present_keys_hint", lang), className="present-bar-hint"),
            html.Div(
                [
                    html.Button(
                        ["‹ ", t("present_prev", lang)],
                        id=ids.PRESENT_PREV,
                        type="button",
                        disabled=index == 0,
                        className="present-btn",
                    ),
                    html.P(
                        [
                            html.Span(
                                t("present_progress_label", lang) + " ",
                                className="visually-hidden",
                            ),
                            html.Span(
                                f"{index + 1} / {len(views)}", id=ids.PRESENT_PROGRESS
                            ),
                        ],
                        className="present-progress",
                        **{"aria-live": "polite", "aria-atomic": "true"},
                    ),
                    html.Button(
                        [t("present_next", lang), " ›"],
                        id=ids.PRESENT_NEXT,
                        type="button",
                        disabled=index == len(views) - 1,
                        className="present-btn present-btn-primary",
                    ),
                    # assets/a11y.js: toggles the browser's full screen.
                    html.Button(
                        t("fullscreen", lang),
                        id="present-fullscreen",
                        type="button",
                        className="present-btn fullscreen-button",
                        **{"aria-pressed": "false"},
                    ),
                    dcc.Link(
                        t("present_exit", lang),
                        id=ids.PRESENT_EXIT,
                        href=exit_href(lang),
                        className="present-btn present-exit",
                        title=t("present_exit_label", lang),
                    ),
                ],
                className="present-bar-controls",
            ),
        ],
        className="present-bar",
        **{"aria-label": t("present_nav_label", lang)},
    )
    return html.Div(
        [
            dcc.Store(id=ids.PRESENT_VIEWS, data=views),
            dcc.Store(id=ids.PRESENT_INDEX, data=index),
            dcc.Store(id=ids.PRESENT_KEY),
            dcc.Store(id=ids.PRESENT_ORDER, data=chosen),
            dcc.Store(id=ids.PRESENT_FOCUS),
            dcc.Store(id=ids.PRESENT_LANG, data=lang),
            html.Div(
                [
                    html.Div(
                        dcc.Graph(
                            id=ids.PRESENT_MAP,
                            figure=fig,
                            config=GRAPH_CONFIG,
                            className="present-map",
                        ),
                        className="present-map-col",
                        role="img",
                        **{"aria-label": t("present_map_label", lang)},
                    ),
                    html.Div(
                        [
                            overview_view(index, chosen, lang),
                            html.Div(
                                later_views(chosen, index, lang),
                                id=ids.PRESENT_AREA_VIEWS,
                                className="present-later",
                            ),
                        ],
                        className="present-views-col",
                    ),
                ],
                className="present-stage",
            ),
            bar,
        ],
        id=ids.PRESENT_DECK,
        className="present-page",
        lang=lang,
    )


def validation_components():
    """Every component a callback of this panel names, for the validation layout."""
    return [
        dcc.Store(id=ids.PRESENT_VIEWS),
        dcc.Store(id=ids.PRESENT_INDEX),
        dcc.Store(id=ids.PRESENT_KEY),
        dcc.Store(id=ids.PRESENT_ORDER),
        dcc.Store(id=ids.PRESENT_FOCUS),
        dcc.Store(id=ids.PRESENT_LANG),
        dcc.Graph(id=ids.PRESENT_MAP),
        html.Div(id=ids.PRESENT_AREA_VIEWS),
        html.Ol(id=ids.PRESENT_TOUR),
        html.Ul(id=ids.PRESENT_SETUP),
        html.Span(id=ids.PRESENT_PROGRESS),
        html.Button(id=ids.PRESENT_PREV),
        html.Button(id=ids.PRESENT_NEXT),
        dcc.Link(id=ids.PRESENT_EXIT, href="/"),
        html.Section(id=view_id(0)),
        dcc.Checklist(id={"type": ids.PRESENT_INCLUDE, "area": AREA_IDS[0]}),
        html.Button(id={"type": ids.PRESENT_MOVE, "area": AREA_IDS[0], "dir": "up"}),
        *exports_panel.validation_components(EXPORT_PREFIX),
    ]


# Keys, buttons and the back button move the current view (all in the browser).
clientside_callback(
    ClientsideFunction("presentation", "step"),
    Output(ids.PRESENT_INDEX, "data"),
    Input(ids.PRESENT_KEY, "data"),
    Input(ids.PRESENT_PREV, "n_clicks"),
    Input(ids.PRESENT_NEXT, "n_clicks"),
    State(ids.PRESENT_INDEX, "data"),
    State(ids.PRESENT_VIEWS, "data"),
    prevent_initial_call=True,
)


# Show the current view, update progress and buttons, and fly the map there.
clientside_callback(
    ClientsideFunction("presentation", "show"),
    Output(view_id(ALL), "className"),
    Output(ids.PRESENT_PROGRESS, "children"),
    Output(ids.PRESENT_PREV, "disabled"),
    Output(ids.PRESENT_NEXT, "disabled"),
    Input(ids.PRESENT_INDEX, "data"),
    Input(ids.PRESENT_VIEWS, "data"),
)


# Keep the current view in the link.
clientside_callback(
    ClientsideFunction("presentation", "url"),
    Output(ids.PAGE_URL, "search", allow_duplicate=True),
    Input(ids.PRESENT_INDEX, "data"),
    State(ids.PRESENT_VIEWS, "data"),
    State(ids.PAGE_URL, "search"),
    prevent_initial_call=True,
)


# Give focus back to the control that re-rendered the setup list.
clientside_callback(
    ClientsideFunction("presentation", "focus"),
    Input(ids.PRESENT_FOCUS, "data"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.PRESENT_TOUR, "children"),
    Output(ids.PRESENT_SETUP, "children"),
    Output(ids.PRESENT_AREA_VIEWS, "children"),
    Output(ids.PRESENT_VIEWS, "data"),
    Output(ids.PRESENT_ORDER, "data"),
    Output(ids.PRESENT_FOCUS, "data"),
    Output(ids.PAGE_URL, "search", allow_duplicate=True),
    Input({"type": ids.PRESENT_INCLUDE, "area": ALL}, "value"),
    Input({"type": ids.PRESENT_MOVE, "area": ALL, "dir": ALL}, "n_clicks"),
    State(ids.PRESENT_ORDER, "data"),
    State(ids.PRESENT_LANG, "data"),
    State(ids.PAGE_URL, "search"),
    prevent_initial_call=True,
)
def update_selection(_include, _moves, chosen, lang, search):
    """Apply the setup list: re-render the tour for the new areas and keep it in the link."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered:
        raise PreventUpdate
    chosen = parse_areas(",".join(chosen or []))
    new, focus = selection_change(chosen, trigger, ctx.triggered[0].get("value"))
    if new == chosen:
        raise PreventUpdate
    lang = lang_or_default(lang)
    try:
        views = build_views(new)
        later = later_views(new, 0, lang)
    except StoreError as exc:  # the store went away under us: leave the page as it is
        raise PreventUpdate from exc
    search = with_params(search, areas=areas_param(new), view=None)
    return (
        tour_list(new, lang),
        setup_rows(new, lang),
        later,
        views,
        new,
        {"id": focus},
        search,
    )
