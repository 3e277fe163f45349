"""The message of every error code of ``layers.errors.CODES``, in bokmål and English.

The layers raise errors with a stable code and params; the UI shows them with
:func:`error_text` (never by reading the English default). Params are plain values:
numbers are written the language's way, field names (``what``), units and statuses
are translated.
"""

from __future__ import annotations

import math

# code -> {"nb", "en"}; placeholders are params of the code (see layers.errors).
MESSAGES: dict[str, dict[str, str]] = {
    "value.required": {"nb": "Må fylles ut.", "en": "Required."},
    "value.empty": {"nb": "Må fylles ut ({what}).", "en": "Required ({what})."},
    "value.too_long": {
        "nb": "For lang tekst ({n} tegn; høyst {limit}).",
        "en": "Too long ({n} characters; at most {limit}).",
    },
    "value.not_positive": {
        "nb": "Må være større enn 0.",
        "en": "Must be greater than 0.",
    },
    "value.implausible": {
        "nb": "{value} er urimelig (mer enn {limit} {unit}).",
        "en": "{value} is implausible (more than {limit} {unit}).",
    },
    "value.number": {
        "nb": "Skriv et tall (fikk {got}).",
        "en": "Type a number (got {got}).",
    },
    "value.whole_number": {"nb": "Skriv et heltall.", "en": "Type a whole number."},
    "value.whole_number_required": {
        "nb": "Et heltall må fylles ut.",
        "en": "A whole number is required.",
    },
    "value.bool": {"nb": "Skriv sann eller usann.", "en": "Write true or false."},
    "value.date": {
        "nb": "Skriv datoen som dd.mm.åååå eller åååå-mm-dd (fikk {got}).",
        "en": "Write the date as yyyy-mm-dd or dd.mm.yyyy (got {got}).",
    },
    "value.date_year": {
        "nb": "Datoen {got} har et urimelig årstall.",
        "en": "The date {got} has an implausible year.",
    },
    "value.excel_date": {
        "nb": "Ventet en Excel-dato (fikk {got}).",
        "en": "Expected an Excel date (got {got}).",
    },
    "value.timestamp": {
        "nb": "Skriv en dato eller et tidspunkt (fikk {got}).",
        "en": "Write a date or a time (got {got}).",
    },
    "value.control_character": {
        "nb": "Teksten inneholder et kontrolltegn ({char}).",
        "en": "The text contains a control character ({char}).",
    },
    "link.scheme": {
        "nb": "Lenken må begynne med http:// eller https://.",
        "en": "The link must start with http:// or https://.",
    },
    "link.no_host": {
        "nb": "Lenken mangler et vertsnavn.",
        "en": "The link has no host name.",
    },
    "premises.type_empty": {
        "nb": "Må fylles ut: velg en type fra lista.",
        "en": "Required: choose a type from the list.",
    },
    "premises.type_unknown": {
        "nb": "Ukjent type {got}: velg en type fra lista.",
        "en": "Unknown type {got}: choose a type from the list.",
    },
    "premises.status_required": {"nb": "Må fylles ut.", "en": "Required."},
    "premises.status_unknown": {
        "nb": "Ukjent status {got}.",
        "en": "Unknown status {got}.",
    },
    "coordinate.missing": {
        "nb": "Koordinaten mangler eller er ikke et tall.",
        "en": "The coordinate is missing or not a number.",
    },
    "coordinate.projected": {
        "nb": "Koordinatene ser ut som meter (UTM), ikke grader.",
        "en": "The coordinates look like metres (UTM), not degrees.",
    },
    "coordinate.swapped": {
        "nb": "Bredde- og lengdegrad ser ut til å være byttet om.",
        "en": "Latitude and longitude look swapped.",
    },
    "coordinate.outside_norway": {
        "nb": "Punktet ligger utenfor Norge.",
        "en": "The point lies outside Norway.",
    },
    "point.outside_municipality": {
        "nb": "Punktet ligger {distance} m utenfor kommunen.",
        "en": "The point lies {distance} m outside the municipality.",
    },
    "listing.outside_municipality": {
        "nb": "Lokalet ligger {distance} m utenfor kommunen.",
        "en": "The listing lies {distance} m outside the municipality.",
    },
    "listing.duplicate": {
        "nb": "Det finnes allerede et lokale med samme tittel og adresse "
        "(id {premises_id}).",
        "en": "A listing with this title and address exists already "
        "(id {premises_id}).",
    },
    "listing.not_found": {
        "nb": "Det finnes ikke noe lokale med id {premises_id}.",
        "en": "There is no listing with id {premises_id}.",
    },
    "listing.same_status": {
        "nb": "Lokalet har allerede denne statusen.",
        "en": "The listing already has this status.",
    },
    "listing.transition": {
        "nb": "Statusen kan ikke endres fra «{old}» til «{new}».",
        "en": "The status cannot change from “{old}” to “{new}”.",
    },
    "listing.no_user": {
        "nb": "Endringen mangler en bruker.",
        "en": "The change names no user.",
    },
    "import.duplicate_ids": {
        "nb": "Samme id flere ganger: {ids}.",
        "en": "The same id more than once: {ids}.",
    },
    "import.empty_id": {"nb": "Id-en er tom.", "en": "The id is empty."},
    "import.unknown_type": {
        "nb": "Ukjent type «{got}».",
        "en": "Unknown type “{got}”.",
    },
    "import.unknown_status": {
        "nb": "Ukjent status «{got}».",
        "en": "Unknown status “{got}”.",
    },
    "file.not_found": {"nb": "Fant ikke filen.", "en": "File not found."},
    "file.encoding": {
        "nb": "Filen er verken UTF-8- eller Windows-1252-tekst.",
        "en": "The file is neither UTF-8 nor Windows-1252 text.",
    },
    "file.csv_unreadable": {
        "nb": "Kan ikke lese CSV-filen ({reason}).",
        "en": "Cannot read the CSV file ({reason}).",
    },
    "file.xlsx_unreadable": {
        "nb": "Kan ikke lese regnearket ({reason}).",
        "en": "Cannot read the workbook ({reason}).",
    },
    "file.json_invalid": {
        "nb": "Ikke gyldig JSON: {reason} (linje {line}).",
        "en": "Not valid JSON: {reason} (line {line}).",
    },
    "file.not_feature_collection": {
        "nb": "Ventet en GeoJSON FeatureCollection.",
        "en": "Expected a GeoJSON FeatureCollection.",
    },
    "file.unknown_crs": {
        "nb": "Ukjent koordinatsystem «{crs}».",
        "en": "Unknown coordinate system “{crs}”.",
    },
    "file.unsupported_type": {
        "nb": "Filtypen {suffix} støttes ikke; bruk .csv, .xlsx eller .geojson.",
        "en": "The file type {suffix} is not supported; use .csv, .xlsx or .geojson.",
    },
    "file.same_column": {
        "nb": "Kolonnene «{first}» og «{second}» er samme kolonne.",
        "en": "The columns “{first}” and “{second}” are the same column.",
    },
    "file.missing_columns": {
        "nb": "Mangler kolonne(r): {columns} (fant: {found}).",
        "en": "Missing column(s): {columns} (found: {found}).",
    },
    "file.no_location_columns": {
        "nb": "Filen har ingen lat/lon-kolonner, og lokalene kan ikke plasseres "
        "etter adresse uten et adresseregister.",
        "en": "The file has no lat/lon columns, and listings cannot be placed by "
        "address without an address register.",
    },
    "file.row_problem": {
        "nb": "Feil i raden: {problem}",
        "en": "Problem in the row: {problem}",
    },
    "premises.no_location": {
        "nb": "Lokalet kan ikke plasseres: verken lat/lon eller adresse.",
        "en": "The listing cannot be placed: no lat/lon and no address.",
    },
    "premises.no_address_register": {
        "nb": "Lokalet kan ikke plasseres: ingen lat/lon, og ikke noe "
        "adresseregister å finne adressen i.",
        "en": "The listing cannot be placed: no lat/lon, and no address register "
        "to find the address in.",
    },
    "premises.address_not_found": {
        "nb": "Fant ikke adressen {address} i adresseregisteret; oppgi lat/lon.",
        "en": "The address {address} was not found in the address register; "
        "give lat/lon.",
    },
    "premises.duplicate_id": {
        "nb": "Id-en {premises_id} finnes også i rad {first_row}.",
        "en": "The id {premises_id} is also in row {first_row}.",
    },
    "premises.duplicate_listing": {
        "nb": "Samme tittel og adresse som rad {first_row}.",
        "en": "Same title and address as row {first_row}.",
    },
    "premises.problems": {
        "nb": "{n} feil i filen, den første: {first}",
        "en": "{n} problems in the file, the first: {first}",
    },
    "schema.not_geodataframe": {
        "nb": "Laget «{layer}» er ikke et kartlag.",
        "en": "The layer “{layer}” is not a map layer.",
    },
    "schema.missing_columns": {
        "nb": "Laget «{layer}» mangler kolonne(r): {columns}.",
        "en": "The layer “{layer}” lacks column(s): {columns}.",
    },
    "schema.no_crs": {
        "nb": "Laget «{layer}» har ikke noe koordinatsystem.",
        "en": "The layer “{layer}” has no coordinate system.",
    },
    "schema.no_geometry": {
        "nb": "Objektet har ingen geometri.",
        "en": "The feature has no geometry.",
    },
    "schema.geometry_kind": {
        "nb": "Geometrien er {kind}, ventet {expected}.",
        "en": "The geometry is {kind}, expected {expected}.",
    },
    "schema.outside_norway": {
        "nb": "Geometrien ligger utenfor Norge.",
        "en": "The geometry lies outside Norway.",
    },
    "user.name": {
        "nb": "Brukernavnet må ha 3–40 tegn av a–z, 0–9, «.», «_» eller «-» "
        "(fikk {got}).",
        "en": "The user name must be 3–40 characters of a–z, 0–9, “.”, “_” or “-” "
        "(got {got}).",
    },
    "user.password_short": {
        "nb": "Passordet må ha minst {limit} tegn.",
        "en": "The password must have at least {limit} characters.",
    },
    "user.password_long": {
        "nb": "Passordet kan ha høyst {limit} tegn.",
        "en": "The password can have at most {limit} characters.",
    },
    "user.role": {
        "nb": "Rollen må være en av {roles} (fikk {got}).",
        "en": "The role must be one of {roles} (got {got}).",
    },
    "user.unknown": {
        "nb": "Det finnes ingen bruker {username}.",
        "en": "There is no user {username}.",
    },
    "user.exists": {
        "nb": "Brukeren {username} finnes allerede.",
        "en": "The user {username} exists already.",
    },
    "user.passwords_differ": {
        "nb": "Passordene er ikke like.",
        "en": "The passwords differ.",
    },
    "user.unknown_command": {
        "nb": "Ukjent brukerkommando {command}.",
        "en": "Unknown users command {command}.",
    },
    "fetch.no_address_register": {
        "nb": "Mangler adresseregister: kjør «python -m layers fetch addresses» "
        "først, eller oppgi --addresses FIL.",
        "en": "No address register: run “python -m layers fetch addresses” first, "
        "or pass --addresses FILE.",
    },
    "limit.json_depth": {
        "nb": "JSON-en er nøstet mer enn {limit} nivåer dypt; det er ikke en post fra denne kilden.",
        "en": "The JSON is nested more than {limit} levels deep; not a record of this source.",
    },
    "limit.cell_length": {
        "nb": "En verdi på {n} tegn er lengre enn grensen på {limit} tegn.",
        "en": "A value of {n} characters is longer than the limit of {limit}.",
    },
    "limit.text_length": {
        "nb": "{what} har {n} tegn; høyst {limit} er tillatt.",
        "en": "The {what} has {n} characters; at most {limit} are allowed.",
    },
    "limit.record_size": {
        "nb": "Én post er større enn grensen på {limit_mb} MiB.",
        "en": "One record is larger than the limit of {limit_mb} MiB.",
    },
    "limit.file_size": {
        "nb": "Filen er {mb} MiB; høyst {limit_mb} MiB godtas.",
        "en": "The file is {mb} MiB; at most {limit_mb} MiB are accepted.",
    },
    "limit.decompressed": {
        "nb": "Utpakket er filen større enn grensen på {limit_mb} MiB.",
        "en": "Unpacked, the file is larger than the limit of {limit_mb} MiB.",
    },
    "limit.compression_ratio": {
        "nb": "Filen pakkes ut til {ratio} ganger sin størrelse (høyst {limit}); en komprimeringsbombe?",
        "en": "The file unpacks to {ratio} times its size (at most {limit}); a compression bomb?",
    },
    "limit.rows": {
        "nb": "Filen har mer enn {limit} rader.",
        "en": "The file has more than {limit} rows.",
    },
    "value.not_finite": {
        "nb": "Tallet {got} er ikke endelig (NaN eller uendelig).",
        "en": "The number {got} is not finite (NaN or infinity).",
    },
    "file.wrong_encoding": {
        "nb": "Filen er {found}-tekst; {expected} kreves (lagre den som UTF-8).",
        "en": "The file is {found} text; {expected} is required (save it as UTF-8).",
    },
    "file.json_invalid_at": {
        "nb": "Ikke gyldig JSON ({reason}).",
        "en": "Not valid JSON ({reason}).",
    },
    "file.empty": {"nb": "Filen er tom.", "en": "The file is empty."},
    "file.separator": {
        "nb": "Rad {line} er skilt med «{found}», filen ellers med «{expected}».",
        "en": "Row {line} is separated by “{found}”, the rest of the file by “{expected}”.",
    },
    "file.zip_unreadable": {
        "nb": "Ikke en lesbar zip-fil ({reason}).",
        "en": "Not a readable zip file ({reason}).",
    },
    "file.unreadable": {
        "nb": "Filen kan ikke leses ({reason}).",
        "en": "Cannot read the file ({reason}).",
    },
    "file.xlsx_formula": {
        "nb": "Cellen {cell} er en formel ({formula}) uten lagret verdi: åpne arbeidsboken i Excel og lagre den, eller skriv inn verdien.",
        "en": "Cell {cell} is a formula ({formula}) with no saved value: open the workbook in Excel and save it, or type the value.",
    },
    "crs.vertical": {
        "nb": "EPSG:{code} er et høydesystem, ikke et koordinatsystem for posisjon.",
        "en": "EPSG:{code} is a vertical (height) coordinate system, not a position.",
    },
    "geometry.invalid": {
        "nb": "Område {feature}: polygonet er ugyldig ({reason}); rett det, eller importer med --make-valid.",
        "en": "Area {feature}: the polygon is invalid ({reason}); fix it, or import with --make-valid.",
    },
    "geometry.too_small": {
        "nb": "Område {feature} dekker {area} m², {share} av kommunen; for lite til å være et område.",
        "en": "Area {feature} covers {area} m², {share} of the municipality; too small to be an area.",
    },
    "value.null_name": {
        "nb": "Navnet er tomt (null).",
        "en": "The name is empty (null).",
    },
    "store.read_only": {
        "nb": "Datalageret {path} kan ikke skrives til ({reason}); ingenting ble endret.",
        "en": "The store {path} cannot be written ({reason}); nothing was changed.",
    },
    "store.disk_full": {
        "nb": "Disken til datalageret {path} er full; ingenting ble endret.",
        "en": "The disk of the store {path} is full; nothing was changed.",
    },
    "store.damaged": {
        "nb": "Datalageret {path} er skadet ({reason}); se «python -m layers rebuild».",
        "en": "The store {path} is damaged ({reason}); see “python -m layers rebuild”.",
    },
    "store.io": {
        "nb": "Datalageret {path} kunne ikke skrives ({reason}); ingenting ble endret.",
        "en": "The store {path} could not be written ({reason}); nothing was changed.",
    },
    "store.missing": {
        "nb": "Datalageret {path} finnes ikke.",
        "en": "The store {path} does not exist.",
    },
    "store.not_built": {
        "nb": "Datalageret {path} finnes ikke; bygg det med «python -m layers build».",
        "en": "The store {path} does not exist; build it with "
        "“python -m layers build”.",
    },
    "store.unreadable": {
        "nb": "Datalageret {path} kan ikke leses ({reason}).",
        "en": "The store {path} is not readable ({reason}).",
    },
    "store.no_layer": {
        "nb": "Datalageret {path} har ikke laget «{layer}».",
        "en": "The store {path} has no layer “{layer}”.",
    },
    "store.layer_unreadable": {
        "nb": "Laget «{layer}» i datalageret {path} kan ikke leses ({reason}).",
        "en": "The layer “{layer}” of the store {path} is not readable ({reason}).",
    },
    "store.unknown_layer": {
        "nb": "Ukjent lag «{layer}».",
        "en": "Unknown layer “{layer}”.",
    },
    "store.unavailable": {
        "nb": (
            "Databasen {store} svarer ikke ({reason}). Ingenting ble lagret; "
            "prøv igjen når den er tilbake."
        ),
        "en": (
            "The database {store} cannot be reached ({reason}). Nothing was saved; "
            "try again when it is back."
        ),
    },
    "store.bad_url": {
        "nb": "Adressen til datalageret {url} er ugyldig (skjemanavn: a-z, 0-9, _).",
        "en": "The store URL {url} is not valid (schema name: a-z, 0-9, _).",
    },
    "store.migrate_same": {
        "nb": "Et datalager kopieres til et annet, ikke til seg selv ({store}).",
        "en": "Copy a store to another store, not to itself ({store}).",
    },
    "store.migrate_mismatch": {
        "nb": ("Kopien i {store} avviker fra kilden: {problems}. Kilden er uendret."),
        "en": "The copy in {store} differs from its source: {problems}. "
        "The source is unchanged.",
    },
    "store.migrate_target_used": {
        "nb": (
            "Målet {store} har data fra før (lag eller lokaleregister). Oppgi et tomt "
            "datalager, eller --replace for å overskrive det."
        ),
        "en": (
            "The target {store} holds data already (layers or register). Give an "
            "empty store, or --replace to overwrite it."
        ),
    },
}

