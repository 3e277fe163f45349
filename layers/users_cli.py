"""``python -m layers users add|passwd|delete|logout-all|list`` (wired in layers/cli.py).

Passwords are asked for twice at the terminal, never taken from the command line.
"""

from __future__ import annotations

import getpass as _getpass
import sys

from layers.errors import InputError, StoreError
from layers.sessions import change_password, end_sessions
from layers.store import open_store, reading, require_store, timestamp
from layers.users import (
    ROLES,
    _check_role,
    _existing,
    add_user,
    check_password,
    check_username,
    delete_user,
    list_users,
)

EXIT_INPUT, EXIT_STORE = 2, 3


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
