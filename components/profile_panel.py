"""The area profile: figure cards, charts, the area's text and its largest employers.

Builders only (no callbacks): ``components.map_panel`` renders the profile of the
selected area (or of the whole municipality) under the map's filters.
"""

from __future__ import annotations

from dash import dcc, html

from components import aggregates, figures, ids
from components.i18n import fmt_int, fmt_m2, fmt_nok, fmt_num, t
from components.i18n.map import area_name, section_name
from layers.schemas import AREA_IDS, TOTAL_ID

GRAPH_CONFIG = {"displayModeBar": False, "scrollZoom": False}


def fmt_date(iso, lang):
    """Format an ISO date as ``31.10.2024`` (bokmål) or ``2024-10-31`` (English)."""
    text = str(iso or "")[:10]
    if len(text) != 10:
        return text or "–"
    if lang == "en":
        return text
    y, m, d = text.split("-")
    return f"{d}.{m}.{y}"


def source_line(src, lang):
    """The source, as-of date and a demonstration-data tag of one figure."""
    src = src or {}
    text = t(
        "profile_source",
        lang,
        source=src.get("source") or "–",
        as_of=fmt_date(src.get("as_of"), lang),
    )
    parts = [text]
    if src.get("demonstration"):
        parts += [" · ", html.Span(t("profile_demo", lang), className="demo-tag")]
    return html.P(parts, className="card-source")


def card(key, title, value, detail, src, lang):
    """One figure card: title, value, a detail line, and its source."""
    return html.Div(
        [
            html.H3(title, className="card-title"),
            html.P(value, className="card-value"),
            html.P(detail, className="card-detail") if detail else None,
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
    fr : components.aggregates.Frames
    area_id : str or None
    lang : str
    """
    total = aggregates.summary(fr, None)
    if area_id in AREA_IDS and total["establishments"]:
        share = fig["establishments"] / total["establishments"] * 100
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
    return html.Div(
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
                    lines=fmt_int(fig["lines"], lang),
                    departures=fmt_int(fig["departures_peak_hour"], lang),
                ),
                sources.get("stops"),
                lang,
            ),
        ],
        className="cards",
        id=ids.PROFILE_CARDS,
    )


def graph(fig):
    """A chart's dcc.Graph: as wide as its box, as high as the figure says."""
    # The height depends on the data (one row per bar), so it cannot be a class.
    return dcc.Graph(
        figure=fig,
        config=GRAPH_CONFIG,
        responsive=True,
        style={"height": f"{fig['layout']['height']}px"},
        className="chart-graph",
    )


def chart(title, fig, key):
    """A chart with its heading, as a figure element."""
    return html.Figure(
        [html.Figcaption(title, className="chart-title"), graph(fig)],
        className="chart",
        id=f"profile-chart-{key}",
    )


def charts(fr, mask, area_id, lang):
    """The four charts of the profile for the selected firms (``mask``)."""
    return html.Div(
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
        return html.P(t("profile_no_employers", lang), className="muted")
    head = html.Thead(
        html.Tr(
            [
                html.Th(t("profile_col_name", lang), scope="col"),
                html.Th(t("profile_col_industry", lang), scope="col"),
                html.Th(t("profile_col_employees", lang), scope="col", className="num"),
                html.Th(t("profile_col_address", lang), scope="col"),
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(str(r["name"])),
                html.Td(
                    f"{r['section']} {section_name(r['section'], lang, short=True)}",
                    title=section_name(r["section"], lang),
                ),
                html.Td(fmt_int(int(r["employees"]), lang), className="num"),
                html.Td(str(r["address"])),
            ]
        )
        for r in top
    ]
    return html.Table(
        [html.Caption(t("profile_employers", lang)), head, html.Tbody(rows)],
        className="data-table",
        id=ids.PROFILE_EMPLOYERS,
    )


def area_text(fr, area_id, lang):
    """The area's character and the strategy's ambition, with the source."""
    row = fr.area_info.get(area_id)
    if row is None:
        return None
    suffix = "en" if lang == "en" else "nb"
    return html.Div(
        [
            html.H3(t("profile_character", lang)),
            html.P(row[f"description_{suffix}"]),
            html.H3(t("profile_ambition", lang)),
            html.P(row[f"ambition_{suffix}"]),
            html.P(t("profile_strategy_source", lang), className="card-source"),
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
    return html.P(
        t("profile_filtered", lang, what="; ".join(parts)), className="filter-note"
    )


def profile(fr, area_rows, area_id, sections, size, lang):
    """The whole profile of ``area_id`` (None: the whole municipality).

    Parameters
    ----------
    fr : components.aggregates.Frames
    area_rows : list of dict
        ``layers.stats.area_figures`` rows (for each figure's source).
    area_id : str or None
    sections, size
        The map's filters.
    lang : str

    Returns
    -------
    list of dash components
    """
    area_id = area_id if area_id in AREA_IDS else None
    sources = next(
        (r["sources"] for r in area_rows if r["area_id"] == (area_id or TOTAL_ID)), {}
    )
    fig = aggregates.summary(fr, area_id, sections, size)
    mask = aggregates.selection(fr, area_id, sections, size)
    if area_id:
        stored = str(fr.area_info.get(area_id, {}).get("name") or area_id)
        heading = area_name(area_id, stored, lang)
    else:
        heading = t("profile_heading_total", lang)
    notes = []
    if not area_id:
        notes.append(html.P(t("profile_whole_note", lang), className="muted"))
    elif fr.indicative:
        notes.append(html.P(t("profile_indicative", lang), className="indicative-note"))
    unplaced = int((~fr.firms["placed"]).sum())
    if not area_id and unplaced:
        notes.append(
            html.P(
                t("profile_unplaced", lang, n=fmt_int(unplaced, lang)),
                className="muted",
            )
        )
    return [
        html.H2(heading, className="profile-heading", id="profile-heading"),
        *notes,
        filter_note(sections, size, lang),
        cards(fig, sources, fr, area_id, lang),
        area_text(fr, area_id, lang) if area_id else None,
        charts(fr, mask, area_id, lang),
        employers_table(aggregates.top_employers(fr, mask), lang),
    ]
