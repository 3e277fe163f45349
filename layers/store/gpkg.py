"""The GeoPackage backend of the store: layers and side tables in one file.

A write never changes the live file in place. It copies the store, writes the new
layers into the copy, flushes it to disk and renames it over the old file
(``os.replace`` is atomic on POSIX). A failed or killed import therefore leaves the
previous store as it was, and readers in other processes see either the old or the
new file, never a half-written one.

The interface it implements is described in :mod:`layers.store.base`. Besides layers, ``replace_layers``
writes plain (non-spatial) tables alongside them, read back with ``read_table``
(the timetable of ``layers.timetable``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import sqlite3
import stat
import tempfile
from pathlib import Path

import pandas as pd
import pyogrio

from layers.errors import StoreError
from layers.frames import MEMO
from layers.schemas import GEOMETRY, OVERLAYS, SCHEMAS, conform, empty_layer
from layers.store.base import INFO_COLUMNS, StoreBase, info_from_meta, info_from_row

META_TABLE = "store_layers"
# Names of plain tables (see replace_layers): never a layer, GeoPackage or SQLite name.
_TABLE_NAME = re.compile(r"^(?!gpkg|rtree|sqlite|store_)[a-z][a-z0-9_]{0,62}$")
# GDAL stamps gpkg_contents.last_change with the current time unless this is set;
# a fixed value makes `python -m layers build` byte-for-byte reproducible.
FIXED_GPKG_DATE = "2000-01-01T00:00:00.000Z"


class GeoPackageStore(StoreBase):
    """Layers in one GeoPackage file, replaced atomically.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.gpkg`` file. It need not exist yet.
    """

    def __init__(self, path):
        self.path = Path(path)

    def __repr__(self):
        return f"GeoPackageStore({str(self.path)!r})"

    def exists(self):
        """Return True when the store file exists."""
        return self.path.is_file()

    def _journal(self):
        return self.path.with_name(self.path.name + "-journal")

    def recover(self):
        """Roll back a transaction left by a killed writer (a "hot" journal), if any.

        Read-only connections cannot roll it back, and a copy of the file without
        it would be inconsistent. Holding the write lock means the journal of a
        writer still at work is never touched.
        """
        if self._journal().exists() and self.exists():
            with self._lock():
                self._recover_locked()

    def _recover_locked(self):
        if self._journal().exists() and self.exists():
            with contextlib.closing(self.connect(readonly=False)) as con:
                con.execute("SELECT count(*) FROM sqlite_master").fetchone()

    def version(self, name=None):
        """Return a token that changes whenever the store (or one layer) changes.

        Parameters
        ----------
        name : str, optional
            A layer. Without it, the token covers the whole file.

        Returns
        -------
        tuple
            Layer imports replace the file (a new inode); edits in place bump
            SQLite's file change counter (header bytes 24-27), which is exact where
            modification times are coarse.
        """
        st = self.path.stat()
        with open(self.path, "rb") as fh:
            header = fh.read(28)
        counter = int.from_bytes(header[24:28], "big") if len(header) == 28 else 0
        if name is None or name in OVERLAYS:
            # Overlays are edited in place: any change of the file counts.
            return (st.st_ino, st.st_size, st.st_mtime_ns, counter)
        # Other layers change only through replace_layers, which writes a new file.
        return (st.st_dev, st.st_ino, self._layer_row(name))

    def _layer_row(self, name):
        try:
            with contextlib.closing(self._connect()) as con:
                return con.execute(
                    f"SELECT imported_at, rows, source, as_of FROM {META_TABLE} "
                    "WHERE name = ?",
                    (name,),
                ).fetchone()
        except sqlite3.DatabaseError:
            return None

    def _stored_infos(self):
        self.recover()
        with contextlib.closing(self._connect()) as con:
            try:
                rows = con.execute(
                    f"SELECT {INFO_COLUMNS} FROM {META_TABLE}"
                ).fetchall()
            except sqlite3.DatabaseError as exc:
                raise StoreError(
                    code="store.unreadable",
                    params={"path": str(self.path), "reason": str(exc)},
                ) from exc
        return [info_from_row(r) for r in rows]

    def _connect(self):
        uri = f"file:{self.path}?mode=ro"
        return sqlite3.connect(uri, uri=True)

    def key(self):
        """Return the store's identity for caches (its resolved path)."""
        return str(self.path.resolve())

    def read_stored(self, name):
        """Read a layer as imported (an overlay's stored layer, not its side tables)."""
        try:
            raw = pyogrio.read_dataframe(self.path, layer=name, use_arrow=True)
        except Exception as exc:
            raise StoreError(
                code="store.layer_unreadable",
                params={"path": str(self.path), "layer": name, "reason": str(exc)},
            ) from exc
        if len(raw) == 0:
            return empty_layer(name)
        return conform(name, raw, source=f"{self.path}:{name}")

    def replace_layers(self, layers, *, reproducible=False):
        """Replace one or more layers in a single atomic step.

        Every frame is checked against its schema before anything is written.

        Parameters
        ----------
        layers : dict
            ``{name: (GeoDataFrame, dict of metadata)}``. Metadata keys: ``source``,
            ``licence``, ``as_of``, ``demonstration``, ``imported_at``, ``details``.
            A value whose frame is a plain ``pandas.DataFrame`` (no geometry) is a
            non-spatial table: written in the same step, replacing the table of
            that name, not listed as a layer; read back with :meth:`read_table`.
        reproducible : bool
            Fix GeoPackage timestamps so that equal input gives equal bytes.

        Returns
        -------
        list of LayerInfo
        """
        checked, tables = {}, {}
        for name, (gdf, meta) in layers.items():
            if name not in SCHEMAS and not hasattr(gdf, "geometry"):
                if not _TABLE_NAME.match(name):
                    raise StoreError(f"bad table name {name!r}")
                tables[name] = gdf
                continue
            if name not in SCHEMAS:
                raise StoreError(code="store.unknown_layer", params={"layer": name})
            checked[name] = (conform(name, gdf, source=name), dict(meta))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock():
                self._remove_orphans()
                return self._replace_locked(checked, reproducible, tables)
        except StoreError:
            raise
        except (OSError, sqlite3.DatabaseError, pyogrio.errors.DataSourceError) as exc:
            raise self._write_error(exc) from exc
        except Exception as exc:  # pyogrio wraps GDAL's I/O errors in several kinds
            if "space" in str(exc).lower() or "read-only" in str(exc).lower():
                raise self._write_error(exc) from exc
            raise

    def _replace_locked(self, checked, reproducible, tables):
        if self.exists() and not os.access(self.path, os.W_OK):
            raise StoreError(
                code="store.read_only",
                params={"path": str(self.path), "reason": "the file is read-only"},
            )
        if not os.access(self.path.parent, os.W_OK):
            raise StoreError(
                code="store.read_only",
                params={"path": str(self.path), "reason": "its folder is read-only"},
            )
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp.gpkg", dir=self.path.parent
        )
        os.close(fd)
        tmp = Path(tmp)
        try:
            self._recover_locked()
            if self.exists():
                _check_store_file(self.path)
                shutil.copyfile(self.path, tmp)
                _keep_mode_and_owner(self.path, tmp)
            else:
                tmp.unlink()
            infos = self._write(tmp, checked, reproducible, tables)
            _fsync(tmp)
            os.replace(tmp, self.path)
            _fsync_dir(self.path.parent)
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        return infos

    def _remove_orphans(self):
        """Remove temporary copies (and their journals) left by a killed import.

        Called with the write lock held: no other writer is at work, so every
        ``.<store>.*.tmp.gpkg`` next to the store is an orphan.
        """
        for pattern in (".tmp.gpkg", ".tmp.gpkg-journal"):
            for orphan in self.path.parent.glob(f".{self.path.name}.*{pattern}"):
                with contextlib.suppress(FileNotFoundError):
                    orphan.unlink()

    def _write_error(self, exc):
        """A StoreError for a failed write: read-only, full disk or other I/O."""
        text = str(exc)
        params = {"path": str(self.path), "reason": text}
        no = getattr(exc, "errno", None)
        if no == errno.ENOSPC or "full" in text.lower() or "space" in text.lower():
            return StoreError(code="store.disk_full", params={"path": str(self.path)})
        if no in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in text.lower():
            return StoreError(code="store.read_only", params=params)
        if isinstance(exc, sqlite3.DatabaseError):
            return StoreError(code="store.damaged", params=params)
        return StoreError(code="store.io", params=params)

    def _write(self, target, checked, reproducible, tables=None):
        config = {"OGR_CURRENT_DATE": FIXED_GPKG_DATE} if reproducible else {}
        old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
        pyogrio.set_gdal_config_options(config or {"OGR_CURRENT_DATE": old})
        try:
            for name, (gdf, _meta) in sorted(checked.items()):
                kinds = GEOMETRY[name]
                multi = any(k.startswith("Multi") for k in kinds)
                pyogrio.write_dataframe(
                    gdf,
                    target,
                    layer=name,
                    driver="GPKG",
                    geometry_type=kinds[-1] if multi else kinds[0],
                    promote_to_multi=multi,
                    layer_options={"SPATIAL_INDEX": "YES"},
                )
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})
        infos = []
        with contextlib.closing(sqlite3.connect(target)) as con, con:
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {META_TABLE} (name TEXT PRIMARY KEY, "
                "source TEXT NOT NULL, licence TEXT NOT NULL, as_of TEXT NOT NULL, "
                "demonstration INTEGER NOT NULL, imported_at TEXT NOT NULL, "
                "rows INTEGER NOT NULL, details TEXT NOT NULL)"
            )
            for name, (gdf, meta) in sorted(checked.items()):
                info = info_from_meta(name, gdf, meta)
                con.execute(
                    f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?,?,?,?,?,?,?,?)",
                    (
                        info.name,
                        info.source,
                        info.licence,
                        info.as_of,
                        int(info.demonstration),
                        info.imported_at,
                        info.rows,
                        info.details,
                    ),
                )
                infos.append(info)
            for name, frame in sorted((tables or {}).items()):
                frame.to_sql(name, con, if_exists="replace", index=False)
        if reproducible:
            with contextlib.closing(sqlite3.connect(target)) as con:
                con.execute("VACUUM")
        return infos

    def read_table(self, name):
        """Read a plain table written by :meth:`replace_layers` (``None`` if absent).

        Cached per process like layers; callers must not modify the frame.
        """
        if not _TABLE_NAME.match(name) or not self.exists():
            return None
        self.recover()
        st = self.path.stat()
        # Plain tables change only with replace_layers, which swaps in a new file:
        # the inode is their version (register and session edits leave it alone).
        return MEMO.get(
            "store.table",
            self,
            name,
            lambda: self._read_table(name),
            version=(st.st_dev, st.st_ino),
        )

    def _read_table(self, name):
        with contextlib.closing(self._connect()) as con:
            found = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
            ).fetchone()
            return pd.read_sql_query(f'SELECT * FROM "{name}"', con) if found else None

    def write_lock(self):
        """Context manager: the store's exclusive write lock (a ``flock`` on a side file).

        Every writer holds it: layer replacement (copy, write, rename) and in-place
        edits of register tables, so neither can lose the other's change.
        """
        return self._lock()

    def connect(self, *, readonly=True):
        """Open a ``sqlite3`` connection to the store file.

        Open a new one for each operation: a layer import replaces the file, and a
        connection opened before that still points at the old one. Writers must hold
        :meth:`write_lock`.
        """
        if readonly:
            return self._connect()
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("PRAGMA journal_mode=DELETE")
        con.execute("PRAGMA synchronous=FULL")
        return con

    @contextlib.contextmanager
    def transaction(self):
        """One write transaction under the write lock (``BEGIN IMMEDIATE``).

        Commits when the block ends, rolls back on any exception.
        """
        with self.write_lock():
            con = self.connect(readonly=False)
            try:
                con.row_factory = sqlite3.Row
                con.execute("BEGIN IMMEDIATE")
                yield con
                con.commit()
            except BaseException:
                if con.in_transaction:
                    con.rollback()
                raise
            finally:
                con.close()

    @contextlib.contextmanager
    def snapshot(self):
        """A read-only connection (rows by column name), after any recovery."""
        self.recover()
        con = self.connect()
        try:
            con.row_factory = sqlite3.Row
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def _lock(self):
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _check_store_file(path):
    """Refuse to build on a store SQLite cannot read (truncated, not a database).

    Cheap: the header's page count against the file size (a truncated file is
    shorter), then SQLite reads its schema.
    """
    reason = _damage(path)
    if reason is None:
        try:
            uri = f"file:{path}?mode=ro"
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as con:
                con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            reason = str(exc)
    if reason is not None:
        raise StoreError(
            code="store.damaged", params={"path": str(path), "reason": reason}
        )


def _damage(path):
    """Why the file is not a whole SQLite database, or None."""
    with open(path, "rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return "not an SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size = os.path.getsize(path)
    if pages and size < pages * page_size:
        return f"truncated: {size:,} of {pages * page_size:,} bytes"
    return None


def _keep_mode_and_owner(original, copy):
    """Give the new file the old one's permission bits and (when allowed) owner."""
    st = os.stat(original)
    os.chmod(copy, stat.S_IMODE(st.st_mode))
    with contextlib.suppress(PermissionError):
        if (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            os.chown(copy, st.st_uid, st.st_gid)


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path):
    with contextlib.suppress(OSError):
        _fsync(path)
