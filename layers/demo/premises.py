"""Demonstration premises in the premises list format."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from layers.demo.common import (
    _ALL_AREAS,
    AS_OF,
    REST_ID,
    _largest_remainder,
)

# ------------------------------------------------------------------- premises

# fmt: off
# Headings as a broker's list has them; no coordinates: the importer places each
# listing by its address in the address register.
PREMISES_HEADER = ("ID", "Tittel", "Adresse", "Type lokale", "Areal (m²)",
                   "Leie (kr/m²/år)", "Ledig fra", "Status", "Kontaktperson",
                   "Lenke", "Oppdatert")
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


def _rent_text(rng, rent):
    """A rent as brokers write it: "1 850", "kr 1 850", "1.850,-", or no figure."""
    draw = rng.random()
    if draw < 0.06:
        return ""
    if draw < 0.1:
        return "etter avtale"
    thousands = f"{rent // 1000} {rent % 1000:03d}" if rent >= 1000 else str(rent)
    if draw < 0.4:
        return thousands
    if draw < 0.6:
        return f"kr {thousands}"
    if draw < 0.8:
        dotted = f"{rent // 1000}.{rent % 1000:03d}" if rent >= 1000 else str(rent)
        return f"{dotted},-"
    return str(rent)


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
    rent = _rent_text(rng, int(round(rng.uniform(rent_lo, rent_hi), -1)))
    available = AS_OF + timedelta(days=int(rng.integers(0, 548)))
    age = int(rng.integers(91, 400)) if stale else int(rng.integers(0, 90))
    pid = f"demo-{i:03d}"
    return [
        pid,
        f"Demo: {word} {addr['street']}",
        f"{addr['text']}, {addr['postcode']} Lørenskog",
        kind.capitalize(),
        size_text,
        rent,
        available.isoformat(),
        status,
        "demo@example.invalid",
        f"https://example.invalid/lokaler/{pid}",
        (AS_OF - timedelta(days=age)).isoformat(),
    ]
