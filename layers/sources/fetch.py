"""Download open data files (Brønnøysund, Entur GTFS, Kartverket addresses).

Files are streamed with :mod:`urllib` to a temporary file next to the destination
and renamed into place only when complete, so a failed download leaves no partial
file and never replaces a good one. Importing the file is up to the caller.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import sys
import tempfile
import unicodedata
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit
from xml.etree import ElementTree

CHUNK_BYTES = 64 * 1024
USER_AGENT = "naeringsarealer-lorenskog/0.1 (+python-urllib)"

DEFAULT_URLS = {
    # Enhetsregisteret, all sub-units (underenheter) of Norway, gzip-compressed JSON.
    "brreg": "https://data.brreg.no/enhetsregisteret/api/underenheter/lastned",
    # Entur's aggregated GTFS for all of Norway (Ruter included).
    "gtfs": (
        "https://storage.googleapis.com/marduk-production/outbound/gtfs/"
        "rb_norway-aggregated-gtfs.zip"
    ),
    # Kartverket "Matrikkelen - Adresse", CSV, for Lørenskog (3222) in EPSG:25833.
    # The kommune file's name is unconfirmed; `fetch addresses` without --url
    # asks the Atom feed, then tries this name, then the county file (see
    # address_candidates).
    "addresses": (
        "https://nedlasting.geonorge.no/geonorge/Basisdata/MatrikkelenAdresse/CSV/"
        "Basisdata_3222_Lorenskog_25833_MatrikkelenAdresse_CSV.zip"
    ),
    # Kartverket "Administrative enheter kommuner" (Geonorge, CC BY 4.0): every
    # kommune of Norway, GeoJSON in a zip, EPSG:4258 (ETRS89, degrees as 4326);
    # the zip holds Basisdata_0000_Norge_4258_Kommune_GeoJSON.geojson.
    "boundary": (
        "https://nedlasting.geonorge.no/geonorge/Basisdata/Kommuner/GeoJSON/"
        "Basisdata_0000_Norge_4258_Kommuner_GeoJSON.zip"
    ),
}

# Request headers per source. Brønnøysund's bulk download answers a plain
# `Accept: application/json` with HTTP 400 (reported); it wants its own type.
DEFAULT_HEADERS = {
    "brreg": {
        "Accept": "application/vnd.brreg.enhetsregisteret.underenhet.v2+gzip;"
        "charset=UTF-8"
    },
}

# Kartverket's address files: one per kommune and one per county, named
# Basisdata_{number}_{Name without diacritics}_25833_MatrikkelenAdresse_CSV.zip.
ADDRESS_BASE = (
    "https://nedlasting.geonorge.no/geonorge/Basisdata/MatrikkelenAdresse/CSV/"
)
ADDRESS_ATOM = "https://nedlasting.geonorge.no/geonorge/ATOM-feeds/MatrikkelenAdresse_AtomFeedCSV.xml"
ADDRESS_EPSG = "25833"
# kommune -> (kommune name, county number, county name); the county file
# Basisdata_32_Akershus_25833_MatrikkelenAdresse_CSV.zip is confirmed.
KOMMUNER = {"3222": ("Lørenskog", "32", "Akershus")}
MAX_ATOM_BYTES = 20_000_000

# File name used when the URL's last path segment has no extension.
DEFAULT_FILENAMES = {
    "brreg": "underenheter.json.gz",
    "gtfs": "rb_norway-aggregated-gtfs.zip",
    "addresses": "adresser.zip",
    "boundary": "kommuner.zip",
}
# The national kommune file is about 100 MB unzipped (its GeoJSON, full detail).
MAX_KOMMUNE_FILE_BYTES = 600_000_000


class FetchError(RuntimeError):
    """A download failed; nothing was written.

    Parameters
    ----------
    url : str
        The URL that was asked for.
    reason : str
        What went wrong, in plain words.
    """

    def __init__(self, url, reason):
        self.url = url
        self.reason = reason
        super().__init__(
            f"Kunne ikke laste ned / could not download {url}: {reason}. "
            "Ingen data ble endret / No data was changed."
        )


class ProgressBar:
    """A one-line progress bar, redrawn in place on a text stream.

    Call it with ``(done_bytes, total_bytes)`` as :func:`download` does; call
    :meth:`close` at the end to finish the line.

    Parameters
    ----------
    label : str
        Text in front of the bar (e.g. the file name).
    stream : file-like, optional
        Where to draw (default ``sys.stderr``).
    width : int
        Width of the bar in characters.
    """

    def __init__(self, label="", *, stream=None, width=30):
        self.label = label
        self.stream = stream
        self.width = width
        self._last = None
        self._drawn = False

    def __call__(self, done, total):
        line = format_progress(done, total, label=self.label, width=self.width)
        if line == self._last:
            return
        self._last = line
        stream = self.stream or sys.stderr
        stream.write("\r" + line)
        stream.flush()
        self._drawn = True

    def close(self):
        """End the progress line with a newline, if anything was drawn."""
        if self._drawn:
            (self.stream or sys.stderr).write("\n")
            self._drawn = False


def format_progress(done, total, *, label="", width=30):
    """Return one progress line: bar and percent if ``total`` is known, else size.

    Parameters
    ----------
    done : int
        Bytes received.
    total : int or None
        Expected bytes, or None when the server did not say.
    label : str
        Text in front of the bar.
    width : int
        Width of the bar in characters.

    Returns
    -------
    str
    """
    head = f"{label} " if label else ""
    if not total:
        return f"{head}{_megabytes(done)}"
    share = min(done / total, 1.0)
    filled = int(share * width)
    bar = "#" * filled + "-" * (width - filled)
    return f"{head}[{bar}] {share:4.0%} {_megabytes(done)} / {_megabytes(total)}"


def _megabytes(n):
    return f"{n / 1_000_000:.1f} MB"


def _reason(exc, timeout):
    """Plain-words reason for a network exception."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"the server answered HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        if not isinstance(exc.reason, BaseException):
            return f"network error ({exc.reason})"
        exc = exc.reason
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout} s (timeout)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the address right, and the server up?)"
    if isinstance(exc, socket.gaierror):
        return f"host name not found ({exc.strerror}); check the network connection"
    if isinstance(exc, http.client.IncompleteRead):
        got, left = len(exc.partial), exc.expected
        return f"the connection closed early ({got} bytes received, {left} missing)"
    return f"{type(exc).__name__}: {exc}"


