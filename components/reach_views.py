"""Travel-time reach in the UI: the finder's filter fields, the detail card's
facts, the comparison's table, the bands' legend, and their texts. Pure: data
in, components out (the area profile's card is ``profile_panel.reach_section``),
but for the finder's date field, which asks ``components.data`` for the days the
timetable covers (``from_fields`` is called by ``finder_views``).

The figures come from ``layers.reach`` (the package) through ``components/data.py``
(cached per store version); this module only turns them into what a user reads.
"""

from __future__ import annotations

import math

from dash import dcc, html

from components import ids
from components.i18n import fmt_date, fmt_int, fmt_num, t
from components.i18n.sources import source_label
from layers.errors import InputError
from layers.finder import REACH_DEFAULT_WINDOW, REACH_WINDOWS, reach_point

BANDS = (15, 30, 45)
# The reach filter's date, window and its message (here, not in ``ids``: only
# the reach callbacks name them).
DATE_ID = "finder-reach-date"
WINDOW_ID = "finder-reach-window"
ERROR_ID = "finder-reach-error"
MAX_ADDRESS_OPTIONS = 20
MAX_SEARCH = 60
# Named places of the detail card: stop places whose name says they are a
# station (rail or metro), unless NARING_REACH_PLACES lists stop place ids.
STATION_WORDS = ("stasjon", " T")


def named_places(places, configured=None):
    """The detail card's named places: ``[(stop_id, name)]``, one per name.

    ``configured`` (comma-separated stop place ids, ``NARING_REACH_PLACES``) wins;
    by default the stations of the store (names ending in ``stasjon`` or ``T``).
    """
    rows = list(zip(places["stop_id"], places["name"], strict=True))
    if configured:
        wanted = [s.strip() for s in str(configured).split(",") if s.strip()]
        by_id = dict(rows)
        return [(s, by_id[s]) for s in wanted if s in by_id]
    out, seen = [], set()
    for stop_id, name in rows:
        name = str(name)
        if name in seen:
            continue
        if name.endswith("stasjon") or name.endswith(" T"):
            seen.add(name)
            out.append((str(stop_id), name))
    return out


def _coord(value, lang):
    return fmt_num(value, 4, lang)


def place_label(origin, places, lang, addresses=None):
    """What a user reads for an origin: the stop's name, the address, or the point."""
    if not origin:
        return ""
    point = reach_point(origin)
    if point is None:
        hit = places[places["stop_id"] == origin]
        return str(hit["name"].iat[0]) if len(hit) else origin
    for label, value in addresses or ():
        if value == origin:
            return t("reach_address", lang, address=label)
    return t(
        "reach_point", lang, lat=_coord(point[0], lang), lon=_coord(point[1], lang)
    )


def listing_label(title, lang):
    """What a user reads for a listing's point as the origin ("travel from here")."""
    return t("reach_listing", lang, title=title)


def place_options(places, lang, current=None, extra=(), listing=()):
    """The "from" dropdown's options: every stop place (name, with the id when a
    name recurs), then ``extra`` (addresses) and ``listing`` (``[(title, value)]``,
    "travel from here"), then the current origin if missing."""
    counts = places["name"].value_counts()
    out = []
    for stop_id, name in zip(places["stop_id"], places["name"], strict=True):
        label = str(name)
        if counts.get(name, 0) > 1:
            label = f"{label} ({str(stop_id).rsplit(':', 1)[-1]})"
        out.append({"label": label, "value": str(stop_id)})
    for label, value in extra:
        out.append({"label": t("reach_address", lang, address=label), "value": value})
    for title, value in listing:
        out.append({"label": listing_label(title, lang), "value": value})
    values = {o["value"] for o in out}
    if current and current not in values:
        out.append({"label": place_label(current, places, lang), "value": current})
    return out


