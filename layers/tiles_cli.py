"""``python -m layers fetch basemap``: its options and its run (see ``layers.tiles``).

``layers.cli`` registers it in a few lines; a failed download (exit 4, raised as
``FetchError`` and reported by the CLI) or a refused request (exit 2) changes
nothing in the store.
"""

from __future__ import annotations

import sys

from layers import tiles

EXIT_INPUT = 2


def add_arguments(parser):
    """The basemap options of the ``fetch`` subcommand."""
    parser.add_argument(
        "--source",
        dest="tile_source",
        choices=tuple(tiles.SOURCES),
        default="kartverket",
        help="basemap: tile source (osm needs --url: OSM forbids bulk downloads)",
    )
    parser.add_argument(
        "--zoom",
        default="{}-{}".format(*tiles.DEFAULT_ZOOM),
        help="basemap: zoom range, e.g. 10-16",
    )
    parser.add_argument(
        "--max-tiles",
        type=int,
        default=tiles.DEFAULT_MAX_TILES,
        help="basemap: refuse a plan of more tiles than this",
    )


def run(args, store):
    """Fetch the basemap into ``store``; return the exit code."""
    try:
        meta = tiles.fetch_basemap(
            store,
            source=args.tile_source,
            url=args.url,
            zoom=tiles.parse_zoom(args.zoom),
            max_tiles=args.max_tiles,
        )
    except tiles.TilesError as exc:
        print(f"{exc}\nIngenting ble endret / nothing was changed.", file=sys.stderr)
        return EXIT_INPUT
    print(
        f"Lagret / stored {meta['tiles']} fliser / tiles "
        f"({meta['bytes'] / 1_000_000:.1f} MB), {meta['attribution']}"
    )
    return 0
