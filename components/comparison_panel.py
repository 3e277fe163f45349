"""The comparison page: the six areas and the rest side by side, totals checked.

The municipal totals in the store are compared with the figures published in the
business strategy 2025–2037, with the difference shown. The export buttons download
all six areas.
"""

from __future__ import annotations

from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from components import data, exports_panel, figures, ids, reach_views
from components.i18n import fmt_int, fmt_m2, fmt_nok, fmt_num, lang_or_default, t
from components.i18n.map import area_name
from components.profile_panel import graph, source_line
from components.urlstate import get_list, parse_search, with_params
from layers import aggregates, strategy
from layers.schemas import AREA_IDS, REST_ID, TOTAL_ID

PATH = "/sammenligning"
NAV_KEY = "nav_compare"
EXPORT_PREFIX = "compare"

# Published in the default kommune's strategy (layers/strategy.py; Lørenskog only).
PUBLISHED_JOBS = strategy.JOBS.value
PUBLISHED_ENTERPRISES = strategy.ENTERPRISES.value


def check_rows(total):
    """Our municipal totals against the strategy's figures.

    Parameters
    ----------
    total : dict
        The ``total`` row of ``aggregates.comparison``.

    Returns
    -------
    list of dict
        ``key``, ``ours``, ``published``, ``diff``, ``diff_pct``, ``as_of_key``.
    """
    rows = []
    for key, ours, published, as_of_key in (
        (
            "compare_check_jobs",
            total["jobs"],
            PUBLISHED_JOBS,
            "compare_check_jobs_as_of",
        ),
        (
            "compare_check_enterprises",
            total["establishments"],
            PUBLISHED_ENTERPRISES,
            "compare_check_enterprises_as_of",
        ),
    ):
        diff = ours - published
        rows.append(
            {
                "key": key,
                "ours": ours,
                "published": published,
                "diff": diff,
                "diff_pct": diff / published * 100,
                "as_of_key": as_of_key,
            }
        )
    return rows


def _signed(value, lang, decimals=0):
    text = fmt_num(abs(value), decimals, lang)
    if round(value, decimals) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def _name(area_id, names, lang):
    if area_id == REST_ID:
        return t("compare_rest", lang)
    if area_id == TOTAL_ID:
        return t("compare_total", lang)
    return names.get(area_id, area_id)


# Columns the table can be sorted by: column key -> the row's field.
SORT_FIELDS = {
    "compare_sort_order": "order",  # the areas' own order (the default)
    "compare_col_area": None,
    "compare_col_km2": "km2",
    "compare_col_establishments": "establishments",
    "compare_col_jobs": "jobs",
    "compare_col_density": "jobs_per_km2",
    "compare_col_new": "new_12m",
    "compare_col_premises": "premises_available",
    "compare_col_premises_m2": "premises_m2",
    "compare_col_rent": "median_rent_nok_m2",
    "compare_col_stops": "stops",
    "compare_col_departures": "departures_peak_hour",
}
SORT_URL = {
    key: key.removeprefix("compare_col_").removeprefix("compare_sort_")
    for key in SORT_FIELDS
}
SORT_KEY = {v: k for k, v in SORT_URL.items()}
DEFAULT_SORT = "compare_sort_order"


def view_of(state):
    """``(chosen areas, sort column key, descending)`` from the URL state.

    ``?areas=sentrum,visperud`` chooses the areas (default all), ``?sort=jobs``
    and ``?dir=desc`` order them; unknown values fall back to the defaults.
    """
    asked = set(get_list(state, "areas", AREA_IDS))
    chosen = [a for a in AREA_IDS if a in asked] or list(AREA_IDS)
    sort = SORT_KEY.get(state.get("sort", ""), DEFAULT_SORT)
    return chosen, sort, state.get("dir") == "desc"


