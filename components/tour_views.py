"""The content of the tour's views (overview, one per area, closing comparison) in HTML.

Pure: figures rows, premises and the language in, Dash HTML components out.
"""

from __future__ import annotations

from dash import dcc, html

from components import exports, exports_panel, ids
from components.i18n import fmt_count, fmt_date, fmt_int, fmt_m2, fmt_nok, plural, t
from components.i18n.map import premises_type_name
from components.i18n.sources import source_label
from components.tour import setup_order
from layers import aggregates, kommune, strategy
from layers.schemas import AREA_IDS, REST_ID, TOTAL_ID
from layers.sources.areas import AREA_INFO

EXPORT_PREFIX = "present"  # ids of the closing view's export buttons
TOP_PREMISES = 3
INHABITANTS = strategy.INHABITANTS.value  # "about 50 000" (layers/strategy.py)


def closing_bars(rows, names, lang):
    """The bars of the comparison: jobs in each area and the rest.

    Returns
    -------
    list of dict
        ``area_id``, ``label``, ``value``, ``text`` and ``share`` (percent of the
        largest value, the bar's length), in ``AREA_IDS`` order, then the rest.
    """
    by_id = {r["area_id"]: r for r in rows}
    order = [*AREA_IDS, REST_ID]
    values = [int(by_id.get(a, {}).get("jobs") or 0) for a in order]
    top = max(values) or 1
    return [
        {
            "area_id": a,
            "label": names.get(a, a) if a != REST_ID else t("present_rest", lang),
            "value": v,
            "text": fmt_int(v, lang),
            "share": round(100 * v / top, 1),
        }
        for a, v in zip(order, values, strict=True)
    ]


def closing_chart(rows, names, lang):
    """Horizontal bars in HTML: they scale with the screen, values written out."""
    items = []
    for bar in closing_bars(rows, names, lang):
        swatch = (
            "swatch-rest" if bar["area_id"] == REST_ID else f"swatch-{bar['area_id']}"
        )
        items.append(
            html.Li(
                [
                    html.Span(bar["label"], className="present-bar-label"),
                    html.Span(
                        [
                            html.Span(
                                className=f"present-bar-fill {swatch}",
                                # The bar's length is data, so it is set here.
                                style={"width": f"{bar['share']}%"},
                                **{"aria-hidden": "true"},
                            ),
                            html.Span(bar["text"], className="present-bar-value"),
                        ],
                        className="present-bar-track",
                    ),
                ],
                className="present-bar-row",
            )
        )
    return html.Ul(items, className="present-bars")


def _name(area_id, lang):
    return exports.area_name(area_id, lang)


def area_names(lang):
    return {a: _name(a, lang) for a in AREA_IDS}


def _swatch(area_id):
    return html.Span(
        className=f"present-swatch swatch-{area_id}", **{"aria-hidden": "true"}
    )


def _figure(value, label, detail=None, unit=None):
    if unit:
        value = [value, html.Span(f"\u00a0{unit}", className="present-figure-unit")]
    return html.Div(
        [
            html.P(value, className="present-figure-value"),
            html.P(label, className="present-figure-label"),
            html.P(detail, className="present-figure-detail") if detail else None,
        ],
        className="present-figure",
    )


def _demo_tag(lang):
    return html.Span(t("present_demo", lang), className="present-demo-tag")


def _sources_line(rows, lang):
    entries = exports.source_entries(rows)
    as_of = t("as_of", lang)
    parts = (
        f"{source_label(e['source'], lang)} {as_of} {fmt_date(e['as_of'], lang)}"
        if e.get("as_of")
        else source_label(e["source"], lang)
        for e in entries
    )
    # Entries differing only in their licence read the same here: once each.
    text = "; ".join(dict.fromkeys(parts))
    return t("present_figures_source", lang, sources=text) if text else ""


AS_OF_GROUPS = (
    ("establishments", "present_asof_firms"),
    ("premises_available", "present_asof_premises"),
    ("stops", "present_asof_transit"),
)