def address_matches(addresses, text, limit=MAX_ADDRESS_OPTIONS):
    """``[(label, "LAT,LON")]`` of the store's addresses starting like ``text``."""
    text = str(text or "").strip().casefold()[:MAX_SEARCH]
    if len(text) < 2 or addresses is None or not len(addresses):
        return []
    label = _address_labels(addresses)
    hit = label.str.casefold().str.startswith(text)
    out = []
    for k in hit[hit].index[:limit]:
        g = addresses.geometry.loc[k]
        out.append((str(label.loc[k]), f"{g.y:.6f},{g.x:.6f}"))
    return out


def _address_labels(addresses):
    return (
        addresses["street"].astype(str)
        + " "
        + addresses["number"].astype("Int64").astype(str)
        + addresses["letter"].fillna("").astype(str)
    )


def address_at(addresses, origin):
    """``[(label, origin)]`` of the store's address at a ``"LAT,LON"`` origin (an
    address chosen in the dropdown), else ``[]``."""
    point = reach_point(origin) if origin else None
    if point is None or addresses is None or not len(addresses):
        return []
    g = addresses.geometry
    # The origin carries 6 decimals: within half a unit of the last is the point.
    at = ((g.y - point[0]).abs() <= 6e-7) & ((g.x - point[1]).abs() <= 6e-7)
    hit = addresses[at.to_numpy()]
    return [(str(_address_labels(hit).iat[0]), origin)] if len(hit) else []


def from_fields(q, places, lang):
    """The reach filter's "from" dropdown, its hint and the map-click store."""
    return [
        html.Div(
            [
                html.Label(t("reach_from", lang), htmlFor=ids.FINDER_REACH_FROM),
                dcc.Dropdown(
                    id=ids.FINDER_REACH_FROM,
                    options=place_options(places, lang, q.reach_from),
                    value=q.reach_from,
                    placeholder=t("reach_from_placeholder", lang),
                    searchable=True,
                    clearable=True,
                    className="finder-reach-from",
                ),
            ],
            className="finder-field",
        ),
        html.P(t("reach_from_hint", lang), className="finder-hint"),
        dcc.Store(id=ids.FINDER_REACH_CLICK),
        *when_fields(q, _info_or_error(q), lang),
    ]


def _info_or_error(q):
    """The finder's :func:`chosen_info` of ``q`` (lazily: only with a timetable)."""
    from components import data

    if not data.has_timetable():
        return None, None
    return chosen_info(data.reach_info, q.reach_date, q.reach_window)


def chosen_info(get_info, day, window):
    """``(info, error)`` of the chosen date and window: ``info`` for them, or the
    default's with ``error`` (the :class:`InputError`) when they are refused."""
    try:
        return get_info(day, window), None
    except InputError as exc:
        return get_info(None, None), exc


def window_options(lang):
    """The departure windows of the dropdown (the morning peak marked default)."""
    out = []
    for value in REACH_WINDOWS:
        label = value.replace("-", "\u2013")
        if value == REACH_DEFAULT_WINDOW:
            label = t("reach_window_default", lang, window=label)
        out.append({"label": label, "value": value})
    return out


def date_error(error, day, info, lang):
    """The message of a refused date: which days the timetable covers."""
    if error is None:
        return None
    period = (info or {}).get("period") or ("", "")
    if getattr(error, "field", None) != "date":
        return t("reach_window_error", lang)
    return t(
        "reach_date_error",
        lang,
        date=fmt_date(day, lang) if day else "",
        first=fmt_date(period[0], lang),
        last=fmt_date(period[1], lang),
    )