def ordered_rows(rows, names, chosen, sort, descending, lang):
    """The chosen areas in the asked order, then the rest and the total.

    The rest and the whole municipality stay last, whatever the order, so the
    sums still read; an area without a value (no rent) sorts last either way.
    """
    field = SORT_FIELDS.get(sort)
    areas = [r for r in rows if r["area_id"] in chosen]
    if field == "order":
        areas = areas[::-1] if descending else areas
        return areas + [r for r in rows if r["area_id"] in (REST_ID, TOTAL_ID)]

    def key(r):
        if field is None:
            return (0, _name(r["area_id"], names, lang).casefold())
        value = r.get(field)
        return (1, 0) if value is None else (0, -value if descending else value)

    areas.sort(key=key, reverse=field is None and descending)
    tail = [r for r in rows if r["area_id"] in (REST_ID, TOTAL_ID)]
    return areas + tail


def controls(names, chosen, sort, descending, lang):
    """Which areas to compare and the order, as form controls (state in the URL)."""
    return html.Div(
        [
            html.Fieldset(
                [
                    html.Legend(t("compare_choose_label", lang)),
                    dcc.Checklist(
                        id=ids.COMPARE_AREAS,
                        options=[
                            {"label": names.get(a, a), "value": a} for a in AREA_IDS
                        ],
                        value=list(chosen),
                        inline=True,
                        className="choice-list",
                        labelClassName="choice",
                    ),
                ],
                className="compare-choose",
            ),
            html.Div(
                [
                    html.Label(t("compare_sort_label", lang), htmlFor=ids.COMPARE_SORT),
                    dcc.Dropdown(
                        id=ids.COMPARE_SORT,
                        options=[
                            {"label": t(k, lang), "value": SORT_URL[k]}
                            for k in SORT_FIELDS
                        ],
                        value=SORT_URL[sort],
                        clearable=False,
                        searchable=False,
                        className="compare-sort-select",
                    ),
                    dcc.RadioItems(
                        id=ids.COMPARE_DIR,
                        options=[
                            {"label": t("compare_sort_asc", lang), "value": "asc"},
                            {"label": t("compare_sort_desc", lang), "value": "desc"},
                        ],
                        value="desc" if descending else "asc",
                        inline=True,
                        className="choice-list",
                        labelClassName="choice",
                    ),
                ],
                className="compare-sort",
            ),
        ],
        className="compare-controls",
    )


def comparison_table(rows, names, lang, *, sort=None, descending=False):
    """The key figures of every area, the rest and the total as a table."""
    total_jobs = next(r["jobs"] for r in rows if r["area_id"] == TOTAL_ID) or 1
    cols = [
        ("compare_col_area", None),
        ("compare_col_km2", lambda r: fmt_num(r["km2"], 2, lang) if r["km2"] else "–"),
        ("compare_col_establishments", lambda r: fmt_int(r["establishments"], lang)),
        ("compare_col_jobs", lambda r: fmt_int(r["jobs"], lang)),
        (
            "compare_col_jobs_share",
            lambda r: fmt_num(r["jobs"] / total_jobs * 100, 1, lang) + " %",
        ),
        (
            "compare_col_density",
            lambda r: fmt_int(r["jobs_per_km2"], lang) if r["jobs_per_km2"] else "–",
        ),
        ("compare_col_new", lambda r: fmt_int(r["new_12m"], lang)),
        ("compare_col_premises", lambda r: fmt_int(r["premises_available"], lang)),
        ("compare_col_premises_m2", lambda r: fmt_m2(r["premises_m2"], lang)),
        (
            "compare_col_rent",
            lambda r: (
                fmt_nok(r["median_rent_nok_m2"], lang)
                if r["median_rent_nok_m2"] is not None
                else "–"
            ),
        ),
        ("compare_col_stops", lambda r: fmt_int(r["stops"], lang)),
        ("compare_col_departures", lambda r: fmt_int(r["departures_peak_hour"], lang)),
    ]
    head = html.Thead(
        html.Tr(
            [
                html.Th(
                    t(key, lang),
                    scope="col",
                    className=None if fn is None else "num",
                    **(
                        {"aria-sort": "descending" if descending else "ascending"}
                        if key == sort
                        else {}
                    ),
                )
                for key, fn in cols
            ]
        )
    )
    body = []
    for r in rows:
        name = _name(r["area_id"], names, lang)
        if r["area_id"] in AREA_IDS:
            # Each area leads to its profile on the map page (in the same language).
            query = f"?area={r['area_id']}" + ("&lang=en" if lang == "en" else "")
            name = html.A(
                name,
                href=f"/{query}",
                title=t("compare_profile_link", lang, name=name),
                className="compare-area-link",
            )
        cells = [html.Th(name, scope="row")]
        cells += [html.Td(fn(r), className="num") for _key, fn in cols[1:]]
        body.append(
            html.Tr(cells, className="total-row" if r["area_id"] == TOTAL_ID else None)
        )
    return html.Div(
        html.Table(
            [html.Caption(t("compare_table_caption", lang)), head, html.Tbody(body)],
            className="data-table compare-table",
            id=ids.COMPARE_TABLE,
        ),
        className="table-scroll",
        tabIndex=0,
        role="region",
        **{"aria-label": t("compare_table_caption", lang)},
    )


