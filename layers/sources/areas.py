"""The six business areas: their text, their indicative outlines, and the area importer.

No official polygons of the six areas are published as open data. The outlines drawn
here are *indicative*: a planner's sketch around each area's known fixed points,
clipped to the municipal boundary and made disjoint. They are replaced by the
municipality's own polygons with ``python -m layers import areas FILE``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point, Polygon

from layers import limits
from layers.errors import InputError
from layers.schemas import AREA_IDS, CRS, METRIC_CRS, conform
from layers.sources import guard

# Text in our own words, drawn from the facts in Lørenskog kommune's
# Næringsstrategi 2025–2037.
AREA_INFO = {
    "sentrum": {
        "name": "Lørenskog sentrum",
        "name_en": "Lørenskog town centre",
        "description_nb": (
            "Kommunens sentrum langs Skårersletta, med kjøpesentrene Metro og Triaden i "
            "hver ende, bussterminalen (2010), Lørenskog hus med bibliotek, kulturhus og "
            "kino (2011) og rådhuset på Kjenn ved Langvannet. Skårersletta ble gjort om "
            "til bygate og åpnet i 2024."
        ),
        "description_en": (
            "The municipal centre along Skårersletta, with the Metro and Triaden shopping "
            "centres at either end, the bus terminal (2010), Lørenskog hus with library, "
            "arts centre and cinema (2011) and the town hall at Kjenn by Langvannet. "
            "Skårersletta was rebuilt as a town street and reopened in 2024."
        ),
        "ambition_nb": (
            "Et levende, kulturdrevet sentrum med handel, service og gode byrom som "
            "speiler mangfoldet i kommunen."
        ),
        "ambition_en": (
            "A lively, culture-led centre for retail, services and public space that "
            "reflects the diversity of the municipality."
        ),
    },
    "stasjonsomradet": {
        "name": "Lørenskog stasjonsområde",
        "name_en": "Lørenskog station area",
        "description_nb": (
            "Området rundt Lørenskog stasjon, tidligere kalt Skårerødegården, der "
            "jernbanen ga vekst og industri. Skiarenaen SNØ har gitt en egen næringsklynge "
            "for ski og vinteridrett, og det er bygget skole og mange nye boliger."
        ),
        "description_en": (
            "The area around Lørenskog station, formerly known as Skårerødegården, where "
            "the railway brought growth and industry. The SNØ ski arena has created a "
            "cluster of ski and winter-sports firms; a school and many homes were built."
        ),
        "ambition_nb": (
            "Kollektivknutepunkt og lokalsenter med boliger og hotell, og et møtested for "
            "sport, helse, kunnskap og innovasjon."
        ),
        "ambition_en": (
            "A transport hub and local centre with homes and a hotel, and a meeting "
            "place for sport, health, knowledge and innovation."
        ),
    },
    "fjellhamar": {
        "name": "Fjellhamar",
        "name_en": "Fjellhamar",
        "description_nb": (
            "Lokalsenter nord for Ahus ved Fjellhamar stasjon og Fjellhamarelva. Fjellhamar "
            "Bruk, en tidligere pappfabrikk fra 1895, var lenge hjørnesteinsbedrift; "
            "området går fra industri mot skole, idrett og møteplasser."
        ),
        "description_en": (
            "A local centre north of Ahus by Fjellhamar station and the Fjellhamar river. "
            "Fjellhamar Bruk, a former cardboard mill from 1895, was long the main "
            "employer; the area is moving from industry to schools, sport and meeting "
            "places."
        ),
        "ambition_nb": (
            "Et trivelig lokalsenter med handel, service og kultur, bedre kryssinger over "
            "jernbanen og kulturdrevet utvikling av Fjellhamar Bruk."
        ),
        "ambition_en": (
            "A pleasant local centre with shops, services and culture, better crossings "
            "of the railway and culture-led renewal of Fjellhamar Bruk."
        ),
    },
    "visperud": {
        "name": "Visperud",
        "name_en": "Visperud",
        "description_nb": (
            "Næringsområdet langs Ellingsrudelva på grensen mot Oslo, sammenhengende med "
            "Karihaugen på Oslo-siden. Nesten en firedel av Norges befolkning bor innen "
            "25 km."
        ),
        "description_en": (
            "The business area along the Ellingsrud river on the Oslo border, continuous "
            "with Karihaugen on the Oslo side. Almost a quarter of Norway's population "
            "lives within 25 km."
        ),
        "ambition_nb": (
            "Kommunens framtidige næringsområde: arbeidsplassintensive virksomheter, en "
            "planlagt T-banestasjon og en samleterminal for miljøvennlig "
            "sisteleddsdistribusjon."
        ),
        "ambition_en": (
            "The municipality's future business area: job-intensive firms, a planned "
            "metro station and a consolidation terminal for low-emission last-mile "
            "delivery."
        ),
    },
    "ahus": {
        "name": "Ahus-området",
        "name_en": "Ahus area",
        "description_nb": (
            "Akershus universitetssykehus med Nordbyhagen og deler av Torshov, omgitt av "
            "jordbrukslandskap og elvene Losbyelva og Fjellhamarelva."
        ),
        "description_en": (
            "Akershus University Hospital with Nordbyhagen and part of Torshov, "
            "surrounded by farmland and the Losby and Fjellhamar rivers."
        ),
        "ambition_nb": (
            "En campus for samarbeid og innovasjon i helse, forskning og teknologi, som "
            "bare skal vokse ved fortetting av allerede utbygde arealer."
        ),
        "ambition_en": (
            "A campus for collaboration and innovation in health, research and "
            "technology, growing only by densifying land that is already built on."
        ),
    },
    "losbydalen": {
        "name": "Losbydalen",
        "name_en": "Losby valley",
        "description_nb": (
            "Dalen mot Østmarka nasjonalpark med Losby Gods (hotell siden 1999), golf, "
            "besøksgård og det gamle vannhjulet, kommunens eldste arbeidsplass. Brukt til "
            "tur, ski, bading og padling."
        ),
        "description_en": (
            "The valley leading into Østmarka national park, with Losby Gods (a hotel "
            "since 1999), golf, a visitor farm and the old water wheel, the "
            "municipality's oldest workplace. Used for walking, skiing, swimming and "
            "paddling."
        ),
        "ambition_nb": (
            "Et reisemål for rekreasjon, kultur, landbruk og lokal mat - ikke et "
            "utbyggingsområde."
        ),
        "ambition_en": (
            "A destination for recreation, culture, farming and local food - not an area "
            "for development."
        ),
    },
}

# Fixed points each indicative outline must contain (lon, lat; sources in
# geodata/README.md). Visperud has no published point: it must touch the Oslo border.
FIXED_POINTS = {
    "sentrum": {"Metro senter": (10.958333, 59.9275), "Triaden": (10.953142, 59.91963)},
    "stasjonsomradet": {"Lørenskog stasjon": (10.944995, 59.945007)},
    "ahus": {"Ahus": (10.996111, 59.933056), "Nordbyhagen": (10.9936, 59.9333)},
    "losbydalen": {"Losby Gods": (10.983017, 59.8868)},
}

# Indicative outlines in EPSG:25833 (easting, northing), sketched around the fixed
# points and the places the strategy names. Where an outline reaches past the
# municipal border it is clipped to it. Listed in priority order: each outline
# loses what earlier ones already hold, so the result never overlaps.
INDICATIVE_OUTLINES_UTM = {
    # Around the station, north of Langvannet, up to the Oslo border.
    "stasjonsomradet": [
        (273000, 6651550),
        (274250, 6651550),
        (274450, 6652000),
        (274300, 6652750),
        (273300, 6652700),
        (272900, 6652100),
    ],
    # Skårersletta from Triaden (south) to Metro, Lørenskog hus and the town
    # hall at Kjenn by Langvannet (north).
    "sentrum": [
        (273450, 6649050),
        (274250, 6649050),
        (274750, 6649700),
        (274800, 6650700),
        (274550, 6651450),
        (273700, 6651450),
        (273450, 6650700),
    ],
    # On the Oslo border, along the Ellingsrud river west of Langvannet.
    "visperud": [
        (271700, 6650000),
        (273400, 6650100),
        (273400, 6651450),
        (272800, 6651500),
        (271900, 6651300),
    ],
    # Akershus University Hospital, Nordbyhagen and part of Torshov.
    "ahus": [
        (275550, 6649900),
        (276900, 6649900),
        (277300, 6650500),
        (277000, 6651250),
        (275700, 6651250),
        (275400, 6650600),
    ],
    # North of Ahus on the railway towards Strømmen, around Fjellhamar station.
    "fjellhamar": [
        (274900, 6651450),
        (276700, 6651400),
        (276600, 6652200),
        (276100, 6653000),
        (275000, 6652900),
        (274700, 6652200),
    ],
    # The valley around Losby Gods, towards Østmarka.
    "losbydalen": [
        (274200, 6644200),
        (276300, 6644000),
        (276700, 6645600),
        (276000, 6647000),
        (274600, 6647000),
        (274000, 6645700),
    ],
}


def draw_indicative_areas(boundary):
    """Draw the six indicative area polygons inside the municipal boundary.

    Parameters
    ----------
    boundary : geopandas.GeoDataFrame
        The municipality's boundary, any CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per area in ``AREA_IDS`` order, EPSG:4326, conforming to the
        ``areas`` schema, ``indicative`` True.
    """
    muni = boundary.to_crs(METRIC_CRS).union_all()
    taken = Polygon()
    shapes = {}
    for area_id, ring in INDICATIVE_OUTLINES_UTM.items():
        shape = Polygon(ring).intersection(muni).difference(taken)
        shape = shapely.set_precision(shape, 0.01)
        shapes[area_id] = shape
        taken = taken.union(shape)
    ids = tuple(AREA_INFO)  # Lørenskog's six, in display order
    rows = [_area_row(area_id, indicative=True) for area_id in ids]
    geoms = gpd.GeoSeries([shapes[a] for a in ids], crs=METRIC_CRS).to_crs(CRS)
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms.values, crs=CRS)
    return conform("areas", gdf, source="indicative areas")


def _area_row(area_id, *, indicative, name=None):
    # Another kommune's areas have no shipped text: the name from the file only.
    info = AREA_INFO.get(area_id) or dict.fromkeys(_TEXT_KEYS, "")
    return {
        "area_id": area_id,
        "name": name or info["name"],
        "description_nb": info["description_nb"],
        "description_en": info["description_en"],
        "ambition_nb": info["ambition_nb"],
        "ambition_en": info["ambition_en"],
        "indicative": indicative,
    }


_TEXT_KEYS = ("name", "description_nb", "description_en", "ambition_nb", "ambition_en")
ID_COLUMNS = ("area_id", "id", "omrade_id", "område_id")
# Ids of another kommune's areas: they appear in links and class names.
FREE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
MAX_FREE_AREAS = 40
NAME_COLUMNS = ("name", "navn", "omradenavn", "områdenavn")


def _prechecked(path, src):
    """Size, encoding and JSON depth of an areas file, before GDAL reads it."""
    guard.check_file_size(path, src, limits.MAX_AREAS_FILE_BYTES)
    if path.suffix.lower() in (".geojson", ".json"):
        data = path.read_bytes()
        guard.require_utf8(data[: 1 << 16], src)
        guard.scan_json(io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")), src)


def _check_geometries(raw, ids, src, *, make_valid):
    """Refuse invalid polygons (naming the feature) unless ``make_valid``."""
    from shapely.validation import explain_validity
    from shapely.validation import make_valid as fix

    geoms = list(raw.geometry)
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            raise InputError(
                code="geometry.invalid",
                params={"feature": ids.iloc[i], "reason": "empty geometry"},
                file=src,
                row=i + 1,
                field="geometry",
            )
        if not geom.is_valid:
            if make_valid:
                fixed = fix(geom)
                if fixed.geom_type == "GeometryCollection":
                    polys = [g for g in fixed.geoms if g.geom_type.endswith("Polygon")]
                    fixed = shapely.union_all(polys) if polys else fixed
                geoms[i] = fixed
                continue
            raise InputError(
                code="geometry.invalid",
                params={"feature": ids.iloc[i], "reason": explain_validity(geom)},
                file=src,
                row=i + 1,
                field="geometry",
            )
    return geoms


def _check_not_tiny(gdf, boundary, src):
    """Refuse an area under ``MIN_AREA_SHARE`` of the municipality's area."""
    muni = float(boundary.to_crs(METRIC_CRS).area.sum())
    metric = gdf.to_crs(METRIC_CRS)
    for i, area in enumerate(metric.area):
        if area < limits.MIN_AREA_SHARE * muni:
            raise InputError(
                code="geometry.too_small",
                params={
                    "feature": metric.area_id.iloc[i],
                    "area": f"{area:.1f}",
                    "share": f"{100 * area / muni:.4f} %",
                },
                file=src,
                row=i + 1,
                field="geometry",
            )


