"""Command line: ``python -m layers build|import|stats|fetch|demo|migrate|users``.

Exit codes: 0 done, 2 bad input (nothing written), 3 store problem, 4 download failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from layers import tiles_cli
from layers.errors import InputError, StoreError
from layers.store import open_store

EXIT_INPUT, EXIT_STORE, EXIT_FETCH = 2, 3, 4
STORE_HELP = (
    "store: a GeoPackage file or a postgresql:// URL (default $DATABASE_URL, "
    "$NARING_STORE or instance/store.gpkg)"
)


def _now():
    return datetime.now(UTC).replace(microsecond=0)


def _iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


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
    from layers.users import add_users_parser

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


def cmd_init(args):
    from layers import kommune
    from layers.build import init_store

    number = str(args.kommune).strip()
    if len(number) != 4 or not number.isdigit():
        raise InputError(f"--kommune {number[:10]!r}: four digits, e.g. 3205")
    store = open_store(args.store)
    kommuner_file, source = _kommune_file(args, number, store)
    config = init_store(
        store,
        number,
        kommuner_file=kommuner_file,
        areas_file=args.areas,
        source=source,
    )
    kommune.activate(config)
    print(
        f"Satt opp {store.path} for {config.name} ({config.number}) / "
        f"set up for kommune {config.number}: {len(config.areas)} område(r) / area(s)"
    )
    for i in store.list_layers():
        print(f"  {i.name:16} {i.rows:7d}")


def _kommune_file(args, number, store):
    """The kommune file for ``init``: given, bundled (if it covers ``number``), fetched."""
    from layers.build import GEODATA, KARTVERKET, KOMMUNE, read_kommuner
    from layers.kommune import BUNDLED_KOMMUNER_FILE

    if args.kommuner_file:
        return Path(args.kommuner_file), _kommune_file_source(args.kommuner_file)
    bundled = GEODATA / BUNDLED_KOMMUNER_FILE
    if number == KOMMUNE or (
        not args.url and number in set(read_kommuner(bundled)["kommunenummer"])
    ):
        return None, dict(KARTVERKET)
    path = _download_kommuner(args.url, store)
    return path, _kommune_file_source(path)


def _download_kommuner(url, store):
    from layers.sources.fetch import fetch

    downloads = store.path.parent / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    path = fetch("boundary", url=url, dest_dir=downloads)
    print(f"Lastet ned / downloaded {path}", file=sys.stderr)
    return path


def _kommune_file_source(path):
    return {
        "source": f"Kartverket, Administrative enheter kommuner: {Path(path).name}",
        "licence": "© Kartverket, CC BY 4.0",
        "as_of": date.today().isoformat(),
    }


def fetch_boundary(args, store):
    """``fetch boundary``: Kartverket's kommune file -> the store's boundary, neighbours.

    The kommune is the store's (or ``--kommune``); its areas and every other layer
    are kept.
    """
    from layers import kommune
    from layers.build import read_kommuner, split_kommuner

    path = _download_kommuner(args.url, store)
    boundary, neighbours = split_kommuner(read_kommuner(path), args.kommune)
    config = kommune.for_store(store)
    if config.number != args.kommune:
        raise InputError(
            f"the store is for kommune {config.number}, not {args.kommune}; "
            "use `init --kommune` for another kommune"
        )
    meta = {**_kommune_file_source(path), "imported_at": _iso(_now())}
    details = {**kommune.to_details(config)}
    details["kommune"]["areas"] = list(
        kommune.load(config.number).areas if kommune.has_config(config.number) else ()
    )
    return {
        "boundary": (boundary, {**meta, "details": details}),
        "neighbours": (neighbours, dict(meta)),
    }


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
    from layers.store.migrate import copy_store

    source, target = open_store(args.source), open_store(args.target)
    done = copy_store(source, target, replace=args.replace)
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


def _existing_store(path):
    store = open_store(path)
    if not store.exists():
        raise StoreError(code="store.not_built", params={"path": str(store.path)})
    return store


def cmd_import(args):
    store = _existing_store(args.store)
    if args.layer == "premises":
        return import_premises(args, store)
    layers = IMPORTERS[args.layer](args, store)
    infos = store.replace_layers(layers)
    for i in infos:
        print(f"Importerte / imported {i.name}: {i.rows} rader / rows")


def import_areas(args, store):
    from layers import kommune
    from layers.sources.areas import read_areas

    # Lørenskog's six areas are fixed; another kommune's file defines its areas.
    fixed = kommune.for_store(store)
    ids = fixed.areas if kommune.has_config(fixed.number) else None
    gdf = read_areas(
        args.file,
        boundary=store.read_layer("boundary"),
        area_ids=ids,
        make_valid=getattr(args, "make_valid", False),
    )
    meta = {
        "source": f"Kommunens egne områdeavgrensninger: {Path(args.file).name}",
        "licence": "",
        "as_of": date.today().isoformat(),
        "imported_at": _iso(_now()),
        "details": {"indicative": False},
    }
    return {"areas": (gdf, meta)}


def import_establishments(args, store):
    from layers.build import _plain
    from layers.sources.establishments import read_establishments

    register, addresses_name = _establishment_addresses(args, store)
    if register.empty:
        raise InputError(
            f"the address register holds no addresses in kommune {args.kommune}; "
            "wrong kommune, or the wrong address file?",
            file=str(args.addresses or "addresses layer"),
        )
    gdf, report = read_establishments(
        args.file,
        register,
        kommune=args.kommune,
        nace_standard=getattr(args, "nace_standard", "auto"),
    )
    report = _plain(report)
    print(establishments_summary(report), file=sys.stderr)
    if report["kept"] == 0:
        raise InputError(
            f"kept 0 establishments: none of the file's {report['read']} records is "
            f"located in kommune {args.kommune} ({report['outside_kommune']} elsewhere, "
            f"{report['closed']} closed). Wrong kommune, or the wrong file?",
            file=str(args.file),
        )
    if report["placed"] == 0:
        raise InputError(
            f"placed 0 of the {report['kept']} establishments on the address register "
            f"({len(register)} addresses): is the address file for kommune "
            f"{args.kommune}?",
            file=str(args.file),
        )
    meta = {
        "source": "Brønnøysundregistrene, Enhetsregisteret (underenheter): "
        f"{Path(args.file).name}; adresser: Kartverket, {addresses_name}",
        "licence": "NLOD (Brønnøysundregistrene); CC BY 4.0 (Kartverket)",
        "as_of": args.as_of or date.today().isoformat(),
        "imported_at": _iso(_now()),
        "details": {"report": report, "kommune": args.kommune},
    }
    return {"establishments": (gdf, meta)}


def _establishment_addresses(args, store):
    """The address register for placing establishments, and its name."""
    from layers.sources.addresses import read_addresses

    if args.addresses:
        return read_addresses(args.addresses, kommune=args.kommune), Path(
            args.addresses
        ).name
    info = {i.name: i for i in store.list_layers()}.get("addresses")
    if info is None or info.demonstration:
        raise InputError(
            "no address register: run 'python -m layers fetch addresses' (or "
            "'import addresses FILE') first, or pass --addresses FILE; the "
            "demonstration's addresses cannot place real establishments"
        )
    register = store.read_layer("addresses")
    register = register[register["kommunenummer"] == str(args.kommune).zfill(4)]
    return register, info.source


def establishments_summary(report):
    """One line per kind of count: kept, dropped by reason, unplaced, estimates."""
    r = {k: report.get(k, 0) for k in _REPORT_KEYS}
    return (
        "Lest / read {read}; beholdt / kept {kept}\n"
        "  forkastet / dropped: utenfor kommunen / outside the kommune "
        "{outside_kommune}, nedlagt / closed {closed}, duplikater / duplicates "
        "{duplicates}\n"
        "  plassert / placed {placed}, ikke plassert / unplaced {unplaced}\n"
        "  1–4 ansatte, anslått / estimated: {employees_estimated}\n"
        "  næringskoder / industry codes: SN2025 {nace_sn2025}, SN2007 {nace_sn2007} "
        "(standard antatt / assumed for {nace_assumed})"
    ).format(**r)


_REPORT_KEYS = (
    "read",
    "kept",
    "outside_kommune",
    "closed",
    "duplicates",
    "placed",
    "unplaced",
    "employees_estimated",
    "nace_sn2025",
    "nace_sn2007",
    "nace_assumed",
)


def import_addresses(args, store, *, source=None):
    """Read a Kartverket address file into the store's ``addresses`` layer."""
    from layers.sources.addresses import read_addresses

    register = read_addresses(args.file, kommune=args.kommune)
    print(
        f"Adresser i kommune / addresses in kommune {args.kommune}: {len(register)}",
        file=sys.stderr,
    )
    if register.empty:
        raise InputError(
            f"read 0 addresses for kommune {args.kommune}: the file holds none in "
            "it. Wrong kommune, or the wrong file (another kommune's)?",
            file=str(args.file),
        )
    meta = {
        "source": source or f"Kartverket, Matrikkelen adresse: {Path(args.file).name}",
        "licence": "© Kartverket, CC BY 4.0",
        "as_of": date.today().isoformat(),
        "imported_at": _iso(_now()),
        "details": {"kommune": args.kommune},
    }
    return {"addresses": (register, meta)}


