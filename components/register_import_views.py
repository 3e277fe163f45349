"""The register's bulk-import section and its preview, in HTML: the template and
the accepted columns, the upload, a job's progress, and the preview (counts, a
map of the rows, how each cell was read, the unplaced rows, the changes, the
rejected rows and why). Pure: reports and the language in, Dash components out.
"""

from __future__ import annotations

import html as html_lib

import plotly.graph_objects as go
from dash import dcc, html

from components import figures, ids
from components import ids as rids
from components.figures import basemap
from components.i18n import fmt_num, t
from components.register_format import field_label, show_value, user_message
from layers.register import staging
from layers.sources.premises_template import TEMPLATE_COLUMNS, accepted_headers

MAX_UPLOAD_MB = staging.MAX_MB
MAX_UPLOAD_BYTES = staging.MAX_BYTES
UPLOAD_SUFFIXES = staging.SUFFIXES
POLL_MS = 1000  # how often a running bulk-import job's progress is read
CHANGES_SHOWN = staging.PREVIEW_ROWS  # rows of the added/changed table
ALSO_SHOWN = 5  # other accepted headers shown per column
MAP_ZOOM = 10.5
PREVIEW_MAP_PX = (600, 320)  # the preview map's size the camera fits (CSS: 320 px)
PREVIEW_COLOUR = "#1f6f8b"
# Columns of the preview's per-row table (interpreted value above the raw text).
PREVIEW_FIELDS = (
    "type",
    "status",
    "available_from",
    "rent_nok_m2_year",
    "size_m2",
)
_UNPLACED_REASON = {
    "premises.no_location": "register_unplaced_no_location",
    "premises.address_not_found": "register_unplaced_not_found",
}


def columns_view(lang):
    """The accepted columns, listed beside the upload (from the template's table)."""
    en = lang == "en"
    rows = []
    for col, head_nb, head_en, required, help_nb, help_en, _example in TEMPLATE_COLUMNS:
        heading = head_en if en else head_nb
        also = [h for h in accepted_headers(col) if h.casefold() != heading.casefold()]
        need = t("register_yes" if required.startswith("ja") else "register_no", lang)
        rows.append(
            html.Tr(
                [
                    html.Td(heading),
                    html.Td(need + ("*" if required.endswith("*") else "")),
                    html.Td(help_en if en else help_nb),
                    html.Td(", ".join(also[:ALSO_SHOWN]), className="muted"),
                ]
            )
        )
    table = html.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(t("register_columns_col", lang)),
                        html.Th(t("register_columns_required", lang)),
                        html.Th(t("register_columns_help", lang)),
                        html.Th(t("register_columns_also", lang)),
                    ]
                )
            ),
            html.Tbody(rows),
        ],
        className="data-table register-columns",
    )
    return html.Details(
        [
            html.Summary(t("register_template_heading", lang)),
            html.Div(
                [
                    html.Button(
                        t(f"register_template_{fmt}", lang),
                        id=rids.REGISTER_TEMPLATE[fmt],
                        type="button",
                        className="btn",
                    )
                    for fmt in ("xlsx", "csv")
                ]
                + [
                    html.Div(
                        dcc.RadioItems(
                            id=rids.REGISTER_TEMPLATE_LANG,
                            options=[
                                {"label": "Norsk (bokmål)", "value": "nb"},
                                {"label": "English", "value": "en"},
                            ],
                            value="en" if en else "nb",
                            inline=True,
                            className="register-template-lang",
                        ),
                        role="group",
                        **{"aria-label": t("register_template_lang", lang)},
                    )
                ],
                className="register-template-buttons",
            ),
            html.P(t("register_columns_intro", lang), className="muted"),
            html.Div(table, className="table-scroll"),
            html.P(t("register_columns_note", lang), className="muted"),
        ],
        className="register-columns-box",
        open=True,
    )


