"""``python -m layers reach``: the command and its table output."""

from __future__ import annotations

import json
import sys

from layers.errors import StoreError
from layers.reach.api import (
    query,
)
from layers.reach.params import (
    DEFAULT_MAX_MINUTES,
    DEFAULT_WINDOW,
)

# ------------------------------------------------------------------ commands


def add_reach_parser(subparsers):
    """Add the ``reach`` command to the subparsers of ``python -m layers``."""
    p = subparsers.add_parser(
        "reach", help="travel times by public transport from a stop place or point"
    )
    p.add_argument(
        "--from",
        dest="origin",
        required=True,
        metavar="STOP_ID|LAT,LON",
        help="a stop place id (NSR:StopPlace:337) or latitude,longitude",
    )
    p.add_argument("--date", help="service date YYYY-MM-DD (default reference date)")
    p.add_argument(
        "--window",
        default="-".join(DEFAULT_WINDOW),
        help="departure window HH:MM-HH:MM",
    )
    p.add_argument("--max-minutes", type=int, default=DEFAULT_MAX_MINUTES)
    p.add_argument(
        "--store", help="store file (default $NARING_STORE or instance/store.gpkg)"
    )
    p.add_argument("--format", choices=("json", "table"), default="json")
    return p


def main_reach(args):
    """Run ``python -m layers reach``; return the exit code."""
    from layers.store import open_store

    store = open_store(args.store)
    if not store.exists():
        raise StoreError(
            f"the store {store.path} does not exist; build it with 'python -m layers build'"
        )
    result = query(
        store,
        args.origin,
        day=args.date,
        window=args.window,
        max_minutes=args.max_minutes,
    )
    if args.format == "json":
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(format_table(result))
    return 0


def format_table(result):
    """Plain-text table of a :class:`Reach`, with the source underneath."""
    data = result.to_json()
    lines = [
        f"Fra / from: {json.dumps(data['origin'], ensure_ascii=False)}",
        f"Dato / date: {data['date']}, avreise / departing {data['window'][0]}-"
        f"{data['window'][1]}, maks / max {data['max_minutes']} min",
        "",
    ]
    rows = [("holdeplass / stop", "id", "median", "p25", "p75")]
    for s in data["stops"]:
        rows.append(
            (
                s["name"],
                s["stop_id"],
                *("–" if s[k] is None else f"{s[k]:.1f}" for k in _MIN_KEYS),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for n, r in enumerate(rows):
        lines.append(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    for band in data["jobs_within"]:
        lines.append(
            f"Innen / within {band} min: {data['jobs_within'][band]} arbeidsplasser / "
            f"jobs, {data['establishments_within'][band]} virksomheter / establishments"
        )
    lines.append("")
    for name, src in data["source"].items():
        demo = (
            " — DEMONSTRASJONSDATA / demonstration data" if src["demonstration"] else ""
        )
        lines.append(f"{name}: {src['source']} (per {src['as_of']}){demo}")
    return "\n".join(lines)


_MIN_KEYS = ("median_min", "p25_min", "p75_min")
