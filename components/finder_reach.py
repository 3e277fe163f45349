"""The premises finder's travel-time reach: the card's figures, "from", bands.

Split from ``finder_panel`` (its callbacks register on import, which
``finder_panel`` does). The "from" choice is a stop place, an address or a map
click; its bands are drawn on the finder's map by a Patch of the band traces.
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
)
from dash.exceptions import PreventUpdate

from components import data, finder, ids, reach_views
from components.figures import reach_layer
from components.figures.finder_map import FIRST_BAND_TRACE


def with_when(q, day, window):
    """``q`` with the reach filter's date and window from the controls, checked;
    the reference date and the default window are kept as None (short links)."""
    info = data.reach_info() if data.has_timetable() else None
    day = str(day)[:10] if day else None
    if info and day == info["reference_date"]:
        day = None
    return finder.Query.from_dict(
        {**q.to_dict(), "reach_date": day, "reach_window": window}
    )


def _when(q):
    """``(kwargs, info)`` of ``q``'s date and window; info None when refused."""
    kwargs = q.reach_kwargs() if q is not None else {}
    info, error = reach_views.chosen_info(
        data.reach_info, kwargs.get("day"), kwargs.get("window")
    )
    return kwargs, (None if error else info)


def card_reach(L, pid, q=None):
    """The detail card's reach figures of listing ``pid`` (None: no timetable,
    or the query's date refused).

    Travel times from the named places (``NARING_REACH_PLACES``, by default the
    stations of the store) to the listing, and the jobs within 30 minutes of it,
    for the date and window of ``q`` (default: the morning peak).
    """
    k = L.index.get(pid) if pid else None
    if k is None or not data.has_timetable():
        return None
    when, info = _when(q)
    if info is None:
        return None
    import os

    import geopandas as gpd

    lat, lon = float(L.frame["lat"].iat[k]), float(L.frame["lon"].iat[k])
    point = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326")
    places = reach_views.named_places(
        data.reach_places(), os.environ.get("NARING_REACH_PLACES")
    )
    rows = []
    for stop_id, name in places:
        try:
            minutes = float(data.travel_minutes(stop_id, point, **when)[0])
        except ValueError:
            continue
        rows.append((name, minutes))
    try:
        jobs = data.reach_from((lat, lon), **when).jobs_within["30"]
    except ValueError:
        return None
    return {"places": rows, "jobs_30": jobs, "info": info}


@callback(
    Output(ids.FINDER_REACH_FROM, "options"),
    Input(ids.FINDER_REACH_FROM, "search_value"),
    State(ids.FINDER_REACH_FROM, "value"),
    State(ids.FINDER_LANG, "data"),
    prevent_initial_call=True,
)
def update_reach_options(search, value, lang):
    """The "from" choices: the stop places, and the addresses matching the search."""
    if not data.has_timetable():
        raise PreventUpdate
    addresses = data.layer_or_empty("addresses")
    extra = reach_views.address_matches(addresses, search)
    value = finder.reach_origin(value)  # the client's value, checked
    listing = _listing_at(value)
    if value and not listing and value not in {v for _label, v in extra}:
        # The chosen address keeps its name once the search is cleared.
        extra += reach_views.address_at(addresses, value)
    return reach_views.place_options(
        data.reach_places(), lang, value, extra, listing=listing
    )


@callback(
    Output(ids.FINDER_REACH_FROM, "value", allow_duplicate=True),
    Output(ids.FINDER_REACH_FROM, "options", allow_duplicate=True),
    Input(ids.FINDER_REACH_CLICK, "data"),
    State(ids.FINDER_LANG, "data"),
    prevent_initial_call=True,
)
def update_reach_click(click, lang):
    """A click on the finder's map: travel from that point."""
    origin = finder.reach_origin(
        f"{(click or {}).get('lat')},{(click or {}).get('lon')}"
    )
    if origin is None or not data.has_timetable():
        raise PreventUpdate
    return origin, reach_views.place_options(data.reach_places(), lang, origin)


def _listing_at(origin):
    """``[(title, origin)]`` of the listing whose point is ``origin`` (the detail
    card's "travel from here"), else ``[]``."""
    from components.finder_panel import listings

    point = finder.reach_point(origin)
    if point is None:
        return []
    frame = listings().frame
    # The origin carries 6 decimals: within half a unit of the last is the point.
    at = ((frame["lat"] - point[0]).abs() <= 6e-7) & (
        (frame["lon"] - point[1]).abs() <= 6e-7
    )
    hit = frame.loc[at.to_numpy(), "title"]
    return [(str(hit.iat[0]), origin)] if len(hit) else []


def _origin_name(origin, lang):
    if not origin or not data.has_timetable():
        return ""
    listing = _listing_at(origin)
    if listing:
        return reach_views.listing_label(listing[0][0], lang)
    address = reach_views.address_at(data.layer_or_empty("addresses"), origin)
    return reach_views.place_label(origin, data.reach_places(), lang, address)