def import_section(lang, *, editable):
    return html.Section(
        [
            html.H3(t("register_import_heading", lang)),
            html.P(
                t("register_import_intro", lang, limit=MAX_UPLOAD_MB),
                className="muted",
            ),
            columns_view(lang),
            dcc.Download(id=rids.REGISTER_TEMPLATE_DOWNLOAD),
            dcc.Upload(
                html.Div(t("register_upload", lang)),
                id=ids.REGISTER_UPLOAD,
                accept=",".join(UPLOAD_SUFFIXES),
                multiple=False,
                className="register-upload",
                className_active="register-upload active",
            ),
            dcc.Store(id=rids.REGISTER_JOB),
            dcc.Store(id=rids.REGISTER_JOB_DONE),
            dcc.Interval(
                id=rids.REGISTER_POLL, interval=POLL_MS, disabled=True, n_intervals=0
            ),
            html.Div(id=ids.REGISTER_PREVIEW, **{"aria-live": "polite"}),
            html.Button(
                "",
                id=ids.REGISTER_CONFIRM,
                type="button",
                className="btn btn-primary",
                hidden=True,
            ),
        ],
        className="register-import",
        hidden=not editable,
    )


def import_validation_components():
    """The import section's components that callbacks name (validation layout)."""
    return [
        html.Button(id=rids.REGISTER_TEMPLATE["xlsx"]),
        html.Button(id=rids.REGISTER_TEMPLATE["csv"]),
        dcc.RadioItems(id=rids.REGISTER_TEMPLATE_LANG),
        dcc.Download(id=rids.REGISTER_TEMPLATE_DOWNLOAD),
        dcc.Store(id=rids.REGISTER_JOB),
        dcc.Store(id=rids.REGISTER_JOB_DONE),
        dcc.Interval(id=rids.REGISTER_POLL),
    ]


def progress_view(name, lang, record):
    """A running job: what it does now and how far it is (a <progress> bar)."""
    phase = record.get("phase") or "read"
    done, total = int(record.get("done") or 0), int(record.get("total") or 0)
    if phase == "write":
        text = t("register_progress_write", lang, total=fmt_num(total, 0, lang))
        bar = html.Progress()  # one transaction: no steps to count
    elif phase == "compare" and total:
        text = t(
            f"register_progress_{phase}",
            lang,
            done=fmt_num(done, 0, lang),
            total=fmt_num(total, 0, lang),
        )
        bar = html.Progress(value=str(done), max=str(total))
    else:
        text = t("register_progress_read", lang)
        bar = html.Progress()  # indeterminate
    return html.Div(
        [
            html.H4(t("register_preview_heading", lang, name=name)),
            html.Div(
                [
                    html.Label(
                        t("register_progress_label", lang),
                        htmlFor=rids.REGISTER_PROGRESS,
                        className="visually-hidden",
                    ),
                    html.Div(bar, id=rids.REGISTER_PROGRESS),
                    html.P(text, className="register-progress-text", role="status"),
                ],
                className="register-progress",
                **{"data-phase": phase},
            ),
        ],
        className="register-preview",
    )


def problems_of(exc):
    return list(getattr(exc, "problems", None) or [exc])


def _table(heads, body, kind):
    """A data table: header texts ``heads``, rows ``body``, class ``kind``."""
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in heads])), html.Tbody(body)],
        className=f"data-table {kind}",
    )


def _count_card(label, n, kind):
    return html.Div(
        [html.P(label, className="card-title"), html.P(str(n), className="card-value")],
        className=f"card preview-{kind}",
    )


def _cell(field, value, raw, lang):
    """An interpreted value with the file's text under it (when they differ)."""
    shown = show_value(field, value, lang)
    parts = [html.Span(shown, className="preview-value")]
    if raw and raw.strip() != shown:
        parts.append(html.Small(f"«{raw}»", className="preview-raw"))
    return html.Td(parts)


