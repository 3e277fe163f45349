"""Accounts of the people who edit the premises register.

Users live in the ``users`` side table of the store (written with the store's
``reading``/``writing``), next to the register's tables. Passwords are stored only as
Werkzeug hashes (scrypt). :func:`verify_password` checks a login with the same work for
unknown and known names; the web login adds throttling and server-side sessions
(:mod:`layers.sessions`). :func:`authenticate` keeps the older hard lock (after
``MAX_FAILURES`` failures, ``LOCK_MINUTES``) for callers that want it.

The command line (``python -m layers users …``) is :mod:`layers.users_cli`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from layers.errors import InputError
from layers.store import reading, table_exists, timestamp, writing

USERS_TABLE = "users"
ROLES = ("editor", "admin")
USERNAME = re.compile(r"[a-z0-9._-]{3,40}")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_FAILURES = 5
LOCK_MINUTES = 15

_SCHEMA_SQL = f"""CREATE TABLE IF NOT EXISTS {USERS_TABLE} (
    username TEXT PRIMARY KEY NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT)"""
_PUBLIC = ("username", "role", "created_at", "failed_logins", "locked_until")
_DUMMY_HASH = []


class LockedError(Exception):
    """The account is locked after too many failed logins.

    Parameters
    ----------
    username : str
    until : str
        ISO UTC time the lock ends.
    """

    def __init__(self, username, until):
        self.username = username
        self.until = until
        super().__init__(
            f"the account {username!r} is locked after {MAX_FAILURES} failed logins "
            f"until {until}"
        )


def ensure_schema(con):
    """Create the ``users`` table when missing (idempotent).

    Parameters
    ----------
    con : sqlite3.Connection
        A writable connection to the store file.
    """
    con.execute(_SCHEMA_SQL)


def _utc(now):
    now = datetime.now(UTC) if now is None else now
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def check_username(username):
    """Return ``username`` if it is 3-40 characters of a-z, 0-9, ".", "_" or "-".

    Raises
    ------
    InputError
    """
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        raise InputError(code="user.name", params={"got": username}, field="username")
    return username


def check_password(password):
    """Return ``password`` if it has ``MIN_PASSWORD`` to ``MAX_PASSWORD`` characters.

    Raises
    ------
    InputError
    """
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InputError(
            code="user.password_short", params={"limit": MIN_PASSWORD}, field="password"
        )
    if len(password) > MAX_PASSWORD:
        raise InputError(
            code="user.password_long", params={"limit": MAX_PASSWORD}, field="password"
        )
    return password


def _check_role(role):
    if role not in ROLES:
        raise InputError(
            code="user.role",
            params={"roles": ", ".join(ROLES), "got": role},
            field="role",
        )
    return role


def _fetch(con, username):
    if not table_exists(con, USERS_TABLE):
        return None
    row = con.execute(
        f"SELECT * FROM {USERS_TABLE} WHERE username = ?", (username,)
    ).fetchone()
    return None if row is None else dict(row)


def _existing(con, username):
    row = _fetch(con, username)
    if row is None:
        raise InputError(
            code="user.unknown", params={"username": username}, field="username"
        )
    return row


def _public(row):
    return {k: row[k] for k in _PUBLIC}


def _writing(store):
    return writing(store, schema=ensure_schema)


def add_user(store, username, password, role, *, now=None):
    """Add an account.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    username : str
        3-40 characters of a-z, 0-9, ".", "_", "-".
    password : str
        At least ``MIN_PASSWORD`` characters; only its hash is stored.
    role : str
        "editor" or "admin".
    now : datetime.datetime, optional

    Returns
    -------
    dict
        The account without its hash.

    Raises
    ------
    InputError
        A value is wrong or the user exists.
    """
    check_username(username)
    check_password(password)
    _check_role(role)
    hashed = generate_password_hash(password)
    row = {
        "username": username,
        "password_hash": hashed,
        "role": role,
        "created_at": timestamp(now),
        "failed_logins": 0,
        "locked_until": None,
    }
    with _writing(store) as con:
        if _fetch(con, username) is not None:
            raise InputError(
                code="user.exists", params={"username": username}, field="username"
            )
        con.execute(
            f"INSERT INTO {USERS_TABLE} VALUES (?, ?, ?, ?, ?, ?)", tuple(row.values())
        )
    return _public(row)


def set_password(store, username, password):
    """Set a new password; this also clears failed logins and any lock.

    Raises
    ------
    InputError
        The password is too short or the user does not exist.
    """
    check_password(password)
    hashed = generate_password_hash(password)
    with _writing(store) as con:
        _existing(con, username)
        con.execute(
            f"UPDATE {USERS_TABLE} SET password_hash = ?, failed_logins = 0, "
            "locked_until = NULL WHERE username = ?",
            (hashed, username),
        )


def delete_user(store, username):
    """Delete an account.

    Raises
    ------
    InputError
        The user does not exist.
    """
    with _writing(store) as con:
        _existing(con, username)
        con.execute(f"DELETE FROM {USERS_TABLE} WHERE username = ?", (username,))


def list_users(store):
    """Return every account (without hashes), sorted by name.

    Returns
    -------
    list of dict
        Keys ``username``, ``role``, ``created_at``, ``failed_logins``,
        ``locked_until``.
    """
    with reading(store) as con:
        if not table_exists(con, USERS_TABLE):
            return []
        rows = con.execute(f"SELECT * FROM {USERS_TABLE} ORDER BY username")
        return [_public(dict(r)) for r in rows]


def _dummy_hash():
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(generate_password_hash("not a password of anybody"))
    return _DUMMY_HASH[0]


def authenticate(store, username, password, *, now=None):
    """Check a login.

    The password is always checked against a hash (a dummy one for unknown
    users), so that the time taken does not tell whether a user exists. Each
    failure counts; the ``MAX_FAILURES``-th consecutive one locks the account for
    ``LOCK_MINUTES`` and clears the count. A success clears the count.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    username, password : str
    now : datetime.datetime, optional
        Current time (default: now). Naive is UTC.

    Returns
    -------
    dict or None
        The account (``username``, ``role`` …, no hash), or None when the user
        is unknown or the password wrong.

    Raises
    ------
    LockedError
        The account is locked, or this failure locked it.
    """
    now = _utc(now)
    with reading(store) as con:
        row = _fetch(con, username) if isinstance(username, str) else None
    good = check_password_hash(
        row["password_hash"] if row else _dummy_hash(), str(password or "")
    )
    if row is None:
        return None
    if row["locked_until"] and row["locked_until"] > timestamp(now):
        raise LockedError(username, row["locked_until"])
    if not good:
        _failed(store, username, now)
        return None
    if row["failed_logins"] or row["locked_until"]:
        with _writing(store) as con:
            con.execute(
                f"UPDATE {USERS_TABLE} SET failed_logins = 0, locked_until = NULL "
                "WHERE username = ?",
                (username,),
            )
    return {**_public(row), "failed_logins": 0, "locked_until": None}


def _failed(store, username, now):
    """Count a failed login; lock the account (and raise) at the limit."""
    until = None
    with _writing(store) as con:
        row = _fetch(con, username)
        if row is None:
            return
        failures = row["failed_logins"] + 1
        if failures >= MAX_FAILURES:
            until = timestamp(now + timedelta(minutes=LOCK_MINUTES))
            failures = 0
        con.execute(
            f"UPDATE {USERS_TABLE} SET failed_logins = ?, locked_until = ? "
            "WHERE username = ?",
            (failures, until, username),
        )
    if until:
        raise LockedError(username, until)


def verify_password(store, username, password):
    """Check a login without any lock (see :func:`login_wait` for throttling).

    The password is always checked against a hash, a dummy one for unknown users,
    so that the answer and the time taken are the same for unknown and known
    accounts.

    Returns
    -------
    dict or None
        The account (``username``, ``role`` …, no hash), or None.
    """
    with reading(store) as con:
        row = _fetch(con, username) if isinstance(username, str) else None
    good = check_password_hash(
        row["password_hash"] if row else _dummy_hash(), str(password or "")
    )
    if row is None or not good:
        return None
    return _public(row)
