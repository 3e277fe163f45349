"""Fixtures of the PostgreSQL tier, imported by ``tests/conftest.py``.

``pg_cluster`` starts one throw-away cluster per test session (see
:mod:`tests.pg.cluster`) and stops it at the end. ``new_store`` is THE backend
fixture: parametrized over ``gpkg`` and ``postgis``, it returns a factory of fresh,
empty stores (a file in ``tmp_path``, or a schema of its own in the cluster's
database), so the store and register tests run unchanged on both backends.

When PostgreSQL cannot be installed or started here, the ``postgis`` cases are
skipped with the reason; with ``NARING_REQUIRE_PG=1`` (``make test``, CI) they
fail instead.
"""

from __future__ import annotations

import os
import secrets

import pytest

from tests.pg import cluster as pg

BACKENDS = ("gpkg", "postgis")


def _required():
    return os.environ.get("NARING_REQUIRE_PG", "") not in ("", "0")


@pytest.fixture(scope="session")
def pg_cluster():
    """A running PostgreSQL 15 + PostGIS cluster for this session (or skip)."""
    reason = pg.unavailable()
    if reason:
        if _required():
            pytest.fail(f"PostgreSQL is required here: {reason}")
        pytest.skip(f"PostgreSQL tier skipped: {reason}")
    try:
        c = pg.start()
    except RuntimeError as exc:
        if _required():
            pytest.fail(f"PostgreSQL is required here: {exc}")
        pytest.skip(f"PostgreSQL tier skipped: {exc}")
    yield c
    c.stop()


def pg_store_url(cluster, schema=None):
    """A store URL of its own schema in the cluster's database."""
    return f"{cluster.url}?schema={schema or 't_' + secrets.token_hex(6)}"


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh PostGIS store URL (its own schema), dropped after the test."""
    from layers.store.postgis import PostGISStore, dispose

    url = pg_store_url(pg_cluster)
    yield url
    store = PostGISStore(url)
    dispose(store)
    pg_cluster.psql(f'DROP SCHEMA IF EXISTS "{store.schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def backend(request):
    """The store backend under test: ``gpkg`` or ``postgis``."""
    return request.param


@pytest.fixture
def new_store(backend, tmp_path, request):
    """Factory of fresh, empty stores of the backend under test.

    ``new_store()`` returns a store that does not exist yet (no layers, no side
    tables); ``new_store.locator(store)`` is what ``open_store`` (or another
    process's ``--store``) takes to open the same store.
    """
    from layers.store import GeoPackageStore, PostGISStore
    from layers.store.postgis import dispose

    made = []
    cluster = request.getfixturevalue("pg_cluster") if backend == "postgis" else None

    def make():
        if cluster is None:
            store = GeoPackageStore(tmp_path / f"s{len(made)}.gpkg")
        else:
            store = PostGISStore(pg_store_url(cluster))
        made.append(store)
        return store

    make.backend = backend
    make.locator = lambda store: str(store.url if cluster else store.path)
    make.cluster = cluster
    yield make
    if cluster is not None:
        for store in made:
            dispose(store)
            cluster.psql(f'DROP SCHEMA IF EXISTS "{store.schema}" CASCADE')
