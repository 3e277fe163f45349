"""Command line: ``python -m layers build|import|stats|fetch|demo|migrate|users|reach``.

Exit codes: 0 done, 2 bad input (nothing written), 3 store problem, 4 download failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from layers import tiles_cli
from layers.cli_fetch import cmd_fetch, cmd_init
from layers.cli_imports import _existing_store, cmd_import
from layers.errors import InputError, StoreError
from layers.store import open_store

EXIT_INPUT, EXIT_STORE, EXIT_FETCH = 2, 3, 4
STORE_HELP = (
    "store: a GeoPackage file or a postgresql:// URL (default $DATABASE_URL, "
    "$NARING_STORE or instance/store.gpkg)"
)


def _parser():
    p = argparse.ArgumentParser(
        prog="python -m layers",
        description="Næringsarealer: build, import and report the store's layers.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    def store_opt(sp):
        sp.add_argument("--store", help=STORE_HELP)

    sp = sub.add_parser("build", help="rebuild the default store from geodata/")
    sp.add_argument(
        "--reset-register",
        action="store_true",
        help="also replace the premises register with the demonstration listings",
    )
    store_opt(sp)

    sp = sub.add_parser(
        "rebuild",
        help="rebuild a damaged store: fresh layers, the register and users kept",
    )
    sp.add_argument(
        "--yes", action="store_true", help="do it (without: print the plan only)"
    )
    store_opt(sp)

    sp = sub.add_parser("init", help="set a store up for a kommune (boundary, areas)")
    sp.add_argument("--kommune", required=True, help="kommunenummer, e.g. 3205")
    sp.add_argument("--areas", help="the kommune's business areas (GeoJSON/GeoPackage)")
    sp.add_argument(
        "--kommuner-file",
        help="Kartverket's kommune file (default: the bundled one when it covers "
        "the kommune, else downloaded with `fetch boundary`)",
    )
    sp.add_argument("--url", help="download address of Kartverket's kommune file")
    store_opt(sp)

    sp = sub.add_parser("demo", help="write the demonstration source files")
    sp.add_argument("--out", required=True, help="folder to write to")

    imp = sub.add_parser("import", help="import a source file into the store")
    isub = imp.add_subparsers(dest="layer", required=True)
    a = isub.add_parser("areas", help="official area polygons (GeoJSON or GeoPackage)")
    a.add_argument("file")
    a.add_argument(
        "--make-valid",
        action="store_true",
        help="repair self-intersecting polygons (default: refuse them, naming the area)",
    )
    store_opt(a)
    e = isub.add_parser(
        "establishments", help="Enhetsregisteret underenheter (JSON, gzip, CSV)"
    )
    e.add_argument("file")
    e.add_argument(
        "--addresses",
        help="Kartverket address CSV (or zip); default: the store's addresses layer "
        "(when fetched or imported, not the demonstration's)",
    )
    e.add_argument("--kommune", help="default: the store's kommune")
    e.add_argument("--as-of", help="date of the download (default today)")
    e.add_argument(
        "--nace-standard",
        choices=("auto", "SN2025", "SN2007"),
        default="auto",
        help="standard of codes that exist in both (default: what the file shows)",
    )
    store_opt(e)
    ad = isub.add_parser(
        "addresses", help="Kartverket Matrikkelen adresse CSV (or zip)"
    )
    ad.add_argument("file")
    ad.add_argument("--kommune", help="default: the store's kommune")
    store_opt(ad)
    g = isub.add_parser("gtfs", help="Entur GTFS zip")
    g.add_argument("file")
    g.add_argument("--date", help="reference date YYYY-MM-DD (default first Tuesday)")
    g.add_argument(
        "--kommune",
        help="all: import the national feed once into a database of several "
        "kommuner, clipped to all of them (default: the store's kommune)",
    )
    store_opt(g)
    pr = isub.add_parser("premises", help="premises list (CSV, XLSX or GeoJSON)")
    pr.add_argument("file")
    pr.add_argument(
        "--addresses",
        help="Kartverket address CSV, to place listings by address "
        "(default: the store's addresses layer)",
    )
    pr.add_argument(
        "--replace",
        action="store_true",
        help="replace the whole register (default: add new and update changed listings)",
    )
    store_opt(pr)

    st = sub.add_parser("stats", help="per-area figures")
    st.add_argument("--format", choices=("table", "json"), default="table")
    store_opt(st)

    f = sub.add_parser("fetch", help="download from the official service, then import")
    f.add_argument(
        "source", choices=("brreg", "addresses", "gtfs", "boundary", "basemap")
    )
    f.add_argument("--url", help="override the download address")
    f.add_argument(
        "--addresses", help="address file for brreg (default: the last fetched)"
    )
    f.add_argument("--kommune", help="default: the store's kommune")
    tiles_cli.add_arguments(f)  # fetch basemap
    store_opt(f)

    m = sub.add_parser(
        "migrate",
        help="copy a store (layers, register, history, users) to another backend",
    )
    m.add_argument("--from", dest="source", required=True, help="the store to copy")
    m.add_argument("--to", dest="target", required=True, help="the store to write")
    m.add_argument(
        "--replace", action="store_true", help="overwrite a target that holds data"
    )

    from layers.reach import add_reach_parser
    from layers.users_cli import add_users_parser

    add_users_parser(sub)
    add_reach_parser(sub)
    return p


def main(argv=None):
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        _activate_kommune(args)
        return COMMANDS[args.command](args) or 0
    except InputError as exc:
        print(
            f"Feil i inndata / bad input: {exc}\nIngenting ble endret / nothing was changed.",
            file=sys.stderr,
        )
        return EXIT_INPUT
    except StoreError as exc:
        print(f"Lagerfeil / store error: {exc}", file=sys.stderr)
        return EXIT_STORE
    except BrokenPipeError:  # e.g. `stats | head`: the reader went away
        sys.stderr.close()
        return 0
    except Exception as exc:
        from layers.sources.fetch import FetchError

        if isinstance(exc, FetchError):
            print(str(exc), file=sys.stderr)
            return EXIT_FETCH
        store_error = _as_store_error(exc, getattr(args, "store", None))
        if store_error is not None and _input_file_fault(exc, args):
            print(
                f"Feil i inndata / bad input: {getattr(args, 'file', '')}: cannot "
                f"read the file ({exc})\nIngenting ble endret / nothing was changed.",
                file=sys.stderr,
            )
            return EXIT_INPUT
        if store_error is not None:
            print(f"Lagerfeil / store error: {store_error}", file=sys.stderr)
            return EXIT_STORE
        if os.environ.get("NARING_DEBUG"):
            raise
        print(
            f"Uventet feil / unexpected error: {type(exc).__name__}: {exc}\n"
            "Ingenting ble endret / nothing was changed (NARING_DEBUG=1 shows where).",
            file=sys.stderr,
        )
        return 1


def _input_file_fault(exc, args):
    """True when an OSError names the input file (not the store)."""
    name = getattr(exc, "filename", None)
    files = {getattr(args, k, None) for k in ("file", "addresses")} - {None}
    return bool(name) and any(Path(str(name)) == Path(f) for f in files)


def _as_store_error(exc, path):
    """A StoreError for an OS or SQLite fault of the store, else None."""
    import errno
    import sqlite3

    from layers.store import open_store

    where = str(open_store(path).path) if path is not False else "?"
    if isinstance(exc, sqlite3.DatabaseError):
        return StoreError(code="store.damaged", params={"path": where, "reason": exc})
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return StoreError(code="store.disk_full", params={"path": where})
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StoreError(
                code="store.read_only", params={"path": where, "reason": exc.strerror}
            )
        return StoreError(code="store.io", params={"path": where, "reason": exc})
    return None


def _activate_kommune(args):
    """Serve the kommune of the store the command works on; fill in ``--kommune``."""
    from layers import kommune

    if args.command not in ("build", "init", "demo"):
        k = kommune.activate_store(open_store(getattr(args, "store", None)))
        if getattr(args, "kommune", "x") is None:
            args.kommune = k.number


def cmd_build(args):
    from layers.build import build_store

    store = open_store(args.store)
    infos = build_store(store, reset_register=args.reset_register)
    print(f"Bygget {store.path} med {len(infos)} lag / built {len(infos)} layers:")
    for i in infos:
        demo = " (demonstrasjonsdata)" if i.demonstration else ""
        print(f"  {i.name:16} {i.rows:7d}{demo}")


def cmd_rebuild(args):
    """Print what a rebuild will do; with --yes, do it (the old file is kept)."""
    from layers.build import plan_text, rebuild_plan, rebuild_store

    store = open_store(args.store)
    plan = rebuild_plan(store)
    for line in plan_text(plan):
        print(line)
    if not args.yes:
        print(
            "Ingenting er endret ennå; kjør igjen med --yes (make rebuild YES=1) / "
            "nothing changed yet; run again with --yes (make rebuild YES=1)"
        )
        return 0
    infos = rebuild_store(store, plan)
    print(f"Bygget / rebuilt {store.path}: {len(infos)} lag / layers")
    return 0


def cmd_migrate(args):
    from layers import firm_index, timetable
    from layers.store.migrate import copy_store

    source, target = open_store(args.source), open_store(args.target)
    tables = (*timetable.TABLES, firm_index.TABLE)  # derived tables go along
    done = copy_store(source, target, replace=args.replace, tables=tables)
    print(f"Kopierte / copied {source.path} -> {target.path}")
    for name, rows in sorted(done["layers"].items()):
        print(f"  {name:16} {rows:7d}")
    for table, rows in done["tables"].items():
        print(f"  {table:16} {rows:7d}")
    print(
        f"Kontrollert / verified: antall og {done['figures']} områdetall / counts "
        f"and {done['figures']} per-area figure rows are equal"
    )


def cmd_demo(args):
    from layers.demo import write_demo_sources

    for kind, path in write_demo_sources(Path(args.out)).items():
        print(f"{kind:15} {path}")


def cmd_stats(args):
    from layers.stats import store_figures

    store = _existing_store(args.store)
    rows = store_figures(store)
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(format_table(rows, store.list_layers()))


TABLE_COLUMNS = (
    ("area_id", "område", "{}"),
    ("establishments", "virksomheter", "{:,}"),
    ("jobs", "arbeidsplasser", "{:,}"),
    ("premises_available", "ledige lokaler", "{:,}"),
    ("premises_m2", "m² ledig", "{:,.0f}"),
    ("median_rent_nok_m2", "median leie", "{:,.0f}"),
    ("stops", "holdeplasser", "{:,}"),
    ("lines", "linjer", "{:,}"),
    ("departures_peak_hour", "avg./t rush", "{:,.1f}"),
)


def format_table(rows, infos):
    """Format the figures as a plain-text table with sources underneath."""
    cells = [[head for _, head, _ in TABLE_COLUMNS]]
    for row in rows:
        line = []
        for key, _, fmt in TABLE_COLUMNS:
            value = row.get(key)
            line.append("–" if value is None else fmt.format(value).replace(",", " "))
        if row["demonstration"]:
            line[0] += " *"
        cells.append(line)
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    out = []
    for n, r in enumerate(cells):
        out.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    total = next(r for r in rows if r["area_id"] == "total")
    out.append(
        f"Ikke plassert / unplaced establishments: {total['unplaced_establishments']}"
    )
    out.append("")
    out.append("Kilder / sources:")
    for i in infos:
        demo = " — DEMONSTRASJONSDATA / demonstration data" if i.demonstration else ""
        out.append(f"  {i.name}: {i.source} (per {i.as_of}){demo}")
    if any(r["demonstration"] for r in rows):
        out.append("* inneholder demonstrasjonsdata / contains demonstration data")
    return "\n".join(out)


COMMANDS = {
    "build": cmd_build,
    "rebuild": cmd_rebuild,
    "init": cmd_init,
    "demo": cmd_demo,
    "import": cmd_import,
    "stats": cmd_stats,
    "fetch": cmd_fetch,
    "migrate": cmd_migrate,
    "users": lambda args: _users(args),
    "reach": lambda args: _reach(args),
}


def _reach(args):
    from layers.reach import main_reach

    return main_reach(args)


def _users(args):
    from layers.users_cli import main_users

    return main_users(args)
