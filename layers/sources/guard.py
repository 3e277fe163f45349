"""Guards shared by the importers: limits checked while streaming, encodings.

Every check raises :class:`layers.errors.InputError` with a ``limit.*`` or
``file.*`` code naming the limit (see :mod:`layers.limits`) or what was found,
so a hostile or careless file is refused quickly and in bounded memory.
"""

from __future__ import annotations

import io
import math
import re

import ijson

from layers import limits
from layers.errors import InputError

try:  # the C backend when the yajl library is there, as in establishments.py
    _ijson = ijson.get_backend("yajl2_c")
except ImportError:  # pragma: no cover - the pure Python backend is slower
    _ijson = ijson

_UTF16_BOMS = {b"\xff\xfe": "UTF-16 LE", b"\xfe\xff": "UTF-16 BE"}


def sniff_encoding(head):
    """Return the encoding of a file from its first bytes.

    Returns ``"utf-8"`` (also plain ASCII), ``"UTF-16 LE"``/``"UTF-16 BE"`` (a byte
    order mark, or every other byte zero), ``"Windows-1252"`` (not UTF-8 but
    readable as it) or ``"binary"``.
    """
    if head[:3] == b"\xef\xbb\xbf":
        head = head[3:]
    if head[:2] in _UTF16_BOMS:
        return _UTF16_BOMS[head[:2]]
    sample = head[:4096]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        return "UTF-16 LE" if sample[1:2] == b"\x00" else "UTF-16 BE"
    if b"\x00" in sample:
        return "binary"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut at the end of the sample
            return "utf-8"
    try:
        head.decode("cp1252")
    except UnicodeDecodeError:
        return "binary"
    return "Windows-1252"


def require_utf8(head, source, *, allow_cp1252=False):
    """Refuse a file whose first bytes are not UTF-8 (naming what they are)."""
    found = sniff_encoding(head)
    if found == "utf-8" or (allow_cp1252 and found == "Windows-1252"):
        return found
    raise InputError(
        code="file.wrong_encoding",
        params={"found": found, "expected": "UTF-8"},
        file=source,
    )


def check_file_size(path, source, limit):
    """Refuse a file larger than ``limit`` bytes."""
    import os

    size = os.path.getsize(path)
    if size > limit:
        raise InputError(
            code="limit.file_size",
            params={"mb": limits.mib(size), "limit_mb": limits.mib(limit)},
            file=source,
        )
    return size


class BoundedReader(io.RawIOBase):
    """A binary stream over a decompressing one, refused past the limits.

    Parameters
    ----------
    inner : binary file object
        The decompressed stream (``gzip.GzipFile``, a zip member).
    compressed : int
        Size of the compressed data, for the ratio check.
    source : str
        File named in errors.
    """

    def __init__(self, inner, compressed, source, *, limit=None):
        self.inner = inner
        self.compressed = max(int(compressed), 1)
        self.source = source
        self.limit = limits.MAX_DECOMPRESSED_BYTES if limit is None else limit
        self.total = 0

    def readable(self):
        return True

    def readinto(self, b):
        data = self.inner.read(len(b))
        n = len(data)
        b[:n] = data
        self.total += n
        self._check()
        return n

    def _check(self):
        if self.total > self.limit:
            raise InputError(
                code="limit.decompressed",
                params={"limit_mb": limits.mib(self.limit)},
                file=self.source,
            )
        if (
            self.total > limits.COMPRESSION_GRACE_BYTES
            and self.total > limits.MAX_COMPRESSION_RATIO * self.compressed
        ):
            raise InputError(
                code="limit.compression_ratio",
                params={
                    "ratio": round(self.total / self.compressed),
                    "limit": limits.MAX_COMPRESSION_RATIO,
                },
                file=self.source,
            )


def _depth_error(source, row):
    return InputError(
        code="limit.json_depth",
        params={"limit": limits.MAX_JSON_DEPTH},
        file=source,
        row=row,
    )


def _string_error(source, row, n):
    return InputError(
        code="limit.cell_length",
        params={"n": n, "limit": limits.MAX_CELL},
        file=source,
        row=row,
    )


def _number(value, source, row):
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(
            code="value.not_finite", params={"got": str(value)}, file=source, row=row
        )
    return value