def check_table(total, lang):
    """The totals check: ours, published, difference (absolute and %)."""
    head = html.Thead(
        html.Tr(
            [
                html.Th(t("compare_check_col_figure", lang), scope="col"),
                html.Th(
                    t("compare_check_col_ours", lang), scope="col", className="num"
                ),
                html.Th(
                    t("compare_check_col_published", lang), scope="col", className="num"
                ),
                html.Th(
                    t("compare_check_col_diff", lang), scope="col", className="num"
                ),
                html.Th(
                    t("compare_check_col_diff_pct", lang), scope="col", className="num"
                ),
                html.Th(t("compare_check_col_as_of", lang), scope="col"),
            ]
        )
    )
    body = [
        html.Tr(
            [
                html.Th(t(r["key"], lang), scope="row"),
                html.Td(fmt_int(r["ours"], lang), className="num"),
                html.Td(fmt_int(r["published"], lang), className="num"),
                html.Td(_signed(r["diff"], lang), className="num"),
                html.Td(_signed(r["diff_pct"], lang, 1) + " %", className="num"),
                html.Td(t(r["as_of_key"], lang)),
            ]
        )
        for r in check_rows(total)
    ]
    return html.Table(
        [
            html.Caption(t("compare_check_heading", lang), className="visually-hidden"),
            head,
            html.Tbody(body),
        ],
        className="data-table check-table",
        id=ids.COMPARE_CHECK,
    )


def comparison_charts(rows, names, lang):
    """Bar charts of jobs, density, establishments and available m² per area."""
    shown = [r for r in rows if r["area_id"] != TOTAL_ID]
    labels = [_name(r["area_id"], names, lang) for r in shown]
    areas_only = [r for r in shown if r["area_id"] in AREA_IDS]
    area_labels = [_name(r["area_id"], names, lang) for r in areas_only]
    specs = [
        (
            "jobs",
            "compare_chart_jobs",
            labels,
            [r["jobs"] for r in shown],
            figures.ACCENT,
        ),
        (
            "density",
            "compare_chart_density",
            area_labels,
            [r["jobs_per_km2"] for r in areas_only],
            "#b3541e",
        ),
        (
            "establishments",
            "compare_chart_establishments",
            labels,
            [r["establishments"] for r in shown],
            "#0b6e4f",
        ),
        (
            "premises",
            "compare_chart_premises",
            labels,
            [r["premises_m2"] for r in shown],
            "#7b1fa2",
        ),
    ]
    return html.Div(
        [
            html.Figure(
                graph(
                    figures.comparison_figure(
                        names_, values, t(key, lang), lang, color=color
                    )
                ),
                className="chart",
                id=f"compare-chart-{slug}",
            )
            for slug, key, names_, values, color in specs
        ],
        className="charts compare-charts",
        id=ids.COMPARE_CHARTS,
    )


