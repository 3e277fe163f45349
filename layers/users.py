"""Accounts of the people who edit the premises register.

Users live in the ``users`` side table of the store (written with the store's
``reading``/``writing``), next to the register's tables. Passwords are stored only as Werkzeug
hashes (scrypt). The web login uses :func:`verify_password` with throttling
(:func:`login_wait`, :func:`note_login_failure`: a doubling wait per account and
per address, never a long lock) and server-side session records
(:func:`start_session`, :func:`session_account`, :func:`end_session`,
:func:`end_sessions`). :func:`authenticate` keeps the older hard lock (after
``MAX_FAILURES`` failures, ``LOCK_MINUTES``) for callers that want it.

Command line (wired in ``layers/cli.py``)::

    python -m layers users add NAME --role editor|admin [--store PATH]
    python -m layers users passwd NAME [--store PATH]
    python -m layers users delete NAME [--store PATH]
    python -m layers users logout-all NAME [--store PATH]
    python -m layers users list [--store PATH]

Passwords are asked for twice at the terminal, never taken from the command line.
"""

from __future__ import annotations

import getpass as _getpass
import hashlib
import re
import sys
import time
from datetime import UTC, datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from layers.errors import InputError, StoreError
from layers.store import (
    open_store,
    reading,
    require_store,
    table_exists,
    timestamp,
    writing,
)

USERS_TABLE = "users"
ROLES = ("editor", "admin")
USERNAME = re.compile(r"[a-z0-9._-]{3,40}")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_FAILURES = 5
LOCK_MINUTES = 15
EXIT_INPUT, EXIT_STORE = 2, 3

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


# --------------------------------------------------------------------------
# Server-side sessions and login throttling.
# --------------------------------------------------------------------------

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


# --------------------------------------------------------------------------
# Command line.
# --------------------------------------------------------------------------


def add_users_parser(subparsers):
    """Add the ``users`` command to the subparsers of ``python -m layers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``ArgumentParser.add_subparsers(dest="command")``.

    Returns
    -------
    argparse.ArgumentParser
    """
    store_help = (
        "store: a GeoPackage file or a postgresql:// URL "
        "(default $DATABASE_URL, $NARING_STORE or instance/store.gpkg)"
    )
    users = subparsers.add_parser("users", help="accounts of register editors")
    sub = users.add_subparsers(dest="users_command", required=True)
    add = sub.add_parser("add", help="add an account (asks for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    passwd = sub.add_parser("passwd", help="set a new password (unlocks the account)")
    passwd.add_argument("name")
    delete = sub.add_parser("delete", help="delete an account")
    delete.add_argument("name")
    logout_all = sub.add_parser(
        "logout-all", help="end every login session of an account (all devices)"
    )
    logout_all.add_argument("name")
    listing = sub.add_parser("list", help="list the accounts")
    for p in (add, passwd, delete, logout_all, listing):
        p.add_argument("--store", help=store_help)
    return users


def _user_line(user):
    line = f"{user['username']:40} {user['role']:7} {user['created_at']}"
    if user["locked_until"] and user["locked_until"] > timestamp():
        line += f"  låst til / locked until {user['locked_until']}"
    return line


def _ask_password(getpass):
    first = getpass("Passord / password: ")
    check_password(first)
    if getpass("Gjenta / repeat: ") != first:
        raise InputError(code="user.passwords_differ", field="password")
    return first


def _existing_user(store, username):
    # Say "no such user" before asking for a password.
    with reading(store) as con:
        _existing(con, username)


def main_users(args, *, getpass=_getpass.getpass, out=None, err=None):
    """Run ``python -m layers users add|passwd|delete|logout-all|list``.

    Parameters
    ----------
    args : argparse.Namespace
        ``users_command``, ``name`` (except for list), ``role`` (add) and
        ``store`` (path or None).
    getpass : callable
        Asks for a password without echo.
    out, err : file, optional
        Default: ``sys.stdout`` and ``sys.stderr``.

    Returns
    -------
    int
        0 done, 1 aborted, 2 bad input (nothing written), 3 store problem.
    """
    out, err = out or sys.stdout, err or sys.stderr
    try:
        store = open_store(getattr(args, "store", None))
        require_store(store)
        command = args.users_command
        if command == "list":
            for user in list_users(store):
                print(_user_line(user), file=out)
        elif command == "add":
            check_username(args.name)
            _check_role(args.role)
            add_user(store, args.name, _ask_password(getpass), args.role)
            print(f"La til / added {args.name} ({args.role})", file=out)
        elif command == "passwd":
            _existing_user(store, args.name)
            change_password(store, args.name, _ask_password(getpass))
            print(
                f"Nytt passord / new password for {args.name}; alle økter avsluttet "
                "/ every session ended",
                file=out,
            )
        elif command == "logout-all":
            ended = end_sessions(store, args.name)
            print(
                f"Logget ut overalt / logged out everywhere: {args.name} "
                f"({ended} økt(er) / session(s))",
                file=out,
            )
        elif command == "delete":
            delete_user(store, args.name)
            print(f"Slettet / deleted {args.name}", file=out)
        else:
            raise InputError(code="user.unknown_command", params={"command": command})
    except (KeyboardInterrupt, EOFError):
        print("\nAvbrutt / aborted", file=err)
        return 1
    except InputError as exc:
        print(f"Feil i inndata / bad input: {exc}", file=err)
        return EXIT_INPUT
    except StoreError as exc:
        print(f"Lagerfeil / store error: {exc}", file=err)
        return EXIT_STORE
    return 0