def rows_view(rows, lang):
    """The per-row table: title, the interpreted fields beside their raw text."""
    total, shown = rows.get("total", 0), rows.get("rows") or []
    body = []
    for r in shown:
        value, raw = r.get("value") or {}, r.get("raw") or {}
        place = t("register_placed" if r.get("placed") else "register_not_placed", lang)
        body.append(
            html.Tr(
                [
                    html.Td(str(r.get("row", ""))),
                    html.Td(str(value.get("title") or "")),
                    *[
                        _cell(f, value.get(f), raw.get(f, ""), lang)
                        for f in PREVIEW_FIELDS
                    ],
                    html.Td(place),
                ],
                className="preview-row"
                + ("" if r.get("placed") else " preview-unplaced"),
            )
        )
    heads = [
        t("register_col_row", lang),
        t("register_col_listing", lang),
        *[field_label(f, lang) for f in PREVIEW_FIELDS],
        t("register_col_place", lang),
    ]
    table = _table(heads, body, "preview-rows")
    parts = [
        html.P(t("register_preview_cells", lang), className="muted"),
        html.Div(table, className="table-scroll"),
    ]
    if len(shown) < total:
        parts.append(
            html.P(
                t(
                    "register_preview_rows_more",
                    lang,
                    shown=fmt_num(len(shown), 0, lang),
                    total=fmt_num(total, 0, lang),
                ),
                className="muted",
            )
        )
    return html.Div(parts, className="preview-rows-box")


def preview_figure(points, lang):
    """The map of an uploaded list's placed rows, before anything is imported.

    Parameters
    ----------
    points : list of [lat, lon, title]
        The placed rows (``staging.preview_rows``).
    lang : str

    Returns
    -------
    plotly.graph_objects.Figure
    """
    base = basemap.current()
    lat = [round(float(p[0]), 6) for p in points]
    lon = [round(float(p[1]), 6) for p in points]
    fig = go.Figure(
        [
            go.Scattermap(
                lat=lat,
                lon=lon,
                hovertext=[html_lib.escape(str(p[2])) for p in points],
                hoverinfo="text",
                mode="markers",
                marker={"size": 9, "color": PREVIEW_COLOUR, "opacity": 0.8},
                name=t("register_map_listings", lang),
            )
        ]
    )
    if lat:  # fit the rows (a 600 x 320 px map), never closer than street level
        bounds = (min(lon), min(lat), max(lon), max(lat))
        centre, zoom = basemap.camera(
            bounds, PREVIEW_MAP_PX, padding=20, margin=0.1, max_zoom=13.0
        )
    else:
        lat0, lon0 = base.boundary_centre()
        centre, zoom = {"lat": lat0, "lon": lon0}, MAP_ZOOM
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        map={
            "style": basemap.map_style(),
            "center": centre,
            "zoom": zoom,
            "layers": figures.base_layers(base, lang, online_allowed=False, areas=True),
        },
        dragmode="pan",
        hoverlabel={"align": "left"},
    )
    return fig


def unplaced_view(rows, n, lang):
    """The rows that found no place: row, title, address and why (nb/en)."""
    listed = rows.get("unplaced") or []
    body = [
        html.Tr(
            [
                html.Td(str(u.get("row", ""))),
                html.Td(str(u.get("title") or "")),
                html.Td(str(u.get("address") or "")),
                html.Td(
                    t(
                        _UNPLACED_REASON.get(
                            u.get("code"), "register_unplaced_no_location"
                        ),
                        lang,
                    )
                ),
            ]
        )
        for u in listed
    ]
    heads = [
        t(f"register_col_{c}", lang) for c in ("row", "listing", "address", "problem")
    ]
    table = _table(heads, body, "preview-unplaced-table")
    parts = [
        html.H5(t("register_unplaced_heading", lang)),
        html.P(
            t("register_preview_unplaced_note", lang, n=fmt_num(n, 0, lang)),
            className="register-message warning",
        ),
        html.Div(table, className="table-scroll"),
    ]
    if n > len(listed):
        more = fmt_num(n - len(listed), 0, lang)
        parts.append(
            html.P(t("register_unplaced_more", lang, n=more), className="muted")
        )
    return html.Div(parts, className="preview-unplaced-box")


def preview_map(rows, lang):
    return html.Div(
        dcc.Graph(
            id=rids.REGISTER_PREVIEW_MAP,
            figure=preview_figure(rows.get("points") or [], lang),
            config=figures.MAP_GRAPH_CONFIG,
            className="register-preview-graph",
        ),
        className="register-preview-map",
        role="region",
        **{"aria-label": t("register_preview_map_aria", lang)},
    )


