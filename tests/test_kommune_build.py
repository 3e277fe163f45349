"""`build` and `rebuild` keep the store's kommune; area colours and texts by kommune."""

from __future__ import annotations

import pytest

from components.exports import AREA_COLOURS
from layers import build, cli, kommune
from layers.errors import InputError
from layers.store import open_store
from tests.test_kommune import _areas_file

NOT_LORENSKOG = ("Lørenskog", "Lorenskog")


@pytest.fixture(autouse=True)
def _restore_kommune():
    yield
    kommune.activate(kommune.default())


@pytest.fixture
def raelingen(tmp_path):
    """A GeoPackage store set up for Rælingen (3224) with two areas."""
    store = tmp_path / "s.gpkg"
    areas = str(_areas_file(tmp_path / "a.geojson"))
    assert (
        cli.main(["init", "--kommune", "3224", "--areas", areas, "--store", str(store)])
        == 0
    )
    return store


def _is_raelingen(store):
    s = open_store(store)
    k = kommune.for_store(s)
    assert (k.number, k.name, k.areas) == ("3224", "Rælingen", ("fjerdingby", "loeken"))
    infos = s.list_layers()
    assert not any(i.demonstration for i in infos)
    for info in infos:
        for word in NOT_LORENSKOG:
            assert word not in info.source + info.details, info.name
    assert list(s.read_layer("areas")["area_id"]) == ["fjerdingby", "loeken"]
    assert s.read_layer("establishments").empty


def test_build_of_another_kommunes_store_keeps_the_kommune(raelingen):
    """`build` on a Rælingen store rebuilds Rælingen (its areas kept), not Lørenskog."""
    assert cli.main(["build", "--store", str(raelingen)]) == 0
    _is_raelingen(raelingen)


def test_build_keeps_what_was_imported(raelingen):
    """An imported layer of another kommune survives `build` (no placeholder over it)."""
    import geopandas as gpd
    from shapely.geometry import Point

    s = open_store(raelingen)
    mine = gpd.GeoDataFrame(
        {"name": ["Fjerdingby kirke"], "confidence": ["high"], "source": ["test"]},
        geometry=[Point(11.06, 59.905)],
        crs="EPSG:4326",
    )
    s.replace_layers({"landmarks": (mine, {"source": "imported here"})})
    build.build_store(s)
    assert list(s.read_layer("landmarks")["name"]) == ["Fjerdingby kirke"]
    assert s.layer_info("landmarks").source == "imported here"
    assert kommune.for_store(s).number == "3224"


def test_rebuild_of_another_kommunes_store_keeps_the_kommune(raelingen):
    """The rebuild plan names Rælingen, and the rebuilt store is Rælingen's."""
    plan = build.rebuild_plan(open_store(raelingen))
    assert plan["kommune"].number == "3224"
    assert "  kommune: Rælingen (3224)" in build.plan_text(plan)
    build.rebuild_store(open_store(raelingen), plan)
    _is_raelingen(raelingen)


def test_default_build_is_still_lorenskog(tmp_path):
    """A new store builds as the shipped default."""
    store = open_store(tmp_path / "d.gpkg")
    build.build_store(store)
    assert kommune.for_store(store).number == "3222"


CONFIG = {
    "number": "3224",
    "name": "Rælingen",
    "area_colours": {"fjerdingby": "#117733"},
    "area_texts": {"fjerdingby": {"description_nb": "Sentrum ved Øyeren."}},
}


def test_area_colours_and_texts_come_from_the_configuration():
    """A configured colour and text are used; the rest are neutral defaults."""
    k = kommune.Kommune.from_dict(CONFIG).with_areas(
        {"area_id": ["fjerdingby", "loeken"], "name": ["Fjerdingby", "Løken"]}
    )
    kommune.activate(k)
    assert AREA_COLOURS["fjerdingby"] == "#117733"
    assert (
        AREA_COLOURS["loeken"].startswith("#") and AREA_COLOURS["loeken"] != "#117733"
    )
    assert kommune.area_texts("fjerdingby")["description_nb"] == "Sentrum ved Øyeren."
    assert set(kommune.area_texts("loeken").values()) == {""}
    from layers.sources.areas import AREA_INFO

    shipped = kommune.area_texts("sentrum", AREA_INFO)
    assert set(shipped.values()) == {""}  # not Lørenskog's


def test_the_default_kommune_keeps_the_shipped_area_texts():
    """Lørenskog's areas have their texts without any configuration of texts."""
    from layers.sources.areas import AREA_INFO

    assert kommune.area_texts("visperud", AREA_INFO)["description_nb"]


@pytest.mark.parametrize(
    "bad",
    [
        {"area_colours": {"a": "red"}},
        {"area_colours": {"a": "#12345"}},
        {"area_texts": {"a": {"description_nb": "x" * 601}}},
        {"area_texts": {"a": "text"}},
    ],
)
def test_bad_area_colours_or_texts_are_refused(bad):
    """Colours are #rrggbb; texts are bounded strings."""
    with pytest.raises(InputError):
        kommune.Kommune.from_dict({"number": "3224", "name": "Rælingen", **bad})


def test_colours_and_texts_survive_the_store_metadata():
    """to_dict / from_dict keep them (the store records its kommune that way)."""
    k = kommune.Kommune.from_dict(CONFIG)
    again = kommune.Kommune.from_dict(k.to_dict())
    assert (
        again.area_colours == k.area_colours
        and again.area_texts["fjerdingby"]["description_nb"] == "Sentrum ved Øyeren."
    )