def layout(state, lang):
    """The comparison page in ``lang``; ``state`` chooses and orders the areas."""
    fr = data.frames()
    rows = aggregates.comparison(fr)
    names = {
        a: area_name(a, name, lang)
        for a, name in zip(fr.areas["area_id"], fr.areas["name"], strict=True)
    }
    total = next(r for r in rows if r["area_id"] == TOTAL_ID)
    chosen, sort, descending = view_of(state)
    sources = next(
        (r["sources"] for r in data.figures() if r["area_id"] == TOTAL_ID), {}
    )
    notes = []
    if fr.indicative:
        notes.append(html.P(t("profile_indicative", lang), className="indicative-note"))
    return html.Div(
        [
            html.H2(t("compare_heading", lang)),
            html.P(t("compare_intro", lang), className="lead"),
            exports_panel.export_buttons(EXPORT_PREFIX, lang),
            *notes,
            controls(names, chosen, sort, descending, lang),
            html.Div(
                comparison_table(
                    ordered_rows(rows, names, chosen, sort, descending, lang),
                    names,
                    lang,
                    sort=sort,
                    descending=descending,
                ),
                id=ids.COMPARE_TABLE_BOX,
                **{"aria-live": "polite"},
            ),
            html.Div(
                [
                    html.H3(t("compare_sources", lang)),
                    source_line(sources.get("jobs"), lang),
                    source_line(sources.get("premises_available"), lang),
                    source_line(sources.get("stops"), lang),
                ],
                className="sources",
            ),
            comparison_charts(rows, names, lang),
            reach_views.comparison_section(
                data.area_reach(), data.reach_info(), names, lang
            ),
            # The strategy's published totals are Lørenskog's: no check elsewhere.
            html.Section(
                [
                    html.H3(t("compare_check_heading", lang)),
                    html.P(t("compare_check_intro", lang)),
                    check_table(total, lang),
                    html.P(
                        t("compare_check_enterprises_note", lang), className="muted"
                    ),
                    html.P(t("profile_strategy_source", lang), className="card-source"),
                ],
                className="check",
            )
            if strategy.applies()
            else None,
        ],
        className="compare-page",
    )


def validation_components():
    """The export buttons' and the table controls' components, for the validation layout."""
    return [
        *exports_panel.validation_components(EXPORT_PREFIX),
        dcc.Checklist(id=ids.COMPARE_AREAS),
        dcc.Dropdown(id=ids.COMPARE_SORT),
        dcc.RadioItems(id=ids.COMPARE_DIR),
        html.Div(id=ids.COMPARE_TABLE_BOX),
    ]


@callback(
    Output(ids.COMPARE_TABLE_BOX, "children"),
    Output(ids.PAGE_URL, "search", allow_duplicate=True),
    Input(ids.COMPARE_AREAS, "value"),
    Input(ids.COMPARE_SORT, "value"),
    Input(ids.COMPARE_DIR, "value"),
    State(ids.PAGE_URL, "search"),
    prevent_initial_call=True,
)
def update_table(chosen, sort, direction, search):
    """Re-order the table for the chosen areas and column; keep them in the link."""
    state = parse_search(search)
    lang = lang_or_default(state.get("lang"))
    chosen = [a for a in AREA_IDS if a in (chosen or [])]
    if sort not in SORT_KEY:
        raise PreventUpdate
    descending = direction == "desc"
    fr = data.frames()
    names = {
        a: area_name(a, name, lang)
        for a, name in zip(fr.areas["area_id"], fr.areas["name"], strict=True)
    }
    rows = aggregates.comparison(fr)
    key = SORT_KEY[sort]
    table = comparison_table(
        ordered_rows(rows, names, chosen, key, descending, lang),
        names,
        lang,
        sort=key,
        descending=descending,
    )
    search = with_params(
        search,
        areas=None if len(chosen) == len(AREA_IDS) else ",".join(chosen) or None,
        sort=None if sort == SORT_URL[DEFAULT_SORT] else sort,
        dir="desc" if descending else None,
    )
    return table, search