def _content_length(response):
    value = response.headers.get("Content-Length")
    return int(value) if value and value.strip().isdigit() else None


def _stream(response, out, *, url, progress, max_bytes):
    """Copy ``response`` to ``out``; return the number of bytes written."""
    total = _content_length(response)
    if max_bytes is not None and total is not None and total > max_bytes:
        raise FetchError(url, f"the file is {total} bytes, more than {max_bytes}")
    done = 0
    progress(done, total)
    while chunk := response.read(CHUNK_BYTES):
        done += len(chunk)
        if max_bytes is not None and done > max_bytes:
            raise FetchError(url, f"the file is more than {max_bytes} bytes")
        out.write(chunk)
        progress(done, total)
    if total is not None and done != total:
        raise FetchError(
            url, f"the connection closed early ({done} of {total} bytes received)"
        )
    return done


def download(url, dest, *, progress=None, timeout=30, max_bytes=None, headers=None):
    """Download ``url`` to ``dest`` atomically.

    The body is written to a temporary file in ``dest``'s folder and renamed to
    ``dest`` when complete; on failure the temporary file is removed and ``dest``
    is left as it was.

    Parameters
    ----------
    url : str
        An ``http`` or ``https`` URL.
    dest : str or pathlib.Path
        Destination file; its folder is created if needed.
    progress : callable, optional
        Called as ``progress(done_bytes, total_bytes)`` (``total_bytes`` None when
        the server sends no Content-Length), first with 0. Default: a one-line
        progress bar on stderr (:class:`ProgressBar`).
    timeout : float
        Seconds to wait for the connection and for each read.
    max_bytes : int, optional
        Refuse files larger than this.
    headers : dict, optional
        Extra request headers (e.g. ``Accept``).

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    FetchError
        The URL is not http(s), the server cannot be reached, answers with an
        error status, stops early, times out, or the file is too large.
    """
    dest = Path(dest)
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FetchError(url, "only http:// and https:// addresses can be downloaded")
    bar = ProgressBar(dest.name) if progress is None else None
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, **(headers or {})}
    )
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            fd, tmp = tempfile.mkstemp(
                prefix=f".{dest.name}.", suffix=".part", dir=dest.parent
            )
            with os.fdopen(fd, "wb") as out:
                _stream(
                    response,
                    out,
                    url=url,
                    progress=progress or bar,
                    max_bytes=max_bytes,
                )
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, dest)
        tmp = None
    except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
        if isinstance(exc, urllib.error.HTTPError):
            exc.close()
        raise FetchError(url, _reason(exc, timeout)) from exc
    finally:
        if bar is not None:
            bar.close()
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return dest


