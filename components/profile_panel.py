"""The area profile: figure cards, charts, the area's text and its largest employers.

Builders only (no callbacks): ``components.map_panel`` renders the profile of the
selected area (or of the whole municipality) under the map's filters.

The profile is rebuilt on every filter change, so its elements are built in the
JSON form Dash sends for a component (``{"type", "namespace", "props"}``), which
the renderer takes as it takes component objects. A component object is checked
when built and serialised again through plotly's JSON encoder: for the hundred
elements of a profile that cost more than all its figures. Plain dicts go
straight through the C JSON encoder.
"""

from __future__ import annotations

from components import figures, ids
from components.i18n import fmt_count, fmt_date, fmt_int, fmt_m2, fmt_nok, fmt_num, t
from components.i18n.map import area_name, section_name
from components.i18n.sources import source_label
from layers import aggregates, strategy
from layers.schemas import AREA_IDS, TOTAL_ID

GRAPH_CONFIG = {"displayModeBar": False, "scrollZoom": False}
HTML = "dash_html_components"
DCC = "dash_core_components"


def element(tag, children=None, *, namespace=HTML, **props):
    """A component in the JSON form Dash sends to the browser.

    ``element("P", "text", className="muted")`` is what
    ``html.P("text", className="muted").to_plotly_json()`` gives, built directly.

    Parameters
    ----------
    tag : str
        The component's name, e.g. ``Div`` or ``Graph``.
    children : optional
        Text, an element, or a list of them (None entries are not rendered).
    namespace : str
        ``dash_html_components`` (default) or ``dash_core_components``.
    **props
        The component's props, e.g. ``id``, ``className``, ``aria-live``.

    Returns
    -------
    dict
    """
    if children is not None:
        props["children"] = children
    return {"type": tag, "namespace": namespace, "props": props}


def source_line(src, lang):
    """The source, as-of date and a demonstration-data tag of one figure."""
    src = src or {}
    text = t(
        "profile_source",
        lang,
        source=source_label(src.get("source"), lang) or "–",
        as_of=fmt_date(src.get("as_of"), lang),
    )
    parts = [text]
    if src.get("demonstration"):
        parts += [" · ", element("Span", t("profile_demo", lang), className="demo-tag")]
    return element("P", parts, className="card-source")


def card(key, title, value, detail, src, lang):
    """One figure card: title, value, a detail line, and its source."""
    return element(
        "Div",
        [
            element("H3", title, className="card-title"),
            element("P", value, className="card-value"),
            element("P", detail, className="card-detail") if detail else None,
            source_line(src, lang),
        ],
        className="card",
        id=f"profile-card-{key}",
    )


def cards(fig, sources, fr, area_id, lang):
    """The figure cards of one area (``aggregates.summary``) with their sources.

    Parameters
    ----------
    fig : dict
        ``aggregates.summary`` of the area under the filters.
    sources : dict
        ``{figure: source dict}`` from ``layers.stats`` (the area's row).
    fr : layers.aggregates.Frames
    area_id : str or None
    lang : str
    """
    total = len(fr.firm_place)  # every establishment, unfiltered
    if area_id in AREA_IDS and total:
        share = fig["establishments"] / total * 100
        est_detail = t(
            "profile_card_est_detail", lang, share=fmt_num(share, 1, lang) + " %"
        )
    else:
        est_detail = ""
    if fig["km2"]:
        jobs_detail = t(
            "profile_card_jobs_detail",
            lang,
            density=fmt_int(fig["jobs_per_km2"], lang),
            km2=fmt_num(fig["km2"], 2, lang),
        )
    else:
        jobs_detail = ""
    if fig.get("jobs_estimated", 0) > 0:
        estimated = t(
            "profile_card_jobs_estimated", lang, n=fmt_int(fig["jobs_estimated"], lang)
        )
        jobs_detail = f"{jobs_detail} · {estimated}" if jobs_detail else estimated
    since, until = aggregates.new_window(fr.as_of)
    new_detail = (
        t(
            "profile_card_new_detail",
            lang,
            since=fmt_date(since.isoformat(), lang),
            until=fmt_date(until.isoformat(), lang),
        )
        if since
        else ""
    )
    rent = fig["median_rent_nok_m2"]
    return element(
        "Div",
        [
            card(
                "establishments",
                t("profile_card_establishments", lang),
                fmt_int(fig["establishments"], lang),
                est_detail,
                sources.get("establishments"),
                lang,
            ),
            card(
                "jobs",
                t("profile_card_jobs", lang),
                fmt_int(fig["jobs"], lang),
                jobs_detail,
                sources.get("jobs"),
                lang,
            ),
            card(
                "new",
                t("profile_card_new", lang),
                fmt_int(fig["new_12m"], lang),
                new_detail,
                sources.get("establishments"),
                lang,
            ),
            card(
                "premises",
                t("profile_card_premises", lang),
                fmt_int(fig["premises_available"], lang),
                t(
                    "profile_card_premises_detail",
                    lang,
                    m2=fmt_m2(fig["premises_m2"], lang),
                    rent=fmt_nok(rent, lang) if rent is not None else "–",
                ),
                sources.get("premises_available"),
                lang,
            ),
            card(
                "transit",
                t("profile_card_transit", lang),
                fmt_int(fig["stops"], lang),
                t(
                    "profile_card_transit_detail",
                    lang,
                    lines=fmt_count(fig["lines"], "line", lang),
                    departures=fmt_count(
                        fig["departures_peak_hour"], "departure", lang
                    ),
                ),
                sources.get("stops"),
                lang,
            ),
        ],
        className="cards",
        id=ids.PROFILE_CARDS,
    )


