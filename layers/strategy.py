"""The figures Lørenskog's business strategy 2025–2037 publishes, in one place.

The dashboard's totals are checked against these (comparison page, presentation,
the demonstration data's calibration) — for Lørenskog only: another kommune's
configuration has ``strategy = false``, and :func:`applies` tells the pages to leave
the checks and notes out rather than compare with Lørenskog's. Each figure carries its as-of date as the
strategy gives it: an ISO date or month, a year, or "" where the strategy's fact
box gives none (then it stands as of the strategy's adoption, ``ADOPTED``).
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "Lørenskog kommune, Næringsstrategi 2025–2037"
ADOPTED = "2025"


@dataclass(frozen=True)
class Figure:
    """One published figure.

    Attributes
    ----------
    key : str
    value : int
    unit : str
        What is counted (English): ``jobs``, ``enterprises``, ``km²`` …
    as_of : str
        As the strategy dates it (``"2024-10"``, ``"2023"``), or "".
    note : str
        What exactly the strategy counts, in our words (English).
    source : str
    """

    key: str
    value: int
    unit: str
    as_of: str
    note: str = ""
    source: str = SOURCE


INHABITANTS = Figure("inhabitants", 50_000, "inhabitants", "", "about 50 000")
JOBS = Figure("jobs", 24_892, "jobs", "", "jobs located in the municipality")
JOBS_PRIVATE = Figure("jobs_private", 13_604, "jobs", "", "in the private sector")
JOBS_PUBLIC = Figure("jobs_public", 11_288, "jobs", "", "in the public sector")
ENTERPRISES = Figure(
    "enterprises",
    4_512,
    "enterprises",
    "2024-10",
    "registered in Brønnøysund with the commonest company forms",
)
NEW_ENTERPRISES = Figure(
    "new_enterprises",
    706,
    "enterprises",
    "2023",
    "started in 2023; rank 16 of 356 municipalities",
)
NEW_ENTERPRISES_RANK = Figure("new_enterprises_rank", 16, "rank of 356", "2023")
FOREST_KM2 = Figure("forest_km2", 47, "km²", "", "forest")
URBAN_KM2 = Figure("urban_km2", 14, "km²", "", "urban area")
FARMLAND_KM2 = Figure("farmland_km2", 6, "km²", "", "farmland")

FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        INHABITANTS,
        JOBS,
        JOBS_PRIVATE,
        JOBS_PUBLIC,
        ENTERPRISES,
        NEW_ENTERPRISES,
        NEW_ENTERPRISES_RANK,
        FOREST_KM2,
        URBAN_KM2,
        FARMLAND_KM2,
    )
}


def applies(kommune=None):
    """Tell whether these published figures are the kommune's (Lørenskog's only).

    Parameters
    ----------
    kommune : layers.kommune.Kommune, optional
        Default: the kommune this process serves.

    Returns
    -------
    bool
    """
    from layers import kommune as kommune_mod

    k = kommune_mod.active() if kommune is None else kommune
    return bool(k.strategy)


def published(kommune=None):
    """Return :data:`FIGURES` when they are the kommune's, else an empty dict."""
    return dict(FIGURES) if applies(kommune) else {}