def filename_for(kind, url):
    """Return the local file name for a download of ``kind`` from ``url``.

    Parameters
    ----------
    kind : str
        A key of ``DEFAULT_URLS``.
    url : str
        The URL downloaded.

    Returns
    -------
    str
        The URL's last path segment when it has an extension (made safe),
        otherwise ``DEFAULT_FILENAMES[kind]``.
    """
    name = PurePosixPath(urlsplit(url).path).name
    name = re.sub(r"[^\w.\-]", "_", name).lstrip(".")
    return name if "." in name else DEFAULT_FILENAMES[kind]


def fetch(kind, *, url=None, dest_dir, progress=None):
    """Download the file for a data source into ``dest_dir``.

    Parameters
    ----------
    kind : {"brreg", "gtfs", "addresses"}
        Which source.
    url : str, optional
        Override the default URL (``DEFAULT_URLS[kind]``).
    dest_dir : str or pathlib.Path
        Folder to download into; created if needed.
    progress : callable, optional
        See :func:`download`.

    Returns
    -------
    pathlib.Path
        The downloaded file.

    Raises
    ------
    ValueError
        ``kind`` is unknown.
    FetchError
        The download failed; nothing was written.
    """
    if kind not in DEFAULT_URLS:
        known = ", ".join(DEFAULT_URLS)
        raise ValueError(f"unknown download {kind!r}; expected one of: {known}")
    url = url or DEFAULT_URLS[kind]
    dest = Path(dest_dir) / filename_for(kind, url)
    return download(url, dest, progress=progress, headers=DEFAULT_HEADERS.get(kind))


def ascii_name(name):
    """A place name as Geonorge writes it in file names: ``Lørenskog`` -> ``Lorenskog``."""
    table = str.maketrans(
        {"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"}
    )
    text = unicodedata.normalize("NFKD", name.translate(table))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def address_file_name(number, name):
    """Kartverket's address CSV file name for a kommune or county number."""
    return f"Basisdata_{number}_{ascii_name(name)}_{ADDRESS_EPSG}_MatrikkelenAdresse_CSV.zip"


def address_candidates(kommune, *, base=ADDRESS_BASE, atom_text=None):
    """The URLs to try for a kommune's addresses, best first, with their scope.

    From the Atom feed when given (its links to this kommune's file, then to its
    county's), else by the naming scheme: the kommune file, then the county file
    (which holds the whole county; the importer keeps the kommune).

    Parameters
    ----------
    kommune : str
        Four-digit kommune number, a key of :data:`KOMMUNER`.
    base : str
        Folder URL of the files (for the naming scheme).
    atom_text : str, optional
        The Atom feed's XML.

    Returns
    -------
    list of (str, str)
        ``(url, "kommune" or "county")``.
    """
    kommune = str(kommune).strip().zfill(4)
    name, county, county_name = KOMMUNER.get(kommune, ("", kommune[:2], ""))
    if atom_text is not None:
        links = _atom_links(atom_text)
        found = [(u, "kommune") for u in links if _file_number(u) == kommune]
        found += [(u, "county") for u in links if _file_number(u) == county]
        if found:
            return found
    out = []
    if name:
        out.append((base + address_file_name(kommune, name), "kommune"))
    if county_name:
        out.append((base + address_file_name(county, county_name), "county"))
    if not out:
        raise ValueError(
            f"no address file name known for kommune {kommune}; pass --url"
        )
    return out


def _file_number(url):
    match = re.match(
        r"Basisdata_(\d{2,4})_[^/]*_MatrikkelenAdresse_CSV\.zip$",
        PurePosixPath(urlsplit(url).path).name,
    )
    return match.group(1) if match else None


