"""Demonstration Kartverket addresses (Matrikkelen adresse CSV)."""

from __future__ import annotations

import numpy as np

from layers.demo.common import (
    _ADDRESS_SHARE,
    _ALL_AREAS,
    _TO_METRIC,
    AS_OF,
    KOMMUNENUMMER,
    REST_ID,
    _street_points,
)

# Street names per area; the rest's streets carry a neighbourhood name.
DEMO_STREETS = {
    "sentrum": (
        "Skårersletta",
        "Solheimveien",
        "Gamleveien",
        "Kjennveien",
        "Festplassen",
        "Haralds vei",
        "Bergerveien",
        "Vallerudveien",
        "Skogveien",
        "Håkons vei",
        "Skåreråsen",
        "Løkenåsfaret",
    ),
    "stasjonsomradet": ("Haneborgveien", "Stasjonsveien", "Snøbyveien", "Lindeveien"),
    "fjellhamar": ("Fjellhamarveien", "Bruksveien", "Mølleveien"),
    "visperud": (
        "Visperudveien",
        "Robsrudveien",
        "Ellingsrudveien",
        "Lagerveien",
        "Georg Stangs vei",
        "Røykåsveien",
        "Njåls vei",
    ),
    "ahus": (
        "Sykehusveien",
        "Nordbyhagaveien",
        "Torshovveien",
        "Kloppaveien",
        "Bårlibakken",
        "Hovelsrudveien",
        "Østbyveien",
    ),
    "losbydalen": ("Losbyveien", "Mønevangveien"),
    REST_ID: (
        "Hasselveien",
        "Nordliveien",
        "Rastabakken",
        "Solbakken",
        "Løkenåsveien",
        "Kurlandveien",
        "Hammerveien",
        "Tårnåsveien",
        "Finstadveien",
        "Bjørnholtveien",
        "Kirkeveien",
        "Bjerkeveien",
        "Granveien",
        "Furuveien",
        "Eikeveien",
        "Blåbærstien",
        "Tyttebærveien",
        "Hagaveien",
        "Åsenveien",
        "Grønliaveien",
        "Skårerveien",
        "Lønnebergveien",
        "Finstadsletta",
        "Finstadlia",
        "Nesåsen",
        "Arne Garborgs vei",
        "Sørlihavna",
        "Vallerudlia",
        "Vallerudtoppen",
        "Tistilveien",
        "Sørlitoppen",
        "Glenneveien",
        "Sønnaveien",
    ),
}


def _street_anchors():
    """Streets named like one of Ruter's real stop places in 3222 -> the stop's point
    (EPSG:25833): the demonstration puts that street's addresses around the stop,
    where the real street is."""
    from layers.demo.gtfs import STOP_PLACES

    out = {}
    for name, lon, lat, kommune in STOP_PLACES.values():
        if kommune == KOMMUNENUMMER and name not in out:
            out[name] = _TO_METRIC.transform(lon, lat)
    return out


_NEIGHBOURHOODS = (
    "Hasselbakken",
    "Nordli",
    "Rasta",
    "Solheim",
    "Løkenåsen",
    "Kurland",
    "Hammer",
    "Tårnåsen",
    "Finstad",
    "Skårer",
    "Grønlia",
    "Røykås",
)
_AREA_PLACE = {
    "sentrum": "Sentrum",
    "stasjonsomradet": "Stasjonsbyen",
    "fjellhamar": "Fjellhamar",
    "visperud": "Visperud",
    "ahus": "Nordbyhagen",
    "losbydalen": "Losby",
}
_AREA_POSTCODE = {
    "sentrum": "1470",
    "stasjonsomradet": "1473",
    "fjellhamar": "1472",
    "visperud": "1473",
    "ahus": "1474",
    "losbydalen": "1475",
}
_REST_POSTCODES = ("1470", "1471", "1473", "1475", "1476", "1477", "1478")
_AREA_GNR = {
    "sentrum": 101,
    "stasjonsomradet": 96,
    "fjellhamar": 106,
    "visperud": 91,
    "ahus": 110,
    "losbydalen": 120,
}
POSTSTED = "LØRENSKOG"


# ----------------------------------------------------------------- addresses


