"""``flask export``: write the meeting pack (HTML map, PDF profiles, XLSX) to files.

Wired with ``register_cli(app.server)``; then, for example::

    flask --app app export html --area visperud --out visperud.html
    flask --app app export pdf                      # naeringsarealer_alle.pdf
    flask --app app export xlsx --lang en --store instance/store.gpkg
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from components.exports import (
    ExportError,
    build_export,
    context_sources,
    export_filename,
    read_layers,
    with_sections,
)
from layers import aggregates
from layers.errors import StoreError
from layers.schemas import AREA_IDS
from layers.stats import store_figures
from layers.store import open_store

export_group = AppGroup("export", help="Write the meeting pack (HTML, PDF, XLSX).")


OPTIONS = (
    click.option(
        "--area",
        type=click.Choice(AREA_IDS),
        default=None,
        help="One business area (default: all six).",
    ),
    click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Output file (default: naeringsarealer_<area|alle>.<ext> here).",
    ),
    click.option(
        "--lang",
        type=click.Choice(("nb", "en")),
        default="nb",
        show_default=True,
        help="Language: nb (bokmål) or en.",
    ),
    click.option(
        "--store",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="GeoPackage store (default: the app's NARING_STORE).",
    ),
)


def _options(fn):
    """Add the options every export command shares."""
    for option in reversed(OPTIONS):
        fn = option(fn)
    return fn


def write_export(kind, *, area, out, lang, store):
    """Build one export from a store and write it to a file.

    Parameters
    ----------
    kind : str
        ``html``, ``pdf`` or ``xlsx``.
    area : str or None
        One area id, or None for all six.
    out : pathlib.Path or None
        Output file; by default ``naeringsarealer_<area|alle>.<kind>`` in the cwd.
    lang : str
        ``nb`` or ``en``.
    store : pathlib.Path or None
        Store file; by default the app's ``NARING_STORE``.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = store or current_app.config.get("NARING_STORE")
    try:
        s = open_store(path)
        layers = read_layers(s)
        figures = with_sections(_with_reach(store_figures(s), s), aggregates.frames(s))
        sources = context_sources(s)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    if "areas" not in layers:
        raise click.ClickException(f"the store {s.path} has no 'areas' layer")
    online = bool(current_app.config.get("ONLINE_BASEMAPS", True))
    try:
        _name, data, _mime = build_export(
            kind,
            layers,
            figures,
            area=area,
            lang=lang,
            online_basemap=online,
            sources=sources,
        )
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    target = out or Path.cwd() / export_filename(kind, area)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def _report(target):
    click.echo(f"{target} ({target.stat().st_size:,} bytes)".replace(",", " "))


@export_group.command("html")
@_options
def html_command(area, out, lang, store):
    """Write the standalone map (no network needed to open it)."""
    _report(write_export("html", area=area, out=out, lang=lang, store=store))


@export_group.command("pdf")
@_options
def pdf_command(area, out, lang, store):
    """Write the area profiles: one A4 page per area (plus an overview for all)."""
    _report(write_export("pdf", area=area, out=out, lang=lang, store=store))


@export_group.command("xlsx")
@_options
def xlsx_command(area, out, lang, store):
    """Write the comparison table (all areas) or one area's figures and premises."""
    _report(write_export("xlsx", area=area, out=out, lang=lang, store=store))


def register_cli(flask_app):
    """Add the ``export`` command group to a Flask app's CLI.

    Parameters
    ----------
    flask_app : flask.Flask
        The app (``dash_app.server``); its config must hold ``NARING_STORE``.
    """
    flask_app.cli.add_command(export_group)


def _with_reach(figures, s):
    """The figures with each area's travel-time reach (none without a timetable)."""
    from components import reach_views
    from layers import reach

    try:
        info = reach.reach_info(s)
    except (StoreError, ValueError):
        return figures
    rows = {r["area_id"]: r for r in reach.area_reach(s).to_dict("records")}
    return reach_views.with_reach(figures, rows, info)
