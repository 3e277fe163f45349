"""Copy a whole store to another backend: ``python -m layers migrate --from A --to B``.

Copies the layers as imported (with their metadata), the premises register with
its history and versions, the accounts, and the plain tables; then checks the copy:
the same layers with the same row counts, the same side-table rows, and the same
per-area figures (``layers.stats.store_figures``). Sessions and staged uploads are
not copied (they belong to the running servers, not to the data).

The target is written in the backends' own atomic steps (one layer replacement,
one transaction for the side tables); the source is only read.
"""

from __future__ import annotations

import json
import math

from layers.errors import StoreError
from layers.store.base import reading, require_store, table_exists, writing

META = "store_layers"
SIDE_TABLES = ("register_premises", "register_history", "users")


def _schemas(con):
    from layers import register, users

    register.ensure_schema(con)
    users.ensure_schema(con)


def _stored_meta(store):
    # Layers only: PostGIS lists plain tables in the same table (kind 'table').
    layer_names = {i.name for i in store.list_layers()}
    with reading(store) as con:
        rows = con.execute(
            f"SELECT name, source, licence, as_of, demonstration, imported_at, "
            f"rows, details FROM {META} ORDER BY name"
        ).fetchall()
    return {
        r[0]: {
            "source": r[1],
            "licence": r[2],
            "as_of": r[3],
            "demonstration": bool(r[4]),
            "imported_at": r[5],
            "details": json.loads(r[7] or "{}"),
        }
        for r in rows
        if r[0] in layer_names
    }


def _rows(store, table):
    with reading(store) as con:
        if not table_exists(con, table):
            return []
        order = "id" if table == "register_history" else "1"
        return [dict(r) for r in con.execute(f"SELECT * FROM {table} ORDER BY {order}")]


def _used(store):
    if not store.exists():
        return False
    try:
        if store.list_layers():
            return True
    except StoreError:
        return False
    return any(_rows(store, t) for t in SIDE_TABLES)


def copy_store(source, target, *, replace=False, tables=()):
    """Copy ``source`` into ``target`` and verify the copy; return a summary dict.

    ``tables`` names plain tables (written beside the layers: the timetable, the
    firm index) copied in the same step as the layers, when the source has them.

    Raises
    ------
    StoreError
        The source is missing, the target holds data (without ``replace``), or
        the copy differs from the source (``store.migrate_mismatch``).
    """
    require_store(source)
    if source.key() == target.key():
        raise StoreError(code="store.migrate_same", params={"store": str(source.path)})
    if not replace and _used(target):
        raise StoreError(
            code="store.migrate_target_used", params={"store": str(target.path)}
        )
    metas = _stored_meta(source)
    layers = {name: (source.read_stored(name), meta) for name, meta in metas.items()}
    for name in tables:
        try:
            table = source.read_table(name)
        except StoreError:
            table = None  # PostGIS: no such table
        if table is not None:
            layers[name] = (table, {})
    target.replace_layers(layers)
    side = {t: _rows(source, t) for t in SIDE_TABLES}
    with writing(target, schema=_schemas) as con:
        for table, rows in side.items():
            con.execute(f"DELETE FROM {table}")
            if not rows:
                continue
            names = list(rows[0])
            quoted = ", ".join(f'"{n}"' for n in names)
            marks = ", ".join("?" for _ in names)
            for row in rows:
                con.execute(
                    f"INSERT INTO {table} ({quoted}) VALUES ({marks})",
                    [row[n] for n in names],
                )
        if getattr(con, "dialect", "") == "postgresql":
            con.execute(
                "SELECT setval(pg_get_serial_sequence('register_history', 'id'), "
                "coalesce((SELECT max(id) FROM register_history), 0) + 1, false)"
            )
    return verify(source, target)


def _figures(store):
    from layers.stats import store_figures

    return store_figures(store)


def _close(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


def _same_figures(a, b):
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b, strict=True):
        if set(ra) != set(rb) or not all(_close(ra[k], rb[k]) for k in ra):
            return False
    return True


def verify(source, target):
    """Compare two stores: layers and rows, side tables, per-area figures.

    Returns
    -------
    dict
        ``layers`` ({name: rows}), ``tables`` ({table: rows}) and ``figures``
        (number of figure rows compared).

    Raises
    ------
    StoreError
        ``store.migrate_mismatch`` naming what differs.
    """
    problems = []
    want = {i.name: i.rows for i in source.list_layers()}
    got = {i.name: i.rows for i in target.list_layers()}
    if want != got:
        problems.append(f"layers {want} != {got}")
    tables = {}
    for table in SIDE_TABLES:
        a, b = _rows(source, table), _rows(target, table)
        tables[table] = len(b)
        same = len(a) == len(b) and all(
            all(_close(ra[k], rb.get(k)) for k in ra)
            for ra, rb in zip(a, b, strict=False)
        )
        if not same:
            problems.append(f"{table}: {len(a)} rows, copy {len(b)}, or values differ")
    try:
        figures = _figures(source)
    except StoreError:
        figures = []  # a store without the layers the figures need
    if figures and not _same_figures(figures, _figures(target)):
        problems.append("the per-area figures differ")
    if problems:
        raise StoreError(
            code="store.migrate_mismatch",
            params={"store": str(target.path), "problems": "; ".join(problems)},
        )
    return {"layers": got, "tables": tables, "figures": len(figures)}
