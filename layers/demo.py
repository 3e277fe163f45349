"""Demonstration data in the real published formats, generated from a fixed seed.

No open data on Lørenskog's establishments, timetables or premises can be bundled
with the dashboard, so it ships *demonstration* files instead. They are written in
the formats of the real sources and are loaded through the same importers as real
downloads:

* ``underenheter_demo.json.gz`` - Brønnøysund Enhetsregisteret, *underenheter*
  bulk download (gzip'ed JSON array);
* ``adresser_demo.csv`` - Kartverket, "Matrikkelen - Adresse" CSV;
* ``gtfs_demo.zip`` - an Entur-style GTFS feed for Ruter and Vy;
* ``premises_demo.csv`` - the dashboard's own premises list.

The establishments are calibrated to the totals of the municipality's business
strategy 2025-2037: 4 512 registered enterprises (October 2024), 24 892 jobs and
706 enterprises started in 2023. Every name is fictional and starts with "Demo".
The files are byte-for-byte the same for the same seed: no wall-clock time, no file
names or times in archive headers, and sorted JSON keys.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import zipfile
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, box

from layers.schemas import AREA_IDS, METRIC_CRS, REST_ID
from layers.sources.areas import draw_indicative_areas

__all__ = [
    "AS_OF",
    "DEMO_NEW_IN_2023",
    "DEMO_NOTE_EN",
    "DEMO_NOTE_NB",
    "DEMO_STREETS",
    "DEMO_TOTAL_ESTABLISHMENTS",
    "DEMO_TOTAL_JOBS",
    "DEMO_UNPLACED",
    "FILE_NAMES",
    "SEED",
    "STOP_PLACES",
    "is_valid_orgnr",
    "orgnr_check_digit",
    "write_demo_sources",
]

SEED = 3222
AS_OF = date(2024, 10, 31)  # the strategy's "October 2024"
KOMMUNENUMMER = "3222"
DEMO_TOTAL_ESTABLISHMENTS = 4512
DEMO_TOTAL_JOBS = 24892
DEMO_NEW_IN_2023 = 706
DEMO_UNPLACED = 68  # about 1.5 % of the establishments: address not in the register
DEMO_NOTE_NB = (
    "Demonstrasjonsdata: genererte, fiktive virksomheter, adresser, rutetider og "
    "lokaler, kalibrert til totalene i Lørenskogs næringsstrategi (4 512 "
    "virksomheter og 24 892 arbeidsplasser, oktober 2024) - ikke reelle bedrifter."
)
DEMO_NOTE_EN = (
    "Demonstration data: generated, fictitious establishments, addresses, timetables "
    "and premises, calibrated to the totals of Lørenskog's business strategy (4,512 "
    "enterprises and 24,892 jobs, October 2024) - not real firms."
)
FILE_NAMES = {
    "establishments": "underenheter_demo.json.gz",
    "addresses": "adresser_demo.csv",
    "gtfs": "gtfs_demo.zip",
    "premises": "premises_demo.csv",
}
BOUNDARY_PATH = (
    Path(__file__).resolve().parents[1]
    / "geodata"
    / "lorenskog_kommune_3222_boundary.geojson"
)


_ZIP_TIME = (AS_OF.year, AS_OF.month, AS_OF.day, 0, 0, 0)
_TO_LONLAT = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_ALL_AREAS = (*AREA_IDS, REST_ID)

# ------------------------------------------------------------------ calibration

# Share of establishments and jobs (sum 24 892) per area; the rest of the
# municipality is where most small firms and sole proprietors sit.
AREA_SHARES = {
    "sentrum": 0.18,
    "stasjonsomradet": 0.07,
    "fjellhamar": 0.07,
    "visperud": 0.12,
    "ahus": 0.08,
    "losbydalen": 0.02,
    REST_ID: 0.46,
}
AREA_JOBS = {
    "sentrum": 4300,
    "stasjonsomradet": 1300,
    "fjellhamar": 900,
    "visperud": 5300,
    "ahus": 8000,
    "losbydalen": 392,
    REST_ID: 4700,
}
# Distinct addresses per establishment (office buildings hold many firms).
_ADDRESS_SHARE = {
    "sentrum": 0.45,
    "stasjonsomradet": 0.55,
    "fjellhamar": 0.6,
    "visperud": 0.5,
    "ahus": 0.3,
    "losbydalen": 0.7,
    REST_ID: 0.85,
}
_AREA_MARGIN_M = 15.0  # addresses keep this far inside an area's outline
_REST_MARGIN_M = 40.0  # ... and this far outside every area when in the rest
_REST_MIN_NORTHING = 6647000.0  # the rest's addresses avoid the southern forest
_REST_FULL_NORTHING = 6651000.0  # from here northwards the rest is fully urban

# Street names per area; the rest's streets carry a neighbourhood name.
DEMO_STREETS = {
    "sentrum": (
        "Skårersletta",
        "Solheimveien",
        "Gamleveien",
        "Kjennveien",
        "Festplassen",
    ),
    "stasjonsomradet": ("Haneborgveien", "Stasjonsveien", "Snøbyveien"),
    "fjellhamar": ("Fjellhamarveien", "Bruksveien", "Mølleveien"),
    "visperud": ("Visperudveien", "Robsrudveien", "Ellingsrudveien", "Lagerveien"),
    "ahus": ("Sykehusveien", "Nordbyhagaveien", "Torshovveien"),
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
        "Lindeveien",
        "Eikeveien",
        "Blåbærstien",
        "Tyttebærveien",
        "Hagaveien",
        "Åsenveien",
        "Røykåsveien",
        "Grønliaveien",
        "Skårerveien",
        "Lønnebergveien",
    ),
}
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

# fmt: off
# SN2007 code -> (description, word used in demo names, typical employees).
INDUSTRIES = {
    "01.110": ("Dyrking av korn (unntatt ris), belgvekster og oljeholdige vekster",
               "Gårdsdrift", 1),
    "01.130": ("Dyrking av grønnsaker, meloner, rot- og knollvekster", "Grønt", 2),
    "01.410": ("Melkeproduksjon på storfe", "Gård", 2),
    "02.100": ("Skogskjøtsel og andre skogbruksaktiviteter", "Skogbruk", 1),
    "10.710": ("Produksjon av brød og ferske konditorvarer", "Bakeri", 12),
    "11.070": ("Produksjon av mineralvann, leskedrikker og annet vann på flaske",
               "Drikkevarer", 60),
    "17.210": ("Produksjon av bølgepapp og emballasje av papir og papp",
               "Emballasje", 15),
    "25.620": ("Bearbeiding av metaller", "Mek", 8),
    "41.200": ("Oppføring av bygninger", "Bygg", 6),
    "43.120": ("Grunnarbeid", "Graving", 4),
    "43.210": ("Elektrisk installasjonsarbeid", "Elektro", 6),
    "43.220": ("VVS-arbeid", "Rør", 5),
    "43.320": ("Snekkerarbeid", "Snekker", 2),
    "43.341": ("Malerarbeid", "Maler", 2),
    "45.101": ("Agentur- og engroshandel med biler og lette motorvogner",
               "Bilimport", 30),
    "45.102": ("Detaljhandel med biler og lette motorvogner", "Bilsenter", 15),
    "45.200": ("Vedlikehold og reparasjon av motorvogner", "Bilverksted", 5),
    "46.190": ("Agenturhandel med bredt utvalg av varer", "Agentur", 4),
    "46.390": ("Engroshandel med bredt utvalg av nærings- og nytelsesmidler",
               "Engros Mat", 20),
    "46.460": ("Engroshandel med farmasøytiske artikler og medisinsk utstyr",
               "Medisinsk Engros", 15),
    "46.690": ("Engroshandel med maskiner og utstyr ellers", "Maskin", 8),
    "47.111": ("Butikkhandel med bredt vareutvalg med hovedvekt på nærings- og "
               "nytelsesmidler", "Dagligvare", 15),
    "47.191": ("Varehus og butikkhandel med bredt vareutvalg ellers", "Varehus", 30),
    "47.540": ("Butikkhandel med elektriske husholdningsapparater", "Elektrobutikk",
               6),
    "47.591": ("Butikkhandel med møbler", "Møbler", 5),
    "47.711": ("Butikkhandel med klær", "Klær", 5),
    "47.721": ("Butikkhandel med skotøy", "Sko", 4),
    "47.730": ("Butikkhandel med apotekvarer", "Apotek", 8),
    "47.740": ("Butikkhandel med medisinske og ortopediske artikler", "Ortopedi", 3),
    "47.761": ("Butikkhandel med blomster og planter", "Blomster", 2),
    "49.320": ("Drosjebiltransport", "Taxi", 1),
    "49.410": ("Godstransport på vei", "Transport", 6),
    "52.100": ("Lagring", "Lager", 15),
    "52.291": ("Spedisjon", "Spedisjon", 10),
    "53.200": ("Andre post- og budtjenester", "Bud", 8),
    "55.101": ("Drift av hoteller, pensjonater og moteller med restaurant", "Hotell",
               30),
    "56.101": ("Drift av restauranter og kafeer", "Restaurant", 6),
    "56.102": ("Drift av gatekjøkken", "Gatekjøkken", 3),
    "56.210": ("Cateringvirksomhet", "Catering", 4),
    "59.140": ("Filmframvisning", "Kino", 10),
    "62.010": ("Programmeringstjenester", "Programvare", 4),
    "62.020": ("Konsulentvirksomhet tilknyttet informasjonsteknologi", "IT", 3),
    "64.190": ("Bankvirksomhet ellers", "Bank", 12),
    "68.209": ("Utleie av egen eller leid fast eiendom ellers", "Eiendom", 1),
    "69.100": ("Juridisk tjenesteyting", "Advokat", 4),
    "69.201": ("Regnskap og bokføring", "Regnskap", 3),
    "70.220": ("Bedriftsrådgivning og annen administrativ rådgivning", "Rådgivning",
               2),
    "71.129": ("Annen teknisk konsulentvirksomhet", "Teknikk", 5),
    "72.110": ("Forskning og utviklingsarbeid innen bioteknologi", "Biotek", 8),
    "72.190": ("Annen forskning og utviklingsarbeid innen naturvitenskap og teknikk",
               "Forskning", 8),
    "73.110": ("Reklamebyråer", "Reklame", 3),
    "74.102": ("Grafisk og visuell kommunikasjonsdesign", "Design", 2),
    "78.200": ("Utleie av arbeidskraft", "Bemanning", 12),
    "79.120": ("Reisearrangørvirksomhet", "Reise", 2),
    "81.210": ("Rengjøring av bygninger", "Renhold", 8),
    "81.300": ("Beplantning av hager og parkanlegg", "Hage", 2),
    "82.990": ("Annen forretningsmessig tjenesteyting ikke nevnt annet sted",
               "Service", 2),
    "84.110": ("Generell offentlig administrasjon", "Kommune", 40),
    "84.120": ("Offentlig administrasjon tilknyttet helsestell, sosial virksomhet, "
               "undervisning, kirke, kultur og miljøvern", "Offentlig Tjeneste", 15),
    "85.201": ("Ordinær grunnskoleundervisning", "Skole", 45),
    "85.310": ("Videregående opplæring innen allmennfaglige studieretninger",
               "Videregående", 60),
    "85.510": ("Undervisning innen idrett og rekreasjon", "Idrettsskole", 3),
    "85.520": ("Undervisning innen kultur", "Kulturskole", 4),
    "85.599": ("Annen undervisning ikke nevnt annet sted", "Kurs", 3),
    "86.101": ("Alminnelige somatiske sykehus", "Sykehus", 100),
    "86.102": ("Psykiatriske sykehus", "Psykiatri", 60),
    "86.211": ("Allmenn legetjeneste", "Legesenter", 6),
    "86.221": ("Spesialisert legetjeneste, unntatt psykiatrisk legetjeneste",
               "Spesialist", 4),
    "86.230": ("Tannhelsetjenester", "Tannlege", 4),
    "86.902": ("Fysioterapitjeneste", "Fysioterapi", 3),
    "86.909": ("Andre helsetjenester", "Helse", 3),
    "87.102": ("Somatiske sykehjem", "Sykehjem", 50),
    "88.911": ("Barnehager", "Barnehage", 15),
    "90.011": ("Utøvende kunstnere og underholdningsvirksomhet innen musikk",
               "Musikk", 1),
    "90.031": ("Selvstendig kunstnerisk virksomhet innen visuell kunst", "Atelier", 1),
    "90.040": ("Drift av lokaler tilknyttet kunstnerisk virksomhet", "Kulturscene", 4),
    "91.011": ("Drift av biblioteker", "Bibliotek", 15),
    "93.110": ("Drift av idrettsanlegg", "Idrettsanlegg", 8),
    "93.120": ("Idrettslag og -klubber", "Idrettslag", 1),
    "93.130": ("Drift av treningssentre", "Trening", 6),
    "93.190": ("Andre sportsaktiviteter", "Sport", 2),
    "93.290": ("Andre fritidsaktiviteter", "Opplevelser", 2),
    "94.991": ("Aktiviteter i andre interesseorganisasjoner ikke nevnt annet sted",
               "Forening", 1),
    "96.020": ("Frisering og annen skjønnhetspleie", "Frisør", 2),
    "96.040": ("Virksomhet knyttet til kroppspleie og fysisk velvære", "Velvære", 2),
}

# Industry mix (relative weights) per area, after the strategy's profile of each.
AREA_MIX = {
    "sentrum": {
        "47.111": 4, "47.191": 1, "47.711": 8, "47.721": 3, "47.730": 2, "47.540": 3,
        "47.761": 1, "47.591": 2, "56.101": 8, "56.102": 4, "56.210": 1, "64.190": 2,
        "68.209": 5, "69.100": 3, "69.201": 6, "70.220": 6, "62.020": 3, "73.110": 2,
        "78.200": 2, "81.210": 2, "82.990": 4, "96.020": 6, "96.040": 3, "86.211": 2,
        "86.230": 2, "90.011": 2, "90.031": 1, "90.040": 1, "85.520": 1, "93.130": 2,
    },
    "stasjonsomradet": {
        "93.110": 5, "93.120": 5, "93.130": 5, "93.190": 8, "85.510": 4, "86.902": 8,
        "86.909": 6, "86.211": 3, "72.190": 5, "62.010": 5, "47.111": 2, "47.711": 2,
        "56.101": 6, "69.201": 4, "70.220": 6, "41.200": 4, "96.020": 4, "88.911": 2,
        "68.209": 4,
    },
    "fjellhamar": {
        "90.011": 6, "90.031": 8, "90.040": 3, "74.102": 8, "73.110": 3, "85.520": 2,
        "47.111": 2, "47.711": 3, "47.761": 2, "56.101": 6, "41.200": 6, "43.210": 4,
        "43.320": 4, "43.341": 3, "17.210": 2, "25.620": 2, "88.911": 2, "69.201": 4,
        "70.220": 5, "96.020": 4, "93.120": 3, "68.209": 4,
    },
    "visperud": {
        "49.410": 12, "52.100": 6, "52.291": 6, "53.200": 4, "46.190": 6, "46.390": 4,
        "46.460": 2, "46.690": 6, "45.101": 3, "45.102": 4, "45.200": 6, "41.200": 6,
        "43.120": 4, "43.210": 4, "43.220": 4, "10.710": 2, "11.070": 1, "71.129": 4,
        "81.210": 3, "78.200": 3, "68.209": 4,
    },
    "ahus": {
        "86.221": 12, "86.211": 4, "86.230": 4, "86.902": 6, "86.909": 10,
        "72.110": 6, "72.190": 6, "47.730": 3, "47.740": 3, "84.120": 3, "87.102": 1,
        "88.911": 2, "56.101": 4, "56.210": 2, "81.210": 3, "62.010": 4, "70.220": 4,
        "85.599": 3, "68.209": 3, "46.460": 2,
    },
    "losbydalen": {
        "01.110": 10, "01.410": 6, "01.130": 6, "02.100": 8, "56.101": 8,
        "93.290": 8, "93.110": 3, "81.300": 6, "85.510": 4, "90.011": 4, "93.120": 4,
        "68.209": 6, "55.101": 1,
    },
    REST_ID: {
        "49.320": 10, "41.200": 6, "43.210": 4, "43.220": 3, "43.320": 6, "43.341": 4,
        "43.120": 3, "69.201": 5, "70.220": 10, "62.020": 6, "62.010": 3,
        "68.209": 8, "74.102": 3, "82.990": 5, "96.020": 4, "86.902": 2, "85.201": 1,
        "88.911": 3, "87.102": 1, "47.111": 2, "56.102": 2, "93.120": 2, "94.991": 3,
        "49.410": 3, "85.599": 2, "79.120": 1, "81.210": 3,
    },
}

# The large employers: (area, code, name, employees, oppstartsdato).
ANCHORS = (
    ("ahus", "86.101", "Demo Universitetssykehus, somatikk", 5200, "1961-09-01"),
    ("ahus", "86.102", "Demo Universitetssykehus, psykisk helsevern", 650,
     "1975-01-01"),
    ("ahus", "72.190", "Demo Helseforskning Nordbyhagen AS", 120, "2009-03-01"),
    ("sentrum", "84.110", "Demo Rådhus Kjenn (Demo kommune)", 620, "1972-01-01"),
    ("sentrum", "85.310", "Demo Videregående Skole Sentrum", 160, "1978-08-01"),
    ("sentrum", "47.191", "Demo Varehus Skårersletta AS", 180, "1988-10-01"),
    ("sentrum", "68.209", "Demo Senterdrift Skårersletta AS", 45, "1988-06-01"),
    ("sentrum", "91.011", "Demo Bibliotek Lørenskog hus", 35, "2011-01-01"),
    ("sentrum", "59.140", "Demo Kino Lørenskog hus", 25, "2011-01-01"),
    ("visperud", "52.100", "Demo Logistikksenter Visperud AS", 850, "1993-04-01"),
    ("visperud", "53.200", "Demo Pakkesenter Visperud AS", 720, "2001-02-01"),
    ("visperud", "11.070", "Demo Drikkevarer Visperud AS", 520, "1986-05-01"),
    ("visperud", "45.101", "Demo Bilimport Visperud AS", 480, "1990-01-01"),
    ("visperud", "46.460", "Demo Farmasi Engros Visperud AS", 260, "1997-09-01"),
    ("stasjonsomradet", "93.110", "Demo Skiarena Stasjonsbyen AS", 90, "2019-11-01"),
    ("stasjonsomradet", "55.101", "Demo Hotell Stasjonsbyen AS", 70, "2021-05-01"),
    ("stasjonsomradet", "85.201", "Demo Skole Stasjonsbyen", 75, "2018-08-01"),
    ("fjellhamar", "17.210", "Demo Papp og Kultur Fjellhamar Bruk AS", 35,
     "1960-01-04"),
    ("fjellhamar", "85.201", "Demo Skole Fjellhamar", 70, "1966-08-01"),
    ("losbydalen", "55.101", "Demo Gods Hotell AS", 130, "1999-05-01"),
    ("losbydalen", "93.110", "Demo Golfklubb Losby", 18, "1980-04-01"),
    ("losbydalen", "01.410", "Demo Besøksgård Losby", 6, "1974-03-01"),
    (REST_ID, "87.102", "Demo Sykehjem Rasta", 140, "1983-01-01"),
    (REST_ID, "85.201", "Demo Skole Finstad", 80, "1970-08-01"),
    (REST_ID, "85.201", "Demo Skole Kurland", 70, "1975-08-01"),
)
# fmt: on

_ORG_FORMS = {
    "BEDR": "Underenhet til næringsdrivende og offentlig forvaltning",
    "AAFY": "Underenhet til ikke-næringsdrivende",
}
_AAFY_CODES = frozenset({"93.120", "94.991"})
_PUBLIC_CODES = frozenset({"84.110", "84.120", "85.201", "85.310", "87.102", "91.011"})
_HOSPITAL_CODES = frozenset({"86.101", "86.102"})
_CHAIN_CODES = ("47.111", "47.730", "64.190", "47.191")
_ZERO_SHARE_SMALL = 0.2  # records of small industries with no registered jobs
_N_CLOSED = 20
_N_OTHER_KOMMUNE = 10
_N_DUPLICATES = 5
_N_2024 = 540  # started January-October 2024

# Establishments located just outside Lørenskog (filtered out by the importer).
_OTHER_KOMMUNE_ADDRESSES = (
    ("Karihaugveien", "1086", "OSLO", "OSLO", "0301"),
    ("Ellingsrudveien", "1087", "OSLO", "OSLO", "0301"),
    ("Strømsveien", "2010", "STRØMMEN", "LILLESTRØM", "3205"),
)

# -------------------------------------------------------------------- orgnr


_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def orgnr_check_digit(base):
    """Return the MOD11 check digit of an organisasjonsnummer's first eight digits.

    Parameters
    ----------
    base : str
        Eight digits.

    Returns
    -------
    int or None
        The ninth digit, or None when the remainder gives 10 (such numbers are
        never issued).
    """
    rest = sum(int(d) * w for d, w in zip(base, _ORGNR_WEIGHTS, strict=True)) % 11
    digit = (11 - rest) % 11
    return None if digit == 10 else digit


def is_valid_orgnr(orgnr):
    """Tell whether ``orgnr`` is nine digits with a correct MOD11 check digit.

    Parameters
    ----------
    orgnr : str

    Returns
    -------
    bool
    """
    text = str(orgnr)
    if len(text) != 9 or not text.isascii() or not text.isdigit():
        return False
    return orgnr_check_digit(text[:8]) == int(text[8])


def _orgnrs(first_base, n):
    """The first ``n`` valid organisasjonsnumre from eight-digit base ``first_base``."""
    out = []
    base = first_base
    while len(out) < n:
        digit = orgnr_check_digit(f"{base:08d}")
        if digit is not None:
            out.append(f"{base:08d}{digit}")
        base += 1
    return out


# ------------------------------------------------------------------- geometry


def _regions(boundary):
    """Sampling regions in EPSG:25833: each area shrunk a little, and the rest.

    The rest is the municipality outside every area (with a margin), north of
    the southern forest.
    """
    areas = draw_indicative_areas(boundary).to_crs(METRIC_CRS)
    shapes = dict(zip(areas["area_id"], areas.geometry, strict=True))
    muni = boundary.to_crs(METRIC_CRS).union_all()
    regions = {a: shapes[a].buffer(-_AREA_MARGIN_M) for a in AREA_IDS}
    taken = shapely.union_all(list(shapes.values())).buffer(_REST_MARGIN_M)
    minx, _, maxx, maxy = muni.bounds
    north = box(minx, _REST_MIN_NORTHING, maxx, maxy)
    inner = muni.buffer(-_AREA_MARGIN_M)
    regions[REST_ID] = inner.difference(taken).intersection(north)
    return regions


def _urban_bias(y):
    """Acceptance probability of a rest point at northing ``y``: denser northwards."""
    span = _REST_FULL_NORTHING - _REST_MIN_NORTHING
    return np.clip(0.2 + 0.8 * (y - _REST_MIN_NORTHING) / span, 0.2, 1.0)


def _sample_points(rng, region, n, *, biased=False):
    """``n`` random points inside ``region``, as an (n, 2) array."""
    if n == 0:
        return np.empty((0, 2))
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)
    parts, got = [], 0
    while got < n:
        m = max(64, 4 * (n - got))
        x = rng.uniform(minx, maxx, m)
        y = rng.uniform(miny, maxy, m)
        keep = shapely.contains_xy(region, x, y)
        if biased:
            keep &= rng.random(m) < _urban_bias(y)
        parts.append(np.column_stack([x[keep], y[keep]]))
        got += int(keep.sum())
    return np.concatenate(parts)[:n]


def _street_points(rng, region, numbers, *, biased):
    """Points for the house numbers of one street, along a short straight axis.

    Odd numbers lie on one side, even numbers on the other. Points that fall
    outside ``region`` are moved to random points of the region near the axis.
    """
    n = len(numbers)
    start = _sample_points(rng, region, 1, biased=biased)[0]
    length = rng.uniform(250.0, 900.0)
    angle = rng.uniform(0.0, math.pi)
    ux, uy = math.cos(angle), math.sin(angle)
    t = np.linspace(0.0, length, n)
    side = np.where(np.asarray(numbers) % 2 == 1, 12.0, -12.0)
    pts = np.column_stack(
        [start[0] + t * ux - side * uy, start[1] + t * uy + side * ux]
    )
    pts = np.round(pts, 2)
    bad = ~shapely.contains_xy(region, pts[:, 0], pts[:, 1])
    if bad.any():
        near = region.intersection(Point(start).buffer(length))
        near = near if near.area > 10_000 else region
        pts[bad] = np.round(_sample_points(rng, near, int(bad.sum())), 2)
        still = ~shapely.contains_xy(region, pts[:, 0], pts[:, 1])
        pts[still] = np.round(_sample_points(rng, near, int(still.sum())), 2)
    return pts


# ------------------------------------------------------------------ helpers


def _largest_remainder(total, shares):
    """Split ``total`` into integers proportional to ``shares`` (dict), exactly."""
    keys = list(shares)
    raw = np.array([shares[k] for k in keys], dtype=float)
    raw = raw / raw.sum() * total
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return dict(zip(keys, counts.tolist(), strict=True))


def _rng(seed, part):
    """An independent random stream for one part of the data set."""
    return np.random.default_rng([seed, part])


def _csv_text(rows, *, delimiter):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


def _write_gzip(path, data):
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(data)
    path.write_bytes(raw.getvalue())


def _write_zip(path, members):
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as zf:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))
    path.write_bytes(raw.getvalue())


def _lonlat(x, y):
    lon, lat = _TO_LONLAT.transform(x, y)
    return float(lon), float(lat)


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
    for area in _ALL_AREAS:
        n_addr = max(
            len(DEMO_STREETS[area]), round(n_per_area[area] * _ADDRESS_SHARE[area])
        )
        plan = _plan_streets(rng, area, n_addr)
        for street, count in plan.items():
            code += 1
            numbers = _house_numbers(rng, count)
            pts = _street_points(
                rng, regions[area], [n for n, _ in numbers], biased=area == REST_ID
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


# fmt: off
_ADDRESS_HEADER = (
    "fylkesnummer", "kommunenummer", "kommunenavn", "adressetype", "adressekode",
    "adressenavn", "nummer", "bokstav", "gardsnummer", "bruksnummer", "festenummer",
    "undernummer", "adresseTekst", "EPSG-kode", "Nord", "Øst", "postnummer",
    "poststed", "grunnkretsnavn", "soknenavn", "tettstednavn", "adresseId",
)
# fmt: on


def _address_rows(addresses):
    """Rows of the Kartverket address CSV (header first), Nord before Øst."""
    rows = [list(_ADDRESS_HEADER)]
    for a in sorted(addresses, key=lambda a: (a["code"], a["number"], a["letter"])):
        area = a["area"]
        sokn = "Fjellhamar" if area in ("fjellhamar", "ahus") else "Lørenskog"
        rows.append(
            [
                "32",
                KOMMUNENUMMER,
                "Lørenskog",
                "vegadresse",
                a["code"],
                a["street"],
                a["number"],
                a["letter"],
                a["gnr"],
                a["bnr"],
                0,
                "",
                a["text"],
                "25833",
                f"{a['y']:.2f}",
                f"{a['x']:.2f}",
                a["postcode"],
                POSTSTED,
                a["place"],
                sokn,
                "" if area == "losbydalen" else "Oslo",
                a["id"],
            ]
        )
    return rows


# ------------------------------------------------------------ establishments


def _year_counts(n):
    """Start years for ``n`` establishments: 706 in 2023, a recent surge, 1960 on."""
    years = np.arange(1960, 2023)
    weights = 0.84 ** (2022 - years) + 0.015
    rest = n - DEMO_NEW_IN_2023 - _N_2024
    counts = _largest_remainder(rest, dict(zip(years.tolist(), weights, strict=True)))
    counts[2023] = DEMO_NEW_IN_2023
    counts[2024] = _N_2024
    return counts


def _random_date(rng, year):
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), AS_OF)
    return start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _employees(rng, codes, total):
    """Heavy-tailed job counts for ``codes`` summing exactly to ``total``.

    About a fifth of the records of small industries get no jobs (0); the others
    get at least one.
    """
    scale = np.array([INDUSTRIES[c][2] for c in codes], dtype=float)
    zero = (scale <= 6) & (rng.random(len(codes)) < _ZERO_SHARE_SMALL)
    raw = scale * rng.lognormal(0.0, 0.9, len(codes))
    raw[zero] = 0.0
    jobs = np.where(zero, 0, np.maximum(1, np.rint(raw * total / raw.sum())))
    jobs = jobs.astype(int)
    diff = total - int(jobs.sum())
    nonzero = np.flatnonzero(jobs > 0)
    order = nonzero[np.argsort(-jobs[nonzero], kind="stable")]
    i = 0
    while diff:  # rounding residue: a few jobs more or less at the largest
        k = order[i % len(order)]
        step = 1 if diff > 0 else -1
        if jobs[k] + step >= 1:
            jobs[k] += step
            diff -= step
        i += 1
    return jobs


class _Namer:
    """Numbered demo names, unique per (industry word, place)."""

    def __init__(self):
        self.counts = {}

    def __call__(self, word, place, suffix):
        key = (word, place)
        self.counts[key] = self.counts.get(key, 0) + 1
        return f"Demo {word} {place} {self.counts[key]}{suffix}"


def _name_suffix(rng, code):
    if code in _AAFY_CODES or code in _PUBLIC_CODES:
        return ""
    return " AS" if rng.random() < 0.75 else ""


def _generated(rng, area, n, jobs_total, namer):
    """Records of the area beyond its anchors (dicts without orgnr or address)."""
    mix = AREA_MIX[area]
    codes_all = list(mix)
    p = np.array([mix[c] for c in codes_all], dtype=float)
    codes = [str(c) for c in rng.choice(codes_all, n, p=p / p.sum())]
    jobs = _employees(rng, codes, jobs_total)
    recs = []
    for code, emp in zip(codes, jobs, strict=True):
        place = _AREA_PLACE.get(area) or str(rng.choice(_NEIGHBOURHOODS))
        name = namer(INDUSTRIES[code][1], place, _name_suffix(rng, code))
        recs.append(
            {
                "area": area,
                "code": code,
                "name": name,
                "employees": int(emp),
                "anchor": False,
                "start": None,
            }
        )
    return recs


def _plan_establishments(rng, namer):
    """All 4 512 open establishments: area, industry, name, jobs, start date."""
    counts = _largest_remainder(DEMO_TOTAL_ESTABLISHMENTS, AREA_SHARES)
    recs = []
    for area in _ALL_AREAS:
        anchors = [a for a in ANCHORS if a[0] == area]
        for _, code, name, emp, start in anchors:
            recs.append(
                {
                    "area": area,
                    "code": code,
                    "name": name,
                    "employees": emp,
                    "anchor": True,
                    "start": start,
                }
            )
        anchor_jobs = sum(a[3] for a in anchors)
        recs += _generated(
            rng, area, counts[area] - len(anchors), AREA_JOBS[area] - anchor_jobs, namer
        )
    _assign_starts(rng, [r for r in recs if not r["anchor"]])
    return recs


def _assign_starts(rng, recs):
    """Start dates: larger employers tend to be older; exactly 706 in 2023."""
    counts = _year_counts(len(recs))
    years = np.repeat(list(counts), list(counts.values()))
    size = np.log1p([r["employees"] for r in recs]) + rng.normal(0.0, 1.2, len(recs))
    order = np.argsort(-size, kind="stable")
    for rank, idx in enumerate(order):
        recs[idx]["start"] = _random_date(rng, int(years[rank])).isoformat()


def _assign_addresses(rng, recs, addresses):
    """Give each open record an address of its area; some get none (unplaced)."""
    by_area = {a: [x for x in addresses if x["area"] == a] for a in _ALL_AREAS}
    small = [i for i, r in enumerate(recs) if not r["anchor"] and r["employees"] <= 10]
    unplaced = set(rng.choice(small, DEMO_UNPLACED, replace=False).tolist())
    for area in _ALL_AREAS:
        pool = by_area[area]
        idx = [i for i, r in enumerate(recs) if r["area"] == area and i not in unplaced]
        weights = rng.pareto(1.3, len(pool)) + 1.0
        picks = rng.choice(len(pool), len(idx), p=weights / weights.sum())
        first = rng.permutation(len(pool))[: len(idx)]
        picks[: len(first)] = first  # every address is used at least once
        for i, k in zip(idx, picks, strict=True):
            recs[i]["address"] = pool[k]
    for k, i in enumerate(sorted(unplaced)):
        recs[i]["address"] = _unplaceable(rng, by_area[recs[i]["area"]], k)


def _unplaceable(rng, pool, k):
    """An address that is not in the register: a missing number or a garbled name."""
    base = pool[int(rng.integers(0, len(pool)))]
    top = max(a["number"] for a in pool if a["street"] == base["street"])
    if k % 2:
        text = f"{base['street']} {top + 100 + k}"
    else:
        garbled = "".join(c for c in base["street"] if c.lower() not in "aeiouyæøå")
        text = f"{garbled} {base['number']}"
    return {**base, "text": text}


def _location(
    addr, *, kommune=KOMMUNENUMMER, kommunenavn="LØRENSKOG", poststed=POSTSTED
):
    return {
        "adresse": [addr["text"]],
        "kommune": kommunenavn,
        "kommunenummer": kommune,
        "land": "Norge",
        "landkode": "NO",
        "postnummer": addr["postcode"],
        "poststed": poststed,
    }


def _record(rec, orgnr, parent):
    """One underenheter JSON object."""
    code = rec["code"]
    form = "AAFY" if code in _AAFY_CODES or "klubb" in rec["name"] else "BEDR"
    out = {
        "organisasjonsnummer": orgnr,
        "navn": rec["name"],
        "organisasjonsform": {"kode": form, "beskrivelse": _ORG_FORMS[form]},
        "overordnetEnhet": parent,
        "naeringskode1": {"kode": code, "beskrivelse": INDUSTRIES[code][0]},
        "harRegistrertAntallAnsatte": rec["employees"] > 0,
        "oppstartsdato": rec["start"],
        "beliggenhetsadresse": rec.get("location") or _location(rec["address"]),
    }
    if rec["employees"] > 0:
        out["antallAnsatte"] = rec["employees"]
    if rec.get("closed"):
        out["nedleggelsesdato"] = rec["closed"]
    return out


def _filtered_extras(rng, addresses, namer):
    """Closed records and records in other kommuner, which importers drop."""
    extras = []
    pool = [a for a in addresses if a["area"] != "losbydalen"]
    for _ in range(_N_CLOSED):
        addr = pool[int(rng.integers(0, len(pool)))]
        area = addr["area"]
        code = str(rng.choice(list(AREA_MIX[area])))
        start = _random_date(rng, int(rng.integers(1995, 2020)))
        closed = start + timedelta(days=int(rng.integers(200, (AS_OF - start).days)))
        place = _AREA_PLACE.get(area, addr["place"])
        extras.append(
            {
                "area": area,
                "code": code,
                "employees": int(rng.integers(0, 6)),
                "name": namer(INDUSTRIES[code][1], place, " AS"),
                "address": addr,
                "start": start.isoformat(),
                "closed": closed.isoformat(),
                "anchor": False,
            }
        )
    for k in range(_N_OTHER_KOMMUNE):
        street, postcode, poststed, kommune, knr = _OTHER_KOMMUNE_ADDRESSES[k % 3]
        code = str(rng.choice(list(AREA_MIX["visperud"])))
        addr = {"text": f"{street} {int(rng.integers(1, 120))}", "postcode": postcode}
        extras.append(
            {
                "area": None,
                "code": code,
                "employees": int(rng.integers(1, 40)),
                "name": namer(INDUSTRIES[code][1], poststed.title(), " AS"),
                "location": _location(
                    addr, kommune=knr, kommunenavn=kommune, poststed=poststed
                ),
                "start": _random_date(rng, int(rng.integers(1990, 2023))).isoformat(),
                "anchor": False,
            }
        )
    return extras


def _parents(recs, rng):
    """Parent organisasjonsnumre: shared by chains and public bodies, else own."""
    shared = ["kommune", "hospital", *_CHAIN_CODES]
    numbers = iter(_orgnrs(98_000_000, len(recs) + len(shared)))
    keys = {k: next(numbers) for k in shared}
    out = []
    for rec in recs:
        code = rec["code"]
        if code in _PUBLIC_CODES:
            out.append(keys["kommune"])
        elif code in _HOSPITAL_CODES:
            out.append(keys["hospital"])
        elif code in _CHAIN_CODES and rng.random() < 0.7:
            out.append(keys[code])
        else:
            out.append(next(numbers))
    return out


def _build_establishments(rng, addresses):
    """The underenheter objects, sorted by organisasjonsnummer, with duplicates."""
    namer = _Namer()
    recs = _plan_establishments(rng, namer)
    _assign_addresses(rng, recs, addresses)
    extras = _filtered_extras(rng, addresses, namer)
    everyone = recs + extras
    orgnrs = np.array(_orgnrs(97_000_000, len(everyone)))[
        rng.permutation(len(everyone))
    ]
    parents = _parents(everyone, rng)
    objects = [
        _record(r, str(o), p) for r, o, p in zip(everyone, orgnrs, parents, strict=True)
    ]
    registered = {a["text"] for a in addresses}
    candidates = [
        i
        for i, r in enumerate(recs)
        if not r["anchor"]
        and r["start"] < "2023"
        and r["address"]["text"] in registered
    ]
    for i in rng.choice(candidates, _N_DUPLICATES, replace=False):
        objects.append(json.loads(json.dumps(objects[int(i)])))
    objects.sort(key=lambda o: o["organisasjonsnummer"])
    return objects, recs


# ----------------------------------------------------------------------- GTFS

# fmt: off
# key -> (name, lon, lat, area id, "" outside Lørenskog).
STOP_PLACES = {
    "bussterminal": ("Lørenskog bussterminal", 10.956704, 59.928309, "sentrum"),
    "skarersletta": ("Skårersletta", 10.956693, 59.923993, "sentrum"),
    "triaden": ("Triaden", 10.953929, 59.920222, "sentrum"),
    "radhus": ("Lørenskog rådhus", 10.960792, 59.934458, "sentrum"),
    "lorenskog_st": ("Lørenskog stasjon", 10.944995, 59.945007, "stasjonsomradet"),
    "snobyen": ("Snøbyen", 10.951612, 59.943617, "stasjonsomradet"),
    "haneborg": ("Haneborg", 10.943852, 59.94113, "stasjonsomradet"),
    "fjellhamar_st": ("Fjellhamar stasjon", 10.981366, 59.949472, "fjellhamar"),
    "fjellhamar_s": ("Fjellhamar sentrum", 10.984696, 59.94418, "fjellhamar"),
    "visperud": ("Visperud", 10.934569, 59.929156, "visperud"),
    "visperudveien": ("Visperudveien", 10.929668, 59.932601, "visperud"),
    "ahus": ("Ahus", 10.995084, 59.932359, "ahus"),
    "nordbyhagen": ("Nordbyhagen", 10.988512, 59.934856, "ahus"),
    "losby": ("Losby gods", 10.982426, 59.887471, "losbydalen"),
    "monevang": ("Mønevang", 10.977227, 59.894954, "losbydalen"),
    "rasta": ("Rasta", 10.934993, 59.91838, REST_ID),
    "finstad": ("Finstad", 10.963278, 59.906664, REST_ID),
    "kurland": ("Kurland", 10.972457, 59.919532, REST_ID),
    "kirke": ("Lørenskog kirke", 10.984426, 59.924213, REST_ID),
    "hasselbakken": ("Hasselbakken", 10.973123, 59.936184, REST_ID),
    "gronlia": ("Øvre Grønlia", 10.96093, 59.952444, REST_ID),
    "loken": ("Løkenåsen", 11.004572, 59.92051, REST_ID),
    "skarer": ("Skårer", 10.976786, 59.913371, REST_ID),
    "oslo_s": ("Oslo S", 10.7528, 59.9111, ""),
    "oslo_bt": ("Oslo bussterminal", 10.7590, 59.9117, ""),
    "jernbanetorget": ("Jernbanetorget", 10.7502, 59.9120, ""),
    "helsfyr": ("Helsfyr", 10.8003, 59.9127, ""),
    "okern": ("Økern", 10.8062, 59.9286, ""),
    "majorstuen": ("Majorstuen", 10.7149, 59.9297, ""),
    "furuset": ("Furuset", 10.8935, 59.9403, ""),
    "ellingsrudasen": ("Ellingsrudåsen", 10.916389, 59.935833, ""),
    "grorud": ("Grorud stasjon", 10.8875, 59.949722, ""),
    "strommen": ("Strømmen stasjon", 11.0093, 59.9475, ""),
    "lillestrom": ("Lillestrøm stasjon", 11.04444, 59.95306, ""),
    "kjeller": ("Kjeller", 11.0390, 59.9722, ""),
    "blystadlia": ("Blystadlia", 11.1000, 59.9250, ""),
    "vallerudtoppen": ("Vallerudtoppen", 11.0550, 59.9390, ""),
    "olavsgaard": ("Olavsgaard", 10.9400, 59.9900, ""),
    "enebakk": ("Enebakk", 11.1440, 59.7650, ""),
}
# fmt: on

# fmt: off
# Timetable patterns: service -> list of (first, end, headway) in minutes after
# midnight of the service day; departures from the first stop.
_TRUNK = {
    "weekday": ((300, 390, 30), (390, 540, None), (540, 900, 20), (900, 1050, None),
                (1055, 1506, 30)),
    "weekend": ((365, 1506, 30),),
}
_LOCAL = {
    "weekday": ((330, 390, 30), (390, 540, 15), (540, 900, 30), (900, 1050, 15),
                (1050, 1420, 30)),
    "weekend": ((420, 1400, 30),),
}
_METRO = {
    "weekday": ((320, 390, 15), (390, 1200, 8), (1200, 1506, 15)),
    "weekend": ((365, 1506, 15),),
}
_SCHOOL = {"weekday": ((430, 431, 1), (460, 461, 1), (850, 851, 1), (910, 911, 1))}
_RAIL30 = {"weekday": ((305, 1506, 30),), "weekend": ((305, 1506, 30),)}
_RAIL60 = {"weekday": ((335, 1420, 60),), "weekend": ((395, 1400, 60),)}

# Routes: (agency, line, long name, route_type, colour, pattern, peak headway,
# km/h, stops). Ruter's numbers and names are the real ones; the stops are not.
_ROUTES = (
    ("RUT", "2", "Østerås - Ellingsrudåsen", 401, "EC700C", _METRO, None, 36,
     ("jernbanetorget", "helsfyr", "furuset", "ellingsrudasen")),
    ("RUT", "25", "Majorstuen - Lørenskog stasjon", 704, "E60000", _TRUNK, 10, 24,
     ("majorstuen", "okern", "furuset", "ellingsrudasen", "visperud",
      "visperudveien", "haneborg", "lorenskog_st")),
    ("RUT", "67", "Økern T - Lørenskog sentrum", 704, "E60000", _TRUNK, 15, 24,
     ("okern", "furuset", "ellingsrudasen", "visperud", "rasta", "triaden",
      "skarersletta", "bussterminal")),
    ("RUT", "100", "Kjeller - Oslo bussterminal", 704, "E60000", _TRUNK, 15, 30,
     ("kjeller", "lillestrom", "strommen", "gronlia", "snobyen", "lorenskog_st",
      "oslo_bt")),
    ("RUT", "110", "Lillestrøm - Oslo bussterminal", 704, "E60000", _TRUNK, 10, 28,
     ("lillestrom", "strommen", "fjellhamar_s", "hasselbakken", "radhus",
      "bussterminal", "oslo_bt")),
    ("RUT", "300", "Blystadlia - Ahus - Oslo bussterminal", 704, "E60000", _TRUNK,
     15, 28, ("blystadlia", "ahus", "nordbyhagen", "kirke", "kurland",
              "bussterminal", "oslo_bt")),
    ("RUT", "315", "Vallerudtoppen - Ahus", 704, "76A300", _LOCAL, None, 22,
     ("vallerudtoppen", "loken", "ahus")),
    ("RUT", "316", "Øvre Grønlia - Hanaborg - Lørenskog sentrum", 704, "76A300",
     _LOCAL, None, 22, ("gronlia", "snobyen", "haneborg", "radhus",
                        "bussterminal")),
    ("RUT", "385", "Rotnes - Olavsgaard - Ahus", 704, "76A300", _LOCAL, None, 26,
     ("olavsgaard", "lorenskog_st", "fjellhamar_st", "fjellhamar_s", "nordbyhagen",
      "ahus")),
    ("RUT", "3071", "Enebakk - Lørenskog", 712, "76A300", _SCHOOL, None, 40,
     ("enebakk", "losby", "monevang", "finstad", "skarer", "bussterminal")),
    ("VYG", "L1", "Spikkestad - Lillestrøm", 100, "005B3C", _RAIL30, None, 55,
     ("oslo_s", "grorud", "lorenskog_st", "fjellhamar_st", "strommen",
      "lillestrom")),
    ("VYG", "R13", "Drammen - Dal", 106, "005B3C", _RAIL60, None, 65,
     ("oslo_s", "lorenskog_st", "fjellhamar_st", "lillestrom")),
)
_SERVICES = {
    "weekday": "DEMO:DayType:Hverdag",
    "weekend": "DEMO:DayType:Helg",
    "extra": "DEMO:DayType:Nyttaarsaften",
}
_FEED_START, _FEED_END = "20241001", "20250630"
_HOLIDAYS = (
    "20241225", "20241226", "20250101", "20250417", "20250418", "20250421",
    "20250501", "20250529", "20250609",
)
_EXTRA_DAY = "20241231"
_EXTRA_DEPARTURES = (1535, 1565)  # 25:35 and 26:05 on New Year's Eve
_EXTRA_LINES = ("110", "L1")
_STOP_PLACE_BASE = 990001
_QUAY_BASE = 995001
# fmt: on


def _mode(route_type):
    if 100 <= route_type < 200:
        return "rail"
    if route_type == 401:
        return "metro"
    return "bus"


def _departures(segments, peak):
    out = []
    for first, end, headway in segments:
        out += list(range(first, end, headway or peak))
    return out


def _hms(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _quays():
    """Quay per (stop place, mode, direction), in a fixed order, with ids.

    Returns
    -------
    dict
        (stop key, mode, direction) -> (quay id, x, y) in EPSG:25833.
    """
    modes = {}
    for route in _ROUTES:
        for stop in route[8]:
            modes.setdefault(stop, set()).add(_mode(route[3]))
    quays = {}
    n = _QUAY_BASE
    for key, (_, lon, lat, _) in STOP_PLACES.items():
        x, y = _TO_METRIC.transform(lon, lat)
        for k, mode in enumerate(sorted(modes.get(key, ()))):
            for direction in (0, 1):
                dx = (12.0 if direction else -12.0) + 6.0 * k
                quays[(key, mode, direction)] = (f"NSR:Quay:{n}", x + dx, y - 8.0 * k)
                n += 1
    return quays


def _stops_rows(quays):
    header = [
        "stop_id",
        "stop_name",
        "stop_desc",
        "stop_lat",
        "stop_lon",
        "location_type",
        "parent_station",
        "wheelchair_boarding",
        "vehicle_type",
        "platform_code",
    ]
    rows = [header]
    parent = {}
    for i, (key, (name, lon, lat, _)) in enumerate(STOP_PLACES.items()):
        parent[key] = f"NSR:StopPlace:{_STOP_PLACE_BASE + i}"
        rows.append(
            [parent[key], name, "", f"{lat:.6f}", f"{lon:.6f}", 1, "", 1, "", ""]
        )
    vehicle = {"bus": 700, "metro": 401, "rail": 100}
    for (key, mode, direction), (qid, x, y) in quays.items():
        lon, lat = _lonlat(x, y)
        code = str(direction + 1) if mode != "bus" else "AB"[direction]
        rows.append(
            [
                qid,
                STOP_PLACES[key][0],
                "",
                f"{lat:.6f}",
                f"{lon:.6f}",
                0,
                parent[key],
                1,
                vehicle[mode],
                code,
            ]
        )
    return rows


def _shape(points):
    """Shape vertices (x, y) through the stops, with a bend on long segments.

    Returns the vertices and, per stop, the index of its vertex.
    """
    verts, at = [points[0]], [0]
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:], strict=True):
        length = math.hypot(x1 - x0, y1 - y0)
        if length > 1500:
            nx, ny = -(y1 - y0) / length, (x1 - x0) / length
            bend = 0.04 * length
            verts.append(((x0 + x1) / 2 + nx * bend, (y0 + y1) / 2 + ny * bend))
        verts.append((x1, y1))
        at.append(len(verts) - 1)
    return verts, at


def _cumulative(verts):
    d = [0.0]
    for (x0, y0), (x1, y1) in zip(verts[:-1], verts[1:], strict=True):
        d.append(d[-1] + math.hypot(x1 - x0, y1 - y0))
    return d


def _trip_rows(route, direction, quays, services):
    """Rows of trips, stop_times and shapes for one route direction."""
    agency, line, _, route_type, _, pattern, peak, speed, stops = route
    mode = _mode(route_type)
    seq = stops if direction == 0 else stops[::-1]
    pts = [quays[(s, mode, direction)][1:] for s in seq]
    verts, at = _shape(pts)
    dist = _cumulative(verts)
    shape_id = f"{agency}:JourneyPattern:{line}_{direction}"
    route_id = f"{agency}:Line:{line}"
    shapes = []
    for i, (x, y) in enumerate(verts, start=1):
        lon, lat = _lonlat(x, y)
        shapes.append([shape_id, f"{lat:.6f}", f"{lon:.6f}", i, f"{dist[i - 1]:.1f}"])
    offsets = [0]
    for a, b in zip(at[:-1], at[1:], strict=True):
        minutes = (dist[b] - dist[a]) / (speed * 1000 / 60)
        offsets.append(offsets[-1] + max(1, round(minutes)))
    trips, stop_times = [], []
    shift = 7 if direction else 0
    for service, starts in services.items():
        for start in starts:
            t0 = start + shift
            hhmm = f"{t0 // 60:02d}{t0 % 60:02d}"
            trip_id = f"{agency}:ServiceJourney:{line}_{service}_{direction}_{hhmm}"
            trips.append(
                [
                    route_id,
                    _SERVICES[service],
                    trip_id,
                    STOP_PLACES[seq[-1]][0],
                    direction,
                    shape_id,
                ]
            )
            last = len(seq) - 1
            for k, stop in enumerate(seq):
                when = _hms(t0 + offsets[k])
                stop_times.append(
                    [
                        trip_id,
                        when,
                        when,
                        quays[(stop, mode, direction)][0],
                        k + 1,
                        1 if k == last else 0,
                        1 if k == 0 else 0,
                        f"{dist[at[k]]:.1f}",
                    ]
                )
    return trips, stop_times, shapes


def _route_services(route):
    line, pattern, peak = route[1], route[5], route[6]
    services = {
        s: _departures(pattern[s], peak) for s in ("weekday", "weekend") if s in pattern
    }
    if line in _EXTRA_LINES:
        services["extra"] = list(_EXTRA_DEPARTURES)
    return services


def _build_gtfs(seed):
    """The GTFS members as {file name: text}."""
    quays = _quays()
    routes = [
        [
            "agency_id",
            "route_id",
            "route_short_name",
            "route_long_name",
            "route_type",
            "route_color",
            "route_text_color",
        ]
    ]
    trips = [
        [
            "route_id",
            "service_id",
            "trip_id",
            "trip_headsign",
            "direction_id",
            "shape_id",
        ]
    ]
    stop_times = [
        [
            "trip_id",
            "arrival_time",
            "departure_time",
            "stop_id",
            "stop_sequence",
            "pickup_type",
            "drop_off_type",
            "shape_dist_traveled",
        ]
    ]
    shapes = [
        [
            "shape_id",
            "shape_pt_lat",
            "shape_pt_lon",
            "shape_pt_sequence",
            "shape_dist_traveled",
        ]
    ]
    for route in _ROUTES:
        agency, line, long_name, route_type, colour = route[:5]
        routes.append(
            [
                agency,
                f"{agency}:Line:{line}",
                line,
                long_name,
                route_type,
                colour,
                "FFFFFF",
            ]
        )
        services = _route_services(route)
        for direction in (0, 1):
            t, st, sh = _trip_rows(route, direction, quays, services)
            trips += t
            stop_times += st
            shapes += sh
    agency = [
        ["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
        ["RUT", "Ruter", "https://ruter.no", "Europe/Oslo", "no"],
        ["VYG", "Vy", "https://www.vy.no", "Europe/Oslo", "no"],
    ]
    days = (
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    )
    calendar = [
        ["service_id", *days, "start_date", "end_date"],
        [_SERVICES["weekday"], 1, 1, 1, 1, 1, 0, 0, _FEED_START, _FEED_END],
        [_SERVICES["weekend"], 0, 0, 0, 0, 0, 1, 1, _FEED_START, _FEED_END],
    ]
    calendar_dates = [["service_id", "date", "exception_type"]]
    for day in _HOLIDAYS:
        calendar_dates.append([_SERVICES["weekday"], day, 2])
        calendar_dates.append([_SERVICES["weekend"], day, 1])
    calendar_dates.append([_SERVICES["extra"], _EXTRA_DAY, 1])
    feed_info = [
        [
            "feed_publisher_name",
            "feed_publisher_url",
            "feed_lang",
            "feed_start_date",
            "feed_end_date",
            "feed_version",
        ],
        [
            "Demonstrasjonsdata – ikke Entur",
            "https://example.invalid/gtfs",
            "no",
            _FEED_START,
            _FEED_END,
            f"demo-{AS_OF.isoformat()}-seed{seed}",
        ],
    ]
    tables = {
        "agency.txt": agency,
        "stops.txt": _stops_rows(quays),
        "routes.txt": routes,
        "trips.txt": trips,
        "stop_times.txt": stop_times,
        "calendar.txt": calendar,
        "calendar_dates.txt": calendar_dates,
        "shapes.txt": shapes,
        "feed_info.txt": feed_info,
    }
    return {name: _csv_text(rows, delimiter=",") for name, rows in tables.items()}


# ------------------------------------------------------------------- premises

# fmt: off
PREMISES_HEADER = ("id", "tittel", "adresse", "lat", "lon", "type", "areal_m2",
                   "leie_kr_m2_aar", "ledig_fra", "status", "kontakt", "lenke",
                   "oppdatert")
_PREMISES_PER_AREA = {
    "sentrum": 18, "stasjonsomradet": 8, "fjellhamar": 8, "visperud": 18, "ahus": 8,
    "losbydalen": 4, REST_ID: 16,
}
_PREMISES_MIX = {
    "sentrum": {"kontor": 5, "handel": 4, "servering": 2, "kombinert": 1,
                "helse/lab": 1},
    "stasjonsomradet": {"kontor": 3, "handel": 2, "helse/lab": 2, "kombinert": 2,
                        "servering": 1},
    "fjellhamar": {"kombinert": 3, "kontor": 2, "handel": 2, "annet": 2,
                   "industri": 1},
    "visperud": {"lager/logistikk": 6, "industri": 3, "kontor": 2, "kombinert": 2,
                 "handel": 1},
    "ahus": {"helse/lab": 5, "kontor": 3, "kombinert": 1},
    "losbydalen": {"servering": 2, "kombinert": 2, "annet": 1},
    REST_ID: {"kontor": 3, "lager/logistikk": 1, "handel": 2, "annet": 1,
              "kombinert": 1, "industri": 1},
}
# type -> (title word, median m², min m², max m², rent low, rent high)
_PREMISES_KINDS = {
    "kontor": ("Kontorlokaler", 400, 80, 3000, 1600, 3000),
    "lager/logistikk": ("Lager- og logistikklokaler", 2500, 500, 12000, 900, 1500),
    "handel": ("Butikklokale", 300, 60, 2500, 1800, 3500),
    "industri": ("Industrilokale", 1500, 300, 8000, 800, 1300),
    "servering": ("Serveringslokale", 150, 50, 600, 1500, 3000),
    "helse/lab": ("Helse- og laboratorielokaler", 500, 100, 2500, 2000, 3200),
    "kombinert": ("Kombinerte lokaler", 800, 150, 4000, 1200, 2200),
    "annet": ("Atelier og øvingslokale", 200, 50, 1500, 800, 1800),
}
_STATUS_WEIGHTS = {"ledig": 0.76, "reservert": 0.1, "utleid": 0.08, "trukket": 0.06}
# fmt: on
_N_PREMISES_STALE = 12  # 15 % updated more than 90 days before AS_OF


def _decimal(value, digits):
    return f"{value:.{digits}f}".replace(".", ",")


def _premises_rows(rng, addresses):
    """Rows of the premises CSV (header first), a fixed number per area."""
    rows = [list(PREMISES_HEADER)]
    n = sum(_PREMISES_PER_AREA.values())
    stale = set(rng.choice(n, _N_PREMISES_STALE, replace=False).tolist())
    statuses = list(_STATUS_WEIGHTS)
    p_status = np.array(list(_STATUS_WEIGHTS.values()))
    i = 0
    for area in _ALL_AREAS:
        pool = [a for a in addresses if a["area"] == area]
        mix = _PREMISES_MIX[area]
        count = _PREMISES_PER_AREA[area]
        split = _largest_remainder(count, mix)
        kinds = rng.permutation(np.repeat(list(split), list(split.values())))
        picks = rng.choice(len(pool), count, replace=False)
        for kind, k in zip(kinds, picks, strict=True):
            i += 1
            rows.append(
                _premises_row(
                    rng,
                    i,
                    str(kind),
                    pool[int(k)],
                    i - 1 in stale,
                    str(rng.choice(statuses, p=p_status)),
                )
            )
    return rows


def _premises_row(rng, i, kind, addr, stale, status):
    """One listing at ``addr``; ``stale`` ones were updated over 90 days ago."""
    word, median, low, high, rent_lo, rent_hi = _PREMISES_KINDS[kind]
    size = float(np.clip(median * rng.lognormal(0.0, 0.6), low, high))
    size_text = (
        _decimal(round(size * 2) / 2, 1) if rng.random() < 0.2 else str(round(size))
    )
    rent = (
        "" if rng.random() < 0.1 else str(int(round(rng.uniform(rent_lo, rent_hi), -1)))
    )
    available = AS_OF + timedelta(days=int(rng.integers(0, 548)))
    age = int(rng.integers(91, 400)) if stale else int(rng.integers(0, 90))
    lon, lat = _lonlat(addr["x"], addr["y"])
    pid = f"demo-{i:03d}"
    return [
        pid,
        f"Demo: {word} {addr['street']}",
        addr["text"],
        _decimal(lat, 6),
        _decimal(lon, 6),
        kind,
        size_text,
        rent,
        available.isoformat(),
        status,
        "demo@example.invalid",
        f"https://example.invalid/lokaler/{pid}",
        (AS_OF - timedelta(days=age)).isoformat(),
    ]


# ---------------------------------------------------------------------- entry


def write_demo_sources(out_dir, *, seed=SEED, boundary=None):
    """Write the four demonstration source files into ``out_dir``.

    The files are the same byte for byte for the same seed and boundary.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Directory to write to; created if missing. Existing files of the same
        names are replaced.
    seed : int
        Random seed.
    boundary : geopandas.GeoDataFrame, optional
        Municipal boundary, any CRS; default the bundled Lørenskog boundary.

    Returns
    -------
    dict of str to pathlib.Path
        ``establishments``, ``addresses``, ``gtfs`` and ``premises`` -> file path
        (names in ``FILE_NAMES``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if boundary is None:
        boundary = gpd.read_file(BOUNDARY_PATH)
    regions = _regions(boundary)
    counts = _largest_remainder(DEMO_TOTAL_ESTABLISHMENTS, AREA_SHARES)
    addresses = _build_addresses(_rng(seed, 1), regions, counts)
    objects, _ = _build_establishments(_rng(seed, 2), addresses)
    paths = {key: out / name for key, name in FILE_NAMES.items()}
    data = json.dumps(
        objects, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    _write_gzip(paths["establishments"], data.encode("utf-8"))
    text = _csv_text(_address_rows(addresses), delimiter=";")
    paths["addresses"].write_bytes(text.encode("utf-8-sig"))
    _write_zip(paths["gtfs"], _build_gtfs(seed))
    text = _csv_text(_premises_rows(_rng(seed, 3), addresses), delimiter=";")
    paths["premises"].write_bytes(text.encode("utf-8"))
    return paths