def graph(fig):
    """A chart's ``dcc.Graph``: as wide as its box, as high as the figure says."""
    # The height depends on the data (one row per bar), so it cannot be a class.
    return element(
        "Graph",
        namespace=DCC,
        figure=fig,
        config=GRAPH_CONFIG,
        responsive=True,
        style={"height": f"{fig['layout']['height']}px"},
        className="chart-graph",
    )


def chart(title, fig, key):
    """A chart with its heading, as a figure element."""
    return element(
        "Figure",
        [element("Figcaption", title, className="chart-title"), graph(fig)],
        className="chart",
        id=f"profile-chart-{key}",
    )


def charts(fr, mask, area_id, lang):
    """The four charts of the profile for the selected firms (``mask``)."""
    return element(
        "Div",
        [
            chart(
                t("profile_chart_jobs", lang),
                figures.jobs_by_section_figure(
                    aggregates.jobs_by_section(fr, mask), lang
                ),
                "jobs",
            ),
            chart(
                t("profile_chart_sizes", lang),
                figures.size_classes_figure(aggregates.by_size_class(fr, mask), lang),
                "sizes",
            ),
            chart(
                t("profile_chart_premises", lang),
                figures.premises_by_type_figure(
                    aggregates.premises_by_type(fr, area_id), lang
                ),
                "premises",
            ),
            chart(
                t("profile_chart_new", lang),
                figures.new_per_year_figure(aggregates.new_per_year(fr, mask), lang),
                "new",
            ),
        ],
        className="charts",
    )


def employers_table(top, lang):
    """The largest employers (``aggregates.top_employers``) as a table.

    Names are data: they go into cells as text, which React escapes.
    """
    if not top:
        return element("P", t("profile_no_employers", lang), className="muted")
    head = element(
        "Thead",
        element(
            "Tr",
            [
                element("Th", t("profile_col_name", lang), scope="col"),
                element("Th", t("profile_col_industry", lang), scope="col"),
                element(
                    "Th", t("profile_col_employees", lang), scope="col", className="num"
                ),
                element("Th", t("profile_col_address", lang), scope="col"),
            ],
        ),
    )
    rows = [
        element(
            "Tr",
            [
                element("Td", str(r["name"])),
                element(
                    "Td",
                    f"{r['section']} {section_name(r['section'], lang, short=True)}",
                    title=section_name(r["section"], lang),
                ),
                element("Td", fmt_int(int(r["employees"]), lang), className="num"),
                element("Td", str(r["address"])),
            ],
        )
        for r in top
    ]
    return element(
        "Table",
        [
            element("Caption", t("profile_employers", lang)),
            head,
            element("Tbody", rows),
        ],
        className="data-table",
        id=ids.PROFILE_EMPLOYERS,
    )


