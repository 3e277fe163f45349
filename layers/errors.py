"""Errors raised for bad input or a bad store, each with a stable code.

An error carries a ``code`` (a stable string such as ``"value.not_positive"``) and
``params`` (a dict of plain values: numbers, strings). The English text is a default
made from the two with the template in :data:`CODES`; a user interface translates
by code (``components/i18n/errors.py``), never by parsing the English.

Input errors also name where the value came from: the file, the row or feature and
the field. Errors built with a message only (no code) still work: their code is
None and their text is the message.
"""

from __future__ import annotations

import string

# code -> English template. Placeholders name the params; ``{x:sp}`` writes a
# number with a space as thousands separator (``200 000``), ``{x:g}`` as Python's
# general format. Every code an InputError or StoreError is raised with is here.
CODES: dict[str, str] = {
    # Values of a form field or a file cell.
    "value.required": "{what} is required",
    "value.empty": "{what} is empty",
    "value.too_long": "{what} is too long ({n} characters; at most {limit})",
    "value.not_positive": "{what} must be greater than 0, got {value:g}",
    "value.implausible": "{what} {value:g} is implausible (more than {limit:sp} {unit})",
    "value.number": "expected a number, got {got}",
    "value.whole_number": "expected a whole number",
    "value.whole_number_required": "a whole number is required",
    "value.bool": "expected true/false",
    "value.date": "expected a date as YYYY-MM-DD or DD.MM.YYYY, got {got}",
    "value.date_year": "date {got} has an implausible year",
    "value.excel_date": "expected an Excel date, got {got}",
    "value.timestamp": "expected a date or time, got {got}",
    "value.control_character": "contains a control character {char}",
    "link.scheme": "link must be an http:// or https:// address, got {got}",
    "link.no_host": "link has no host name: {got}",
    "premises.type_empty": "type is empty; expected one of: {choices}",
    "premises.type_unknown": "unknown type {got}; expected one of: {choices}",
    "premises.status_required": "status is required; expected one of: {choices}",
    "premises.status_unknown": "unknown status {got}; expected one of: {choices}",
    # Coordinates.
    "coordinate.missing": "coordinate is missing or not a number",
    "coordinate.projected": (
        "coordinate ({lat}, {lon}) looks projected (metres), not degrees lat/lon"
    ),
    "coordinate.swapped": (
        "coordinate lat={lat}, lon={lon} looks swapped (lat and lon exchanged)"
    ),
    "coordinate.outside_norway": "point lat={lat}, lon={lon} lies outside Norway",
    "point.outside_municipality": (
        "the point lies {distance:sp} m outside the municipality"
    ),
    "listing.outside_municipality": (
        "the listing lies {distance:sp} m outside the municipality"
    ),
    # Register listings.
    "listing.duplicate": (
        "a listing with this title and address exists already (id {premises_id})"
    ),
    "listing.not_found": "there is no listing with id {premises_id!r}",
    "listing.same_status": "the listing is already '{status}'",
    "listing.transition": (
        "a listing that is '{old}' cannot become '{new}'; allowed: {allowed}"
    ),
    "listing.no_user": "the user making the change is not named",
    "import.duplicate_ids": "duplicate id(s): {ids}",
    "import.empty_id": "the id is empty",
    "import.unknown_type": "unknown type {got!r}",
    "import.unknown_status": "unknown status {got!r}",
    # Premises files (broker lists).
    "file.not_found": "file not found",
    "file.encoding": "the file is neither UTF-8 nor Windows-1252 text",
    "file.csv_unreadable": "cannot read the CSV file: {reason}",
    "file.xlsx_unreadable": "cannot read the workbook: {reason}",
    "file.json_invalid": "not valid JSON: {reason} (line {line})",
    "file.not_feature_collection": "expected a GeoJSON FeatureCollection",
    "file.unknown_crs": "unknown coordinate system {crs!r}",
    "file.unsupported_type": (
        "unsupported file type {suffix}; expected .csv, .xlsx or .geojson"
    ),
    "file.same_column": "columns {first!r} and {second!r} are the same column",
    "file.missing_columns": "missing column(s) {columns} (found: {found})",
    "file.no_location_columns": (
        "the file has no lat/lon columns, and no address register was given "
        "to place listings by address"
    ),
    "file.row_problem": "{problem}",
    "premises.no_location": "cannot place the listing: no lat/lon and no address",
    "premises.no_address_register": (
        "cannot place the listing: no lat/lon, and no address register was given "
        "to place it by address"
    ),
    "premises.address_not_found": (
        "address {address} was not found in the address register; give lat/lon instead"
    ),
    "premises.duplicate_id": "duplicate id {premises_id}: same as row {first_row}",
    "premises.duplicate_listing": (
        "duplicate listing: same title and address as row {first_row}"
    ),
    "premises.problems": "{first} (1 of {n} problems):\n{lines}",
    # Layers checked against their schema.
    "schema.not_geodataframe": "layer '{layer}' is not a GeoDataFrame",
    "schema.missing_columns": "layer '{layer}' lacks column(s) {columns}",
    "schema.no_crs": "layer '{layer}' has no CRS",
    "schema.no_geometry": "feature has no geometry",
    "schema.geometry_kind": "geometry is {kind}, expected {expected}",
    "schema.outside_norway": "geometry lies outside Norway",
    # Accounts.
    "user.name": (
        "user name must be 3-40 characters of a-z, 0-9, '.', '_' or '-', got {got!r}"
    ),
    "user.password_short": "password must have at least {limit} characters",
    "user.password_long": "password must have at most {limit} characters",
    "user.role": "role must be one of {roles}, got {got!r}",
    "user.unknown": "there is no user {username!r}",
    "user.exists": "the user {username!r} exists already",
    "user.passwords_differ": "the passwords differ",
    "user.unknown_command": "unknown users command {command!r}",
    # The command line.
    "fetch.no_address_register": (
        "no address register: run 'python -m layers fetch addresses' first, "
        "or pass --addresses FILE"
    ),
    # Limits (layers.limits) and hostile files.
    "limit.json_depth": "JSON nested more than {limit} levels deep: not a record of this source",
    "limit.cell_length": "a value of {n:sp} characters is longer than the limit of {limit:sp}",
    "limit.text_length": "{what} has {n:sp} characters; at most {limit} are allowed",
    "limit.record_size": "one record is larger than the limit of {limit_mb} MiB",
    "limit.file_size": "the file is {mb} MiB; at most {limit_mb} MiB are accepted",
    "limit.decompressed": "unpacked, the file is larger than the limit of {limit_mb} MiB",
    "limit.compression_ratio": "the file unpacks to {ratio} times its size (at most {limit}): a compression bomb?",
    "limit.rows": "the file has more than {limit:sp} rows",
    "value.not_finite": "the number {got} is not finite (NaN or infinity)",
    "file.wrong_encoding": "the file is {found} text; {expected} is required (save it as UTF-8)",
    "file.json_invalid_at": "invalid JSON ({reason})",
    "file.empty": "the file is empty",
    "file.separator": "row {line} is separated by {found!r}, the file by {expected!r}",
    "file.zip_unreadable": "not a readable zip file ({reason})",
    "file.unreadable": "cannot read the file ({reason})",
    "file.xlsx_formula": "cell {cell} is a formula ({formula}) with no saved value: open the workbook in Excel and save it, or type the value",
    "crs.vertical": "EPSG:{code} is a vertical (height) coordinate system, not a position",
    "geometry.invalid": "area {feature}: the polygon is invalid ({reason}); fix it, or import with --make-valid",
    "geometry.too_small": "area {feature} covers {area} m², {share} of the municipality: too small to be an area",
    "value.null_name": "the name is empty (null)",
    # The store.
    "store.missing": "the store {path} does not exist",
    "store.not_built": (
        "the store {path} does not exist; build it with 'python -m layers build'"
    ),
    "store.unreadable": "the store {path} is not readable: {reason}",
    "store.no_layer": "the store {path} has no layer '{layer}'",
    "store.layer_unreadable": "the store {path} has no readable layer '{layer}': {reason}",
    "store.unknown_layer": "unknown layer '{layer}'",
    "store.read_only": "the store {path} cannot be written ({reason}); nothing was changed",
    "store.disk_full": "the disk of the store {path} is full; nothing was changed",
    "store.damaged": "the store {path} is damaged ({reason}); see 'python -m layers rebuild'",
    "store.io": "the store {path} could not be written ({reason}); nothing was changed",
    "store.unavailable": (
        "the database {store} cannot be reached ({reason}); nothing was saved, "
        "try again when it is back"
    ),
    "store.bad_url": "the store URL {url} is not valid (schema must be a-z, 0-9, _)",
    "store.migrate_same": "copy a store to another store, not to itself ({store})",
    "store.migrate_mismatch": (
        "the copy in {store} differs from its source: {problems}; the source is "
        "unchanged"
    ),
    "store.migrate_target_used": (
        "the target {store} holds data already (layers or register); give an empty "
        "store, or --replace to overwrite it"
    ),
}