def iter_json_records(f, source, *, path=("item",), record_limit=None):
    """Yield the JSON values at ``path`` of a stream, with depth and size bounded.

    Built on ijson's ``basic_parse`` event stream (no prefix strings, which make
    a file of nested arrays cost memory quadratic in its depth): the nesting depth
    counted from the top is at most ``MAX_JSON_DEPTH``, a string at most
    ``MAX_CELL`` characters, a record at most ``record_limit`` (default
    ``MAX_RECORD_BYTES``) of text (its strings, keys and numbers), numbers finite.

    Parameters
    ----------
    f : binary file object
    source : str
    path : tuple of str
        Keys (``"item"`` for an array element) leading to the records:
        ``("item",)`` for a top-level array, ``("_embedded", "underenheter",
        "item")`` for an API page, ``()`` for the whole document.
    record_limit : int, optional

    Yields
    ------
    object
        Each record (dict, list or scalar), floats as float.
    """
    want = tuple(path)
    limit = limits.MAX_RECORD_BYTES if record_limit is None else record_limit
    ctx = []  # [kind, prefix, key] per open container
    stack = []  # containers under construction inside a record
    keys = []  # pending key per container on the stack
    count = 0
    size = 0

    def prefix():
        if not ctx:
            return ()
        kind, pre, key = ctx[-1]
        return (*pre, key if kind == "map" else "item")

    f = _Tail(f)
    events = _ijson.basic_parse(f, use_float=True, buf_size=64 * 1024)
    try:
        for event, value in events:
            if event == "start_map" or event == "start_array":
                if len(ctx) >= limits.MAX_JSON_DEPTH:
                    raise _depth_error(source, count + 1)
                node = None
                if stack:
                    node = {} if event == "start_map" else []
                    _add(stack, keys, node)
                    ctx.append([event[6:], (), None])
                else:
                    pre = prefix()
                    if pre == want:
                        node = {} if event == "start_map" else []
                        size = 0
                    ctx.append([event[6:], pre, None])
                if node is not None:
                    stack.append(node)
                    keys.append(None)
                continue
            if event == "end_map" or event == "end_array":
                ctx.pop()
                if stack:
                    node = stack.pop()
                    keys.pop()
                    if not stack:
                        count += 1
                        yield node
                continue
            if event == "map_key":
                if len(value) > limits.MAX_CELL:
                    raise _string_error(source, count + 1, len(value))
                if stack:
                    keys[-1] = value
                    size += len(value)
                else:
                    ctx[-1][2] = value
                continue
            if isinstance(value, str):
                if len(value) > limits.MAX_CELL:
                    raise _string_error(source, count + 1, len(value))
                size += len(value)
            elif isinstance(value, float):
                _number(value, source, count + 1)
                size += 8
            else:
                size += 8
            if stack:
                _add(stack, keys, value)
                if size > limit:
                    raise InputError(
                        code="limit.record_size",
                        params={"limit_mb": limits.mib(limit)},
                        file=source,
                        row=count + 1,
                    )
            elif prefix() == want:
                count += 1
                yield value
    except ijson.JSONError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "incomplete"
        constant = _NOT_FINITE.search(f.tail)
        if "overflow" in first or (constant and "lexical" in first):
            big = _HUGE.search(f.tail)
            got = (constant or big).group().decode() if (constant or big) else "?"
            raise InputError(
                code="value.not_finite", params={"got": got}, file=source, row=count + 1
            ) from None
        raise InputError(
            code="file.json_invalid_at",
            params={"reason": first},
            file=source,
            row=count + 1,
        ) from None


_HUGE = re.compile(rb"-?\d+(?:\.\d+)?[eE][+]?\d{3,}")
_NOT_FINITE = re.compile(rb"-?(?:NaN|Infinity|inf)\b", re.IGNORECASE)


class _Tail:
    """A binary stream that keeps its last block read (to explain a parse error)."""

    def __init__(self, f):
        self.f = f
        self.tail = b""

    def read(self, n=-1):
        data = self.f.read(n)
        if data:
            self.tail = data
        return data


def _add(stack, keys, value):
    parent = stack[-1]
    if isinstance(parent, dict):
        parent[keys[-1]] = value
        keys[-1] = None
    else:
        parent.append(value)


def scan_json(f, source):
    """Read a whole JSON document within the limits (depth, strings, finite numbers).

    For files bounded in size beforehand (premises GeoJSON, areas GeoJSON):
    returns the parsed document.
    """
    for doc in iter_json_records(f, source, path=(), record_limit=1 << 62):
        return doc
    raise InputError(code="file.empty", file=source)