def _plan_streets(rng, area, n_addresses):
    """Split ``n_addresses`` over the area's streets: {street: count}."""
    streets = DEMO_STREETS[area]
    floor = min(3, n_addresses // len(streets))
    weights = rng.dirichlet(np.full(len(streets), 4.0))
    extra = rng.multinomial(n_addresses - floor * len(streets), weights)
    return {s: floor + int(k) for s, k in zip(streets, extra, strict=True)}


def _house_numbers(rng, count):
    """``count`` distinct house numbers with an occasional letter, ascending."""
    numbers = np.sort(rng.choice(np.arange(1, 2 * count + 12), count, replace=False))
    letters = np.where(rng.random(count) < 0.1, rng.choice(list("ABC"), count), "")
    return [(int(n), str(b)) for n, b in zip(numbers, letters, strict=True)]


def _build_addresses(rng, regions, n_per_area):
    """The address register: a list of dicts, one per address, per area's streets."""
    out = []
    code = 1000
    anchors = _street_anchors()
    for area in _ALL_AREAS:
        n_addr = max(
            len(DEMO_STREETS[area]), round(n_per_area[area] * _ADDRESS_SHARE[area])
        )
        plan = _plan_streets(rng, area, n_addr)
        for street, count in plan.items():
            code += 1
            numbers = _house_numbers(rng, count)
            pts = _street_points(
                rng,
                regions[area],
                [n for n, _ in numbers],
                biased=area == REST_ID,
                anchor=anchors.get(street),
            )
            if area == REST_ID:
                postcode = str(rng.choice(_REST_POSTCODES))
                place = str(rng.choice(_NEIGHBOURHOODS))
                gnr0 = int(rng.integers(70, 100))
            else:
                postcode = _AREA_POSTCODE[area]
                place = _AREA_PLACE[area]
                gnr0 = _AREA_GNR[area]
            for (number, letter), (x, y) in zip(numbers, pts, strict=True):
                out.append(
                    {
                        "area": area,
                        "street": street,
                        "code": code,
                        "number": number,
                        "letter": letter,
                        "text": f"{street} {number}{letter}",
                        "postcode": postcode,
                        "place": place,
                        "gnr": gnr0 + int(rng.integers(0, 4)),
                        "bnr": int(rng.integers(1, 900)),
                        "x": float(x),
                        "y": float(y),
                    }
                )
    for i, addr in enumerate(out):
        addr["id"] = 9_000_001 + i
    return out


# The columns of Kartverket's Matrikkelen adresse CSV, exactly as a real 2025 file
# has them (Basisdata_3420_Elverum_25833_MatrikkelenAdresse_CSV).
_ADDRESS_HEADER = tuple(
    "lokalid;kommunenummer;kommunenavn;adressetype;adressetilleggsnavn;"
    "adressetilleggsnavnKilde;adressekode;adressenavn;nummer;bokstav;gardsnummer;"
    "bruksnummer;festenummer;undernummer;adresseTekst;"
    "adresseTekstUtenAdressetilleggsnavn;EPSG-kode;Nord;Øst;postnummer;poststed;"
    "grunnkretsnummer;grunnkretsnavn;soknenummer;soknenavn;organisasjonsnummer;"
    "tettstednummer;tettstednavn;valgkretsnummer;valgkretsnavn;oppdateringsdato;"
    "datauttaksdato;adresseId;uuidAdresse;atkomstId;uuidAtkomst;atkomstNord;"
    "atkomstØst;sommeratkomstId;uuidSommeratkomst;sommeratkomstNord;"
    "sommeratkomstØst;vinteratkomstId;uuidVinteratkomst;vinteratkomstNord;"
    "vinteratkomstØst".split(";")
)


def _address_rows(addresses):
    """Rows of the Kartverket address CSV (header first), Nord before Øst."""
    rows = [list(_ADDRESS_HEADER)]
    stamp = f"{AS_OF:%d.%m.%Y} 00:00:00"
    for a in sorted(addresses, key=lambda a: (a["code"], a["number"], a["letter"])):
        area = a["area"]
        values = dict.fromkeys(_ADDRESS_HEADER, "")
        values.update(
            {
                "lokalid": a["id"],
                "kommunenummer": KOMMUNENUMMER,
                "kommunenavn": POSTSTED,
                "adressetype": "vegadresse",
                "adressekode": a["code"],
                "adressenavn": a["street"],
                "nummer": a["number"],
                "bokstav": a["letter"],
                "gardsnummer": a["gnr"],
                "bruksnummer": a["bnr"],
                "adresseTekst": a["text"],
                "adresseTekstUtenAdressetilleggsnavn": a["text"],
                "EPSG-kode": "25833",
                "Nord": f"{a['y']:.2f}",
                "Øst": f"{a['x']:.2f}",
                "postnummer": a["postcode"],
                "poststed": POSTSTED,
                "grunnkretsnavn": a["place"],
                "soknenavn": "Fjellhamar"
                if area in ("fjellhamar", "ahus")
                else "Lørenskog",
                "tettstednavn": "" if area == "losbydalen" else "Oslo",
                "oppdateringsdato": stamp,
                "datauttaksdato": stamp,
                "adresseId": a["id"],
            }
        )
        rows.append([values[c] for c in _ADDRESS_HEADER])
    return rows
