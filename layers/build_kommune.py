"""Another kommune's store: its layers from Kartverket's kommune file, no demo data.

``init --kommune`` sets a store up (``layers.build.init_store``); ``build`` and ``rebuild``
of a store that records another kommune rebuild it as that kommune
(:func:`build_other`, :func:`other_layers`), never as Lørenskog.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from layers import firm_index
from layers import kommune as kommune_mod
from layers.errors import InputError, StoreError
from layers.schemas import CRS, METRIC_CRS

GEODATA = Path(__file__).resolve().parent.parent / "geodata"
_DEFAULT = kommune_mod.default()  # Lørenskog, geodata/kommuner/3222.toml
BOUNDARY_FILE = _DEFAULT.boundary_file
KOMMUNER_FILE = _DEFAULT.kommuner_file
LANDMARKS_FILE = _DEFAULT.landmarks_file
KOMMUNE = _DEFAULT.number
# Layers a kommune set up with `init` starts without (until their sources are
# imported); the dashboard shows them as empty.
EMPTY_LAYERS = ("landmarks", "establishments", "addresses", "transit_stops")

KARTVERKET = {
    "source": "Kartverket, kommunegrenser (via robhop/fylker-og-kommuner, Kommuner-L)",
    "licence": "© Kartverket, CC BY 4.0",
    "as_of": "2024-01-16",
}


def split_kommuner(kommuner, number):
    """Split Kartverket's kommuner into ``number``'s boundary and its neighbours.

    Neighbours are the kommuner whose outline lies within 50 m of the boundary
    (Kartverket's outlines meet, a simplified copy may leave slivers).

    Parameters
    ----------
    kommuner : geopandas.GeoDataFrame
        ``kommunenummer``, ``kommunenavn``, (Multi)Polygons, any CRS.
    number : str

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        ``(boundary, neighbours)``, EPSG:4326.

    Raises
    ------
    InputError
        ``number`` is not in ``kommuner``.
    """
    cols = ["kommunenummer", "kommunenavn", "geometry"]
    kommuner = kommuner[cols].copy()
    kommuner["kommunenummer"] = kommuner["kommunenummer"].astype(str).str.zfill(4)
    mine = kommuner[kommuner["kommunenummer"] == number]
    if mine.empty:
        raise InputError(
            f"kommune {number} is not in the kommune file", field="kommunenummer"
        )
    boundary = mine.dissolve(by="kommunenummer", as_index=False)[cols]
    metric = kommuner.to_crs(METRIC_CRS)
    shape = boundary.to_crs(METRIC_CRS).union_all().buffer(50.0)
    near = metric.intersects(shape) & (kommuner["kommunenummer"] != number)
    neighbours = kommuner[near.to_numpy()].reset_index(drop=True)
    return boundary.to_crs(CRS), neighbours.to_crs(CRS)


def whole_kommune_area(boundary, name):
    """The whole kommune as one area (id ``kommunen``) until areas are imported."""
    from layers.schemas import conform

    gdf = gpd.GeoDataFrame(
        {
            "area_id": [kommune_mod.WHOLE_AREA_ID],
            "name": [name],
            "description_nb": [""],
            "description_en": [""],
            "ambition_nb": [""],
            "ambition_en": [""],
            "indicative": [True],
        },
        geometry=[boundary.union_all()],
        crs=boundary.crs,
    )
    return conform("areas", gdf.to_crs(CRS), source="whole kommune")


def kommune_layers(number, kommuner, *, areas_file=None, source=None, now=None):
    """Return the layers of a store for kommune ``number`` (not the default).

    Boundary and neighbours from Kartverket's kommuner; the areas from
    ``areas_file``, or the whole kommune as one area; every other layer empty
    (no demonstration data: it is calibrated to Lørenskog only).

    Parameters
    ----------
    number : str
    kommuner : geopandas.GeoDataFrame
        Kartverket's kommuner (the kommune and its neighbours at least).
    areas_file : path, optional
        The kommune's business areas (GeoJSON or GeoPackage, ``area_id``, ``name``).
    source : dict, optional
        ``source``/``licence``/``as_of`` of the kommune file (default: the bundled).
    now : str, optional
        ISO timestamp of the import.

    Returns
    -------
    tuple
        ``({layer name: (GeoDataFrame, metadata)}, Kommune)``
    """
    from layers.schemas import empty_layer
    from layers.sources.areas import read_areas

    boundary, neighbours = split_kommuner(kommuner, number)
    if areas_file is not None:
        areas = read_areas(areas_file, boundary=boundary, area_ids=None)
        areas_meta = {
            "source": f"Næringsområder fra fil ({Path(areas_file).name[:80]})",
            "licence": "",
            "as_of": (now or "")[:10],
        }
    else:
        name = str(boundary["kommunenavn"].iloc[0])
        areas = whole_kommune_area(boundary, name)
        areas_meta = {
            "source": "Hele kommunen som ett område (ingen næringsområder importert)",
            "licence": "CC BY 4.0",
            "as_of": (now or "")[:10],
            "details": {"indicative": True, "whole_kommune": True},
        }
    if kommune_mod.has_config(number):
        config = kommune_mod.load(number)
    else:
        config = kommune_mod.from_boundary(number, boundary)
    base = dict(source or KARTVERKET)
    layers = {
        "boundary": (boundary, {**base, "details": kommune_mod.to_details(config)}),
        "neighbours": (neighbours, dict(base)),
        "areas": (areas, areas_meta),
    }
    empty_meta = {
        "source": "Ikke importert ennå",
        "licence": "",
        "as_of": "",
        "details": {"empty": True},
    }
    for name in (*EMPTY_LAYERS, "transit_lines", "premises"):
        layers[name] = (empty_layer(name), dict(empty_meta))
    return layers, config.with_areas(areas)


def read_kommuner(path):
    """Read Kartverket's kommune file (GeoJSON, or Geonorge's zip of one).

    Geonorge's "Administrative enheter kommuner" download is a zip holding one
    GeoJSON whose members are FeatureCollections (``Kommune``, ``Kommunegrense``);
    only the kommune polygons are read. A plain FeatureCollection (as bundled) is
    read as it is.

    Returns
    -------
    geopandas.GeoDataFrame
        ``kommunenummer``, ``kommunenavn``, geometry, EPSG:4326.
    """
    from layers.sources.fetch import read_kommune_file

    return read_kommune_file(path)


def _stored_areas(store):
    """The store's areas when they can be read (kept by a build), else None."""
    try:
        areas = store.read_layer("areas")
    except (StoreError, OSError, KeyError):
        return None
    return areas if len(areas) else None