def when_fields(q, chosen, lang):
    """The reach filter's date (the timetable's days only) and departure window,
    and the message when the date is refused (``chosen``: :func:`chosen_info`)."""
    info, error = chosen if chosen else (None, None)
    period = (info or {}).get("period") or (None, None)
    day = q.reach_date or (info or {}).get("reference_date")
    return [
        html.Div(
            [
                html.Label(t("reach_date", lang), htmlFor=DATE_ID),
                dcc.DatePickerSingle(
                    id=DATE_ID,
                    date=day,
                    min_date_allowed=period[0],
                    max_date_allowed=period[1],
                    initial_visible_month=day,
                    display_format="DD.MM.YYYY",
                    first_day_of_week=1,
                    clearable=False,
                    placeholder=t("finder_date_placeholder", lang),
                    className="finder-date finder-reach-date",
                ),
            ],
            className="finder-field",
        ),
        html.Div(
            [
                html.Label(t("reach_window_label", lang), htmlFor=WINDOW_ID),
                dcc.Dropdown(
                    id=WINDOW_ID,
                    options=window_options(lang),
                    value=q.reach_window or REACH_DEFAULT_WINDOW,
                    clearable=False,
                    searchable=False,
                    className="finder-reach-window",
                ),
            ],
            className="finder-field",
        ),
        html.P(
            date_error(error, q.reach_date, info, lang),
            id=ERROR_ID,
            className="field-error reach-error",
            role="status",
            **{"aria-live": "polite"},
        ),
    ]


def window_text(info, lang):
    """``Avreise 07:00–09:00 1. okt. 2024, median …``."""
    if not info:
        return ""
    start, end = info["window"]
    date = fmt_date(info.get("date") or info["reference_date"], lang)
    return t("reach_window", lang, start=start, end=end, date=date)


def source_text(info, lang):
    """The source line: the GTFS feed, its as-of date and the departure window."""
    if not info:
        return ""
    return t(
        "reach_source",
        lang,
        source=source_label(info.get("source", ""), lang),
        as_of=fmt_date(info.get("as_of", ""), lang),
        window=window_text(info, lang),
    )


def minutes_text(minutes, lang, max_minutes=90):
    """``23 min``, or ``over 90 min`` when not reached."""
    if minutes is None or (isinstance(minutes, float) and math.isnan(minutes)):
        return t("reach_detail_not_reached", lang, minutes=max_minutes)
    return t("reach_detail_minutes", lang, minutes=fmt_int(round(minutes), lang))


def detail_facts(card, lang):
    """The detail card's reach section from ``card``: ``places`` [(name, min)],
    ``jobs_30`` and ``info`` (None: nothing to show)."""
    if not card:
        return []
    rows = [
        html.Div(
            [html.Dt(name), html.Dd(minutes_text(m, lang))], className="finder-fact"
        )
        for name, m in card["places"]
    ]
    # The jobs are a fact of the listing, not one more place: a list of their own.
    jobs = html.Div(
        [html.Dt(t("reach_jobs_30", lang)), html.Dd(fmt_int(card["jobs_30"], lang))],
        className="finder-fact",
    )
    notes = [window_text(card["info"], lang) + "."]
    if card["info"].get("demonstration"):
        notes.append(t("reach_demo", lang))
    return [
        html.H4(t("reach_detail_heading", lang), className="finder-detail-sub"),
        html.Dl(rows, className="finder-facts reach-facts"),
        html.Dl([jobs], className="finder-facts reach-jobs"),
        html.P(" ".join(notes), className="finder-hint reach-note"),
        here_button(lang),
    ]


def figure_rows(row, lang):
    """``[(label, value text)]`` of an area's reach row (jobs, then establishments)."""
    out = []
    for band in BANDS:
        out.append(
            (t("reach_jobs_band", lang, band=band), fmt_int(row[f"jobs_{band}"], lang))
        )
    for band in BANDS:
        out.append(
            (
                t("reach_est_band", lang, band=band),
                fmt_int(row[f"establishments_{band}"], lang),
            )
        )
    return out


