"""The comparison page: the six areas and the rest side by side, totals checked.

The municipal totals in the store are compared with the figures published in the
business strategy 2025–2037, with the difference shown. The export buttons download
all six areas.
"""

from __future__ import annotations

from dash import html

from components import data, exports_panel, figures, ids, reach_views
from components.i18n import fmt_int, fmt_m2, fmt_nok, fmt_num, t
from components.i18n.map import area_name
from components.profile_panel import graph, source_line
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


def comparison_table(rows, names, lang):
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
                    t(key, lang), scope="col", className=None if fn is None else "num"
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
    """The comparison page in ``lang`` (the URL state is not used yet)."""
    fr = data.frames()
    rows = aggregates.comparison(fr)
    names = {
        a: area_name(a, name, lang)
        for a, name in zip(fr.areas["area_id"], fr.areas["name"], strict=True)
    }
    total = next(r for r in rows if r["area_id"] == TOTAL_ID)
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
            comparison_table(rows, names, lang),
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
    """The export buttons' components (the download callback is in exports_panel)."""
    return exports_panel.validation_components(EXPORT_PREFIX)