def _atom_links(text):
    """Every link (href) and id in an Atom feed that names a zip file."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return []
    out = []
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        value = el.get("href") if tag == "link" else el.text if tag == "id" else None
        if value and value.strip().endswith(".zip") and value.strip() not in out:
            out.append(value.strip())
    return out


def fetch_addresses(kommune, *, dest_dir, base=None, atom=None, progress=None):
    """Download a kommune's address file, or its county's when that is what exists.

    The Atom feed is asked first (when reachable) for the real file names; then
    the candidates of :func:`address_candidates` are tried in turn, moving on when
    the server answers that a file does not exist.

    Parameters
    ----------
    kommune : str
    dest_dir : str or pathlib.Path
    base, atom : str, optional
        Folder of the files and the Atom feed's URL (default :data:`ADDRESS_BASE`,
        :data:`ADDRESS_ATOM`); ``atom=""`` skips the feed.
    progress : callable, optional

    Returns
    -------
    tuple of (pathlib.Path, str, str)
        The file, its URL and its scope (``"kommune"`` or ``"county"``).

    Raises
    ------
    FetchError
        No candidate could be downloaded (the last reason is given).
    """
    dest_dir = Path(dest_dir)
    base = ADDRESS_BASE if base is None else base
    atom = ADDRESS_ATOM if atom is None else atom  # "" skips the feed
    atom_text = None
    if atom:
        try:
            feed = download(
                atom,
                dest_dir / "MatrikkelenAdresse_AtomFeedCSV.xml",
                progress=progress or (lambda done, total: None),
                max_bytes=MAX_ATOM_BYTES,
            )
            atom_text = feed.read_text(encoding="utf-8", errors="replace")
        except FetchError as exc:
            print(
                f"Atom-feeden svarte ikke / Atom feed not reachable: {exc.reason}; "
                "prøver filnavnene / trying the file names",
                file=sys.stderr,
            )
    last = None
    for url, scope in address_candidates(kommune, base=base, atom_text=atom_text):
        try:
            path = download(
                url, dest_dir / filename_for("addresses", url), progress=progress
            )
        except FetchError as exc:
            last = exc
            continue
        return path, url, scope
    raise last


# --------------------------------------------------------------- kommune file


def read_kommune_file(path, *, max_bytes=MAX_KOMMUNE_FILE_BYTES):
    """Read Kartverket's kommuner: a GeoJSON, or Geonorge's zip of one.

    Geonorge's GeoJSON holds named FeatureCollections (``Kommune`` with the
    polygons, ``Kommunegrense`` with the boundary lines); only polygons are kept.
    The name is ``kommunenavn``, or the first ``navn`` of Kartverket's list of
    names. A ``crs`` member (``EPSG:4258``, ``EPSG:25833`` …) is honoured.

    Parameters
    ----------
    path : str or pathlib.Path
    max_bytes : int
        Refuse larger (unzipped) files.

    Returns
    -------
    geopandas.GeoDataFrame
        ``kommunenummer`` (four digits), ``kommunenavn``, geometry, EPSG:4326.

    Raises
    ------
    InputError
        Not a kommune file (no polygons with a kommunenummer), or too large.
    """
    import json
    import zipfile

    import geopandas as gpd
    from shapely.geometry import shape

    from layers.errors import InputError

    path = Path(path)
    src = path.name
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                names = [
                    i for i in zf.infolist() if i.filename.lower().endswith(".geojson")
                ]
                if not names:
                    raise InputError("the zip holds no .geojson file", file=src)
                info = names[0]
                if info.file_size > max_bytes:
                    raise InputError(f"{info.filename} is too large", file=src)
                data = json.loads(zf.read(info).decode("utf-8-sig"))
        else:
            if path.stat().st_size > max_bytes:
                raise InputError("the file is too large", file=src)
            data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"cannot read as GeoJSON ({exc})", file=src) from exc
    collections = _feature_collections(data)
    rows, geoms, crs = [], [], "EPSG:4326"
    for fc in collections:
        crs = _geojson_crs(fc, default=_geojson_crs(data, default=crs))
        for feat in fc.get("features") or ():
            props = feat.get("properties") or {}
            geom = feat.get("geometry") or {}
            number = str(props.get("kommunenummer") or "").strip()
            if geom.get("type") not in ("Polygon", "MultiPolygon") or not number:
                continue
            rows.append(
                {"kommunenummer": number.zfill(4), "kommunenavn": _kommune_name(props)}
            )
            geoms.append(shape(geom))
    if not rows:
        raise InputError("no kommune polygons with a kommunenummer", file=src)
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=crs)
    # ETRS89 and WGS 84 differ by well under a metre here: 4258 is read as 4326.
    if gdf.crs.to_epsg() == 4258:
        return gdf.set_crs("EPSG:4326", allow_override=True)
    return gdf.to_crs("EPSG:4326")


def _feature_collections(data):
    if not isinstance(data, dict):
        return []
    if data.get("type") == "FeatureCollection":
        return [data]
    return [
        v
        for k, v in data.items()
        if isinstance(v, dict)
        and v.get("type") == "FeatureCollection"
        and "grense" not in str(k).lower()
    ]


def _geojson_crs(obj, *, default):
    crs = obj.get("crs") if isinstance(obj, dict) else None
    name = ((crs or {}).get("properties") or {}).get("name") or ""
    match = re.search(r"EPSG:+(\d+)", str(name))
    if match:
        return f"EPSG:{match.group(1)}"
    return "EPSG:4326" if "CRS84" in str(name) else default


def _kommune_name(props):
    name = props.get("kommunenavn")
    if not name:
        names = props.get("navn")
        if isinstance(names, list) and names:
            first = names[0]
            name = first.get("navn") if isinstance(first, dict) else first
        else:
            name = names
    return str(name or "").strip()[:80]
