"""Server-side sessions in the store, on both backends."""

from datetime import UTC, datetime, timedelta

import geopandas as gpd
import pytest
from shapely.geometry import box

from layers.schemas import CRS
from layers.store import open_store, sessions

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(new_store):
    """A store holding only a boundary (both backends)."""
    s = new_store()
    boundary = gpd.GeoDataFrame(
        {"kommunenummer": ["3222"], "kommunenavn": ["Lørenskog"]},
        geometry=[box(10.90, 59.83, 11.04, 59.96)],
        crs=CRS,
    )
    s.replace_layers({"boundary": (boundary, {"source": "test"})})
    s.locator = new_store.locator(s)
    return s


def test_a_session_is_known_to_another_server_until_it_expires(store):
    """A token made on one handle is valid on another, until its expiry."""
    token = sessions.create_session(store, "kari", hours=1, now=T0)
    other = open_store(store.locator)
    assert sessions.session_user(other, token, now=T0) == "kari"
    assert sessions.session_user(other, token, now=T0 + timedelta(hours=2)) is None
    assert sessions.session_user(other, token + "x", now=T0) is None


def test_only_the_hash_of_the_token_is_stored(store):
    """The table holds the token's SHA-256, never the token."""
    token = sessions.create_session(store, "kari", now=T0)
    with sessions.reading(store) as con:
        stored = [r[0] for r in con.execute("SELECT token_hash FROM sessions")]
    assert stored == [sessions.token_hash(token)] and token not in stored


def test_revoking_ends_the_session_everywhere(store):
    """Logout and 'revoke all' end sessions at once; purge removes them."""
    a = sessions.create_session(store, "kari", now=T0)
    b = sessions.create_session(store, "kari", now=T0)
    c = sessions.create_session(store, "ola", now=T0)
    sessions.revoke_session(store, a, now=T0)
    assert sessions.session_user(store, a, now=T0) is None
    assert sessions.revoke_user(store, "kari", now=T0) == 1
    assert sessions.session_user(open_store(store.locator), b, now=T0) is None
    assert sessions.session_user(store, c, now=T0) == "ola"
    assert sessions.purge(store, now=T0) == 2
