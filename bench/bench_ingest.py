"""Benchmark the underenheter importer on a national-size file.

Generates a gzipped JSON array in the Brønnøysund bulk format (default 1.2 M
records, about 5 000 of them in Lørenskog, 3222) and a small matching Kartverket
address CSV, then runs ``read_establishments`` in a child process and reports
records/s and the child's peak RSS against the 1 GB budget.

Usage::

    python bench/bench_ingest.py                 # full size, temp dir
    python bench/bench_ingest.py --records 100000 --out bench/out
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyproj

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MB = 1024
LORENSKOG_SHARE = 5_000 / 1_200_000
# Street -> (lon, lat) of house number 1; numbers step ~15 m east.
STREETS = {
    "Skårersletta": (10.9540, 59.9260),
    "Solheimveien": (10.9580, 59.9270),
    "Gamleveien": (10.9500, 59.9190),
    "Sykehusveien": (10.9930, 59.9320),
    "Hasselveien": (10.9630, 59.9375),
    "Losbyveien": (10.9800, 59.8870),
}
POSTCODES = {
    "Skårersletta": "1473",
    "Solheimveien": "1470",
    "Gamleveien": "1476",
    "Sykehusveien": "1478",
    "Hasselveien": "1470",
    "Losbyveien": "1475",
}
NUMBERS = range(1, 201)
OTHER_KOMMUNER = ("0301", "3201", "3203", "3205", "4601", "5001", "1103", "3907")
NACE = ("47.111", "56.101", "68.209", "69.201", "43.210", "86.211", "62.010", "49.410")

RECORD = (
    '{{"organisasjonsnummer":"{orgnr}","navn":"BENCH BEDRIFT {orgnr} AS",'
    '"organisasjonsform":{{"kode":"BEDR","beskrivelse":"Underenhet til '
    'næringsdrivende og offentlig forvaltning","_links":{{"self":{{"href":'
    '"https://data.brreg.no/enhetsregisteret/api/organisasjonsformer/BEDR"}}}}}},'
    '"registreringsdatoEnhetsregisteret":"2015-03-02","registrertIMvaregisteret":'
    'true,"naeringskode1":{{"kode":"{nace}","beskrivelse":"Næringsbeskrivelse for '
    'benchmark"}},"antallAnsatte":{emp},"harRegistrertAntallAnsatte":true,'
    '"overordnetEnhet":"{parent}","oppstartsdato":"2015-03-01",{closed}'
    '"beliggenhetsadresse":{{"land":"Norge","landkode":"NO","postnummer":"{pnr}",'
    '"poststed":"POSTSTED","adresse":["{adr}"],"kommune":"KOMMUNE",'
    '"kommunenummer":"{knr}"}},"_links":{{"self":{{"href":'
    '"https://data.brreg.no/enhetsregisteret/api/underenheter/{orgnr}"}},'
    '"overordnetEnhet":{{"href":'
    '"https://data.brreg.no/enhetsregisteret/api/enheter/{parent}"}}}}}}'
)


def write_addresses(path):
    """Write a Kartverket-style address CSV (BOM, ';', EPSG 25833) for 3222.

    Parameters
    ----------
    path : pathlib.Path
        Target file.

    Returns
    -------
    int
        Number of address rows written.
    """
    tr = pyproj.Transformer.from_crs(4326, 25833, always_xy=True)
    lines = [
        "kommunenummer;kommunenavn;adressetype;adressenavn;nummer;bokstav;"
        "EPSG-kode;Nord;Øst;postnummer;poststed;adresseId"
    ]
    for k, (street, (lon, lat)) in enumerate(STREETS.items()):
        for n in NUMBERS:
            east, north = tr.transform(lon + 0.00025 * n, lat)
            lines.append(
                f"3222;LØRENSKOG;vegadresse;{street};{n};;25833;{north:.2f};"
                f"{east:.2f};{POSTCODES[street]};LØRENSKOG;{k * 1000 + n}"
            )
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def write_underenheter(path, records, *, seed=1):
    """Write a gzipped JSON array of ``records`` synthetic underenheter.

    About 5 000 per 1.2 M records lie in 3222 (a few closed, a few at post
    boxes that cannot be placed); the rest are spread over other kommuner.

    Parameters
    ----------
    path : pathlib.Path
        Target ``.json.gz`` file.
    records : int
        Number of records.
    seed : int
        Random seed.

    Returns
    -------
    int
        Number of records located in 3222.
    """
    rnd = random.Random(seed)
    streets = list(STREETS)
    local = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
        f.write("[\n")
        batch = []
        for i in range(records):
            orgnr = str(800_000_000 + i)
            parent = str(900_000_000 + i // 3)
            closed = ""
            if rnd.random() < LORENSKOG_SHARE:
                local += 1
                street = rnd.choice(streets)
                number = rnd.choice(NUMBERS)
                letter = rnd.choice(("", "", "", "", "B"))
                adr, pnr, knr = f"{street} {number}{letter}", POSTCODES[street], "3222"
                if rnd.random() < 0.03:
                    adr = f"Postboks {number}"
                if rnd.random() < 0.05:
                    closed = '"nedleggelsesdato":"2022-12-31",'
            else:
                knr = rnd.choice(OTHER_KOMMUNER)
                adr, pnr = (
                    f"Storgata {rnd.randint(1, 150)}",
                    f"{rnd.randint(1, 9999):04d}",
                )
            batch.append(
                RECORD.format(
                    orgnr=orgnr,
                    parent=parent,
                    nace=rnd.choice(NACE),
                    emp=rnd.randint(0, 60),
                    closed=closed,
                    pnr=pnr,
                    adr=adr,
                    knr=knr,
                )
            )
            if len(batch) == 10_000:
                f.write((",\n" if i >= len(batch) else "") + ",\n".join(batch))
                batch = []
        if batch:
            f.write((",\n" if records > len(batch) else "") + ",\n".join(batch))
        f.write("\n]\n")
    return local


def _child(underenheter, addresses):
    """Run the importer once and print timing and counts as JSON."""
    sys.path.insert(0, str(ROOT))
    import dataclasses

    from layers.sources.establishments import read_establishments

    start = time.perf_counter()
    gdf, report = read_establishments(underenheter, addresses, kommune="3222")
    seconds = time.perf_counter() - start
    out = {"seconds": seconds, "rows": len(gdf), **dataclasses.asdict(report)}
    print(json.dumps(out))


def run(records, out_dir):
    """Generate the inputs in ``out_dir``, import them in a child, return figures.

    Parameters
    ----------
    records : int
        Number of underenheter to generate.
    out_dir : pathlib.Path
        Directory for the generated files.

    Returns
    -------
    dict
        Generation and import timings, counts and the child's peak RSS in MB.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    underenheter = out_dir / "underenheter_alle.json.gz"
    addresses = out_dir / "adresser_3222.csv"
    start = time.perf_counter()
    local = write_underenheter(underenheter, records)
    n_addresses = write_addresses(addresses)
    generated = time.perf_counter() - start
    cmd = [sys.executable, __file__, "--child", str(underenheter), str(addresses)]
    wall = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - wall
    if proc.returncode != 0:
        raise SystemExit(f"importer failed:\n{proc.stderr}")
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "records": records,
        "in_3222": local,
        "addresses": n_addresses,
        "file_mb": underenheter.stat().st_size / 2**20,
        "generate_s": generated,
        "import_s": child["seconds"],
        "child_wall_s": wall,
        "records_per_s": records / child["seconds"],
        "peak_rss_mb": peak_mb,
        "report": {k: v for k, v in child.items() if k not in ("seconds", "rows")},
    }


def _table(fig):
    ok = "OK" if fig["peak_rss_mb"] < BUDGET_MB else "OVER BUDGET"
    rows = [
        ("records", f"{fig['records']:,}"),
        ("  in 3222", f"{fig['in_3222']:,}"),
        ("gzip file", f"{fig['file_mb']:.1f} MB"),
        ("address rows", f"{fig['addresses']:,}"),
        ("generate", f"{fig['generate_s']:.1f} s"),
        ("import", f"{fig['import_s']:.1f} s (child wall {fig['child_wall_s']:.1f} s)"),
        ("throughput", f"{fig['records_per_s']:,.0f} records/s"),
        ("peak RSS", f"{fig['peak_rss_mb']:.0f} MB / {BUDGET_MB} MB  {ok}"),
        ("report", ", ".join(f"{k}={v}" for k, v in fig["report"].items())),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv=None):
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_200_000)
    parser.add_argument("--out", type=Path, help="directory for generated files")
    parser.add_argument("--child", nargs=2, metavar=("UNDERENHETER", "ADDRESSES"))
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    if args.out:
        fig = run(args.records, args.out)
    else:
        with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
            fig = run(args.records, Path(tmp))
    print(_table(fig))
    return 0 if fig["peak_rss_mb"] < BUDGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
