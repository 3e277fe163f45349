"""The meeting pack: a standalone HTML map, PDF area profiles and XLSX tables.

Pure builders: they take layer frames (``{name: GeoDataFrame}``, as read from the
store) and the per-area figures of :func:`layers.stats.area_figures`, and return
``str`` or ``bytes``. No Dash, no network: the HTML map inlines the vendored Leaflet
(``assets/vendor/leaflet``) and has no basemap unless the reader switches one on.
One call, :func:`build_export`, builds any of them. Modules:

- ``text``: figure and area names, figure text, sources, the layers read;
- ``html_map``: the standalone HTML map;
- ``pdf``: the PDF profiles;
- ``sheets``: the XLSX workbooks, and the one formula guard every spreadsheet uses.

Everything that comes from data (names, titles, contacts, links, sources) is
escaped: ``html.escape`` in HTML, ``xml.sax.saxutils.escape`` in reportlab
paragraphs, and text cells in spreadsheets that would start a formula are text.
"""

from __future__ import annotations

from components.exports.html_map import check_offline, html_map, leaflet_assets
from components.exports.pdf import jobs_by_section, pdf_profiles
from components.exports.sheets import (
    FORMULA_START,
    XLSX_FIGURES,
    set_cell,
    xlsx_area,
    xlsx_comparison,
)
from components.exports.text import (
    AREA_COLOURS,
    EXPORT_LAYERS,
    KINDS,
    POINT_LAYERS,
    TABLE_FIGURES,
    ExportError,
    _check_areas,
    area_name,
    available_premises,
    context_sources,
    figure_text,
    figures_by_id,
    is_demonstration,
    largest_firms,
    nace_label,
    read_layers,
    source_entries,
    source_text,
    with_sections,
)


def export_filename(kind, area=None):
    """Return the default file name: ``naeringsarealer_<area|alle>.<kind>``."""
    return f"naeringsarealer_{area or 'alle'}.{kind}"


def build_export(
    kind, layers, figures, *, area=None, lang="nb", online_basemap=True, sources=()
):
    """Build one export of the meeting pack.

    Parameters
    ----------
    kind : str
        ``html``, ``pdf`` or ``xlsx``.
    layers : dict
        Layer frames (:func:`read_layers`).
    figures : list of dict
        :func:`layers.stats.area_figures`.
    area : str, optional
        One area; all six by default.
    lang : str
    online_basemap : bool
        HTML only: offer the OpenStreetMap basemap as a choice (off at start).
    sources : iterable of dict
        Sources of the context layers (:func:`context_sources`), for the credits.

    Returns
    -------
    tuple
        ``(file name, content bytes, MIME type)``.
    """
    if kind not in KINDS:
        raise ExportError(
            f"unknown export kind {kind!r}; choose from {', '.join(KINDS)}"
        )
    if area is not None:
        _check_areas([area])
    if kind == "html":
        text = html_map(
            layers,
            figures,
            area=area,
            lang=lang,
            online_basemap=online_basemap,
            sources=sources,
        )
        data = text.encode("utf-8")
    elif kind == "pdf":
        chosen = [area] if area else None
        data = pdf_profiles(layers, figures, areas=chosen, lang=lang, sources=sources)
    elif area:
        data = xlsx_area(figures, area, layers, lang=lang)
    else:
        data = xlsx_comparison(figures, lang=lang, sources=sources)
    return export_filename(kind, area), data, KINDS[kind]


__all__ = [
    "AREA_COLOURS",
    "EXPORT_LAYERS",
    "FORMULA_START",
    "KINDS",
    "POINT_LAYERS",
    "TABLE_FIGURES",
    "XLSX_FIGURES",
    "ExportError",
    "area_name",
    "available_premises",
    "build_export",
    "check_offline",
    "context_sources",
    "export_filename",
    "figure_text",
    "figures_by_id",
    "html_map",
    "is_demonstration",
    "jobs_by_section",
    "leaflet_assets",
    "nace_label",
    "pdf_profiles",
    "largest_firms",
    "read_layers",
    "with_sections",
    "set_cell",
    "source_entries",
    "source_text",
    "xlsx_area",
    "xlsx_comparison",
]
