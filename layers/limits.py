"""Resource limits of every input: the register's form and all importers.

One set of constants, used by the register's validation (``layers.register``), the
premises importer (CLI and the register's web import), and the importers of
establishments, addresses, GTFS and areas. Every limit is checked while streaming:
a file over one is refused with the limit named (``InputError`` code
``limit.*``), before it can take much memory or time.
"""

from __future__ import annotations

# Text fields. Titles, addresses, contacts and names (a premises listing's title,
# address and contact; an establishment's name; a stop's or street's name; an
# area's name) are at most MAX_TEXT characters; links at most MAX_URL.
MAX_TEXT = 200
MAX_URL = 2000
# Any one CSV cell or JSON string, whatever field it is: longer is not a record of
# any of the sources (Brønnøysund's longest field is well under 1 000 characters).
MAX_CELL = 10_000

# Plausible values of a listing.
MAX_SIZE_M2 = 200_000
MAX_RENT_NOK_M2_YEAR = 20_000

# JSON: a Brønnøysund record is an object of at most 4 levels; a GeoJSON
# MultiPolygon is 8 levels deep counted from the FeatureCollection.
MAX_JSON_DEPTH = 16
# One JSON record (a Brønnøysund underenhet, a GeoJSON feature), decompressed.
MAX_RECORD_BYTES = 1 << 20  # 1 MiB

# Compressed files (gzip and zip alike). The national files are large: the
# Brønnøysund underenheter download is ~2 GB as JSON, the national address file
# and Entur's GTFS under 4 GB unpacked. A ratio above MAX_COMPRESSION_RATIO
# (after the first COMPRESSION_GRACE_BYTES) is a compression bomb: real data
# compresses 5-20 times.
MAX_DECOMPRESSED_BYTES = 4 << 30  # 4 GiB per file (per zip member as well)
MAX_COMPRESSION_RATIO = 100
COMPRESSION_GRACE_BYTES = 16 << 20

# File sizes on disk.
MAX_PREMISES_FILE_BYTES = 10 << 20  # premises lists (CLI and the register's upload)
MAX_AREAS_FILE_BYTES = 50 << 20  # the six areas' polygons
MAX_PREMISES_ROWS = 50_000  # rows of a premises list (CSV, XLSX, GeoJSON features)
MAX_XLSX_ROWS = MAX_PREMISES_ROWS


def mib(n):
    """Return ``n`` bytes as a MiB figure for messages."""
    return round(n / (1 << 20), 1)


# Areas: an area smaller than this share of the municipality is a slip (a sliver,
# a polygon in degrees typed as metres), not a business area. Lørenskog: 7 000 m².
MIN_AREA_SHARE = 1e-4
