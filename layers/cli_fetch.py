"""``python -m layers init`` and ``fetch``: set a store up for a kommune, download sources.

Downloads go to a folder beside the store and are imported through the same importers as
local files (``layers.cli_imports``); a failed download leaves the store unchanged.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from layers import firm_index
from layers.cli_imports import (
    _existing_store,
    _iso,
    _now,
    import_addresses,
    import_establishments,
    import_gtfs,
)
from layers.errors import InputError
from layers.store import open_store


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


def cmd_fetch(args):
    from layers.sources.fetch import fetch, fetch_addresses

    store = _existing_store(args.store)
    if args.source == "basemap":
        from layers import tiles_cli

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
    for i in store.replace_layers(firm_index.with_index(store, layers)):
        print(f"Importerte / imported {i.name}: {i.rows} rader / rows")
    return 0


def _downloads(store):
    # A database has no folder: downloads go to $NARING_DOWNLOADS (default
    # instance/downloads) on the machine that runs the command.

    if isinstance(store.path, Path):
        return store.path.parent / "downloads"
    return Path(os.environ.get("NARING_DOWNLOADS", "instance/downloads"))