# Names of form fields and units as the layers name them (``what``, ``unit``).
WHAT = {
    "title": {"nb": "tittel", "en": "title"},
    "size": {"nb": "areal", "en": "size"},
    "rent": {"nb": "leie", "en": "rent"},
    "address": {"nb": "adresse", "en": "address"},
    "contact": {"nb": "kontakt", "en": "contact"},
    "link": {"nb": "lenke", "en": "link"},
    "latitude": {"nb": "breddegrad", "en": "latitude"},
    "longitude": {"nb": "lengdegrad", "en": "longitude"},
}
UNITS = {
    "m²": {"nb": "m²", "en": "m²"},
    "NOK/m²/yr": {"nb": "kr/m²/år", "en": "NOK/m²/yr"},
}
STATUS_PARAMS = ("status", "old", "new")
PLAIN_NUMBERS = ("line", "first_row")  # line and row numbers: no thousands separator


def _status(value, lang):
    from components.i18n import status_name

    return status_name(value, lang)


def _number(value, lang):
    from components.i18n import fmt_num

    if isinstance(value, float) and math.isfinite(value) and not value.is_integer():
        return fmt_num(value, 1, lang)
    return fmt_num(value, 0, lang)


def params_text(params, lang):
    """Return the params as the text they show in ``lang``."""
    out = {}
    for name, value in (params or {}).items():
        if name in STATUS_PARAMS:
            out[name] = _status(value, lang)
        elif name == "what":
            out[name] = WHAT.get(value, {}).get(lang, str(value))
        elif name == "unit":
            out[name] = UNITS.get(value, {}).get(lang, str(value))
        elif name in PLAIN_NUMBERS:
            out[name] = str(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = _number(value, lang)
        else:
            out[name] = str(value)
    return out


def error_text(error, lang):
    """Return the message of an error (InputError, StoreError) in ``lang``.

    Parameters
    ----------
    error : layers.errors.InputError or layers.errors.StoreError
        Or anything with ``code``, ``params`` and ``message``.
    lang : str

    Returns
    -------
    str
        The code's message with its params; an error without a (known) code
        shows its own message, first letter capitalised.
    """
    from components.i18n import lang_or_default

    code = getattr(error, "code", None)
    entry = MESSAGES.get(code)
    if entry is None:
        text = str(getattr(error, "message", None) or error or "")
        return text[:1].upper() + text[1:]
    template = entry[lang_or_default(lang)]
    return template.format(**params_text(getattr(error, "params", {}), lang))
