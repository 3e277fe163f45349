"""The map palettes stay apart with the common colour-vision deficiencies.

Each palette is passed through the deuteranopia and protanopia simulation of
Machado, Oliveira and Fernandes (2009, severity 1, on linear RGB); every pair of
colours must then still differ by at least ``MIN_DELTA_E`` (CIE76 in CIELAB).
A pair under about 10 is hard to tell apart on a map.
"""

import itertools

import numpy as np
import pytest

from components.exports.text import PALETTE as AREA_PALETTE
from components.figures.theme import PREMISES_COLORS, ROUTE_GROUPS

MIN_DELTA_E = 12.0
SIMULATIONS = {
    "normal": np.eye(3),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
}
PALETTES = {
    "areas": dict(enumerate(AREA_PALETTE)),
    "premises": PREMISES_COLORS,
    "routes": {k: v[1] for k, v in ROUTE_GROUPS.items()},
}


def linear_rgb(hex_colour):
    """sRGB ``#rrggbb`` -> linear RGB in 0..1."""
    c = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb):
    """Linear RGB -> CIELAB (D65)."""
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ np.clip(rgb, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(palette, matrix):
    """(ΔE, a, b) of the two colours of ``palette`` closest after ``matrix``."""
    seen = {k: lab(matrix @ linear_rgb(c)) for k, c in palette.items()}
    return min(
        (float(np.linalg.norm(seen[a] - seen[b])), a, b)
        for a, b in itertools.combinations(seen, 2)
    )


def test_simulation_merges_red_and_green():
    """The simulation is real: red and green fall together for a deuteranope."""
    pair = {"red": "#d62728", "green": "#2ca02c"}
    assert closest_pair(pair, SIMULATIONS["normal"])[0] > 40
    assert closest_pair(pair, SIMULATIONS["deuteranopia"])[0] < 12


@pytest.mark.parametrize("vision", sorted(SIMULATIONS))
@pytest.mark.parametrize("name", sorted(PALETTES))
def test_palette_stays_apart(name, vision):
    """No two colours of a map palette look alike with this colour vision."""
    delta, a, b = closest_pair(PALETTES[name], SIMULATIONS[vision])
    assert delta >= MIN_DELTA_E, f"{name}: {a} and {b} differ by {delta:.1f}"
