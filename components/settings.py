"""The app's settings: defaults, overridden by environment variables, then by arguments.

Every setting is documented in README.md (a test checks that).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# name -> (default, environment variable, what it is)
SETTINGS = {
    "NARING_STORE": (
        "instance/store.gpkg",
        "NARING_STORE",
        "path of the GeoPackage store (or a postgresql:// URL)",
    ),
    "DATABASE_URL": (
        None,
        "DATABASE_URL",
        "postgresql://user:password@host:port/db[?schema=NAME]: the PostGIS store, "
        "used instead of NARING_STORE; all app servers share it and SECRET_KEY",
    ),
    "SECRET_KEY": (
        None,
        "NARING_SECRET_KEY",
        "key that signs sessions; by default generated once into instance/secret_key",
    ),
    "DEFAULT_LANG": ("nb", "NARING_LANG", "language of the UI: nb (bokmål) or en"),
    "ONLINE_BASEMAPS": (
        "1",
        "NARING_ONLINE_BASEMAPS",
        "offer online basemaps (Kartverket, OpenStreetMap) as a choice: 1 or 0",
    ),
    "PROXY_FIX": (
        "0",
        "NARING_PROXY_FIX",
        "number of reverse proxies in front whose X-Forwarded-* headers are trusted",
    ),
    "EXPORT_SLOTS": (
        "1",
        "NARING_EXPORT_SLOTS",
        "exports (PDF, HTML, XLSX) built at once across all workers; 0: no bound",
    ),
}


def resolve(overrides=None):
    """Return the settings as a dict: defaults, then environment, then ``overrides``.

    Parameters
    ----------
    overrides : dict, optional

    Returns
    -------
    dict
    """
    config = {}
    for name, (default, env, _doc) in SETTINGS.items():
        config[name] = os.environ.get(env, default)
    config.update(overrides or {})
    if config["DATABASE_URL"] and "NARING_STORE" not in (overrides or {}):
        config["NARING_STORE"] = config["DATABASE_URL"]
    config["NARING_STORE"] = str(config["NARING_STORE"])
    config["ONLINE_BASEMAPS"] = str(config["ONLINE_BASEMAPS"]) not in ("0", "false", "")
    config["PROXY_FIX"] = _count(config, "PROXY_FIX")
    config["EXPORT_SLOTS"] = _count(config, "EXPORT_SLOTS")
    if not config["SECRET_KEY"]:
        from layers.store import is_url

        if is_url(config["NARING_STORE"]):
            # Several app servers: a key generated here would differ on each one.
            raise ValueError(
                "NARING_SECRET_KEY must be set when the store is a database "
                "(every app server needs the same key)"
            )
        config["SECRET_KEY"] = _persistent_secret(Path(config["NARING_STORE"]).parent)
    return config


def _count(config, name):
    try:
        value = int(str(config[name]).strip() or 0)
    except ValueError:
        raise ValueError(
            f"{name} must be a whole number, got {config[name]!r}"
        ) from None
    if not 0 <= value <= 64:
        raise ValueError(f"{name} must be between 0 and 64, got {value}")
    return value


def _persistent_secret(folder):
    # Workers must share the key; a file next to the store survives restarts.
    path = folder / "secret_key"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
