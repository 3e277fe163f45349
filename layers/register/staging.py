"""Staged bulk imports: an uploaded broker list waits, checked, for the editor's yes.

The flow is upload -> preview (nothing written) -> confirm. :func:`stage` checks
the file, compares it with the register (:func:`~layers.register.preview_import`)
and keeps it under a random token with a digest of that preview; :func:`confirm`
applies it only if the register still gives the same preview, so an editor never
imports something other than what they saw.

Staged files are kept next to the store (``uploads/`` beside the GeoPackage file),
named by a 128-bit random token, and removed when applied, refused or older than
``MAX_AGE_S``. A token is only ever turned into a path after checking its form,
so a client cannot name another file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from layers.errors import InputError
from layers.register.imports import apply_import, preview_import
from layers.register.validation import check_all_inside

MAX_MB = 10
MAX_BYTES = MAX_MB * 1024 * 1024
SUFFIXES = (".csv", ".xlsx", ".geojson", ".json")
MAX_AGE_S = 24 * 3600
MAX_NAME = 200
_TOKEN = re.compile(r"[0-9a-f]{32}")


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


def upload_dir(store):
    """Return (creating it) the folder staged uploads of ``store`` are kept in."""
    folder = Path(store.path).parent / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clean(store, now=None):
    """Remove staged uploads older than ``MAX_AGE_S``."""
    now = time.time() if now is None else now
    for path in upload_dir(store).glob("*"):
        try:
            if now - path.stat().st_mtime > MAX_AGE_S:
                path.unlink()
        except OSError:
            continue


def staged_path(store, token, suffix):
    """Return the path of a staged upload, or None when token or suffix is not ours."""
    if not (isinstance(token, str) and _TOKEN.fullmatch(token)):
        return None
    if suffix not in SUFFIXES:
        return None
    return upload_dir(store) / f"{token}{suffix}"


def digest(report):
    """Return a digest of a preview report (equal reports, equal digests)."""
    text = json.dumps(report, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def check_file(store, path, name, *, boundary=None):
    """Read and check a premises list; return ``(frame, preview report)``.

    Raises
    ------
    InputError
        The file is wrong (``problems`` lists every problem found).
    """
    from layers.sources.premises import read_premises

    gdf = read_premises(path)
    if boundary is not None:
        check_all_inside(gdf, boundary, source=name)
    return gdf, preview_import(store, gdf)


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


def stage(store, name, raw, *, boundary=None):
    """Keep an uploaded list, check it and compare it with the register.

    Parameters
    ----------
    store : layers.store.Store
    name : str
        The file name as uploaded (its suffix picks the reader).
    raw : bytes
    boundary : geopandas.GeoDataFrame, optional
        The municipality; every listing must lie inside it.

    Returns
    -------
    Staged

    Raises
    ------
    InputError
        The file is wrong; nothing is kept.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            code="file.unsupported_type", params={"suffix": suffix or "(none)"}
        )
    clean(store)
    token = secrets.token_hex(16)
    path = upload_dir(store) / f"{token}{suffix}"
    path.write_bytes(raw)
    try:
        _gdf, report = check_file(store, path, name, boundary=boundary)
    except InputError:
        path.unlink(missing_ok=True)
        raise
    if not (report["added"] or report["changed"]):
        path.unlink(missing_ok=True)
        return Staged(name, report, None)
    ticket = {"token": token, "suffix": suffix, "name": name, "digest": digest(report)}
    return Staged(name, report, ticket)


@dataclass(frozen=True)
class Outcome:
    """What :func:`confirm` did.

    ``state`` is ``"expired"`` (no such staged file), ``"stale"`` (the register
    changed since the preview: ``report`` is the new preview and ``ticket`` the
    new ticket, or None when nothing would change now) or ``"done"`` (``report``
    says what was imported).
    """

    state: str
    name: str
    report: dict | None = None
    ticket: dict | None = None


def confirm(store, ticket, *, user, boundary=None):
    """Apply a staged list, if the register still gives the preview the editor saw.

    Parameters
    ----------
    store : layers.store.Store
    ticket : dict
        From :class:`Staged`.
    user : str
    boundary : geopandas.GeoDataFrame, optional

    Returns
    -------
    Outcome

    Raises
    ------
    InputError
        The file is wrong now (it is removed).
    """
    ticket = ticket or {}
    path = staged_path(store, ticket.get("token"), ticket.get("suffix"))
    name = str(ticket.get("name") or "")[:MAX_NAME]
    if path is None or not path.is_file():
        return Outcome("expired", name)
    try:
        gdf, report = check_file(store, path, name, boundary=boundary)
    except InputError:
        path.unlink(missing_ok=True)
        raise
    if digest(report) != ticket.get("digest"):
        fresh = None
        if report["added"] or report["changed"]:
            fresh = {**ticket, "digest": digest(report)}
        return Outcome("stale", name, report, fresh)
    done = apply_import(store, gdf, user=user)
    path.unlink(missing_ok=True)
    return Outcome("done", name, done)


def discard(store, ticket):
    """Remove a staged upload (nothing happens when there is none)."""
    path = staged_path(store, (ticket or {}).get("token"), (ticket or {}).get("suffix"))
    if path is not None:
        path.unlink(missing_ok=True)
