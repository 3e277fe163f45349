"""The premises register that business developers keep current.

The register is a set of side tables inside the store (GDAL ignores tables not
registered in ``gpkg_contents``), so the store stays one file:

``register_premises``
    One row per listing: the ``premises`` schema's columns, ``lat``/``lon`` in
    degrees (EPSG:4326) and bookkeeping (``created_at``, ``created_by``,
    ``updated_by``, ``version``, ``demonstration``).
``register_history``
    One row per change: when, who, the action (``create``, ``update``, ``status``,
    ``renew``, ``import``, ``delete``) and the changed fields as JSON
    ``{field: [old, new]}``.

Every write holds the store's write lock and runs in one transaction on a fresh
connection (a layer import replaces the file). Input is checked before the
transaction starts, and any exception rolls it back, so nothing is ever
half-saved. Edits use optimistic concurrency: the caller passes the ``version`` it
showed the user, and a stale version raises :class:`ConflictError`.

Text is stored verbatim (escaping is the UI's job). Timestamps are ISO strings in
UTC (``YYYY-MM-DDTHH:MM:SSZ``).

Modules: ``tables`` (side tables, reading), ``validation`` (form values, the
point, status transitions), ``edits`` (single listings), ``imports`` (whole
lists), ``staging`` (uploaded lists waiting for confirmation). The register is the
store's overlay for the ``premises`` layer (``overlay_layer``, ``overlay_info``).
"""

from __future__ import annotations

from layers.register.edits import (
    ConflictError,
    add_listing,
    renew_listing,
    set_status,
    update_listing,
)
from layers.register.imports import apply_import, preview_import, seed_register
from layers.register.tables import (
    BOUNDARY_TOLERANCE_M,
    COLUMNS,
    EXTRA_COLUMNS,
    FORM_FIELDS,
    HISTORY_TABLE,
    LOCAL_TZ,
    MAX_RENT_NOK_M2_YEAR,
    MAX_SIZE_M2,
    MAX_TEXT,
    MAX_URL,
    PREMISES_TABLE,
    all_listings,
    ensure_schema,
    get_listing,
    has_register,
    history,
    is_placed,
    read_register,
    reading,
    recover,
    register_info,
    unplaced_count,
    writing,
)
from layers.register.validation import (
    TRANSITIONS,
    FormErrors,
    check_all_inside,
    check_inside,
    check_transition,
    validate_listing,
)
from layers.store.base import require_store, table_exists, timestamp

__all__ = [
    "BOUNDARY_TOLERANCE_M",
    "COLUMNS",
    "EXTRA_COLUMNS",
    "FORM_FIELDS",
    "HISTORY_TABLE",
    "LOCAL_TZ",
    "MAX_RENT_NOK_M2_YEAR",
    "MAX_SIZE_M2",
    "MAX_TEXT",
    "MAX_URL",
    "PREMISES_TABLE",
    "TRANSITIONS",
    "ConflictError",
    "FormErrors",
    "add_listing",
    "all_listings",
    "apply_import",
    "check_all_inside",
    "check_inside",
    "check_transition",
    "ensure_schema",
    "get_listing",
    "has_register",
    "history",
    "is_placed",
    "overlay_info",
    "overlay_layer",
    "preview_import",
    "read_register",
    "reading",
    "recover",
    "register_info",
    "renew_listing",
    "require_store",
    "seed_register",
    "set_status",
    "table_exists",
    "timestamp",
    "unplaced_count",
    "update_listing",
    "validate_listing",
    "writing",
]


def overlay_layer(store):
    """The ``premises`` layer from the register, or None when it holds no listing."""
    return read_register(store) if has_register(store) else None


def overlay_info(store):
    """The ``premises`` layer's info from the register, or None (see the store)."""
    return register_info(store)
