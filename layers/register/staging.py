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

A list is read with the store's address register (its ``addresses`` layer), so
rows with an address and no coordinates are placed; a row whose address is not
found is kept as an unplaced listing (no point), listed in the preview and placed
on the register's map later, not a reason to refuse the file.

Big lists run outside the request (:func:`start_stage`, :func:`start_confirm`):
the same work as a job of ``layers.register.jobs``, its progress and result kept
in the store, so any app server can answer the progress poll.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from layers import limits
from layers.errors import InputError, StoreError
from layers.register import jobs
from layers.register.imports import (
    StaleImport,
    apply_import,
    digest,
    preview_import,
)
from layers.register.validation import check_all_inside
from layers.store.base import reading, table_exists, writing

# Uploads have the premises importer's limits (layers.limits): the file's size
# here and in the browser, its rows in the reader.
MAX_BYTES = limits.MAX_PREMISES_FILE_BYTES
MAX_MB = MAX_BYTES // (1 << 20)
MAX_ROWS = limits.MAX_PREMISES_ROWS
PREVIEW_ROWS = 200  # rows of the per-row table and the change list a preview shows
MAX_UNPLACED_SHOWN = 500  # unplaced rows listed besides (all are counted)
MAX_MAP_POINTS = 10_000  # placed rows on the preview's map
BACKGROUND_BYTES = 128 * 1024  # uploads bigger than this run as a background job
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
    rows: dict = field(default_factory=dict)


def ensure_schema(con):
    """Create the staged uploads' table when missing (SQLite; idempotent)."""
    con.execute(_SCHEMA_SQL)
    jobs.ensure_schema(con)


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
    row = _select(store, token, suffix, "content")
    return None if row is None else bytes(row[0])


def _select(store, token, suffix, what):
    """The row ``SELECT what`` of the upload staged under ``token``, or None."""
    if not valid(token, suffix):
        return None
    with reading(store) as con:
        if not table_exists(con, UPLOADS_TABLE):
            return None
        return con.execute(
            f"SELECT {what} FROM {UPLOADS_TABLE} WHERE token = ? AND suffix = ?",
            (token, suffix),
        ).fetchone()


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
    jobs.clean(store, now)


def store_addresses(store):
    """The store's address register (its ``addresses`` layer), or None."""
    try:
        if "addresses" not in {i.name for i in store.list_layers()}:
            return None
        return store.read_layer("addresses")
    except (StoreError, KeyError, ValueError):
        return None


def read_file(store, raw, name, *, boundary=None):
    """Read and check a premises list (its bytes) with the store's addresses.

    Returns
    -------
    layers.sources.premises.PremisesRead

    Raises
    ------
    InputError
        The file is wrong (``problems`` lists every problem found), or it
        holds no listing.
    """
    from layers.sources.premises import read_premises_table

    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="naring-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(raw)
        read = read_premises_table(path, addresses=store_addresses(store))
    if not read.preview:  # never a silent zero: a list without rows is refused
        raise InputError(code="file.empty", file=name)
    if boundary is not None and len(read.layer):
        check_all_inside(read.layer, boundary, source=name)
    return read


def check_file(store, raw, name, *, boundary=None, progress=None):
    """Read and check a premises list; return ``(read, preview report)``.

    ``read`` is the :class:`~layers.sources.premises.PremisesRead` (placed layer,
    unplaced rows, per-row raw and interpreted values).

    Raises
    ------
    InputError
        The file is wrong (``problems`` lists every problem found).
    """
    read = read_file(store, raw, name, boundary=boundary)
    report = preview_import(store, read.layer, read.unplaced, progress=progress)
    return read, report


def summary(report, limit=PREVIEW_ROWS):
    """A report cut for the page: ``counts`` of every list and its first entries."""
    out = {"counts": {k: len(v) for k, v in report.items()}}
    out.update({k: v[:limit] for k, v in report.items()})
    return out


def counts(report):
    """The counts of a report or of its :func:`summary`."""
    return report.get("counts") or {k: len(v) for k, v in report.items()}


def preview_rows(read, limit=PREVIEW_ROWS):
    """The rows a preview shows: the first ``limit`` of the file, then unplaced ones.

    Returns
    -------
    dict
        ``rows`` (``PremisesRead.preview`` entries, JSON-safe: row, id, placed,
        raw text and interpreted value per column), ``unplaced`` (row, title,
        address and the reason's code of every unplaced row, at most
        ``MAX_UNPLACED_SHOWN``), ``points`` (``[lat, lon, title]`` of the placed
        rows, at most ``MAX_MAP_POINTS``), ``placed`` (how many rows are placed)
        and ``total`` (rows in the file).
    """
    shown = read.preview[:limit]
    numbers = {r["row"] for r in shown}
    extra = [r for r in read.preview if not r["placed"] and r["row"] not in numbers]
    shown += extra[:limit]
    points = [
        [r["lat"], r["lon"], str(r["value"].get("title") or "")]
        for r in read.preview
        if r["placed"]
    ][:MAX_MAP_POINTS]
    unplaced = [
        {
            "row": u["row"],
            "title": u.get("title") or "",
            "address": u.get("address") or "",
            "code": u.get("code") or "premises.no_location",
        }
        for u in read.unplaced[:MAX_UNPLACED_SHOWN]
    ]
    out = {
        "rows": shown,
        "unplaced": unplaced,
        "points": points,
        "placed": sum(1 for r in read.preview if r["placed"]),
        "total": len(read.preview),
    }
    return json.loads(json.dumps(out, ensure_ascii=False, default=str))


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