def import_gtfs(args, store):
    from layers.sources.gtfs import read_gtfs

    # Entur's feed is national: keep the stops within ~3 km of the municipality
    # (metres in EPSG:25833), streaming the rest past.
    boundary = store.read_layer("boundary")
    bounds = boundary.to_crs(25833).buffer(3000).to_crs(4326).total_bounds
    bbox = [round(float(v), 6) for v in bounds]
    feed = read_gtfs(args.file, date=args.date, bbox=bbox)
    r = feed.report
    print(
        f"Referansedato / reference date {feed.reference_date}; holdeplasser / stop "
        f"places {r['stop_places']} ({r['stop_places_served']} med avganger / "
        f"served), utenfor / outside {r.get('stop_places_skipped', 0)}; linjer / "
        f"routes {r['routes']} ({r['routes_with_shape']} med trasé / with shape); "
        f"turer / trips that day {r['trips_on_date']}",
        file=sys.stderr,
    )
    for layer, frame in (("transit_stops", feed.stops), ("transit_lines", feed.lines)):
        if frame.empty:
            raise InputError(
                f"the feed would leave the layer {layer} empty (no stop place or "
                "no line with a shape near the municipality); wrong feed?",
                file=str(args.file),
            )
    meta = {
        "source": f"Entur GTFS: {Path(args.file).name}",
        "licence": "NLOD (Entur)",
        "as_of": feed.reference_date.isoformat(),
        "imported_at": _iso(_now()),
        "details": {
            "reference_date": feed.reference_date.isoformat(),
            "feed_info": feed.feed_info,
            "bbox": bbox,
            "report": feed.report,
        },
    }
    from layers.timetable import to_tables

    tables = to_tables(feed.timetable, reference_date=feed.reference_date.isoformat())
    return {
        "transit_stops": (feed.stops, meta),
        "transit_lines": (feed.lines, meta),
    } | tables


