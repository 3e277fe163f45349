"""Server-side login sessions and login throttling for register editors.

Only a hash of a session id is stored (``user_sessions``); a session also records a mark of
the account's password hash, so a new password ends every session. Failed logins are
throttled per account and per address with a doubling wait (``login_throttle``), never a
lock a stranger can impose for long. Both tables live in the store beside ``users``, so
several app servers share them.
"""

from __future__ import annotations

import hashlib
import time

from layers.store import reading, table_exists, writing
from layers.users import (
    USERS_TABLE,
    _existing,
    _public,
    ensure_schema,
    set_password,
)

SESSIONS_TABLE = "user_sessions"
THROTTLE_TABLE = "login_throttle"
# Throttling: the first FREE failures of a key cost nothing; each further one
# doubles the wait before the next attempt, up to CAP seconds. Failures are
# forgotten FORGET seconds after the last one. An account's cap is short, so a
# stranger can slow an editor down but never lock them out; an address's cap is
# long, since it only ever slows the address that keeps failing.
THROTTLE = {
    "account": {"free": 5, "cap": 60},
    "address": {"free": 10, "cap": 300},
}
THROTTLE_FORGET_S = 24 * 3600

_SESSIONS_SQL = f"""CREATE TABLE IF NOT EXISTS {SESSIONS_TABLE} (
    session_hash TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    password_mark TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL)"""
_THROTTLE_SQL = f"""CREATE TABLE IF NOT EXISTS {THROTTLE_TABLE} (
    key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    last_at REAL NOT NULL)"""


def ensure_security_schema(con):
    """Create the users, sessions and throttle tables when missing (idempotent)."""
    ensure_schema(con)
    con.execute(_SESSIONS_SQL)
    con.execute(_THROTTLE_SQL)


def _security_writing(store):
    return writing(store, schema=ensure_security_schema)


def _session_hash(session_id):
    return hashlib.sha256(str(session_id).encode()).hexdigest()


def _password_mark(password_hash):
    # A short digest of the stored hash: a new password ends every session.
    return hashlib.sha256(str(password_hash).encode()).hexdigest()[:32]


def start_session(store, username, session_id, *, lifetime_s, now=None):
    """Record a new login session; return its expiry (UNIX time).

    Only a hash of ``session_id`` is stored. Expired sessions are removed.

    Raises
    ------
    InputError
        The user does not exist.
    """
    now = time.time() if now is None else now
    with _security_writing(store) as con:
        row = _existing(con, username)
        con.execute(f"DELETE FROM {SESSIONS_TABLE} WHERE expires_at < ?", (now,))
        con.execute(
            f"INSERT INTO {SESSIONS_TABLE} VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(session_hash) DO UPDATE SET username = excluded.username, "
            "password_mark = excluded.password_mark, "
            "created_at = excluded.created_at, expires_at = excluded.expires_at",
            (
                _session_hash(session_id),
                username,
                _password_mark(row["password_hash"]),
                now,
                now + lifetime_s,
            ),
        )
    return now + lifetime_s


def session_account(store, session_id, *, now=None):
    """Return the account of a live session, or None when it has ended.

    A session ends at logout, when it expires, when its user logs out
    everywhere, changes password or is deleted.

    Returns
    -------
    dict or None
        ``username``, ``role`` … (no hash).
    """
    now = time.time() if now is None else now
    if not session_id:
        return None
    with reading(store) as con:
        if not table_exists(con, SESSIONS_TABLE):
            return None
        row = con.execute(
            f"SELECT s.password_mark AS mark, s.expires_at AS expires, u.* "
            f"FROM {SESSIONS_TABLE} s JOIN {USERS_TABLE} u USING (username) "
            "WHERE s.session_hash = ?",
            (_session_hash(session_id),),
        ).fetchone()
    if row is None or row["expires"] < now:
        return None
    if row["mark"] != _password_mark(row["password_hash"]):
        return None
    return _public(dict(row))


def end_session(store, session_id):
    """End one session (logout): every copy of its cookie stops working."""
    if not session_id:
        return
    with _security_writing(store) as con:
        con.execute(
            f"DELETE FROM {SESSIONS_TABLE} WHERE session_hash = ?",
            (_session_hash(session_id),),
        )


def end_sessions(store, username):
    """End every session of ``username`` ("log out everywhere"); return how many."""
    with _security_writing(store) as con:
        _existing(con, username)
        cur = con.execute(
            f"DELETE FROM {SESSIONS_TABLE} WHERE username = ?", (username,)
        )
        return cur.rowcount


def change_password(store, username, password):
    """Set a new password and end every session of the user.

    (A session also ends on its own when the password it was opened with is
    gone; this removes the records too.)
    """
    set_password(store, username, password)
    return end_sessions(store, username)


def backoff_seconds(failures, *, free, cap):
    """Seconds to wait after ``failures`` consecutive failures (0 while free).

    Examples: with ``free=5, cap=60``: 5 failures -> 0, 6 -> 1, 7 -> 2, 8 -> 4 …
    capped at 60.
    """
    over = int(failures) - int(free)
    if over <= 0:
        return 0
    return min(float(cap), float(2 ** min(over - 1, 30)))


def _throttle_rows(con, keys):
    if not table_exists(con, THROTTLE_TABLE) or not keys:
        return {}
    marks = ", ".join("?" for _ in keys)
    rows = con.execute(
        f"SELECT * FROM {THROTTLE_TABLE} WHERE key IN ({marks})", [k for k, _ in keys]
    )
    return {r["key"]: r for r in rows}


def login_wait(store, keys, *, now=None):
    """Seconds until the next login attempt is allowed for these keys (0: now).

    Parameters
    ----------
    keys : list of (str, str)
        ``(key, kind)`` pairs, kind ``account`` or ``address`` (see ``THROTTLE``),
        e.g. ``[("account:kari", "account"), ("address:10.0.0.1", "address")]``.
    """
    now = time.time() if now is None else now
    with reading(store) as con:
        rows = _throttle_rows(con, keys)
    wait = 0.0
    for key, kind in keys:
        row = rows.get(key)
        if row is None or now - row["last_at"] > THROTTLE_FORGET_S:
            continue
        delay = backoff_seconds(row["failures"], **THROTTLE[kind])
        wait = max(wait, row["last_at"] + delay - now)
    return max(0.0, wait)


def note_login_failure(store, keys, *, now=None):
    """Count one failed login for each key; forget keys idle for a day."""
    now = time.time() if now is None else now
    with _security_writing(store) as con:
        con.execute(
            f"DELETE FROM {THROTTLE_TABLE} WHERE last_at < ?",
            (now - THROTTLE_FORGET_S,),
        )
        for key, _kind in keys:
            con.execute(
                f"INSERT INTO {THROTTLE_TABLE} VALUES (?, 1, ?) ON CONFLICT(key) "
                "DO UPDATE SET failures = failures + 1, last_at = excluded.last_at",
                (key, now),
            )


def clear_login_failures(store, keys):
    """Forget the failures of these keys (after a successful login)."""
    with _security_writing(store) as con:
        for key, _kind in keys:
            con.execute(f"DELETE FROM {THROTTLE_TABLE} WHERE key = ?", (key,))