def comparison_section(reach_rows, info, names, lang):
    """The comparison page's reach table: one row per area (None: no timetable).

    ``reach_rows``: ``{area id: row}`` (``data.area_reach``); ``names``: area
    id -> display name.
    """
    if not reach_rows or not info:
        return None
    head = [html.Th(t("compare_col_area", lang), scope="col")]
    for band in BANDS:
        head.append(
            html.Th(t("reach_jobs_band", lang, band=band), scope="col", className="num")
        )
    for band in BANDS:
        head.append(
            html.Th(t("reach_est_band", lang, band=band), scope="col", className="num")
        )
    body = []
    for area_id, row in reach_rows.items():
        cells = [html.Th(names.get(area_id, area_id), scope="row")]
        for key in ("jobs", "establishments"):
            for band in BANDS:
                cells.append(
                    html.Td(fmt_int(row[f"{key}_{band}"], lang), className="num")
                )
        body.append(html.Tr(cells))
    notes = [html.P(source_text(info, lang), className="card-source")]
    if info.get("demonstration"):
        notes.append(html.P(t("reach_demo", lang), className="muted"))
    caption = t("reach_profile_heading", lang)
    return html.Section(
        [
            html.H3(caption),
            html.P(t("reach_profile_lead", lang)),
            html.Div(
                html.Table(
                    [
                        html.Caption(caption, className="visually-hidden"),
                        html.Thead(html.Tr(head)),
                        html.Tbody(body),
                    ],
                    className="data-table reach-table",
                    id="compare-reach-table",
                ),
                className="table-scroll",
                tabIndex=0,
                role="region",
                **{"aria-label": caption},
            ),
            *notes,
        ],
        className="compare-reach",
        id="compare-reach",
    )


REACH_FIGURES = tuple(
    f"reach_{key}_{band}" for key in ("jobs", "establishments") for band in BANDS
)


def with_reach(figures, reach_rows, info):
    """The engine's figure rows with the reach figures of each area added.

    ``reach_jobs_15/30/45`` and ``reach_establishments_15/30/45`` (None for
    ``rest`` and ``total``, which have no centroid), each with the timetable as
    its source, so the exports show them like any other figure. New dicts: the
    shared rows are not changed.
    """
    if not reach_rows or not info:
        return list(figures)
    src = {
        "source": info.get("source", ""),
        "as_of": info.get("as_of", ""),
        "demonstration": bool(info.get("demonstration")),
        "licence": info.get("licence", ""),
    }
    out = []
    for row in figures:
        reach_row = reach_rows.get(row["area_id"])
        extra = {}
        for name in REACH_FIGURES:
            _r, key, band = name.split("_")
            extra[name] = None if reach_row is None else reach_row[f"{key}_{band}"]
        sources = row.get("sources", {})
        if reach_row is not None:  # no source line for a figure that is not given
            sources = {**sources, **dict.fromkeys(REACH_FIGURES, src)}
        out.append({**row, **extra, "sources": sources})
    return out


def band_legend(info, origin_name, lang):
    """The bands' legend: colours, the place, the departure window (None: hidden)."""
    from components.figures.reach_layer import BAND_COLOURS

    if not info or not origin_name:
        return None
    swatches = [
        html.Li(
            [
                html.Span(
                    className="reach-swatch",
                    style={"background": BAND_COLOURS[band]},
                ),
                t("reach_band_label", lang, band=band),
            ]
        )
        for band in BANDS
    ]
    notes = [t("reach_map_legend", lang, window=window_text(info, lang))]
    if info.get("demonstration"):
        notes.append(t("reach_demo", lang))
    return [
        html.P(
            [html.Strong(t("reach_map_layer", lang)), f" · {origin_name}"],
            className="reach-legend-title",
        ),
        html.Ul(swatches, className="reach-legend-bands"),
        html.P(" ".join(notes), className="finder-hint"),
    ]


def here_button(lang):
    """The detail card's "travel from here" button."""
    return html.Button(
        t("reach_from_here", lang),
        id=ids.FINDER_REACH_HERE,
        type="button",
        className="btn btn-small",
    )
