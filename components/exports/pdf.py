"""PDF area profiles (reportlab): an overview page and one page per area.

Text from data is escaped with ``xml.sax.saxutils.escape`` in paragraphs.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape as xml_escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepInFrame,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from components.exports.html_map import (
    _plain,
)
from components.exports.pdf_map import map_drawing
from components.exports.text import (
    TABLE_FIGURES,
    _check_areas,
    _indicative,
    _points_in,
    area_name,
    available_premises,
    figure_label,
    figure_text,
    figures_by_id,
    is_demonstration,
    nace_label,
    source_entries,
    source_text,
)
from components.i18n import fmt_num, lang_or_default, t
from layers import kommune
from layers.schemas import AREA_IDS, REST_ID, TOTAL_ID
from layers.sources.areas import AREA_INFO


def pdf_styles():
    """Return the paragraph styles of the PDF profiles (Helvetica, small sizes)."""
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontSize=9, leading=11.5)
    return {
        "title": ParagraphStyle(
            "t", parent=base["Title"], fontSize=18, alignment=TA_LEFT
        ),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=11, spaceBefore=4),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7, leading=8.5),
        "warn": ParagraphStyle(
            "warn", parent=body, textColor=colors.HexColor("#8a4b00")
        ),
        "demo": ParagraphStyle(
            "demo",
            parent=body,
            textColor=colors.HexColor("#b00020"),
            fontName="Helvetica-Bold",
        ),
        "label": ParagraphStyle("label", parent=body, fontSize=8, leading=9.5),
        "value": ParagraphStyle(
            "value", parent=body, fontSize=14, leading=17, fontName="Helvetica-Bold"
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=9.5),
        "num": ParagraphStyle("num", parent=body, fontSize=8, leading=9.5, alignment=2),
        "head": ParagraphStyle("head", parent=body, fontSize=6.5, leading=7.5),
        "head_num": ParagraphStyle(
            "head_num", parent=body, fontSize=6.5, leading=7.5, alignment=2
        ),
        "demo_small": ParagraphStyle(
            "demo_small",
            parent=body,
            fontSize=7,
            leading=8.5,
            textColor=colors.HexColor("#b00020"),
        ),
    }


def para(text, style):
    """Return a Paragraph of plain text: markup in ``text`` is escaped, not obeyed."""
    return Paragraph(xml_escape("" if text is None else str(text)), style)


def jobs_by_section(establishments, lang="nb", top=10):
    """Sum jobs per NACE section, largest first.

    Parameters
    ----------
    establishments : geopandas.GeoDataFrame
        Establishments (already limited to one area).
    lang : str
    top : int
        Keep this many sections; the rest are summed as ``Andre``/``Other``.

    Returns
    -------
    list of tuple
        ``(label, jobs)``.
    """
    if establishments is None or len(establishments) == 0:
        return []
    sums = establishments.groupby("nace_section")["employees"].sum()
    return section_bars(dict(sums.items()), lang, top)


def section_bars(jobs, lang="nb", top=10):
    """``(label, jobs)`` of ``{section: jobs}``: largest first, sections without
    jobs left out, beyond ``top`` summed as ``Andre``/``Other``."""
    ranked = sorted(
        ((k, int(v)) for k, v in jobs.items() if v > 0), key=lambda kv: -kv[1]
    )
    out = [(nace_label(k, lang, short=True), v) for k, v in ranked[:top]]
    rest = sum(v for _k, v in ranked[top:])
    if rest:
        out.append((t("export_other", lang), rest))
    return out


def bar_chart(data, *, width=174 * mm, lang="nb"):
    """Draw a horizontal bar chart of ``[(label, value), ...]`` (reportlab.graphics)."""
    height = 14 * len(data) + 24
    d = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 16
    chart.width, chart.height = width - 185, height - 22
    chart.data = [[v for _l, v in reversed(data)]]
    chart.categoryAxis.categoryNames = [label for label, _v in reversed(data)]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: fmt_num(v, 0, lang)
    chart.bars[0].fillColor = colors.HexColor("#0072B2")
    chart.bars[0].strokeWidth = 0
    chart.barLabelFormat = lambda v: fmt_num(v, 0, lang)
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    d.add(chart)
    return d


def figure_cards(row, styles, lang="nb", width=94 * mm):
    """Return a table of figure cards for one area, each with source and as-of."""
    cards = [
        ("establishments", [("establishments", None)]),
        ("jobs", [("jobs", None)]),
        (
            "premises_available",
            [
                ("premises_available", None),
                ("premises_m2", ""),
                ("median_rent_nok_m2", ""),
            ],
        ),
        ("stops", [("stops", None)]),
        ("lines", [("lines", None)]),
        ("departures_peak_hour", [("departures_peak_hour", None)]),
    ]
    if row.get("reach_jobs_30") is not None:
        cards.append(
            (
                "reach_jobs_30",
                [
                    ("reach_jobs_30", None),
                    ("reach_jobs_15", ""),
                    ("reach_jobs_45", ""),
                    ("reach_establishments_30", ""),
                ],
            )
        )
    cells = []
    for main, parts in cards:
        info = row.get("sources", {}).get(main, {})
        content = [para(figure_label(main, lang), styles["label"])]
        content.append(para(figure_text(row, parts[0][0], lang), styles["value"]))
        for fig, _ in parts[1:]:
            value = figure_text(row, fig, lang, unit=False)
            text = f"{figure_label(fig, lang)}: {value}"
            content.append(para(text, styles["label"]))
        if info.get("source"):
            content.append(
                para(
                    f"{t('export_source', lang)}: "
                    f"{source_text(info, lang, demo=False)}",
                    styles["small"],
                )
            )
        if info.get("demonstration"):
            content.append(para(t("export_demo", lang), styles["demo_small"]))
        cells.append(content)
    if len(cells) % 2:
        cells.append([])
    grid = [cells[k : k + 2] for k in range(0, len(cells), 2)]
    table = Table(grid, colWidths=[width / 2] * 2)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fafafa")),
            ]
        )
    )
    return table


def premises_table(premises, styles, lang="nb", limit=14):
    """Return the list of available premises (title, type, m², rent) as flowables."""
    if premises is None or len(premises) == 0:
        return [para(t("export_no_premises", lang), styles["body"])]
    head = [
        para(t(k, lang), styles["cell"])
        for k in ("export_premises_title", "export_type")
    ]
    head += [para(t(k, lang), styles["num"]) for k in ("export_size", "export_rent")]
    rows = [head]
    for rec in premises.iloc[:limit].to_dict("records"):
        rows.append(
            [
                para(rec["title"], styles["cell"]),
                para(rec["type"], styles["cell"]),
                para(_plain(rec["size_m2"], lang), styles["num"]),
                para(_plain(rec["rent_nok_m2_year"], lang), styles["num"]),
            ]
        )
    table = Table(rows, colWidths=[78 * mm, 30 * mm, 30 * mm, 36 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.7, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    out = [table]
    if len(premises) > limit:
        out.append(
            para(
                t("export_more_premises", lang, n=len(premises) - limit),
                styles["small"],
            )
        )
    return out


def area_page(layers, figures, area_id, styles, lang="nb", sources=()):
    """Return the flowables of one area's profile page."""
    row = figures_by_id(figures)[area_id]
    # The kommune's configuration's texts (Lørenskog's: the shipped ones).
    info = kommune.area_texts(area_id, AREA_INFO)
    desc = info.get(
        "description_nb" if lang_or_default(lang) == "nb" else "description_en"
    )
    story = [para(area_name(area_id, lang), styles["title"])]
    if desc:
        story.append(para(desc, styles["body"]))
    if _indicative(layers.get("areas"), area_id):
        story.append(para(t("export_indicative", lang), styles["warn"]))
    if row.get("demonstration"):
        story.append(para(t("export_demo_note", lang), styles["demo"]))
    story.append(Spacer(1, 4))
    cards = figure_cards(row, styles, lang)
    top = Table(
        [[map_drawing(layers, area_id, width=77 * mm, lang=lang), cards]],
        colWidths=[80 * mm, 94 * mm],
    )
    top.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
        )
    )
    story.append(top)
    if sources:
        credits = "; ".join(source_text(s, lang) for s in source_entries([], sources))
        story.append(
            para(f"{t('export_map_sources', lang)}: {credits}", styles["small"])
        )
    story.append(para(t("export_jobs_by_section", lang), styles["h2"]))
    if "jobs_by_section" in row:  # every firm, from the engine
        data = section_bars(row["jobs_by_section"], lang)
    else:
        firms = _points_in(layers.get("establishments"), layers.get("areas"), area_id)
        data = jobs_by_section(firms, lang)
    story.append(
        bar_chart(data, lang=lang)
        if data
        else para(t("export_no_establishments", lang), styles["body"])
    )
    story.append(para(t("export_premises_list", lang), styles["h2"]))
    story.extend(premises_table(available_premises(layers, area_id), styles, lang))
    return story


