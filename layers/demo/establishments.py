"""Demonstration Brønnøysund underenheter (bulk JSON)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from layers.demo.addresses import _AREA_PLACE, _NEIGHBOURHOODS, POSTSTED
from layers.demo.common import (
    _ALL_AREAS,
    AREA_JOBS,
    AREA_SHARES,
    AS_OF,
    DEMO_NEW_IN_2023,
    DEMO_TOTAL_ESTABLISHMENTS,
    DEMO_UNPLACED,
    KOMMUNENUMMER,
    REST_ID,
    _largest_remainder,
    _orgnrs,
)
from layers.sources.establishments import SMALL_FIRM_EMPLOYEES

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
_N_OTHER_KOMMUNE = 10
_N_2024 = 540  # started January-October 2024
# The register publishes no count below 5 employees (harRegistrertAntallAnsatte
# only); the importer counts such a unit as SMALL_FIRM_EMPLOYEES jobs, and the
# calibration to 24 892 jobs holds with that estimate.
_COUNTED_FROM = 5
# Units registered in 2024 carry SN2025 codes (the register's new standard);
# older ones keep SN2007, so the file mixes both as a register in transition
# would. SN2007 code -> (SN2025 code, description); codes not listed are the
# same in both standards.
SN2025_CODES = {
    "41.200": ("41.000", "Oppføring av bygninger"),
    "45.101": ("46.710", "Engroshandel med motorvogner"),
    "45.102": ("47.810", "Detaljhandel med motorvogner"),
    "45.200": ("95.310", "Vedlikehold og reparasjon av motorvogner"),
    "56.101": ("56.110", "Drift av restauranter"),
    "56.102": ("56.120", "Drift av gatekjøkken og mobile serveringssteder"),
    "62.010": ("62.100", "Programmeringstjenester"),
    "62.020": ("62.200", "Konsulentvirksomhet innen informasjonsteknologi"),
    "70.220": ("70.200", "Bedriftsrådgivning og annen administrativ rådgivning"),
    "86.902": ("86.950", "Fysioterapitjeneste"),
    "86.909": ("86.990", "Andre helsetjenester"),
    "90.011": ("90.200", "Utøvende kunstnere og underholdningsvirksomhet"),
    "90.031": ("90.120", "Selvstendig kunstnerisk virksomhet innen visuell kunst"),
    "90.040": ("90.310", "Drift av lokaler tilknyttet kunstnerisk virksomhet"),
    "96.020": ("96.210", "Frisering"),
    "96.040": ("96.230", "Drift av bad, badstuer og velværesentre"),
}
_SN2025_FROM = "2024-01-01"

# Establishments located just outside Lørenskog (filtered out by the importer).
_OTHER_KOMMUNE_ADDRESSES = (
    ("Karihaugveien", "1086", "OSLO", "OSLO", "0301"),
    ("Ellingsrudveien", "1087", "OSLO", "OSLO", "0301"),
    ("Strømsveien", "2010", "STRØMMEN", "LILLESTRØM", "3205"),
)


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
    # Units with 1-4 employees publish no count: the importer counts them as
    # SMALL_FIRM_EMPLOYEES each, so they are generated with that figure and the
    # larger ones carry the rest of the total.
    small = (jobs >= 1) & (jobs < _COUNTED_FROM)
    jobs[small] = SMALL_FIRM_EMPLOYEES
    diff = total - int(jobs.sum())
    big = np.flatnonzero(jobs >= _COUNTED_FROM)
    if len(big):
        share = np.floor(diff * jobs[big] / jobs[big].sum()).astype(int)
        jobs[big] = np.maximum(_COUNTED_FROM, jobs[big] + share)
    diff = total - int(jobs.sum())
    counted = np.flatnonzero(jobs >= _COUNTED_FROM)
    order = counted[np.argsort(-jobs[counted], kind="stable")]
    i = 0
    limit = 10 * (abs(diff) + len(order)) + 10
    while diff and i < limit:  # rounding residue: a few jobs more or less at the top
        k = order[i % len(order)]
        step = 1 if diff > 0 else -1
        if jobs[k] + step >= _COUNTED_FROM:
            jobs[k] += step
            diff -= step
        i += 1
    if diff:
        raise RuntimeError("cannot calibrate the demonstration's jobs")
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
    nace = {"kode": code, "beskrivelse": INDUSTRIES[code][0]}
    if rec["start"] >= _SN2025_FROM and code in SN2025_CODES:
        new_code, text = SN2025_CODES[code]
        nace = {"kode": new_code, "beskrivelse": text}
    out = {
        "organisasjonsnummer": orgnr,
        "navn": rec["name"],
        "organisasjonsform": {"kode": form, "beskrivelse": _ORG_FORMS[form]},
        "overordnetEnhet": parent,
        "naeringskode1": nace,
        "harRegistrertAntallAnsatte": rec["employees"] > 0,
        "oppstartsdato": rec["start"],
        "beliggenhetsadresse": rec.get("location") or _location(rec["address"]),
    }
    if rec["employees"] >= _COUNTED_FROM:  # below 5 the register gives no count
        out["antallAnsatte"] = rec["employees"]
    return out


def _filtered_extras(rng, addresses, namer):
    """Records in other kommuner, which importers drop.

    The bulk download holds no closed or deleted units, and one record per unit,
    so the demonstration has neither.
    """
    extras = []
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
    """The underenheter objects, sorted by organisasjonsnummer."""
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
    objects.sort(key=lambda o: o["organisasjonsnummer"])
    return objects, recs