class _Formatter(string.Formatter):
    def format_field(self, value, format_spec):
        if format_spec == "sp":
            return f"{value:,.0f}".replace(",", " ")
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def param_names(template):
    """Return the set of placeholder names in a template (``{name!r:spec}`` -> name)."""
    return {f for _, f, _, _ in _FORMATTER.parse(template) if f}


def english(code, params=None):
    """Return the English default text of ``code`` with ``params`` filled in.

    Parameters
    ----------
    code : str
        A key of :data:`CODES`.
    params : dict, optional

    Returns
    -------
    str
    """
    return _FORMATTER.format(CODES[code], **(params or {}))


class _Coded:
    """Code, params and text shared by InputError and StoreError."""

    def _set_code(self, message, code, params):
        if code is not None and code not in CODES:
            raise KeyError(f"unknown error code {code!r}")
        self.code = code
        self.params = dict(params or {})
        if message is None:
            if code is None:
                raise TypeError("an error needs a message or a code")
            message = english(code, self.params)
        self.message = message


class InputError(_Coded, ValueError):
    """A source file or form value is wrong; nothing has been written.

    Parameters
    ----------
    message : str, optional
        What is wrong, in plain words. Default: the English text of ``code``.
    code : str, optional
        A key of :data:`CODES`; None for an error built from a message only.
    params : dict, optional
        The values the code's text names.
    file : str, optional
        The file (or form) the value came from.
    row : int or str, optional
        Row number (1-based, header excluded) or feature id.
    field : str, optional
        The column or property.
    """

    def __init__(
        self, message=None, *, code=None, params=None, file=None, row=None, field=None
    ):
        self._set_code(message, code, params)
        self.file = None if file is None else str(file)
        self.row = row
        self.field = field
        super().__init__(str(self))

    def at(self, *, file=None, row=None, field=None):
        """Return a copy of this error at another place (same code, params, text)."""
        return InputError(
            self.message,
            code=self.code,
            params=self.params,
            file=self.file if file is None else file,
            row=self.row if row is None else row,
            field=self.field if field is None else field,
        )

    def __str__(self):
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field '{self.field}'")
        where = ", ".join(parts)
        return f"{where}: {self.message}" if where else self.message


class StoreError(_Coded, RuntimeError):
    """The store is missing, unreadable or lacks a layer.

    Parameters
    ----------
    message : str, optional
        Default: the English text of ``code``.
    code : str, optional
        A key of :data:`CODES` (``store.*``).
    params : dict, optional
    """

    def __init__(self, message=None, *, code=None, params=None):
        self._set_code(message, code, params)
        super().__init__(self.message)