def overview_page(layers, figures, styles, lang="nb", sources=()):
    """Return the flowables of the overview page: all six areas in one table."""
    story = [para(t("export_overview_title", lang), styles["title"])]
    if is_demonstration(figures):
        story.append(para(t("export_demo_note", lang), styles["demo"]))
    areas = layers.get("areas")
    if any(_indicative(areas, a) for a in AREA_IDS):
        story.append(para(t("export_indicative", lang), styles["warn"]))
    story.append(map_drawing(layers, None, width=174 * mm, height=95 * mm, lang=lang))
    story.append(Spacer(1, 6))
    head = [para(t("export_area", lang), styles["head"])] + [
        para(figure_label(f, lang), styles["head_num"]) for f in TABLE_FIGURES
    ]
    rows = [head]
    by_id = figures_by_id(figures)
    for a in (*AREA_IDS, REST_ID, TOTAL_ID):
        if a in by_id:
            rows.append(
                [para(area_name(a, lang), styles["cell"])]
                + [
                    para(figure_text(by_id[a], f, lang, unit=False), styles["num"])
                    for f in TABLE_FIGURES
                ]
            )
    widths = [34 * mm] + [17.5 * mm] * len(TABLE_FIGURES)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.7, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.7, colors.black),
                ("LINEBELOW", (0, 1), (-1, -2), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story.append(table)
    unplaced = by_id.get(TOTAL_ID, {}).get("unplaced_establishments")
    if unplaced:
        story.append(
            para(
                t("export_unplaced", lang, n=fmt_num(unplaced, 0, lang)),
                styles["small"],
            )
        )
    story.append(para(t("export_sources", lang), styles["h2"]))
    for info in source_entries(figures, sources):
        story.append(para(source_text(info, lang), styles["small"]))
    return story


def _footer(lang):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(15 * mm, 8 * mm, t("export_title", lang))
        canvas.drawRightString(
            A4[0] - 15 * mm, 8 * mm, f"{t('export_page', lang)} {doc.page}"
        )
        canvas.restoreState()

    return draw


def pdf_profiles(layers, figures, *, areas=None, lang="nb", sources=()):
    """Build the area profiles: one A4 page per area, plus an overview for all six.

    Parameters
    ----------
    layers : dict
        Layer frames: ``areas``; ``boundary``, ``establishments`` and ``premises``
        when present.
    figures : list of dict
        :func:`layers.stats.area_figures`.
    areas : iterable of str, optional
        Area ids; all six by default. The overview page comes first when all six
        are chosen.
    lang : str
    sources : iterable of dict
        Sources of the map layers (:func:`context_sources`), for the credits.

    Returns
    -------
    bytes
        The PDF.
    """
    chosen = list(dict.fromkeys(areas)) if areas else list(AREA_IDS)
    _check_areas(chosen)
    styles = pdf_styles()
    buf = io.BytesIO()
    margin = 15 * mm
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=t("export_title", lang),
        lang=lang_or_default(lang),
        invariant=1,
    )
    frame_w, frame_h = doc.width - 12, doc.height - 12
    pages = []
    if set(chosen) == set(AREA_IDS):
        pages.append(overview_page(layers, figures, styles, lang, sources))
    pages.extend(area_page(layers, figures, a, styles, lang, sources) for a in chosen)
    story = []
    for k, page in enumerate(pages):
        if k:
            story.append(PageBreak())
        story.append(KeepInFrame(frame_w, frame_h, page, mode="shrink"))
    footer = _footer(lang)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
