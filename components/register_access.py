"""What the register's pages read and who may edit, fresh per request.

Other workers write too, so nothing here is cached; everything goes through
``components.data`` (the store) and ``components.auth`` (the session).
"""

from __future__ import annotations

from components import auth, data
from layers import register
from layers.errors import StoreError


def current_store():
    return data.store()


def all_listings():
    """All listings as dicts, sorted by title."""
    store = current_store()
    rows = register.all_listings(store)
    return sorted(rows, key=lambda r: (r["title"].casefold(), r["premises_id"]))


def placed_only(rows):
    """The listings that have a point (unplaced ones wait for a map click)."""
    return [r for r in rows if register.is_placed(r)]


def boundary_or_none():
    try:
        return data.layer("boundary")
    except StoreError:
        return None


def can_edit():
    user = auth.current_user()
    return user is not None and user["role"] in auth.EDIT_ROLES