def preview_view(name, lang, *, report=None, problems=None, rows=None):
    """The preview: counts, a map of the rows, how each cell was read, the changes,
    and the rejected rows and why."""
    heading = html.H4(t("register_preview_heading", lang, name=name))
    if problems:
        rows = {p.row for p in problems if p.row is not None}
        table = html.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th(t("register_col_row", lang)),
                            html.Th(t("register_col_field", lang)),
                            html.Th(t("register_col_problem", lang)),
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td("" if p.row is None else str(p.row)),
                                html.Td(p.field or ""),
                                html.Td(user_message(p, lang)),
                            ]
                        )
                        for p in problems
                    ]
                ),
            ],
            className="data-table preview-problems",
        )
        return html.Div(
            [
                heading,
                html.Div(
                    [
                        _count_card(t("register_preview_added", lang), 0, "added"),
                        _count_card(t("register_preview_changed", lang), 0, "changed"),
                        _count_card(
                            t("register_preview_rejected", lang),
                            len(rows) or len(problems),
                            "rejected",
                        ),
                    ],
                    className="cards preview-counts",
                ),
                html.P(
                    t("register_preview_blocked", lang),
                    className="register-message error",
                ),
                html.Div(table, className="table-scroll"),
            ],
            className="register-preview",
        )
    added, changed = report["added"], report["changed"]
    n = staging.counts(report)
    parts = [
        heading,
        html.Div(
            [
                _count_card(t("register_preview_added", lang), n["added"], "added"),
                _count_card(
                    t("register_preview_changed", lang), n["changed"], "changed"
                ),
                _count_card(
                    t("register_preview_unchanged", lang),
                    n["unchanged"],
                    "unchanged",
                ),
                _count_card(
                    t("register_preview_unplaced", lang),
                    n.get("unplaced", 0),
                    "unplaced",
                ),
                _count_card(t("register_preview_rejected", lang), 0, "rejected"),
            ],
            className="cards preview-counts",
        ),
    ]
    if rows:
        parts.append(preview_map(rows, lang))
        placed = rows.get("placed", len(rows.get("points") or []))
        if placed > len(rows.get("points") or []):
            parts.append(
                html.P(
                    t(
                        "register_map_more",
                        lang,
                        shown=fmt_num(len(rows["points"]), 0, lang),
                        total=fmt_num(placed, 0, lang),
                    ),
                    className="muted",
                )
            )
        if n.get("unplaced"):
            parts.append(unplaced_view(rows, n["unplaced"], lang))
        parts.append(rows_view(rows, lang))
    if added or changed:
        body = [
            html.Tr(
                [
                    html.Td(t("register_preview_added", lang)),
                    html.Td(e["title"]),
                    html.Td(""),
                ],
                className="preview-added",
            )
            for e in added[:CHANGES_SHOWN]
        ] + [
            html.Tr(
                [
                    html.Td(t("register_preview_changed", lang)),
                    html.Td(e["title"]),
                    html.Td(
                        html.Ul(
                            [
                                html.Li(
                                    f"{field_label(f, lang)}: "
                                    f"{show_value(f, old, lang)} → "
                                    f"{show_value(f, new, lang)}"
                                )
                                for f, (old, new) in e["changes"].items()
                            ],
                            className="history-changes",
                        )
                    ),
                ],
                className="preview-changed",
            )
            for e in changed[:CHANGES_SHOWN]
        ]
        parts.append(
            html.Div(
                html.Table(
                    [
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th(""),
                                    html.Th(t("register_col_listing", lang)),
                                    html.Th(t("register_col_changes", lang)),
                                ]
                            )
                        ),
                        html.Tbody(body),
                    ],
                    className="data-table preview-table",
                ),
                className="table-scroll",
            )
        )
        if n["added"] + n["changed"] > len(body):
            parts.append(
                html.P(
                    t(
                        "register_preview_rows_more",
                        lang,
                        shown=fmt_num(len(body), 0, lang),
                        total=fmt_num(n["added"] + n["changed"], 0, lang),
                    ),
                    className="muted",
                )
            )
        parts.append(html.P(t("register_preview_ready", lang), className="muted"))
    else:
        parts.append(html.P(t("register_preview_nothing", lang), className="muted"))
    return html.Div(parts, className="register-preview")
