"""Bulk-import jobs: a big list is checked and imported outside the request.

A job is one row of the side table ``register_jobs`` in the store (the GeoPackage
file, or the database: migration 0003), so any app server can show its progress
and its result, whichever server runs it. The work runs in a thread of the server
that started it; it writes its phase and counts (``read``, ``compare``, ``write``)
in short transactions of their own, never inside the import's transaction, and
ends the row ``done`` (with its JSON result), ``failed`` (the file's problems) or
``error`` (a store fault). A ``running`` row that has not moved for ``STALL_S``
seconds belonged to a server that stopped: it is reported ``interrupted``; the
import's commit is one transaction, so an interrupted job wrote nothing.

Rows are looked up only by a token of our form (128-bit random, hex) and removed
with the staged uploads when older than ``MAX_AGE_S``.
"""

from __future__ import annotations

import json
import re
import threading
import time

from layers.errors import InputError, StoreError
from layers.store.base import reading, table_exists, writing

JOBS_TABLE = "register_jobs"
STALL_S = 120  # a running job whose row is older than this was interrupted
MAX_AGE_S = 24 * 3600
MIN_UPDATE_S = 0.25  # progress writes at most this often (the last always)
MAX_PROBLEMS = 50
KINDS = ("stage", "confirm")
STATES = ("running", "done", "failed", "error")
_TOKEN = re.compile(r"[0-9a-f]{32}")
# SQLite; the PostGIS table comes from layers/store/migrations (same columns).
_SCHEMA_SQL = f"""CREATE TABLE IF NOT EXISTS {JOBS_TABLE} (
    token TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    username TEXT NOT NULL,
    state TEXT NOT NULL,
    phase TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    result TEXT NOT NULL DEFAULT '')"""
_COLUMNS = (
    "token",
    "kind",
    "name",
    "username",
    "state",
    "phase",
    "done",
    "total",
    "created_at",
    "updated_at",
    "result",
)


def ensure_schema(con):
    """Create the jobs' table when missing (SQLite; idempotent)."""
    con.execute(_SCHEMA_SQL)


def _writing(store):
    return writing(store, schema=ensure_schema)


def _valid(token):
    return isinstance(token, str) and bool(_TOKEN.fullmatch(token))


def create(store, token, kind, name, user, now=None):
    """Record a new running job (phase ``read``), replacing one of that token."""
    if not _valid(token) or kind not in KINDS:
        raise ValueError("not a job token or kind")
    now = time.time() if now is None else float(now)
    with _writing(store) as con:
        con.execute(f"DELETE FROM {JOBS_TABLE} WHERE token = ?", (token,))
        con.execute(
            f"INSERT INTO {JOBS_TABLE} ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _COLUMNS)})",
            (token, kind, name[:200], user, "running", "read", 0, 0, now, now, ""),
        )


def update(store, token, phase, done, total, now=None):
    """Record a running job's phase and counts (its own short transaction)."""
    now = time.time() if now is None else float(now)
    with _writing(store) as con:
        con.execute(
            f"UPDATE {JOBS_TABLE} SET phase = ?, done = ?, total = ?, updated_at = ? "
            "WHERE token = ? AND state = 'running'",
            (str(phase), int(done), int(total), now, token),
        )


def finish(store, token, state, result, now=None):
    """End a job: ``state`` (``done``, ``failed``, ``error``) and its JSON result."""
    if state not in STATES[1:]:
        raise ValueError(f"not an end state: {state}")
    now = time.time() if now is None else float(now)
    text = json.dumps(result, ensure_ascii=False, default=str)
    with _writing(store) as con:
        con.execute(
            f"UPDATE {JOBS_TABLE} SET state = ?, result = ?, updated_at = ? "
            "WHERE token = ?",
            (state, text, now, token),
        )