def as_of_line(row, lang):
    """When each group of an area's figures was measured, in one short line.

    Demonstration data is named by its tag beside the line; a real source is
    named here.
    """
    parts = []
    for figure, key in AS_OF_GROUPS:
        src = (row.get("sources") or {}).get(figure) or {}
        text = t(key, lang)
        if src.get("source") and not src.get("demonstration"):
            text += f" ({src['source']})"
        if src.get("as_of"):
            text += f" {t('as_of', lang)} {fmt_date(src['as_of'], lang)}"
        parts.append(text)
    return " · ".join(parts)


def _reach_detail(row, lang):
    """``22 021 jobs within 30 min by public transport`` (None: no reach figure;
    ``reach_views.with_reach`` adds it to the rows)."""
    jobs = row.get("reach_jobs_30")
    if jobs is None:
        return None
    return t("reach_tour_fact", lang, jobs=fmt_int(jobs, lang))


def area_figures_block(row, lang):
    """The strip of an area's key figures in large type (``layers.stats`` row)."""
    rent = row.get("median_rent_nok_m2")
    items = [
        _figure(
            fmt_int(row.get("establishments"), lang),
            plural(row.get("establishments"), "establishment", lang),
        ),
        _figure(
            fmt_int(row.get("jobs"), lang),
            plural(row.get("jobs"), "job", lang),
            _reach_detail(row, lang),
        ),
        _figure(
            fmt_int(row.get("premises_m2"), lang),
            t("present_premises_m2", lang),
            t(
                "present_premises_detail",
                lang,
                n=fmt_count(row.get("premises_available"), "premises", lang),
                rent=fmt_nok(rent, lang) if rent is not None else "–",
            ),
            unit="m²",
        ),
        _figure(
            fmt_int(row.get("stops"), lang),
            plural(row.get("stops"), "stop", lang),
            t(
                "present_transit_detail",
                lang,
                lines=fmt_count(row.get("lines"), "line", lang),
                deps=fmt_count(row.get("departures_peak_hour"), "departure", lang),
            ),
        ),
    ]
    head = [html.H3(t("present_figures", lang), className="present-block-title")]
    if row.get("demonstration"):
        head.append(_demo_tag(lang))
    head.append(html.P(as_of_line(row, lang)))
    return html.Div(
        [
            html.Div(head, className="present-strip-head"),
            html.Div(items, className="present-figures"),
        ],
        className="present-strip",
    )


def top_premises(premises, area_id, n=TOP_PREMISES):
    """The ``n`` largest available premises of an area (ties by title)."""
    sel = aggregates.in_area(premises, area_id)
    return sel.sort_values(["size_m2", "title"], ascending=[False, True]).head(n)


def premises_block(premises, area_id, lang):
    """The area's largest available premises as a short list."""
    top = top_premises(premises, area_id)
    if len(top) == 0:
        body = html.P(t("present_no_premises", lang), className="present-body")
    else:
        items = [
            html.Li(
                [
                    html.Strong(fmt_m2(rec.get("size_m2"), lang)),
                    " ",
                    premises_type_name(rec.get("type"), lang),
                    html.Span(
                        f", {rec['address']}" if rec.get("address") else "",
                        className="premises-address",
                    ),
                ]
            )
            for rec in top.to_dict("records")
        ]
        body = html.Ol(items, className="present-premises")
    return html.Section(
        [
            html.H3(
                [
                    html.Span(className="present-dot", **{"aria-hidden": "true"}),
                    t("present_top_premises", lang),
                ],
                className="present-block-title",
            ),
            body,
        ],
        className="present-premises-block",
    )


def view_id(index):
    return {"type": ids.PRESENT_VIEW, "index": index}


def _view_class(index, current, extra=""):
    cls = f"present-view {extra}".strip()
    return cls + (" is-current" if index == current else "")


