"""Download buttons for the meeting pack: map (HTML), area profile (PDF), table (XLSX).

A reusable component: ``export_buttons(prefix, lang)`` places the three buttons, a
``dcc.Download`` and a ``dcc.Store`` holding what to export (area, map layers,
areas, language). A page keeps that store current by writing to
``context_id(prefix)``; one callback (pattern-matched on ``prefix``) builds the
file with the pure builders of ``components.exports``.
"""

from __future__ import annotations

import flask
from dash import MATCH, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from components import export_guard, exports, ids
from components.i18n import lang_or_default, t
from layers.errors import StoreError
from layers.schemas import AREA_IDS

KINDS = ("html", "pdf", "xlsx")
# The map page's layer names -> the export's point layers ("jobs" has no points).
MAP_LAYERS = {"firms": "establishments", "transit": "transit_stops"}
DEFAULT_LAYERS = ("areas", "premises")


def button_id(prefix, kind):
    """The id of one download button."""
    return {"type": ids.EXPORT_BUTTON, "prefix": prefix, "kind": kind}


def download_id(prefix):
    """The id of the ``dcc.Download`` of a group of buttons."""
    return {"type": ids.EXPORT_DOWNLOAD, "prefix": prefix}


def context_id(prefix):
    """The id of the store a page writes its current area, layers and lang into."""
    return {"type": ids.EXPORT_CONTEXT, "prefix": prefix}


def status_id(prefix):
    """The id of the status line (announced politely to screen readers)."""
    return {"type": ids.EXPORT_STATUS, "prefix": prefix}


def context_data(area=None, lang="nb", layers=DEFAULT_LAYERS, areas=None):
    """What to export, as stored in the context store.

    Parameters
    ----------
    area : str, optional
        One area id; None for all six.
    lang : str
    layers : iterable of str
        Map layers to draw in the HTML map (map page names are accepted).
    areas : iterable of str, optional
        The areas of the PDF, in order (a presentation's choice); all by default.

    Returns
    -------
    dict
    """
    return {
        "area": area,
        "lang": lang_or_default(lang),
        "layers": list(layers),
        "areas": list(areas) if areas else None,
    }


def export_buttons(prefix, lang, *, area=None, layers=DEFAULT_LAYERS, areas=None):
    """The three download buttons, their download and their context store.

    Parameters
    ----------
    prefix : str
        Names this group of buttons (unique on a page), e.g. ``map`` or ``present``.
    lang : str
    area, layers, areas
        The initial export context (see :func:`context_data`).

    Returns
    -------
    dash.html.Div
    """
    buttons = [
        html.Button(
            t(f"export_{kind}", lang),
            id=button_id(prefix, kind),
            type="button",
            className=f"export-button export-{kind}",
        )
        for kind in KINDS
    ]
    return html.Div(
        [
            html.Span(t("export_group", lang), className="export-label"),
            html.Div(buttons, className="export-buttons"),
            html.Span(
                id=status_id(prefix),
                className="export-status",
                role="status",
                **{"aria-live": "polite"},
            ),
            dcc.Download(id=download_id(prefix)),
            dcc.Store(
                id=context_id(prefix), data=context_data(area, lang, layers, areas)
            ),
        ],
        className="export-group",
        role="group",
        **{"aria-label": t("export_group", lang)},
    )


def validation_components(prefix):
    """The components of one group, for a panel's validation layout."""
    return [
        *(html.Button(id=button_id(prefix, k)) for k in KINDS),
        dcc.Download(id=download_id(prefix)),
        dcc.Store(id=context_id(prefix)),
        html.Span(id=status_id(prefix)),
    ]


def point_layers(layers):
    """Translate map layer names into the HTML export's layer names, in order."""
    out = []
    for name in layers or ():
        name = MAP_LAYERS.get(name, name)
        if name in exports.POINT_LAYERS and name not in out:
            out.append(name)
    return out


def make_export(kind, context, layers, figures, *, sources=(), online=True):
    """Build one export for a context (pure: frames in, file out).

    Parameters
    ----------
    kind : str
        ``html``, ``pdf`` or ``xlsx``.
    context : dict
        :func:`context_data`.
    layers : dict
        Layer frames (``exports.read_layers``).
    figures : list of dict
        ``layers.stats.area_figures``.
    sources : iterable of dict
        ``exports.context_sources``.
    online : bool
        Offer an online basemap in the HTML map (off at start).

    Returns
    -------
    tuple
        ``(file name, bytes, MIME type)``.

    Raises
    ------
    components.exports.ExportError
    """
    context = context or {}
    area = context.get("area")
    area = area if area in AREA_IDS else None
    lang = lang_or_default(context.get("lang"))
    if kind == "html":
        text = exports.html_map(
            layers,
            figures,
            area=area,
            layer_names=("areas", *point_layers(context.get("layers"))),
            lang=lang,
            online_basemap=online,
            sources=sources,
        )
        return exports.export_filename(kind, area), text.encode(), exports.KINDS[kind]
    chosen = [a for a in context.get("areas") or () if a in AREA_IDS]
    if kind == "pdf" and area is None and chosen:
        pdf = exports.pdf_profiles(
            layers, figures, areas=chosen, lang=lang, sources=sources
        )
        return exports.export_filename(kind), pdf, exports.KINDS[kind]
    return exports.build_export(
        kind,
        layers,
        figures,
        area=area,
        lang=lang,
        online_basemap=online,
        sources=sources,
    )


@callback(
    Output(download_id(MATCH), "data"),
    Output(status_id(MATCH), "children"),
    Input(button_id(MATCH, "html"), "n_clicks"),
    Input(button_id(MATCH, "pdf"), "n_clicks"),
    Input(button_id(MATCH, "xlsx"), "n_clicks"),
    State(context_id(MATCH), "data"),
    prevent_initial_call=True,
)
def update_export_download(_html, _pdf, _xlsx, context):
    """Build the file of the button pressed and send it to the browser."""
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    kind = trigger["kind"]
    lang = lang_or_default((context or {}).get("lang"))
    try:
        name, content, _mime = export_guard.meeting_pack_export(
            kind,
            context,
            online=bool(flask.current_app.config.get("ONLINE_BASEMAPS", False)),
        )
    except export_guard.ExportBusy as exc:
        return None, t("export_busy", lang, seconds=exc.retry_after)
    except (exports.ExportError, StoreError) as exc:
        return None, t("export_failed", lang, error=str(exc))
    return dcc.send_bytes(content, name), t("export_done", lang, name=name)
