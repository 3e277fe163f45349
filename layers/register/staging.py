"""Staged bulk imports: an uploaded broker list waits, checked, for the editor's yes.

The flow is upload -> preview (nothing written) -> confirm. :func:`stage` checks
the file, compares it with the register (:func:`~layers.register.preview_import`)
and keeps it under a random token with a digest of that preview; :func:`confirm`
applies it only if the register still gives the same preview, so an editor never
imports something other than what they saw.

Staged files are kept in the store itself (the side table ``register_uploads``:
in the GeoPackage file, or in the database, so that any app server can confirm
what another one staged), under a 128-bit random token, and removed when applied,
refused or older than ``MAX_AGE_S``. A token is only ever looked up after checking
its form.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from layers.errors import InputError
from layers.register.imports import apply_import, preview_import
from layers.register.validation import check_all_inside
from layers.store.base import reading, table_exists, writing

MAX_MB = 10
MAX_BYTES = MAX_MB * 1024 * 1024
SUFFIXES = (".csv", ".xlsx", ".geojson", ".json")
MAX_AGE_S = 24 * 3600
MAX_NAME = 200
_TOKEN = re.compile(r"[0-9a-f]{32}")
UPLOADS_TABLE = "register_uploads"
# SQLite; the PostGIS table comes from layers/store/migrations (same columns).
_SCHEMA_SQL = f"""CREATE TABLE IF NOT EXISTS {UPLOADS_TABLE} (
    token TEXT PRIMARY KEY NOT NULL,
    suffix TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at REAL NOT NULL,
    content BLOB NOT NULL)"""


@dataclass(frozen=True)
class Refused:
    """Why an upload was not staged (before its content was read).

    ``reason`` is ``"too_big"`` (``size`` in bytes), ``"file_type"`` or
    ``"unreadable"`` (not a base64 data URL).
    """

    reason: str
    name: str
    size: int = 0


@dataclass(frozen=True)
class Staged:
    """A checked upload: its preview and, when it would change something, its token.

    ``ticket`` is None when nothing would change (the file is then not kept);
    otherwise ``{"token", "suffix", "name", "digest"}``, to hand to :func:`confirm`.
    """

    name: str
    report: dict
    ticket: dict | None


def ensure_schema(con):
    """Create the staged uploads' table when missing (SQLite; idempotent)."""
    con.execute(_SCHEMA_SQL)


def _writing(store):
    return writing(store, schema=ensure_schema)


def valid(token, suffix):
    """Return True when ``token`` and ``suffix`` have the form of ours."""
    return bool(
        isinstance(token, str) and _TOKEN.fullmatch(token) and suffix in SUFFIXES
    )


def put(store, token, suffix, name, raw, now=None):
    """Keep an upload's bytes under ``token``."""
    now = time.time() if now is None else now
    with _writing(store) as con:
        con.execute(
            f"INSERT INTO {UPLOADS_TABLE} (token, suffix, name, created_at, content) "
            "VALUES (?, ?, ?, ?, ?)",
            (token, suffix, name[:MAX_NAME], float(now), bytes(raw)),
        )


def fetch(store, token, suffix):
    """Return the bytes staged under ``token`` (with that suffix), or None."""
    if not valid(token, suffix):
        return None
    with reading(store) as con:
        if not table_exists(con, UPLOADS_TABLE):
            return None
        row = con.execute(
            f"SELECT content FROM {UPLOADS_TABLE} WHERE token = ? AND suffix = ?",
            (token, suffix),
        ).fetchone()
    return None if row is None else bytes(row[0])


def drop(store, token):
    """Remove the upload staged under ``token`` (nothing when there is none)."""
    if not (isinstance(token, str) and _TOKEN.fullmatch(token)):
        return
    with _writing(store) as con:
        con.execute(f"DELETE FROM {UPLOADS_TABLE} WHERE token = ?", (token,))


def staged_tokens(store):
    """Return the tokens of every staged upload (oldest first)."""
    with reading(store) as con:
        if not table_exists(con, UPLOADS_TABLE):
            return []
        rows = con.execute(
            f"SELECT token FROM {UPLOADS_TABLE} ORDER BY created_at, token"
        ).fetchall()
    return [r[0] for r in rows]