def area_view(index, current, area_id, position, count, row, premises, lang):
    """One area's view: name, ambition, character, premises and key figures."""
    # The kommune's configuration's texts (Lørenskog's: the shipped ones).
    info = kommune.area_texts(area_id, AREA_INFO)
    suffix = "en" if lang == "en" else "nb"
    return html.Section(
        [
            html.Div(
                [
                    html.P(
                        [
                            _swatch(area_id),
                            t("present_area_kicker", lang, k=position, n=count),
                        ],
                        className="present-kicker",
                    ),
                    html.H2(_name(area_id, lang), className="present-title"),
                    html.P(info[f"ambition_{suffix}"], className="present-lead"),
                    html.Section(
                        [
                            html.H3(
                                t("present_character", lang),
                                className="present-block-title",
                            ),
                            html.P(
                                info[f"description_{suffix}"], className="present-body"
                            ),
                        ]
                    ),
                    premises_block(premises, area_id, lang),
                    html.Footer(
                        f"{t('present_text_source', lang)} · "
                        f"{t('indicative_note', lang)}"
                        if strategy.applies()
                        else t("indicative_note", lang),
                        className="present-sources",
                    ),
                ],
                className="present-text",
                tabIndex="0",  # it may scroll: keyboard users can too
            ),
            area_figures_block(row, lang),
        ],
        id=view_id(index),
        className=_view_class(index, current, "present-area"),
        **{"aria-label": _name(area_id, lang), "data-area": area_id},
    )


def closing_table(rows, lang):
    """The six areas, the rest and the total: a small table in large type."""
    by_id = {r["area_id"]: r for r in rows}
    cols = ("establishments", "jobs", "premises_m2", "stops")
    labels = (
        "present_col_establishments",
        "present_col_jobs",
        "present_col_premises_m2",
        "present_col_stops",
    )
    fmts = (fmt_int, fmt_int, fmt_m2, fmt_int)
    head = html.Thead(
        html.Tr(
            [html.Th(t("present_col_area", lang), scope="col")]
            + [html.Th(t(k, lang), scope="col", className="num") for k in labels]
        )
    )
    body = []
    for area_id in (*AREA_IDS, REST_ID, TOTAL_ID):
        row = by_id.get(area_id)
        if row is None:
            continue
        if area_id in AREA_IDS:
            name = [_swatch(area_id), _name(area_id, lang)]
        else:
            name = t("present_rest" if area_id == REST_ID else "present_total", lang)
        cells = [
            html.Td(fn(row.get(c), lang), className="num")
            for c, fn in zip(cols, fmts, strict=True)
        ]
        body.append(
            html.Tr(
                [html.Th(name, scope="row"), *cells],
                className="total-row" if area_id == TOTAL_ID else None,
            )
        )
    return html.Table([head, html.Tbody(body)], className="present-table")


def closing_view(index, current, rows, chosen, lang):
    """The closing comparison: jobs per area, a small table and the downloads."""
    demo = any(r.get("demonstration") for r in rows)
    title = [t("present_closing_title", lang)]
    if demo:
        title += [" ", _demo_tag(lang)]
    return html.Section(
        [
            html.H2(title, className="present-title"),
            html.Div(
                [
                    html.Figure(
                        [
                            html.Figcaption(
                                t("present_closing_chart", lang),
                                className="present-block-title",
                            ),
                            closing_chart(rows, area_names(lang), lang),
                        ],
                        className="present-closing-figure",
                    ),
                    html.Div(
                        [
                            closing_table(rows, lang),
                            html.Div(
                                [
                                    html.H3(
                                        t("present_take_away", lang),
                                        className="present-block-title",
                                    ),
                                    exports_panel.export_buttons(
                                        EXPORT_PREFIX, lang, areas=chosen
                                    ),
                                ],
                                className="present-take-away",
                            ),
                        ],
                        className="present-closing-table",
                    ),
                ],
                className="present-closing-body",
            ),
            html.Footer(
                [
                    html.P(_sources_line(rows, lang)),
                    html.P(t("present_demo_note", lang)) if demo else None,
                ],
                className="present-sources",
            ),
        ],
        id=view_id(index),
        className=_view_class(index, current, "present-closing"),
        **{"aria-label": t("present_closing_title", lang)},
    )