def _bands(origin, when=None):
    """The bands from ``origin`` and its point, or (None, None) when unknown
    (``when``: ``day`` and ``window``, :meth:`Query.reach_kwargs`)."""
    when = when or {}
    try:
        bands = data.reach_bands(origin, **when)
        o = data.reach_from(origin, **when).times.origin
    except ValueError:
        return None, None
    return bands, (o.lat, o.lon)


def _with_bands(fig, origin, lang, q=None):
    when, info = _when(q)
    if info is None:
        return fig
    bands, point = _bands(origin, when)
    if bands is None:
        return fig
    per_band, lat, lon = reach_layer.band_data(bands, point, lang)
    first = FIRST_BAND_TRACE
    for k, values in enumerate(per_band):
        fig.data[first + k].update(values)
    fig.data[first + len(per_band)].update(lat=lat, lon=lon)
    return fig


def legend(q, lang):
    """The bands' legend for the query's place, date and window (None: hidden)."""
    if not q.reach_from or not data.has_timetable():
        return None
    _when_, info = _when(q)
    return reach_views.band_legend(info, _origin_name(q.reach_from, lang), lang)


@callback(
    Output(ids.FINDER_MAP, "figure", allow_duplicate=True),
    Output(ids.FINDER_REACH_LEGEND, "children"),
    Output(reach_views.ERROR_ID, "children"),
    Input(ids.FINDER_REACH_FROM, "value"),
    Input(reach_views.DATE_ID, "date"),
    Input(reach_views.WINDOW_ID, "value"),
    State(ids.FINDER_LANG, "data"),
    prevent_initial_call=True,
)
def update_reach_bands(origin, day, window, lang):
    """The place to travel from, the date or the window changed: draw the
    travel-time bands on the map, state them in the legend, or say why not."""
    if not data.has_timetable():
        raise PreventUpdate
    q = with_when(finder.make_query(reach_from=origin), day, window)
    when = q.reach_kwargs()
    info, error = reach_views.chosen_info(data.reach_info, when["day"], when["window"])
    message = reach_views.date_error(error, q.reach_date, info, lang)
    bands, point = (None, None)
    if q.reach_from and error is None:
        bands, point = _bands(q.reach_from, when)
    patch = reach_layer.patch_bands(Patch(), FIRST_BAND_TRACE, bands, point, lang)
    shown = None
    if bands is not None:
        shown = reach_views.band_legend(info, _origin_name(q.reach_from, lang), lang)
    return patch, shown, message


@callback(
    Output(reach_views.DATE_ID, "date"),
    Output(reach_views.WINDOW_ID, "value"),
    Input(ids.FINDER_RESET, "n_clicks"),
    prevent_initial_call=True,
)
def update_reach_reset(n_clicks):
    """Reset: the reference date and the morning peak again."""
    if not n_clicks or not data.has_timetable():
        raise PreventUpdate
    return data.reach_info()["reference_date"], finder.REACH_DEFAULT_WINDOW


@callback(
    Output(ids.FINDER_DETAIL, "children", allow_duplicate=True),
    Input(reach_views.DATE_ID, "date"),
    Input(reach_views.WINDOW_ID, "value"),
    State(ids.FINDER_SELECTED, "data"),
    State(ids.FINDER_QUERY, "data"),
    State(ids.FINDER_LANG, "data"),
    prevent_initial_call=True,
)
def update_reach_card(day, window, selected, query, lang):
    """The date or the window changed: the open detail card's travel times too."""
    from components.finder_panel import listings
    from components.finder_views import detail_card

    L = listings()
    pid = (selected or {}).get("id")
    if pid not in L.index:
        raise PreventUpdate
    q = with_when(finder.Query.from_dict(query), day, window)
    today = finder.local_today()
    return detail_card(L, pid, q, today, lang, reach=card_reach(L, pid, q))


@callback(
    Output(ids.FINDER_REACH_FROM, "value", allow_duplicate=True),
    Output(ids.FINDER_REACH_FROM, "options", allow_duplicate=True),
    Input(ids.FINDER_REACH_HERE, "n_clicks"),
    State(ids.FINDER_SELECTED, "data"),
    State(ids.FINDER_LANG, "data"),
    prevent_initial_call=True,
)
def update_reach_here(n_clicks, selected, lang):
    """The detail card's "travel from here": the listing's point is the origin."""
    from components.finder_panel import listings

    L = listings()
    k = L.index.get((selected or {}).get("id"))
    if not n_clicks or k is None:
        raise PreventUpdate
    origin = finder.reach_origin(f"{L.frame['lat'].iat[k]},{L.frame['lon'].iat[k]}")
    listing = [(str(L.frame["title"].iat[k]), origin)]
    return origin, reach_views.place_options(
        data.reach_places(), lang, origin, listing=listing
    )


clientside_callback(
    ClientsideFunction("reach", "attach"),
    Output(ids.FINDER_REACH_CLICK, "data"),
    Input(ids.FINDER_MAP, "figure"),
    State(ids.FINDER_MAP, "id"),
    State(ids.FINDER_REACH_CLICK, "id"),
)
