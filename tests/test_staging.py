"""Staged bulk imports (layers.register.staging): upload, preview, confirm."""

from __future__ import annotations

import base64

import geopandas as gpd
import pytest
from shapely.geometry import box

from layers import register
from layers.errors import InputError
from layers.register import staging
from layers.schemas import CRS
from layers.store import open_store

CSV = (
    "tittel;adresse;type;areal_m2;status;lat;lon\n"
    "Kontor A;Skårersletta 1;kontor;200;ledig;59.93;10.96\n"
    "Lager B;Visperudveien 2;lager;900;ledig;59.92;10.93\n"
)


@pytest.fixture
def store(new_store):
    """A store holding only a boundary around Lørenskog (both backends)."""
    boundary = gpd.GeoDataFrame(
        {"kommunenummer": ["3222"], "kommunenavn": ["Lørenskog"]},
        geometry=[box(10.90, 59.83, 11.04, 59.96)],
        crs=CRS,
    )
    s = new_store()
    s.locator = new_store.locator(s)
    s.replace_layers({"boundary": (boundary, {"source": "test"})})
    return s


def test_stage_then_confirm_imports_the_list(store):
    """A staged list is kept under a token and imported on confirmation."""
    staged = staging.stage(store, "liste.csv", CSV.encode())
    assert len(staged.report["added"]) == 2 and staged.ticket is not None
    assert not register.has_register(store)
    outcome = staging.confirm(store, staged.ticket, user="kari")
    assert outcome.state == "done" and len(outcome.report["added"]) == 2
    assert len(register.all_listings(store)) == 2
    assert staging.staged_tokens(store) == []


def test_another_server_confirms_what_one_staged(store):
    """The staged list lives in the store: another handle (server) confirms it."""
    staged = staging.stage(store, "liste.csv", CSV.encode())
    assert staging.staged_tokens(store) == [staged.ticket["token"]]
    other = open_store(store.locator)
    outcome = staging.confirm(other, staged.ticket, user="ola")
    assert outcome.state == "done" and len(register.all_listings(store)) == 2
    assert staging.confirm(store, staged.ticket, user="kari").state == "expired"


def test_discard_removes_the_upload(store):
    """A discarded upload cannot be confirmed any more."""
    staged = staging.stage(store, "liste.csv", CSV.encode())
    staging.discard(store, staged.ticket)
    assert staging.staged_tokens(store) == []
    assert staging.confirm(store, staged.ticket, user="kari").state == "expired"


def test_confirm_refuses_a_stale_preview(store):
    """When the register changed since the preview, nothing is imported."""
    first = staging.stage(store, "liste.csv", CSV.encode())
    one = "\n".join(CSV.splitlines()[:2]) + "\n"
    other = staging.stage(store, "en.csv", one.encode())
    assert staging.confirm(store, other.ticket, user="ola").state == "done"
    outcome = staging.confirm(store, first.ticket, user="kari")
    assert outcome.state == "stale" and len(outcome.report["added"]) == 1
    assert len(register.all_listings(store)) == 1


def test_confirm_with_a_changed_register_is_stale(store):
    """A digest that no longer matches the register gives 'stale' and a new ticket."""
    staged = staging.stage(store, "liste.csv", CSV.encode())
    ticket = {**staged.ticket, "digest": "0" * 64}
    outcome = staging.confirm(store, ticket, user="kari")
    assert outcome.state == "stale" and outcome.ticket["digest"] != "0" * 64
    assert not register.has_register(store)


def test_a_bad_file_is_not_kept(store):
    """A list with an error raises with a code and leaves no staged file."""
    with pytest.raises(InputError) as info:
        staging.stage(store, "liste.csv", CSV.replace("200", "-5").encode())
    assert info.value.problems[0].code == "value.not_positive"
    assert staging.staged_tokens(store) == []


def test_tokens_never_name_other_uploads(store):
    """Only a 32-hex token and the staged suffix find an upload."""
    staged = staging.stage(store, "liste.csv", CSV.encode())
    token = staged.ticket["token"]
    assert not staging.valid("../s", ".csv") and not staging.valid("a" * 32, ".gpkg")
    assert staging.fetch(store, token, ".csv") == CSV.encode()
    assert staging.fetch(store, token, ".xlsx") is None
    assert staging.fetch(store, token.upper(), ".csv") is None
    outcome = staging.confirm(store, {"token": "../../x", "suffix": ".csv"}, user="k")
    assert outcome.state == "expired"


def test_decode_refuses_before_reading():
    """Oversized, wrongly typed or undecodable uploads are refused up front."""
    ok = base64.b64encode(b"x").decode()
    assert staging.decode({"name": "a.csv", "contents": f"data:;base64,{ok}"}) == (
        "a.csv",
        b"x",
    )
    assert staging.decode({"name": "a.exe", "contents": ""})[1].reason == "file_type"
    assert staging.decode({"name": "a.csv", "contents": "nope"})[1].reason == (
        "unreadable"
    )
    big = staging.decode({"name": "a.csv", "too_big": True, "size": 2e7})[1]
    assert big.reason == "too_big" and big.size == 20_000_000


def test_old_uploads_are_cleaned(store):
    """Staged uploads older than MAX_AGE_S are removed, younger ones kept."""
    staging.put(store, "b" * 32, ".csv", "old.csv", b"x", now=1000.0)
    staging.put(store, "c" * 32, ".csv", "new.csv", b"y", now=5000.0)
    staging.clean(store, now=1000.0 + staging.MAX_AGE_S + 1)
    assert staging.staged_tokens(store) == ["c" * 32]