def other_layers(config, *, areas=None, now=None):
    """The layers a build gives another kommune (``config``): no demonstration data.

    Boundary and neighbours from the bundled kommune file (when it covers the
    kommune; else none: the stored ones, fetched with ``fetch boundary``, stay),
    the stored ``areas`` (else the whole kommune as one area) and empty
    placeholders for the layers imported later.

    Returns
    -------
    dict
        ``{layer name: (GeoDataFrame, metadata)}``
    """
    from layers.schemas import empty_layer

    kommuner = read_kommuner(GEODATA / (config.kommuner_file or _DEFAULT.kommuner_file))
    if config.number in set(kommuner["kommunenummer"]):
        layers, _ = kommune_layers(config.number, kommuner, now=now)
        boundary, meta = layers["boundary"]
        layers["boundary"] = (
            boundary,
            {**meta, **{"details": kommune_mod.to_details(config)}},
        )
    else:
        layers = {
            name: (
                empty_layer(name),
                {"source": "", "licence": "", "as_of": "", "details": {"empty": True}},
            )
            for name in (*EMPTY_LAYERS, "transit_lines", "premises")
        }
    if areas is not None:
        layers.pop("areas", None)
    return layers


def build_other(store, config, *, reset_register=False):
    """``build`` for a store that records another kommune: rebuilt as that kommune.

    Imported layers are kept (only a missing layer gets its empty placeholder),
    as are the areas and the register; ``reset_register`` empties the register
    (another kommune has no demonstration listings).

    Returns
    -------
    list of layers.store.LayerInfo
    """
    from layers import register
    from layers.schemas import empty_layer
    from layers.store.base import timestamp

    layers = other_layers(config, areas=_stored_areas(store), now=timestamp())
    held = {i.name for i in store.list_layers()}
    shared = set(getattr(store, "shared_layers", tuple)())
    for name in list(layers):
        placeholder = layers[name][1].get("details", {}).get("empty")
        if name in shared or (placeholder and name in held):
            layers.pop(name)
    premises = layers.pop("premises", None)
    if layers:
        store.replace_layers(firm_index.with_index(store, layers))
    if premises is not None and "premises" not in held:
        store.replace_layers({"premises": premises})
    if reset_register or not register.has_register(store):
        register.seed_register(
            store, empty_layer("premises"), user="build", demonstration=False
        )
    return store.list_layers()
