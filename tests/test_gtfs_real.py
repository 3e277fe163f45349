"""Entur GTFS as it really comes: chained parents, unknown stops, holiday weeks."""

import datetime as dt

import pytest

from layers.errors import InputError
from layers.sources.gtfs import read_gtfs
from tests.gtfs_fixtures import LORENSKOG_BBOX, feed_tables, write_feed

SP1 = "NSR:StopPlace:1"


def _stops_with(*rows):
    lines = feed_tables()["stops.txt"]
    return {"stops.txt": [*lines, *rows]}


def _stop_times_with(row):
    lines = feed_tables()["stop_times.txt"]
    return {"stop_times.txt": [*lines, row]}


def test_chained_parents_resolve_to_the_top_stop_place(tmp_path):
    """quay -> quay -> stop place: the lower quay counts at the stop place."""
    replace = _stops_with(
        "NSR:Quay:13,Lørenskog stasjon spor 3,59.9281,10.9551,,0,NSR:Quay:11,1,,3"
    )
    replace.update(_stop_times_with("T4,09:30:00,09:30:00,NSR:Quay:13,3,0,0,"))
    path = write_feed(tmp_path / "feed.zip", replace=replace)
    plain = read_gtfs(write_feed(tmp_path / "plain.zip"), date="2024-01-09")
    result = read_gtfs(path, date="2024-01-09")
    stops = result.stops.set_index("stop_id")
    assert "NSR:Quay:13" not in stops.index and "NSR:Quay:11" not in stops.index
    before = plain.stops.set_index("stop_id").loc[SP1, "departures_day"]
    assert stops.loc[SP1, "departures_day"] == before + 1
    assert result.report["parent_chains_resolved"] == 1


def test_parent_loop_is_refused_naming_the_row(tmp_path):
    """Two quays naming each other as parent: no stop place at the top."""
    replace = _stops_with(
        "NSR:Quay:41,A,59.93,10.95,,0,NSR:Quay:42,0,,",
        "NSR:Quay:42,B,59.93,10.95,,0,NSR:Quay:41,0,,",
    )
    path = write_feed(tmp_path / "feed.zip", replace=replace)
    with pytest.raises(InputError, match=r"stops\.txt, row 8.*loops"):
        read_gtfs(path, date="2024-01-09")


@pytest.mark.parametrize("bbox", [None, LORENSKOG_BBOX])
def test_stop_time_naming_a_missing_stop_is_an_error(tmp_path, bbox):
    """A stop_time whose stop_id stops.txt lacks names its row (also with bbox)."""
    replace = _stop_times_with("T4,09:30:00,09:30:00,NSR:Quay:999,3,0,0,")
    path = write_feed(tmp_path / "feed.zip", replace=replace)
    with pytest.raises(InputError) as info:
        read_gtfs(path, date="2024-01-09", bbox=bbox)
    text = str(info.value)
    assert "stop_times.txt, row 10" in text and "NSR:Quay:999" in text
    assert "stops.txt" in text


def test_reference_date_skips_a_holiday_week(tmp_path):
    """Thin service on the first Tuesdays (a holiday week) is passed over."""
    tables = feed_tables()
    # WK runs every weekday of January; HOL adds nothing. Remove WK from the
    # whole first two weeks but for one thin Tuesday trip (T3 on EXTRA).
    dates = [tables["calendar_dates.txt"][0]]
    for day in range(1, 13):
        stamp = dt.date(2024, 1, day)
        if stamp.weekday() < 5:
            dates.append(f"WK,{stamp:%Y%m%d},2")
    dates += ["EXTRA,20240102,1", "EXTRA,20240109,1", "EXTRA,20240113,1"]
    path = write_feed(tmp_path / "feed.zip", replace={"calendar_dates.txt": dates})
    # 2 and 9 January have only EXTRA's one trip; from 15 January WK runs again.
    assert read_gtfs(path).reference_date == dt.date(2024, 1, 16)


def test_import_refuses_a_feed_that_would_leave_a_layer_empty(
    tmp_path, default_store, capsys
):
    """A feed without shapes would empty transit_lines: exit 2, store unchanged."""
    import hashlib

    from layers.cli import main

    store = tmp_path / "store.gpkg"
    store.write_bytes(default_store.read_bytes())
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    feed = write_feed(tmp_path / "feed.zip", drop=("shapes.txt",))
    assert main(["import", "gtfs", str(feed), "--store", str(store)]) == 2
    assert "leave the layer transit_lines empty" in capsys.readouterr().err
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before
