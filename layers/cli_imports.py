"""``python -m layers import KIND FILE``: one importer per kind, each printing what it kept.

Every importer validates the whole file before anything is written, so a refused file
leaves the store unchanged; the summaries say kept, dropped by reason and unplaced.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from layers import firm_index
from layers.errors import InputError, StoreError
from layers.store import open_store


def _now():
    return datetime.now(UTC).replace(microsecond=0)


def _iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _existing_store(path):
    store = open_store(path)
    if not store.exists():
        raise StoreError(code="store.not_built", params={"path": str(store.path)})
    return store


def cmd_import(args):
    if str(getattr(args, "kommune", None) or "").lower() == "all":
        from layers.store import open_national

        store = open_national(args.store)  # a national import may start the store
    else:
        store = _existing_store(args.store)
    if args.layer == "premises":
        return import_premises(args, store)
    layers = IMPORTERS[args.layer](args, store)
    infos = store.replace_layers(firm_index.with_index(store, layers))
    for i in infos:
        print(f"Importerte / imported {i.name}: {i.rows} rader / rows")
    if args.layer == "establishments":
        _refresh_kommuner(store)


def _refresh_kommuner(store):
    """After a national import: each kommune's firm index follows the new layer
    (a kommune reads its slice of it; no kommuner: nothing to do)."""
    from layers.store import kommune_stores

    for kommune in kommune_stores(store):
        if firm_index.refresh(kommune):
            print(f"Oppdaterte / updated {kommune.path}: {firm_index.TABLE}")


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
    if str(args.kommune).lower() != "all":  # all: the national layer
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


def _gtfs_bbox(args, store):
    """The box the national feed is clipped to, in lon/lat.

    Entur's feed is national: keep the stops within ~3 km of the municipality
    (metres in EPSG:25833), streaming the rest past. With ``--kommune all`` on a
    database of several kommuner the feed is imported once, into the national
    schema, clipped to every kommune set up in the database; each kommune then
    reads its stops and lines by place and the one timetable.
    """
    import pandas as pd

    from layers.store import KommuneStore, PostGISStore, kommune_stores

    national = isinstance(store, PostGISStore) and not isinstance(store, KommuneStore)
    if national and str(getattr(args, "kommune", None) or "").lower() == "all":
        boundaries = [k.read_layer("boundary") for k in kommune_stores(store)]
        if not boundaries:
            raise InputError(
                "no kommune is set up in this database yet: run `python -m layers "
                "init --kommune NNNN --store URL?kommune=NNNN` first (the national "
                "feed is clipped to the database's kommuner)",
                file=str(args.file),
            )
        boundary = pd.concat(b.to_crs(25833) for b in boundaries)
    else:
        boundary = store.read_layer("boundary").to_crs(25833)
    bounds = boundary.buffer(3000).to_crs(4326).total_bounds
    return [round(float(v), 6) for v in bounds]


# Stop places kept from a national feed beyond the region's box: places a
# journey into the region is often asked from (Oslo S, Jernbanetorget).
DEFAULT_HUBS = ("NSR:StopPlace:337", "NSR:StopPlace:59872", "NSR:StopPlace:58366")


def gtfs_hubs():
    """The hubs to keep (``NARING_GTFS_HUBS``: comma-separated stop place ids)."""
    raw = os.environ.get("NARING_GTFS_HUBS")
    if raw is None:
        return DEFAULT_HUBS
    return tuple(p.strip() for p in raw.split(",") if p.strip())


def import_gtfs(args, store):
    from layers.sources.gtfs import read_gtfs

    bbox = _gtfs_bbox(args, store)
    feed = read_gtfs(args.file, date=args.date, bbox=bbox, keep_places=gtfs_hubs())
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
            "— importert uten plassering; plasser den i registeret ved et klikk i "
            "kartet / imported unplaced; place it in the register with a click on "
            "the map",
            file=sys.stderr,
        )
    if len(unplaced) > 20:
        print(f"  … og / and {len(unplaced) - 20} til / more", file=sys.stderr)
    if gdf.empty and not unplaced:
        raise InputError("the file holds no listings", file=str(args.file))
    if not gdf.empty:
        register.check_all_inside(gdf, store.read_layer("boundary"), source=args.file)
    if args.replace:
        if gdf.empty:
            raise InputError(
                f"none of the {len(unplaced)} listings could be placed (addresses not "
                "in the address register, no lat/lon) — --replace would leave the "
                "register with no listing on the map",
                file=str(args.file),
            )
        register.seed_register(store, gdf, user="cli", demonstration=False)
        print(
            f"Registeret erstattet / register replaced: {len(gdf)} lokaler / listings"
            + (
                f" (ikke plassert / unplaced {len(unplaced)}: not imported with "
                "--replace; import them without --replace)"
                if unplaced
                else ""
            )
        )
        return 0
    plan = register.apply_import(store, gdf, unplaced, user="cli")
    print(
        f"Nye / added {len(plan['added'])}, endret / changed {len(plan['changed'])}, "
        f"uendret / unchanged {len(plan['unchanged'])}"
        + (
            f"; uten plassering / unplaced {len(plan['unplaced'])}"
            if plan.get("unplaced")
            else ""
        )
    )
    return 0


IMPORTERS = {
    "addresses": import_addresses,
    "areas": import_areas,
    "establishments": import_establishments,
    "gtfs": import_gtfs,
}