def status(store, token, now=None):
    """Return a job as a dict (``result`` parsed), or None when there is none.

    A ``running`` job whose row has not moved for ``STALL_S`` seconds is
    returned with ``state`` ``"interrupted"``.
    """
    if not _valid(token):
        return None
    with reading(store) as con:
        if not table_exists(con, JOBS_TABLE):
            return None
        row = con.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM {JOBS_TABLE} WHERE token = ?",
            (token,),
        ).fetchone()
    if row is None:
        return None
    job = {c: row[i] for i, c in enumerate(_COLUMNS)}
    job["result"] = json.loads(job["result"]) if job["result"] else None
    now = time.time() if now is None else float(now)
    if job["state"] == "running" and now - float(job["updated_at"]) > STALL_S:
        job["state"] = "interrupted"
    return job


def remove(store, token):
    """Remove a job's row (nothing when there is none)."""
    if _valid(token):
        with _writing(store) as con:
            con.execute(f"DELETE FROM {JOBS_TABLE} WHERE token = ?", (token,))


def clean(store, now=None):
    """Remove jobs older than ``MAX_AGE_S``."""
    cut = (time.time() if now is None else float(now)) - MAX_AGE_S
    with reading(store) as con:
        if not table_exists(con, JOBS_TABLE):
            return
        old = con.execute(
            f"SELECT 1 FROM {JOBS_TABLE} WHERE updated_at < ? LIMIT 1", (cut,)
        ).fetchone()
    if old is not None:
        with _writing(store) as con:
            con.execute(f"DELETE FROM {JOBS_TABLE} WHERE updated_at < ?", (cut,))


def problem(error):
    """An error as JSON-safe data (to rebuild it with :func:`problems_from`)."""
    return {
        "message": str(error.message)[:1000],
        "code": error.code,
        "params": {k: str(v)[:300] for k, v in (error.params or {}).items()},
        "file": None if error.file is None else str(error.file)[:300],
        "row": error.row,
        "field": None if error.field is None else str(error.field)[:200],
    }


def problems_from(result):
    """Rebuild the InputErrors of a failed job (for the preview's table)."""
    return [
        InputError(
            p["message"],
            code=p.get("code"),
            params=p.get("params"),
            file=p.get("file"),
            row=p.get("row"),
            field=p.get("field"),
        )
        for p in (result or {}).get("problems") or []
    ]


def progress_writer(store, token):
    """Return ``progress(phase, done, total)`` that records at most every 0.25 s."""
    last = {"at": 0.0, "phase": None}

    def progress(phase, done, total):
        now = time.time()
        if phase == last["phase"] and now - last["at"] < MIN_UPDATE_S:
            return
        last.update(at=now, phase=phase)
        update(store, token, phase, done, total, now)

    return progress


def run(store, token, work):
    """Run ``work(progress)`` and end the job with its result (or why it failed).

    ``work`` returns a JSON-safe dict. An :class:`InputError` ends the job
    ``failed`` with its problems, a :class:`StoreError` (or any other fault)
    ``error``: a job always ends with a row saying how.
    """
    try:
        result = work(progress_writer(store, token))
    except InputError as exc:
        problems = getattr(exc, "problems", None) or [exc]
        state, result = "failed", {"problems": [problem(p) for p in problems]}
        result["problems"] = result["problems"][:MAX_PROBLEMS]
    except StoreError as exc:
        state, result = "error", {"error": problem(exc)}
    except Exception as exc:  # noqa: BLE001  (a job must end with a row)
        state, result = "error", {"error": {"message": str(exc)[:300]}}
    else:
        state = "done"
    try:
        finish(store, token, state, result)
    except StoreError:
        pass  # the store is gone: the row stops moving and reads as interrupted


def start(store, token, kind, name, user, work, *, background=True):
    """Record a job and run ``work`` (in a daemon thread when ``background``)."""
    create(store, token, kind, name, user)
    if not background:
        run(store, token, work)
        return token
    thread = threading.Thread(
        target=run,
        args=(store, token, work),
        name=f"register-{kind}-{token[:8]}",
        daemon=True,
    )
    thread.start()
    return token
