"""Exports that cannot starve the site: a shared cache and a bound on builds.

A PDF, HTML map or workbook takes seconds of CPU. Every export goes through
:func:`cached_export`:

* the result is cached on disk (``export-cache/`` next to the store, so every
  gunicorn worker shares it) under a key of the store's content (its file, which a
  layer import replaces, and the register's rows and newest change), the kind, the
  language and the parameters; at most ``CACHE_MAX_FILES`` files, oldest dropped;
* at most ``EXPORT_SLOTS`` builds run at once across all workers (an exclusive
  ``flock`` on one of N slot files); when all are taken the caller gets
  :class:`ExportBusy` at once, with a Retry-After, instead of a queue of workers.

``EXPORT_SLOTS = 0`` (setting) turns both off: every request builds (for
comparison in ``bench/bench_export_load.py``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path

import flask

from components import data

CACHE_DIR = "export-cache"
CACHE_MAX_FILES = 200
RETRY_AFTER_S = 5
_LOCAL = threading.Lock()


class ExportBusy(RuntimeError):
    """Every export slot is taken; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after=RETRY_AFTER_S):
        self.retry_after = int(retry_after)
        super().__init__(f"all export slots are busy; retry after {retry_after} s")


def slots():
    """How many exports may be built at once (0: no bound and no cache)."""
    return int(flask.current_app.config.get("EXPORT_SLOTS", 1))


def _folder(store):
    folder = Path(store.path).parent / CACHE_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def content_key(store):
    """What an export depends on: the store file and the register's state.

    Logins and other in-place writes to tables that no export reads leave it.
    """
    from layers.register import register_info, require_store

    require_store(store)  # a StoreError that says what is wrong
    st = os.stat(store.path)
    info = register_info(store)
    register = None if info is None else (info.rows, info.imported_at)
    return [st.st_dev, st.st_ino, register]


def export_key(kind, params, store):
    """The cache key (hex) of one export of ``kind`` with ``params`` (JSON-able)."""
    text = json.dumps(
        [content_key(store), kind, params], sort_keys=True, default=str
    ).encode()
    return hashlib.sha256(text).hexdigest()


def _read(path):
    # One JSON line (file name, MIME type), then the file's bytes. No pickle: a
    # cache file is data, never code.
    try:
        with open(path, "rb") as fh:
            head = json.loads(fh.readline())
            return str(head["name"]), fh.read(), str(head["mime"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(folder, path, value):
    name, content, mime = value
    head = json.dumps({"name": name, "mime": mime}).encode() + b"\n"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(head)
            fh.write(content)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return
    files = sorted(folder.glob("*.export"), key=lambda p: p.stat().st_mtime)
    for old in files[:-CACHE_MAX_FILES]:
        with contextlib.suppress(OSError):
            old.unlink()


@contextlib.contextmanager
def _slot(folder, n):
    """Hold one of ``n`` slot locks shared by every process, or raise ExportBusy."""
    for k in range(n):
        try:
            fh = open(folder / f"slot-{k}.lock", "a")  # noqa: SIM115 (held below)
        except OSError:
            # A folder we cannot write: bound this process at least.
            with _local_slot():
                yield
            return
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            continue
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()
        return
    raise ExportBusy()


@contextlib.contextmanager
def _local_slot():
    # Without a writable cache folder: at most one build per process.
    if not _LOCAL.acquire(blocking=False):
        raise ExportBusy()
    try:
        yield
    finally:
        _LOCAL.release()


def cached_export(kind, params, build):
    """Return ``build()`` for this export from the cache, or build it in a slot.

    Parameters
    ----------
    kind : str
        ``html``, ``pdf``, ``xlsx`` (part of the key).
    params : dict
        Everything else the file depends on (area, language, layers …), JSON-able.
    build : callable
        Makes the file: returns ``(file name, bytes, MIME type)``.

    Returns
    -------
    tuple
        What ``build`` returns.

    Raises
    ------
    ExportBusy
        Every slot is taken by another build.
    """
    n = slots()
    if n <= 0:
        return build()
    store = data.store()
    key = export_key(kind, params, store)
    try:
        folder = _folder(store)
    except OSError:
        with _local_slot():
            return build()
    path = folder / f"{key}.export"
    hit = _read(path)
    if hit is not None:
        return hit
    with _slot(folder, n):
        # Another worker may have built it while we waited for the slot.
        hit = _read(path)
        if hit is not None:
            return hit
        value = build()
        _write(folder, path, value)
        return value


def export_params(context, online):
    """The parameters an export of the meeting pack depends on, normalised."""
    from components.exports_panel import point_layers
    from components.i18n import lang_or_default
    from layers.schemas import AREA_IDS

    context = context if isinstance(context, dict) else {}
    area = context.get("area")
    areas = context.get("areas")
    return {
        "area": area if area in AREA_IDS else None,
        "lang": lang_or_default(context.get("lang")),
        "layers": point_layers(
            [x for x in context.get("layers") or () if isinstance(x, str)]
        ),
        "areas": [a for a in areas if a in AREA_IDS][:12]
        if isinstance(areas, list)
        else None,
        "online": bool(online),
    }


def meeting_pack_export(kind, context, *, online):
    """One file of the meeting pack (map HTML, PDF, XLSX), cached and bounded.

    Parameters
    ----------
    kind : str
    context : dict
        ``components.exports_panel.context_data`` (from the page or a link).
    online : bool
        Offer an online basemap in the HTML map.

    Returns
    -------
    tuple
        ``(file name, bytes, MIME type)``.

    Raises
    ------
    ExportBusy, components.exports.ExportError, layers.errors.StoreError
    """
    from components import exports
    from components.exports_panel import make_export

    params = export_params(context, online)
    clean = {k: params[k] for k in ("area", "lang", "layers", "areas")}

    def build():
        store = data.store()
        return make_export(
            kind,
            clean,
            exports.read_layers(store),
            data.export_figures(),
            sources=exports.context_sources(store),
            online=params["online"],
        )

    return cached_export(kind, params, build)
