"""Server-side login sessions, kept in the store so that any app server serves them.

The ``sessions`` side table holds one row per login: the SHA-256 of a random
token (the token itself lives only in the user's cookie), who, when it was made
and last seen, when it expires, and when it was revoked. It exists on both
backends with the same columns: on SQLite it is created here (``ensure_schema``),
on PostGIS by ``layers/store/migrations/0002_sessions_uploads.sql``.

Revoking is a row update, so a logout, a password change or an administrator
ends a session on every app server at its next request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from layers.store.base import reading, table_exists, timestamp, writing

SESSIONS_TABLE = "sessions"
DEFAULT_HOURS = 12
_SCHEMA_SQL = f"""CREATE TABLE IF NOT EXISTS {SESSIONS_TABLE} (
    token_hash TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT)"""
_INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {SESSIONS_TABLE}_username "
    f"ON {SESSIONS_TABLE} (username)"
)


def ensure_schema(con):
    """Create the ``sessions`` table when missing (SQLite; idempotent)."""
    con.execute(_SCHEMA_SQL)
    con.execute(_INDEX_SQL)


def _writing(store):
    return writing(store, schema=ensure_schema)


def _now(now):
    now = datetime.now(UTC) if now is None else now
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def token_hash(token):
    """Return the SHA-256 (hex) a session token is stored under."""
    return hashlib.sha256(str(token).encode()).hexdigest()


def create_session(store, username, *, hours=DEFAULT_HOURS, now=None):
    """Start a session for ``username``; return its token (for the cookie only)."""
    now = _now(now)
    token = secrets.token_urlsafe(32)
    with _writing(store) as con:
        con.execute(
            f"INSERT INTO {SESSIONS_TABLE} (token_hash, username, created_at, "
            "last_seen, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)",
            (
                token_hash(token),
                username,
                timestamp(now),
                timestamp(now),
                timestamp(now + timedelta(hours=hours)),
            ),
        )
    return token


def session_user(store, token, *, now=None):
    """Return the username of a live session (not expired, not revoked), or None."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    with reading(store) as con:
        if not table_exists(con, SESSIONS_TABLE):
            return None
        row = con.execute(
            f"SELECT username, expires_at, revoked_at FROM {SESSIONS_TABLE} "
            "WHERE token_hash = ?",
            (token_hash(token),),
        ).fetchone()
    if row is None or row["revoked_at"] or row["expires_at"] <= timestamp(_now(now)):
        return None
    return row["username"]


def revoke_session(store, token, *, now=None):
    """End one session (logout); nothing happens when there is none."""
    with _writing(store) as con:
        con.execute(
            f"UPDATE {SESSIONS_TABLE} SET revoked_at = ? "
            "WHERE token_hash = ? AND revoked_at IS NULL",
            (timestamp(_now(now)), token_hash(token)),
        )


def revoke_user(store, username, *, now=None):
    """End every session of ``username``; return how many were live."""
    with _writing(store) as con:
        cur = con.execute(
            f"UPDATE {SESSIONS_TABLE} SET revoked_at = ? "
            "WHERE username = ? AND revoked_at IS NULL",
            (timestamp(_now(now)), username),
        )
        return cur.rowcount


def purge(store, *, now=None):
    """Delete sessions that expired or were revoked; return how many."""
    with _writing(store) as con:
        cur = con.execute(
            f"DELETE FROM {SESSIONS_TABLE} WHERE expires_at <= ? "
            "OR revoked_at IS NOT NULL",
            (timestamp(_now(now)),),
        )
        return cur.rowcount
