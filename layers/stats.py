"""Per-area figures for ``python -m layers stats``: the engine's unfiltered rows.

One row per area, then the rest of the municipality, then the total, computed by
the one per-area engine, :mod:`layers.aggregates` (see there how a point is
placed). This module keeps the names the command line and exports have always
used.
"""

from __future__ import annotations

from layers.aggregates import (
    AVAILABLE,
    FIGURE_LAYER,
    FIGURES,
    area_rows,
    locate,
    split_lines,
    store_rows,
)

__all__ = [
    "AVAILABLE",
    "FIGURES",
    "FIGURE_LAYER",
    "area_figures",
    "locate",
    "split_lines",
    "store_figures",
]


def area_figures(areas, establishments, premises, stops, sources=None, boundary=None):
    """Compute the per-area figures (:func:`layers.aggregates.area_rows`).

    Returns
    -------
    list of dict
        One dict per area in ``AREA_IDS`` order, then ``rest`` and ``total``.
    """
    return area_rows(
        areas, establishments, premises, stops, sources=sources, boundary=boundary
    )


def store_figures(store):
    """Compute :func:`area_figures` from the layers of a store (memoised per version).

    Parameters
    ----------
    store : layers.store.Store

    Returns
    -------
    list of dict
        Shared and read-only: copy before changing.
    """
    return store_rows(store)