def _name(value, src, row):
    """An area's name: None when null or blank (the default text is used)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if len(text) > limits.MAX_TEXT:
        raise InputError(
            code="limit.text_length",
            params={"what": "name", "n": len(text), "limit": limits.MAX_TEXT},
            file=src,
            row=row,
            field="name",
        )
    return text or None


def read_areas(path, *, boundary=None, area_ids=AREA_IDS, make_valid=False):
    """Read official area polygons from a GeoJSON or GeoPackage file.

    Each feature needs an id (``area_id``, ``id`` or ``omrade_id``) that is one of
    ``area_ids`` (Lørenskog's six by default); with ``area_ids=None`` (another
    kommune) the file defines the areas: ids of lower-case letters, digits, ``-``
    and ``_``, at most 40 areas, in the file's order. A name column is optional. The text of each area is taken
    from ``AREA_INFO``. The areas must not overlap; when ``boundary`` is given,
    each must lie mostly inside it.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.geojson``/``.json`` or ``.gpkg`` file with (Multi)Polygons and a CRS.
    boundary : geopandas.GeoDataFrame, optional
        The municipal boundary.
    area_ids : sequence of str or None
        The areas the file must hold, or None to take them from the file.

    Returns
    -------
    geopandas.GeoDataFrame
        The areas in ``area_ids`` order (the file's without), ``indicative`` False.

    Raises
    ------
    InputError
        The file cannot be read, lacks the id column, has an unknown or repeated
        id, a missing area, a non-polygon geometry, overlapping areas, or an area
        outside the municipality.
    """
    path = Path(path)
    src = path.name
    if not path.is_file():
        raise InputError(code="file.not_found", file=src)
    _prechecked(path, src)
    try:
        raw = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several kinds
        raise InputError(
            f"cannot read as GeoJSON or GeoPackage ({exc})", file=src
        ) from exc
    if raw.crs is None:
        raise InputError("the file has no CRS", file=src)
    if raw.crs.is_vertical and not (raw.crs.is_projected or raw.crs.is_geographic):
        raise InputError(
            code="crs.vertical", params={"code": raw.crs.to_epsg() or "?"}, file=src
        )
    cols = {c.lower(): c for c in raw.columns}
    id_col = next((cols[c] for c in ID_COLUMNS if c in cols), None)
    if id_col is None:
        raise InputError(
            "no id column (area_id, id or omrade_id)", file=src, field="area_id"
        )
    name_col = next((cols[c] for c in NAME_COLUMNS if c in cols), None)
    ids = raw[id_col].astype(str).str.strip().str.lower()
    free = area_ids is None
    if free:
        _check_free_ids(ids, src, id_col)
        area_ids = tuple(dict.fromkeys(ids))
    for i, value in enumerate(ids, start=1):
        if value not in area_ids:
            raise InputError(
                f"unknown area id {value!r}; expected one of {', '.join(area_ids)}",
                file=src,
                row=i,
                field=id_col,
            )
    dup = ids[ids.duplicated()]
    if len(dup):
        row = int(dup.index[0]) + 1
        raise InputError(
            f"area id {dup.iloc[0]!r} appears twice", file=src, row=row, field=id_col
        )
    missing = [a for a in area_ids if a not in set(ids)]
    if missing:
        raise InputError(
            f"missing area(s): {', '.join(missing)}", file=src, field=id_col
        )
    geoms = _check_geometries(raw, ids, src, make_valid=make_valid)
    rows = []
    for i, area_id in enumerate(ids):
        name = _name(raw[name_col].iloc[i], src, i + 1) if name_col else None
        name = name[:80] if name else None
        if free and not name:
            name = area_id
        rows.append(_area_row(area_id, indicative=False, name=name))
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=raw.crs)
    gdf = conform("areas", gdf, source=src)
    if boundary is not None:
        _check_not_tiny(gdf, boundary, src)
    _check_disjoint(gdf, src)
    if boundary is not None:
        _check_inside(gdf, boundary, src)
    order = {a: i for i, a in enumerate(area_ids)}
    return gdf.sort_values("area_id", key=lambda s: s.map(order)).reset_index(drop=True)


def _check_free_ids(ids, src, id_col):
    if len(ids) == 0:
        raise InputError("the file holds no areas", file=src, field=id_col)
    if len(ids) > MAX_FREE_AREAS:
        raise InputError(
            f"{len(ids)} areas; at most {MAX_FREE_AREAS}", file=src, field=id_col
        )
    for i, value in enumerate(ids, start=1):
        if value in ("rest", "total") or not FREE_ID.fullmatch(value):
            raise InputError(
                f"area id {value[:40]!r}: use 1-40 lower-case letters, digits, - or _ "
                "(not rest or total)",
                file=src,
                row=i,
                field=id_col,
            )


def _check_disjoint(gdf, src):
    metric = gdf.to_crs(METRIC_CRS)
    for i in range(len(metric)):
        for j in range(i + 1, len(metric)):
            overlap = metric.geometry.iloc[i].intersection(metric.geometry.iloc[j]).area
            if overlap > 1.0:  # m²: shared edges are fine
                a, b = metric.area_id.iloc[i], metric.area_id.iloc[j]
                raise InputError(
                    f"areas {a} and {b} overlap by {overlap:.0f} m²",
                    file=src,
                    row=j + 1,
                    field="geometry",
                )


def _check_inside(gdf, boundary, src):
    metric = gdf.to_crs(METRIC_CRS)
    muni = boundary.to_crs(METRIC_CRS).union_all().buffer(250)
    for i, geom in enumerate(metric.geometry):
        share = geom.intersection(muni).area / geom.area if geom.area else 0.0
        if share < 0.9:
            raise InputError(
                f"area {metric.area_id.iloc[i]} lies {100 * (1 - share):.0f}% outside "
                "the municipality",
                file=src,
                row=i + 1,
                field="geometry",
            )


def fixed_points():
    """Return the fixed points as a GeoDataFrame (area_id, name, geometry), EPSG:4326."""
    rows = [
        {"area_id": a, "name": n, "geometry": Point(xy)}
        for a, pts in FIXED_POINTS.items()
        for n, xy in pts.items()
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