def tour_list(chosen, lang):
    """The areas of the tour, in order, with their map colours (the map's legend)."""
    return [
        html.Li([_swatch(a), _name(a, lang)], className="present-tour-item")
        for a in chosen
    ]


def setup_rows(chosen, lang):
    """The setup list: one row per area with a checkbox and move buttons."""
    rows = []
    for area in setup_order(chosen):
        name = _name(area, lang)
        included = area in chosen
        pos = chosen.index(area) if included else None
        rows.append(
            html.Li(
                [
                    dcc.Checklist(
                        id={"type": ids.PRESENT_INCLUDE, "area": area},
                        options=[
                            {
                                "label": html.Span([_swatch(area), name]),
                                "value": area,
                                # The last area cannot be taken out: a tour needs one.
                                "disabled": included and len(chosen) == 1,
                            }
                        ],
                        value=[area] if included else [],
                        className="present-include",
                        labelClassName="present-include-label",
                    ),
                    html.Span(
                        str(pos + 1) if included else t("present_not_shown", lang),
                        className="present-position",
                    ),
                    html.Button(
                        "↑",
                        id={"type": ids.PRESENT_MOVE, "area": area, "dir": "up"},
                        type="button",
                        disabled=not included or pos == 0,
                        className="present-move",
                        title=t("present_move_up", lang, name=name),
                        **{"aria-label": t("present_move_up", lang, name=name)},
                    ),
                    html.Button(
                        "↓",
                        id={"type": ids.PRESENT_MOVE, "area": area, "dir": "down"},
                        type="button",
                        disabled=not included or pos == len(chosen) - 1,
                        className="present-move",
                        title=t("present_move_down", lang, name=name),
                        **{"aria-label": t("present_move_down", lang, name=name)},
                    ),
                ],
                className="present-setup-row" + ("" if included else " is-off"),
            )
        )
    return rows


def overview_view(current, chosen, lang):
    """The first view: the municipality, the areas of the tour, and its setup."""
    return html.Section(
        [
            html.Div(
                [
                    html.P(t("present_brand", lang), className="present-kicker"),
                    html.H2(
                        t("present_overview_title", lang), className="present-title"
                    ),
                    html.P(t("present_overview_lead", lang), className="present-lead"),
                    html.H3(
                        t("present_tour_heading", lang),
                        className="present-block-title present-tour-heading",
                    ),
                    html.Ol(
                        tour_list(chosen, lang),
                        id=ids.PRESENT_TOUR,
                        className="present-tour",
                    ),
                    html.Details(
                        [
                            html.Summary(t("present_setup_summary", lang)),
                            html.P(
                                t("present_setup_help", lang),
                                className="present-setup-help",
                            ),
                            html.Ul(
                                setup_rows(chosen, lang),
                                id=ids.PRESENT_SETUP,
                                className="present-setup-list",
                                **{"aria-label": t("present_setup_label", lang)},
                            ),
                        ],
                        className="present-setup",
                    ),
                    html.P(t("indicative_note", lang), className="present-sources"),
                ],
                className="present-text",
                tabIndex="0",  # it may scroll: keyboard users can too
            ),
            # The strategy's municipal figures: Lørenskog's only (layers/strategy.py).
            html.Div(
                [
                    html.P(
                        t("present_strategy_source", lang),
                        className="present-strip-head",
                    ),
                    html.Div(
                        [
                            _figure(
                                "≈\u00a0" + fmt_int(INHABITANTS, lang),
                                t("present_inhabitants", lang),
                            ),
                            _figure(
                                fmt_int(strategy.JOBS.value, lang),
                                t("present_muni_jobs", lang),
                            ),
                            _figure(
                                fmt_int(strategy.ENTERPRISES.value, lang),
                                t("present_muni_enterprises", lang),
                            ),
                        ],
                        className="present-figures present-figures-3",
                    ),
                ],
                className="present-strip",
            )
            if strategy.applies()
            else None,
        ],
        id=view_id(0),
        className=_view_class(0, current, "present-overview"),
        **{"aria-label": t("present_overview_title", lang)},
    )
