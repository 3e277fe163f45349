"""The municipality a store is for: one configuration, Lørenskog's the shipped default.

Everything that names the kommune (its name and number, former numbers, boundary and
neighbours, business areas, whether the strategy's published figures and the
demonstration data's calibration apply, the default view of the standalone map) is
read from here. Two sources, in this order:

- the store: ``python -m layers init`` and ``build`` record the kommune in the
  boundary layer's metadata (``details["kommune"]``), so an app or a command reads
  the kommune of the store it serves;
- ``geodata/kommuner/<number>.toml`` (read with :mod:`tomllib`) for a kommune we
  ship a configuration for (Lørenskog, 3222).

A process serves one store, so the kommune is resolved once, when the app or the
command starts (:func:`activate_store`), and read everywhere with :func:`active`.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from layers.errors import InputError, StoreError

GEODATA = Path(__file__).resolve().parent.parent / "geodata"
KOMMUNER_DIR = GEODATA / "kommuner"
DEFAULT_NUMBER = "3222"
# Kartverket's kommuner for Lørenskog and its neighbours, bundled (CC BY 4.0).
BUNDLED_KOMMUNER_FILE = "lorenskog_and_neighbours_kommuner_2024.geojson"
# A kommune without an areas file: the whole kommune is one area.
WHOLE_AREA_ID = "kommunen"


@dataclass(frozen=True)
class Kommune:
    """One municipality's configuration.

    Attributes
    ----------
    number : str
        Kommunenummer, four digits.
    name : str
        Its name as Kartverket writes it.
    aliases : tuple of str
        Former numbers still found in registers.
    centre : tuple of float
        ``(lat, lon)`` of the standalone map's default view.
    zoom : float
    areas : tuple of str
        The business areas' ids, in display order.
    area_names : dict
        ``{area id: name}`` for areas whose names are not in the shipped texts.
    strategy : bool
        Whether ``layers.strategy``'s published figures are this kommune's (checks,
        notes and the demonstration data's calibration appear only then).
    demonstration : bool
        Whether the default build generates the calibrated demonstration data.
    area_colours : dict
        ``{area id: "#rrggbb"}`` for the maps, presentation and exports; an area
        without one takes the palette's colour of its place in the order.
    area_texts : dict
        ``{area id: {"description_nb", "description_en", "ambition_nb",
        "ambition_en"}}`` shown in the profile, presentation and PDF; missing
        texts are empty (Lørenskog's six have the shipped texts).
    """

    number: str
    name: str
    aliases: tuple[str, ...] = ()
    county: str = ""
    county_number: str = ""
    centre: tuple[float, float] = (0.0, 0.0)
    zoom: float = 11.0
    boundary_file: str = ""
    kommuner_file: str = BUNDLED_KOMMUNER_FILE
    landmarks_file: str = ""
    areas: tuple[str, ...] = ()
    area_names: dict = field(default_factory=dict, compare=False, hash=False)
    strategy: bool = False
    strategy_source: str = ""
    demonstration: bool = False
    area_colours: dict = field(default_factory=dict, compare=False, hash=False)
    area_texts: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def numbers(self):
        """The current and former numbers (a frozenset of str)."""
        return frozenset({self.number, *self.aliases})

    def to_dict(self):
        """Return the configuration as plain JSON-able data."""
        d = asdict(self)
        d["aliases"] = list(self.aliases)
        d["areas"] = list(self.areas)
        d["centre"] = {"lat": self.centre[0], "lon": self.centre[1]}
        return d

    @classmethod
    def from_dict(cls, data, *, source="configuration"):
        """Build a configuration from a TOML table or the store's metadata.

        Raises
        ------
        InputError
            A required key is missing or of the wrong kind.
        """
        try:
            number = str(data["number"])
            name = str(data["name"])
        except (KeyError, TypeError) as exc:
            raise InputError(
                f"{source}: the kommune needs 'number' and 'name'"
            ) from exc
        if len(number) != 4 or not number.isdigit():
            raise InputError(f"{source}: kommune number {number!r} is not four digits")
        centre = data.get("centre") or {}
        if isinstance(centre, dict):
            centre = (float(centre.get("lat", 0.0)), float(centre.get("lon", 0.0)))
        else:
            centre = (float(centre[0]), float(centre[1]))
        names = data.get("area_names") or {}
        return cls(
            number=number,
            name=name,
            aliases=tuple(str(a) for a in data.get("aliases", ())),
            county=str(data.get("county", "")),
            county_number=str(data.get("county_number", "")),
            centre=centre,
            zoom=float(data.get("zoom", 11.0)),
            boundary_file=str(data.get("boundary_file", "")),
            kommuner_file=str(data.get("kommuner_file", BUNDLED_KOMMUNER_FILE)),
            landmarks_file=str(data.get("landmarks_file", "")),
            areas=tuple(str(a) for a in data.get("areas", ())),
            area_names={str(k): str(v) for k, v in dict(names).items()},
            strategy=bool(data.get("strategy", False)),
            strategy_source=str(data.get("strategy_source", "")),
            demonstration=bool(data.get("demonstration", False)),
            area_colours=_colours(data.get("area_colours") or {}, source),
            area_texts=_texts(data.get("area_texts") or {}, source),
        )

    def with_areas(self, areas):
        """Return a copy whose business areas are the rows of ``areas`` (a frame)."""
        ids = tuple(str(a) for a in areas["area_id"])
        names = {str(a): str(n) for a, n in zip(ids, areas["name"], strict=True)}
        return replace(self, areas=ids, area_names=names)


AREA_TEXT_KEYS = ("description_nb", "description_en", "ambition_nb", "ambition_en")
MAX_AREA_TEXT = 600  # characters: a text is data, shown as text, bounded
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _colours(data, source):
    if not isinstance(data, dict):
        raise InputError(f"{source}: area_colours must be a table")
    out = {}
    for area_id, colour in data.items():
        if not isinstance(colour, str) or not _COLOUR.fullmatch(colour):
            raise InputError(
                f"{source}: colour of area {str(area_id)[:40]!r} is not #rrggbb"
            )
        out[str(area_id)] = colour
    return out


def _texts(data, source):
    if not isinstance(data, dict):
        raise InputError(f"{source}: area_texts must be a table")
    out = {}
    for area_id, texts in data.items():
        if not isinstance(texts, dict):
            raise InputError(f"{source}: area_texts.{str(area_id)[:40]} is no table")
        entry = {}
        for key in AREA_TEXT_KEYS:
            value = texts.get(key, "")
            if not isinstance(value, str) or len(value) > MAX_AREA_TEXT:
                raise InputError(
                    f"{source}: area_texts.{str(area_id)[:40]}.{key}: text of at "
                    f"most {MAX_AREA_TEXT} characters"
                )
            entry[key] = value
        out[str(area_id)] = entry
    return out


def area_colour(area_id, default):
    """The active kommune's colour for ``area_id``, else ``default``."""
    return active().area_colours.get(area_id, default)


def area_texts(area_id, shipped=None):
    """The active kommune's texts of ``area_id`` (:data:`AREA_TEXT_KEYS`).

    The configuration's, else for the default kommune the ``shipped`` texts
    (``layers.sources.areas.AREA_INFO``, given by the caller), else empty texts
    (neutral: nothing about another kommune is made up).
    """
    k = active()
    texts = k.area_texts.get(area_id)
    if texts is None and k.number == DEFAULT_NUMBER and shipped is not None:
        texts = shipped.get(area_id)
    return {key: str((texts or {}).get(key, "")) for key in AREA_TEXT_KEYS}


def config_path(number, folder=KOMMUNER_DIR):
    """Return the path of kommune ``number``'s TOML file (it may not exist)."""
    return Path(folder) / f"{number}.toml"


def has_config(number, folder=KOMMUNER_DIR):
    """Tell whether a TOML configuration is shipped for kommune ``number``."""
    return config_path(number, folder).is_file()


def load(number, folder=KOMMUNER_DIR):
    """Read ``geodata/kommuner/<number>.toml``.

    Parameters
    ----------
    number : str
    folder : pathlib.Path

    Returns
    -------
    Kommune

    Raises
    ------
    InputError
        No such file, or it is not valid TOML or lacks required keys.
    """
    path = config_path(number, folder)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise InputError(f"{path.name}: no configuration for kommune {number}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path.name}: not valid TOML ({exc})") from exc
    return Kommune.from_dict(data, source=path.name)


@lru_cache(maxsize=1)
def default():
    """Return the shipped default, Lørenskog (3222)."""
    return load(DEFAULT_NUMBER)


def from_boundary(number, boundary, *, areas=None):
    """A configuration for a kommune we ship no TOML for, from its boundary layer.

    Parameters
    ----------
    number : str
    boundary : geopandas.GeoDataFrame
        The kommune's boundary (``kommunenavn`` column), any CRS.
    areas : geopandas.GeoDataFrame, optional
        The business areas (``area_id``, ``name``).

    Returns
    -------
    Kommune
    """
    # As layers.schemas.CRS and METRIC_CRS (not imported: schemas reads this module).
    CRS, METRIC_CRS = "EPSG:4326", "EPSG:25833"
    name = str(boundary["kommunenavn"].iloc[0]) if len(boundary) else number
    shape = boundary.to_crs(METRIC_CRS).union_all()
    import geopandas as gpd

    point = gpd.GeoSeries([shape.centroid], crs=METRIC_CRS).to_crs(CRS).iloc[0]
    minx, miny, maxx, maxy = shape.bounds
    span_km = max(maxx - minx, maxy - miny, 1.0) / 1000.0
    # About 40 km across at zoom 10 in a 1 000-pixel wide map; halve per level.
    zoom = max(7.0, min(14.0, round(10.0 + _log2(40.0 / span_km), 1)))
    k = Kommune(
        number=number,
        name=name,
        kommuner_file="",  # set up from a kommune file: no bundled file names it
        centre=(round(point.y, 5), round(point.x, 5)),
        zoom=zoom,
    )
    return k.with_areas(areas) if areas is not None else k


def _log2(x):
    import math

    return math.log2(x)


def to_details(kommune):
    """The metadata a store records for its kommune (``details["kommune"]``)."""
    return {"kommune": kommune.to_dict()}


def for_store(store):
    """Return the kommune recorded in ``store``, or the shipped default.

    Parameters
    ----------
    store : layers.store.Store

    Returns
    -------
    Kommune
    """
    try:
        if not store.exists():
            return default()
        info = store.layer_info("boundary")
    except (StoreError, KeyError, OSError):
        return default()
    details = json.loads(info.details or "{}")
    data = details.get("kommune") if isinstance(details, dict) else None
    if not isinstance(data, dict):
        return default()
    k = Kommune.from_dict(data, source="store")
    if k.areas:
        return k
    # No fixed set (another kommune): the areas are the store's areas layer.
    try:
        return k.with_areas(store.read_layer("areas"))
    except (StoreError, KeyError):
        return k


_ACTIVE: list[Kommune] = []


def activate(kommune):
    """Make ``kommune`` the one this process serves (when the app or a command starts)."""
    _ACTIVE[:] = [kommune]
    return kommune


def activate_store(store):
    """Activate the kommune recorded in ``store`` (the default when it records none)."""
    return activate(for_store(store))


def active():
    """Return the kommune this process serves (the default until one is activated)."""
    return _ACTIVE[0] if _ACTIVE else default()


def is_default():
    """Tell whether the process serves the shipped default kommune."""
    return active().number == DEFAULT_NUMBER