def import_premises(args, store):
    """Import a premises list into the register (add and update, or replace all)."""
    from layers import register
    from layers.sources.premises import read_premises_table

    if args.addresses:
        from layers.sources.addresses import read_addresses

        addresses = read_addresses(args.addresses)
    elif "addresses" in {i.name for i in store.list_layers()}:
        addresses = store.read_layer("addresses")
    else:
        addresses = None
    result = read_premises_table(args.file, addresses=addresses)
    gdf, unplaced = result.layer, result.unplaced
    print(
        f"Lest / read {len(result.preview)} lokaler / listings: plassert / placed "
        f"{len(gdf)}, ikke plassert / unplaced {len(unplaced)}",
        file=sys.stderr,
    )
    for u in unplaced[:20]:
        print(
            f"  rad / row {u['row']}: {u['title']!r} {u['address']!r}: {u['reason']} "
            "— ikke importert; plasser den i registeret / not imported; place it "
            "in the register",
            file=sys.stderr,
        )
    if gdf.empty:
        raise InputError(
            (
                "the file holds no listings"
                if not unplaced
                else f"none of the {len(unplaced)} listings could be placed (addresses "
                "not in the address register, no lat/lon)"
            )
            + (" — --replace would empty the register" if args.replace else ""),
            file=str(args.file),
        )
    register.check_all_inside(gdf, store.read_layer("boundary"), source=args.file)
    if args.replace:
        register.seed_register(store, gdf, user="cli", demonstration=False)
        print(
            f"Registeret erstattet / register replaced: {len(gdf)} lokaler / listings"
        )
        return 0
    plan = register.preview_import(store, gdf)
    register.apply_import(store, gdf, user="cli")
    print(
        f"Nye / added {len(plan['added'])}, endret / changed {len(plan['changed'])}, "
        f"uendret / unchanged {len(plan['unchanged'])}"
    )
    return 0


IMPORTERS = {
    "addresses": import_addresses,
    "areas": import_areas,
    "establishments": import_establishments,
    "gtfs": import_gtfs,
}


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


def cmd_fetch(args):
    from layers.sources.fetch import fetch, fetch_addresses

    store = _existing_store(args.store)
    if args.source == "basemap":
        return tiles_cli.run(args, store)
    if args.source == "boundary":
        for i in store.replace_layers(fetch_boundary(args, store)):
            print(f"Importerte / imported {i.name}: {i.rows} rader / rows")
        return 0
    downloads = _downloads(store)
    downloads.mkdir(parents=True, exist_ok=True)
    if args.source == "addresses" and not args.url:
        path, _url, scope = fetch_addresses(args.kommune, dest_dir=downloads)
        if scope == "county":
            print(
                f"Kommunefilen fantes ikke; bruker fylkesfilen / no kommune file, "
                f"using the county file, filtered to kommune {args.kommune}",
                file=sys.stderr,
            )
    else:
        path = fetch(args.source, url=args.url, dest_dir=downloads)
    print(f"Lastet ned / downloaded {path}", file=sys.stderr)
    if args.source == "addresses":
        ns = argparse.Namespace(file=path, kommune=args.kommune)
        layers = import_addresses(
            ns, store, source=f"Kartverket, Matrikkelen adresse: {Path(path).name}"
        )
    elif args.source == "gtfs":
        ns = argparse.Namespace(file=path, date=None)
        layers = import_gtfs(ns, store)
    else:
        ns = argparse.Namespace(
            file=path,
            addresses=args.addresses,
            kommune=args.kommune,
            as_of=None,
            nace_standard="auto",
        )
        layers = import_establishments(ns, store)
    for i in store.replace_layers(layers):
        print(f"Importerte / imported {i.name}: {i.rows} rader / rows")
    return 0


def _downloads(store):
    # A database has no folder: downloads go to $NARING_DOWNLOADS (default
    # instance/downloads) on the machine that runs the command.
    import os

    if isinstance(store.path, Path):
        return store.path.parent / "downloads"
    return Path(os.environ.get("NARING_DOWNLOADS", "instance/downloads"))


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
    from layers.users import main_users

    return main_users(args)