def area_text(fr, area_id, lang):
    """The area's character and the strategy's ambition, with the source."""
    row = fr.area_info.get(area_id)
    if row is None:
        return None
    suffix = "en" if lang == "en" else "nb"
    return element(
        "Div",
        [
            element("H3", t("profile_character", lang)),
            element("P", row[f"description_{suffix}"]),
            element("H3", t("profile_ambition", lang)),
            element("P", row[f"ambition_{suffix}"]),
            element("P", t("profile_strategy_source", lang), className="card-source")
            if strategy.applies()
            else None,
        ],
        className="area-text",
    )


def filter_note(sections, size, lang):
    """Describe the active filters, or None when nothing is filtered."""
    parts = []
    if sections:
        parts.append(
            ", ".join(f"{s} {section_name(s, lang, short=True)}" for s in sections)
        )
    if tuple(size) != aggregates.FULL_SIZE:
        parts.append(
            t("profile_employees_range", lang, range=aggregates.size_range_label(size))
        )
    if not parts:
        return None
    return element(
        "P", t("profile_filtered", lang, what="; ".join(parts)), className="filter-note"
    )


def reach_section(row, info, lang):
    """Jobs and establishments within 15/30/45 min by public transport from the
    area's centroid (``layers.reach.area_reach``), with the timetable's source.

    None when there is no row (the whole municipality, or no timetable).
    """
    from components import reach_views

    if not row or not info:
        return None
    rows = [
        element(
            "Tr",
            [element("Th", label, scope="row"), element("Td", value, className="num")],
        )
        for label, value in reach_views.figure_rows(row, lang)
    ]
    src = {
        "source": info.get("source"),
        "as_of": info.get("as_of"),
        "demonstration": info.get("demonstration"),
    }
    return element(
        "Section",
        [
            element("H3", t("reach_profile_heading", lang), className="card-title"),
            element("P", t("reach_profile_lead", lang), className="card-detail"),
            element("Table", element("Tbody", rows), className="reach-table"),
            element(
                "P", reach_views.window_text(info, lang) + ".", className="card-detail"
            ),
            source_line(src, lang),
            element("P", t("reach_demo", lang), className="muted")
            if info.get("demonstration")
            else None,
        ],
        className="card reach-profile",
        id="profile-reach",
    )


def profile(fr, area_rows, area_id, sections, size, lang, reach=None):
    """The whole profile of ``area_id`` (None: the whole municipality).

    Parameters
    ----------
    fr : layers.aggregates.Frames
    area_rows : list of dict
        ``layers.stats.area_figures`` rows (for each figure's source).
    area_id : str or None
    sections, size
        The map's filters.
    lang : str
    reach : (dict, dict), optional
        ``({area id: reach row}, reach info)`` (``data.area_reach``,
        ``data.reach_info``): the area's reach section.

    Returns
    -------
    list of dict
        Elements in Dash's JSON form (see :func:`element`).
    """
    area_id = area_id if area_id in AREA_IDS else None
    reach_rows, reach_info = reach or ({}, None)
    sources = next(
        (r["sources"] for r in area_rows if r["area_id"] == (area_id or TOTAL_ID)), {}
    )
    mask = aggregates.selection(fr, area_id, sections, size)
    fig = aggregates.summary_of(fr, area_id, mask)
    if area_id:
        stored = str(fr.area_info.get(area_id, {}).get("name") or area_id)
        heading = area_name(area_id, stored, lang)
    else:
        heading = t("profile_heading_total", lang)
    notes = []
    if not area_id:
        notes.append(element("P", t("profile_whole_note", lang), className="muted"))
    elif fr.indicative:
        notes.append(
            element("P", t("profile_indicative", lang), className="indicative-note")
        )
    if not area_id and fr.unplaced:
        notes.append(
            element(
                "P",
                t("profile_unplaced", lang, n=fmt_int(fr.unplaced, lang)),
                className="muted",
            )
        )
    return [
        element("H2", heading, className="profile-heading", id="profile-heading"),
        *notes,
        filter_note(sections, size, lang),
        cards(fig, sources, fr, area_id, lang),
        area_text(fr, area_id, lang) if area_id else None,
        reach_section(reach_rows.get(area_id), reach_info, lang) if area_id else None,
        charts(fr, mask, area_id, lang),
        employers_table(aggregates.top_employers(fr, mask), lang),
    ]