def clean(store, now=None):
    """Remove staged uploads older than ``MAX_AGE_S``."""
    now = time.time() if now is None else now
    with reading(store) as con:
        if not table_exists(con, UPLOADS_TABLE):
            return
        old = con.execute(
            f"SELECT 1 FROM {UPLOADS_TABLE} WHERE created_at < ? LIMIT 1",
            (float(now - MAX_AGE_S),),
        ).fetchone()
    if old is not None:
        with _writing(store) as con:
            con.execute(
                f"DELETE FROM {UPLOADS_TABLE} WHERE created_at < ?",
                (float(now - MAX_AGE_S),),
            )


def digest(report):
    """Return a digest of a preview report (equal reports, equal digests)."""
    text = json.dumps(report, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def check_file(store, raw, name, *, boundary=None):
    """Read and check a premises list (its bytes); return ``(frame, preview report)``.

    Raises
    ------
    InputError
        The file is wrong (``problems`` lists every problem found).
    """
    from layers.sources.premises import read_premises

    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="naring-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(raw)
        gdf = read_premises(path)
    if boundary is not None:
        check_all_inside(gdf, boundary, source=name)
    return gdf, preview_import(store, gdf)


def decode(upload):
    """Decode an upload ``{"name", "contents"}`` (a data URL) or ``{"too_big"}``.

    Returns
    -------
    tuple
        ``(name, bytes)``, or ``(name, Refused)`` when the upload is refused.
    """
    upload = upload or {}
    name = str(upload.get("name") or "")[:MAX_NAME]
    if upload.get("too_big"):
        return name, Refused("too_big", name, int(float(upload.get("size", 0) or 0)))
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        return name, Refused("file_type", name)
    contents = str(upload.get("contents") or "")
    try:
        raw = base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (IndexError, binascii.Error, ValueError):
        return name, Refused("unreadable", name)
    if len(raw) > MAX_BYTES:
        return name, Refused("too_big", name, len(raw))
    return name, raw


def stage(store, name, raw, *, boundary=None):
    """Keep an uploaded list, check it and compare it with the register.

    Parameters
    ----------
    store : layers.store.Store
    name : str
        The file name as uploaded (its suffix picks the reader).
    raw : bytes
    boundary : geopandas.GeoDataFrame, optional
        The municipality; every listing must lie inside it.

    Returns
    -------
    Staged

    Raises
    ------
    InputError
        The file is wrong; nothing is kept.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            code="file.unsupported_type", params={"suffix": suffix or "(none)"}
        )
    clean(store)
    _gdf, report = check_file(store, raw, name, boundary=boundary)
    if not (report["added"] or report["changed"]):
        return Staged(name, report, None)
    token = secrets.token_hex(16)
    put(store, token, suffix, name, raw)
    ticket = {"token": token, "suffix": suffix, "name": name, "digest": digest(report)}
    return Staged(name, report, ticket)


@dataclass(frozen=True)
class Outcome:
    """What :func:`confirm` did.

    ``state`` is ``"expired"`` (no such staged file), ``"stale"`` (the register
    changed since the preview: ``report`` is the new preview and ``ticket`` the
    new ticket, or None when nothing would change now) or ``"done"`` (``report``
    says what was imported).
    """

    state: str
    name: str
    report: dict | None = None
    ticket: dict | None = None


def confirm(store, ticket, *, user, boundary=None):
    """Apply a staged list, if the register still gives the preview the editor saw.

    Parameters
    ----------
    store : layers.store.Store
    ticket : dict
        From :class:`Staged`.
    user : str
    boundary : geopandas.GeoDataFrame, optional

    Returns
    -------
    Outcome

    Raises
    ------
    InputError
        The file is wrong now (it is removed).
    """
    ticket = ticket or {}
    token = ticket.get("token")
    raw = fetch(store, token, ticket.get("suffix"))
    name = str(ticket.get("name") or "")[:MAX_NAME]
    if raw is None:
        return Outcome("expired", name)
    try:
        gdf, report = check_file(store, raw, name, boundary=boundary)
    except InputError:
        drop(store, token)
        raise
    if digest(report) != ticket.get("digest"):
        fresh = None
        if report["added"] or report["changed"]:
            fresh = {**ticket, "digest": digest(report)}
        return Outcome("stale", name, report, fresh)
    done = apply_import(store, gdf, user=user)
    drop(store, token)
    return Outcome("done", name, done)


def discard(store, ticket):
    """Remove a staged upload (nothing happens when there is none)."""
    drop(store, (ticket or {}).get("token"))
