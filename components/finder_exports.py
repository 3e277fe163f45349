"""The premises finder's downloads: the shortlist or all matches, XLSX or CSV.

Split from ``finder_panel`` (which imports it, so the callback registers). The
filters, the export time, the source and the demonstration flag head the file;
every cell is written as text or a number (``exports.sheets``), never a formula.
"""

from __future__ import annotations

from datetime import datetime

from dash import Input, Output, State, callback, ctx, dcc
from dash.exceptions import PreventUpdate

from components import finder, ids
from components.exports import sheets
from components.i18n import fmt_int, t

LIST_WIDTHS = (12, 40, 28, 20, 18, 10, 12, 12, 10, 24, 16, 10, 10, 10, 12, 10, 30, 40)

EXPORTS = {
    ids.FINDER_EXPORT_LIST_XLSX: ("list", "xlsx"),
    ids.FINDER_EXPORT_LIST_CSV: ("list", "csv"),
    ids.FINDER_EXPORT_ALL_XLSX: ("all", "xlsx"),
    ids.FINDER_EXPORT_ALL_CSV: ("all", "csv"),
}


def export_file(L, q, shortlist, which, fmt, lang, *, now=None, sort_model=None):
    """Build an export: ``(bytes, file name)`` of the shortlist or all matches."""
    now = now or datetime.now(finder_tz())
    today = now.date()
    ids_ = list(shortlist or []) if which == "list" else None
    rows = finder.export_rows(L, q, today, ids=ids_, sort_model=sort_model, lang=lang)
    what_key = (
        "finder_export_what_list" if which == "list" else "finder_export_what_all"
    )
    from components.finder_panel import _source

    source, demo = _source(lang)
    header = finder.export_header(
        L,
        q,
        today=today,
        now=now,
        source=source,
        demonstration=demo,
        what=t(what_key, lang, n=fmt_int(len(rows), lang)),
        lang=lang,
    )
    labels = finder.export_labels(lang)
    stem = "kortliste" if which == "list" else "treff"
    name = f"ledige-lokaler-{stem}-{today.isoformat()}.{fmt}"
    if fmt == "xlsx":
        return sheets.table_xlsx(header, labels, rows, widths=LIST_WIDTHS), name
    return sheets.table_csv(header, labels, rows, lang), name


def finder_tz():
    """The time zone exports are stamped in (Norway)."""
    from zoneinfo import ZoneInfo

    return ZoneInfo(finder.LOCAL_TZ)


@callback(
    Output(ids.FINDER_DOWNLOAD, "data"),
    *(Input(i, "n_clicks") for i in EXPORTS),
    State(ids.FINDER_QUERY, "data"),
    State(ids.FINDER_SHORTLIST, "data"),
    State(ids.FINDER_GRID, "getRowsRequest"),
    State(ids.FINDER_LANG, "data"),
    prevent_initial_call=True,
)
def update_download(*args):
    """Download the shortlist or all matches as XLSX or CSV, filters on top."""
    *clicks, query, shortlist, request, lang = args
    which_fmt = EXPORTS.get(ctx.triggered_id)
    if which_fmt is None or not any(clicks):
        raise PreventUpdate
    which, fmt = which_fmt
    if which == "list" and not shortlist:
        raise PreventUpdate
    from components.finder_panel import listings

    content, name = export_file(
        listings(),
        finder.Query.from_dict(query),
        shortlist,
        which,
        fmt,
        lang,
        sort_model=(request or {}).get("sortModel"),
    )
    return dcc.send_bytes(content, name)