def _suffix(name):
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            code="file.unsupported_type", params={"suffix": suffix or "(none)"}
        )
    return suffix


def _keep(store, name, raw):
    """Keep an upload's bytes in the store under a new token; return the token."""
    suffix = _suffix(name)
    if len(raw) > MAX_BYTES:
        raise InputError(
            code="limit.file_size",
            params={"mb": limits.mib(len(raw)), "limit_mb": MAX_MB},
            file=name,
        )
    clean(store)
    token = secrets.token_hex(16)
    put(store, token, suffix, name, raw)
    return token


def _check_kept(store, token, name, raw, *, boundary=None, progress=None):
    """Check a kept upload; drop it when it is wrong or would change nothing."""
    try:
        read, report = check_file(
            store, raw, name, boundary=boundary, progress=progress
        )
    except InputError:
        drop(store, token)
        raise
    rows = preview_rows(read)
    if not (report["added"] or report["changed"]):
        drop(store, token)
        return Staged(name, summary(report), None, rows)
    ticket = {
        "token": token,
        "suffix": Path(name).suffix.lower(),
        "name": name,
        "digest": digest(report),
    }
    return Staged(name, summary(report), ticket, rows)


def stage(store, name, raw, *, boundary=None):
    """Keep an uploaded list, check it and compare it with the register.

    Parameters
    ----------
    store : layers.store.Store
    name : str
        The file name as uploaded (its suffix picks the reader).
    raw : bytes
    boundary : geopandas.GeoDataFrame, optional
        The municipality; every placed listing must lie inside it.

    Returns
    -------
    Staged
        Its ``report`` is a :func:`summary`; ``rows`` is :func:`preview_rows`.

    Raises
    ------
    InputError
        The file is wrong; nothing is kept.
    """
    token = _keep(store, name, raw)
    return _check_kept(store, token, name, raw, boundary=boundary)


@dataclass(frozen=True)
class Outcome:
    """What :func:`confirm` did.

    ``state`` is ``"expired"`` (no such staged file), ``"stale"`` (the register
    changed since the preview: ``report`` is the new preview's summary and
    ``ticket`` the new ticket, or None when nothing would change now) or
    ``"done"`` (``report`` summarises what was imported).
    """

    state: str
    name: str
    report: dict | None = None
    ticket: dict | None = None


def _stale(ticket, name, report):
    fresh = None
    if report["added"] or report["changed"]:
        fresh = {**ticket, "digest": digest(report)}
    return Outcome("stale", name, summary(report), fresh)


def confirm(store, ticket, *, user, boundary=None, progress=None):
    """Apply a staged list, if the register still gives the preview the editor saw.

    The preview's digest names the version of every listing it compared with;
    it is checked again inside the import's transaction, which writes every
    listing and its history or, on any failure, nothing.

    Parameters
    ----------
    store : layers.store.Store
    ticket : dict
        From :class:`Staged`.
    user : str
    boundary : geopandas.GeoDataFrame, optional
    progress : callable, optional
        ``progress(phase, done, total)``; never called inside the transaction.

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
        read, report = check_file(
            store, raw, name, boundary=boundary, progress=progress
        )
    except InputError:
        drop(store, token)
        raise
    if digest(report) != ticket.get("digest"):
        return _stale(ticket, name, report)
    if progress is not None:
        progress("write", 0, len(report["added"]) + len(report["changed"]))
    try:
        done = apply_import(
            store,
            read.layer,
            read.unplaced,
            user=user,
            expected_digest=ticket.get("digest"),
        )
    except StaleImport as exc:
        return _stale(ticket, name, exc.report)
    drop(store, token)
    return Outcome("done", name, summary(done))


def discard(store, ticket):
    """Remove a staged upload (nothing happens when there is none)."""
    drop(store, (ticket or {}).get("token"))


# --------------------------------------------------------------------------
# Jobs: the same work outside the request, with progress, for big lists.
# --------------------------------------------------------------------------


def start_stage(store, name, raw, *, user, boundary=None, background=True):
    """Keep an upload and check it in a job; return the job's token.

    The job ends ``done`` with ``report`` (a summary), ``ticket`` (or None) and
    ``rows`` (:func:`preview_rows`), or ``failed`` with ``problems``.

    Raises
    ------
    InputError
        The file's type or size is refused (nothing is kept).
    """
    token = _keep(store, name, raw)

    def work(progress):
        staged = _check_kept(
            store, token, name, raw, boundary=boundary, progress=progress
        )
        return {"report": staged.report, "ticket": staged.ticket, "rows": staged.rows}

    return jobs.start(store, token, "stage", name, user, work, background=background)


def start_confirm(store, ticket, *, user, boundary=None, background=True):
    """Apply a staged list in a job; return the job's token, or None (expired).

    The job ends ``done`` with ``outcome`` (``done``/``stale``/``expired``),
    ``report`` and ``ticket``, or ``failed`` with ``problems``.
    """
    ticket = ticket or {}
    token = ticket.get("token")
    if fetch_size(store, token, ticket.get("suffix")) is None:
        return None
    name = str(ticket.get("name") or "")[:MAX_NAME]

    def work(progress):
        out = confirm(store, ticket, user=user, boundary=boundary, progress=progress)
        return {"outcome": out.state, "report": out.report, "ticket": out.ticket}

    return jobs.start(store, token, "confirm", name, user, work, background=background)


def fetch_size(store, token, suffix):
    """Return the size in bytes of the upload staged under ``token``, or None."""
    row = _select(store, token, suffix, "length(content)")
    return None if row is None else int(row[0])
