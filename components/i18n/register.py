"""Text of the premises register page and of the login page."""

STRINGS = {
    "nav_register": {"nb": "Lokaleregister", "en": "Premises register"},
    # --- login, logout, permissions -------------------------------------------
    "auth_title": {"nb": "Logg inn", "en": "Log in"},
    "auth_intro": {
        "nb": "Innlogging er for dem som holder lokaleregisteret oppdatert. Alle "
        "andre kan bruke dashbordet uten å logge inn.",
        "en": "Logging in is for those who keep the premises register up to date. "
        "Everyone else can use the dashboard without logging in.",
    },
    "auth_username": {"nb": "Brukernavn", "en": "User name"},
    "auth_password": {"nb": "Passord", "en": "Password"},
    "auth_submit": {"nb": "Logg inn", "en": "Log in"},
    "auth_back": {"nb": "Tilbake uten å logge inn", "en": "Back without logging in"},
    "auth_failed": {
        "nb": "Feil brukernavn eller passord.",
        "en": "Wrong user name or password.",
    },
    "auth_locked": {
        "nb": "For mange mislykkede forsøk: kontoen er sperret i {minutes} minutter "
        "(til kl. {until}). Prøv igjen senere.",
        "en": "Too many failed attempts: the account is locked for {minutes} minutes "
        "(until {until}). Try again later.",
    },
    "auth_logout": {"nb": "Logg ut", "en": "Log out"},
    "auth_logged_in": {
        "nb": "Logget inn som {user} ({role})",
        "en": "Logged in as {user} ({role})",
    },
    "auth_role_editor": {"nb": "redaktør", "en": "editor"},
    "auth_role_admin": {"nb": "administrator", "en": "administrator"},
    "auth_reader": {
        "nb": "Du kan lese registeret. Logg inn for å legge inn eller endre lokaler.",
        "en": "You can read the register. Log in to add or change premises.",
    },
    "auth_login_link": {"nb": "Logg inn", "en": "Log in"},
    "auth_expired": {
        "nb": "Innloggingen er utløpt. Logg inn på nytt for å lagre. Ingenting er "
        "lagret.",
        "en": "Your login has expired. Log in again to save. Nothing was saved.",
    },
    "auth_denied": {
        "nb": "Bare innloggede redaktører kan endre registeret. Ingenting er lagret.",
        "en": "Only logged-in editors can change the register. Nothing was saved.",
    },
    # --- the register page ------------------------------------------------------
    "register_heading": {"nb": "Lokaleregister", "en": "Premises register"},
    "register_intro": {
        "nb": "Hold oversikten over ledige næringslokaler oppdatert: legg inn nye, "
        "endre, sett status og bekreft at lokalene fortsatt er aktuelle. Alle "
        "endringer logges.",
        "en": "Keep the list of available business premises current: add new ones, "
        "edit them, set their status and confirm that they are still current. "
        "Every change is logged.",
    },
    "register_choose": {"nb": "Velg lokale", "en": "Choose a listing"},
    "register_choose_placeholder": {
        "nb": "Søk etter et lokale, eller legg inn et nytt",
        "en": "Search for a listing, or add a new one",
    },
    "register_new": {"nb": "Nytt lokale", "en": "New listing"},
    "register_heading_new": {"nb": "Nytt lokale", "en": "New listing"},
    "register_heading_edit": {"nb": "Rediger lokale", "en": "Edit listing"},
    "register_heading_view": {"nb": "Lokale", "en": "Listing"},
    "register_field_title": {"nb": "Tittel", "en": "Title"},
    "register_field_address": {"nb": "Adresse", "en": "Address"},
    "register_field_type": {"nb": "Type", "en": "Type"},
    "register_field_size_m2": {"nb": "Areal (m²)", "en": "Floor area (m²)"},
    "register_field_rent_nok_m2_year": {
        "nb": "Leie (kr/m²/år)",
        "en": "Rent (NOK/m²/year)",
    },
    "register_field_available_from": {"nb": "Ledig fra", "en": "Available from"},
    "register_field_status": {"nb": "Status", "en": "Status"},
    "register_field_contact": {"nb": "Kontakt", "en": "Contact"},
    "register_field_url": {"nb": "Lenke (http/https)", "en": "Link (http/https)"},
    "register_field_lat": {"nb": "Breddegrad", "en": "Latitude"},
    "register_field_lon": {"nb": "Lengdegrad", "en": "Longitude"},
    "register_field_updated_at": {"nb": "Oppdatert", "en": "Updated"},
    "register_hint_available_from": {
        "nb": "dd.mm.åååå – tomt betyr umiddelbart",
        "en": "yyyy-mm-dd – empty means immediately",
    },
    "register_hint_rent": {"nb": "Kan stå tomt", "en": "May be left empty"},
    "register_placeholder_type": {"nb": "Velg type", "en": "Choose a type"},
    "register_place_legend": {"nb": "Plassering", "en": "Location"},
    "register_place_hint": {
        "nb": "Klikk i kartet for å plassere lokalet, skriv inn koordinater (grader), "
        "eller finn adressen.",
        "en": "Click the map to place the listing, type coordinates (degrees), or "
        "look up the address.",
    },
    "register_locate": {"nb": "Finn adressen", "en": "Look up the address"},
    "register_locate_found": {
        "nb": "Plassert ved {what} (samme adresse i datalageret). Sjekk punktet i "
        "kartet.",
        "en": "Placed at {what} (same address in the data store). Check the point "
        "on the map.",
    },
    "register_locate_none": {
        "nb": "Adressen «{address}» ble ikke funnet i datalageret, som ikke har noe "
        "adresseregister. Klikk i kartet eller skriv inn koordinatene.",
        "en": "The address “{address}” was not found in the data store, which holds "
        "no address register. Click the map or type the coordinates.",
    },
    "register_locate_empty": {
        "nb": "Skriv en gateadresse med husnummer først.",
        "en": "Type a street address with a house number first.",
    },
    "register_map_aria": {
        "nb": "Kart for å plassere lokalet: klikk for å sette punktet",
        "en": "Map to place the listing: click to set the point",
    },
    "register_map_listings": {"nb": "Lokaler i registeret", "en": "Listed premises"},
    "register_map_point": {"nb": "Valgt punkt", "en": "Chosen point"},
    "register_save": {"nb": "Lagre", "en": "Save"},
    "register_saved_new": {
        "nb": "Lokalet «{title}» er lagt inn.",
        "en": "The listing “{title}” has been added.",
    },
    "register_saved": {
        "nb": "Endringene er lagret (versjon {version}).",
        "en": "The changes have been saved (version {version}).",
    },
    "register_unchanged": {
        "nb": "Ingen endringer å lagre.",
        "en": "There are no changes to save.",
    },
    "register_form_errors": {
        "nb": "Skjemaet har {n} feil – se meldingene ved feltene. Ingenting er lagret.",
        "en": "The form has {n} error(s) – see the messages at the fields. Nothing "
        "was saved.",
    },
    "register_conflict": {
        "nb": "Lokalet ble endret av {user} kl. {time} mens du redigerte — last inn "
        "på nytt. Endringen din er ikke lagret.",
        "en": "The listing was changed by {user} at {time} while you were editing — "
        "reload it. Your change was not saved.",
    },
    "register_reload": {"nb": "Last inn på nytt", "en": "Reload"},
    "register_saved_not_shown": {
        "nb": (
            "{saved} Databasen svarte ikke etterpå, så listen og historikken er "
            "ikke oppdatert ennå; last siden på nytt når den er tilbake."
        ),
        "en": (
            "{saved} The database stopped answering right after, so the list and "
            "the history are not updated yet; reload the page when it is back."
        ),
    },
    "register_error": {
        "nb": "Kunne ikke lagre: {message}",
        "en": "Could not save: {message}",
    },
    "register_not_found": {
        "nb": "Fant ikke lokalet med id {id}.",
        "en": "There is no listing with id {id}.",
    },
    "register_status_label": {"nb": "Status", "en": "Status"},
    "status_ledig": {"nb": "Ledig", "en": "Available"},
    "status_reservert": {"nb": "Reservert", "en": "Reserved"},
    "status_utleid": {"nb": "Utleid", "en": "Let"},
    "status_trukket": {"nb": "Trukket", "en": "Withdrawn"},
    "register_to_ledig": {"nb": "Marker som ledig", "en": "Mark as available"},
    "register_to_reservert": {"nb": "Marker som reservert", "en": "Mark as reserved"},
    "register_to_utleid": {"nb": "Marker som utleid", "en": "Mark as let"},
    "register_to_trukket": {"nb": "Trekk tilbake", "en": "Withdraw"},
    "register_actions": {"nb": "Status og fornyelse", "en": "Status and renewal"},
    "register_status_changed": {
        "nb": "Status er endret til «{status}».",
        "en": "The status is now “{status}”.",
    },
    "register_renew": {
        "nb": "Bekreft at lokalet fortsatt er aktuelt",
        "en": "Confirm the listing is still current",
    },
    "register_renewed": {
        "nb": "Lokalet er bekreftet aktuelt per {time}.",
        "en": "The listing is confirmed current as of {time}.",
    },
    "register_meta": {
        "nb": "Id {id} · versjon {version} · sist endret {time} av {user}",
        "en": "Id {id} · version {version} · last changed {time} by {user}",
    },
    "register_history": {"nb": "Endringslogg", "en": "Change log"},
    "register_history_empty": {
        "nb": "Velg et lokale for å se endringene.",
        "en": "Choose a listing to see its changes.",
    },
    "register_history_more": {
        "nb": "… og {n} eldre endringer.",
        "en": "… and {n} older changes.",
    },
    "register_action_create": {"nb": "lagt inn", "en": "added"},
    "register_action_update": {"nb": "endret", "en": "edited"},
    "register_action_status": {"nb": "endret status", "en": "changed status"},
    "register_action_renew": {"nb": "bekreftet aktuelt", "en": "confirmed current"},
    "register_action_import": {"nb": "importert", "en": "imported"},
    "register_action_delete": {"nb": "slettet", "en": "deleted"},
    "register_by": {"nb": "av", "en": "by"},
    "register_empty_value": {"nb": "(tomt)", "en": "(empty)"},
    # --- bulk import ------------------------------------------------------------
    "register_import_heading": {
        "nb": "Importer en meglerliste",
        "en": "Import a broker's list",
    },
    "register_import_intro": {
        "nb": "CSV, XLSX eller GeoJSON, høyst {limit} MB. Du ser hva som blir lagt "
        "til, endret og avvist før noe lagres. Lokaler som ikke står i lista, "
        "beholdes.",
        "en": "CSV, XLSX or GeoJSON, at most {limit} MB. You see what will be added, "
        "changed and rejected before anything is saved. Listings not in the file "
        "are kept.",
    },
    "register_upload": {
        "nb": "Dra en fil hit, eller klikk for å velge en fil",
        "en": "Drag a file here, or click to choose one",
    },
    "register_too_big": {
        "nb": "Filen «{name}» er {size} MB, men grensen er {limit} MB. Ingenting er "
        "lest inn.",
        "en": "The file “{name}” is {size} MB, but the limit is {limit} MB. Nothing "
        "was read.",
    },
    "register_bad_type": {
        "nb": "Filen «{name}» har en filtype som ikke støttes: bruk .csv, .xlsx "
        "eller .geojson.",
        "en": "The file “{name}” has an unsupported type: use .csv, .xlsx or .geojson.",
    },
    "register_bad_upload": {
        "nb": "Filen kunne ikke leses.",
        "en": "The file could not be read.",
    },
    "register_preview_heading": {
        "nb": "Forhåndsvisning av «{name}»",
        "en": "Preview of “{name}”",
    },
    "register_preview_added": {"nb": "Legges til", "en": "To be added"},
    "register_preview_changed": {"nb": "Endres", "en": "To be changed"},
    "register_preview_unchanged": {"nb": "Uendret", "en": "Unchanged"},
    "register_preview_rejected": {"nb": "Avvist", "en": "Rejected"},
    "register_preview_rows": {"nb": "{n} rader", "en": "{n} rows"},
    "register_preview_blocked": {
        "nb": "Filen har feil. Ingenting blir importert før feilene er rettet: rett "
        "filen og last den opp igjen.",
        "en": "The file has errors. Nothing is imported until they are fixed: "
        "correct the file and upload it again.",
    },
    "register_preview_nothing": {
        "nb": "Ingenting å importere: alle lokalene i filen er like registeret.",
        "en": "Nothing to import: every listing in the file matches the register.",
    },
    "register_preview_ready": {
        "nb": "Ingenting er lagret ennå. Trykk på knappen for å importere.",
        "en": "Nothing has been saved yet. Press the button to import.",
    },
    "register_col_row": {"nb": "Rad", "en": "Row"},
    "register_col_field": {"nb": "Felt", "en": "Field"},
    "register_col_problem": {"nb": "Hvorfor", "en": "Why"},
    "register_col_listing": {"nb": "Lokale", "en": "Listing"},
    "register_col_changes": {"nb": "Endringer", "en": "Changes"},
    "register_confirm": {
        "nb": "Importer ({added} nye, {changed} endrede)",
        "en": "Import ({added} new, {changed} changed)",
    },
    "register_imported": {
        "nb": "Importert: {added} nye og {changed} endrede lokaler.",
        "en": "Imported: {added} new and {changed} changed listings.",
    },
    "register_preview_stale": {
        "nb": "Registeret er endret siden forhåndsvisningen. Se over den nye "
        "forhåndsvisningen og bekreft på nytt. Ingenting er lagret.",
        "en": "The register has changed since the preview. Check the new preview "
        "and confirm again. Nothing was saved.",
    },
    "register_preview_expired": {
        "nb": "Forhåndsvisningen er ikke lenger tilgjengelig: last opp filen på nytt.",
        "en": "The preview is no longer available: upload the file again.",
    },
    # --- messages of layers.register / layers.sources.premises, in bokmål --------------
    "register_err_required": {"nb": "Må fylles ut.", "en": "Required."},
    "register_err_too_long": {
        "nb": "For lang tekst ({n} tegn; høyst {limit}).",
        "en": "Too long ({n} characters; at most {limit}).",
    },
    "register_err_positive": {
        "nb": "Må være større enn 0.",
        "en": "Must be greater than 0.",
    },
    "register_err_implausible": {
        "nb": "{value} er urimelig (mer enn {limit} {unit}).",
        "en": "{value} is implausible (more than {limit} {unit}).",
    },
    "register_err_number": {
        "nb": "Skriv et tall (fikk {got}).",
        "en": "Type a number (got {got}).",
    },
    "register_err_date": {
        "nb": "Skriv datoen som dd.mm.åååå eller åååå-mm-dd (fikk {got}).",
        "en": "Write the date as yyyy-mm-dd or dd.mm.yyyy (got {got}).",
    },
    "register_err_year": {
        "nb": "Datoen {got} har et urimelig årstall.",
        "en": "The date {got} has an implausible year.",
    },
    "register_err_type": {
        "nb": "Ukjent type {got}: velg en type fra lista.",
        "en": "Unknown type {got}: choose a type from the list.",
    },
    "register_err_status": {
        "nb": "Ukjent status {got}.",
        "en": "Unknown status {got}.",
    },
    "register_err_control": {
        "nb": "Teksten inneholder et kontrolltegn ({code}).",
        "en": "The text contains a control character ({code}).",
    },
    "register_err_link": {
        "nb": "Lenken må begynne med http:// eller https://.",
        "en": "The link must start with http:// or https://.",
    },
    "register_err_link_host": {
        "nb": "Lenken mangler et vertsnavn.",
        "en": "The link has no host name.",
    },
    "register_err_coordinate": {
        "nb": "Koordinaten mangler eller er ikke et tall.",
        "en": "The coordinate is missing or not a number.",
    },
    "register_err_projected": {
        "nb": "Koordinatene ser ut som meter (UTM), ikke grader.",
        "en": "The coordinates look like metres (UTM), not degrees.",
    },
    "register_err_swapped": {
        "nb": "Bredde- og lengdegrad ser ut til å være byttet om.",
        "en": "Latitude and longitude look swapped.",
    },
    "register_err_norway": {
        "nb": "Punktet ligger utenfor Norge.",
        "en": "The point lies outside Norway.",
    },
    "register_err_outside": {
        "nb": "Punktet ligger {distance} m utenfor kommunen.",
        "en": "The point lies {distance} m outside the municipality.",
    },
    "register_err_duplicate": {
        "nb": "Det finnes allerede et lokale med samme tittel og adresse (id {id}).",
        "en": "A listing with this title and address exists already (id {id}).",
    },
    "register_err_same_status": {
        "nb": "Lokalet har allerede denne statusen.",
        "en": "The listing already has this status.",
    },
    "register_err_transition": {
        "nb": "Statusen kan ikke endres fra «{old}» til «{new}».",
        "en": "The status cannot change from “{old}” to “{new}”.",
    },
    # --- bulk import: template, columns, unplaced rows, progress ---------------
    "register_template_heading": {
        "nb": "Mal og kolonner",
        "en": "Template and columns",
    },
    "register_template_xlsx": {
        "nb": "Last ned mal (XLSX)",
        "en": "Download template (XLSX)",
    },
    "register_template_csv": {
        "nb": "Last ned mal (CSV)",
        "en": "Download template (CSV)",
    },
    "register_template_file": {"nb": "lokaler-mal", "en": "premises-template"},
    "register_columns_intro": {
        "nb": "Kolonnene som leses (overskrifter som folk skriver dem, for eksempel "
        "«Areal (m²)», «Leie», «Type lokale», «Kontaktperson»; rader med adresse og "
        "uten koordinater plasseres etter adresseregisteret):",
        "en": "The columns that are read (headers as people write them, for example "
        "'Areal (m²)', 'Leie', 'Type lokale', 'Kontaktperson'; rows with an "
        "address and no coordinates are placed by the address register):",
    },
    "register_columns_col": {"nb": "Kolonne", "en": "Column"},
    "register_columns_required": {"nb": "Påkrevd", "en": "Required"},
    "register_columns_help": {"nb": "Hva", "en": "What"},
    "register_columns_also": {"nb": "Leses også som", "en": "Also read as"},
    "register_columns_note": {
        "nb": "* Adresse eller lat/lon. Finnerens egen CSV/XLSX-eksport kan leses "
        "inn igjen uendret.",
        "en": "* Address or lat/lon. The finder's own CSV/XLSX export can be read "
        "back unchanged.",
    },
    "register_yes": {"nb": "ja", "en": "yes"},
    "register_no": {"nb": "nei", "en": "no"},
    "register_preview_unplaced": {"nb": "Ikke plassert", "en": "Not placed"},
    "register_preview_unplaced_note": {
        "nb": "{n} lokaler fant ingen adresse i adresseregisteret. De importeres uten "
        "punkt («ikke plassert»), vises ikke på kart eller i arealtall, og "
        "plasseres senere ved å velge dem i lista over og klikke i kartet.",
        "en": "{n} listings found no address in the address register. They are "
        "imported without a point ('not placed'), are not shown on maps or in "
        "area figures, and are placed later by choosing them in the list above "
        "and clicking the map.",
    },
    "register_preview_map_aria": {
        "nb": "Kart over radene i fila",
        "en": "Map of the file's rows",
    },
    "register_preview_cells": {
        "nb": "Slik ble hver celle lest (tolket verdi, med teksten fra fila under):",
        "en": "How each cell was read (interpreted value, with the file's text below):",
    },
    "register_preview_rows_more": {
        "nb": "Viser {shown} av {total} rader (alle plasserte rader er på kartet).",
        "en": "Showing {shown} of {total} rows (every placed row is on the map).",
    },
    "register_col_place": {"nb": "Plassering", "en": "Location"},
    "register_placed": {"nb": "plassert", "en": "placed"},
    "register_not_placed": {"nb": "ikke plassert", "en": "not placed"},
    "register_rent_unit": {"nb": "kr/m²/år", "en": "NOK/m²/year"},
    "register_unplaced_count": {
        "nb": "{n} lokaler er ikke plassert (uten punkt): velg dem i lista og klikk "
        "i kartet.",
        "en": "{n} listings are not placed (no point): choose them in the list and "
        "click the map.",
    },
    "register_progress_read": {
        "nb": "Leser og kontrollerer fila …",
        "en": "Reading and checking the file …",
    },
    "register_progress_compare": {
        "nb": "Sammenligner med registeret: {done} av {total} rader",
        "en": "Comparing with the register: {done} of {total} rows",
    },
    "register_progress_write": {
        "nb": "Lagrer {total} lokaler i én operasjon (alt eller ingenting) …",
        "en": "Saving {total} listings in one step (all or nothing) …",
    },
    "register_progress_label": {"nb": "Fremdrift", "en": "Progress"},
    "register_job_interrupted": {
        "nb": "Importen ble avbrutt (serveren stanset arbeidet). Ingenting ble "
        "lagret; last opp fila på nytt.",
        "en": "The import was interrupted (the server stopped the work). Nothing "
        "was saved; upload the file again.",
    },
    "register_unplaced_heading": {
        "nb": "Lokaler som ikke ble plassert",
        "en": "Listings that could not be placed",
    },
    "register_unplaced_more": {
        "nb": "… og {n} til.",
        "en": "… and {n} more.",
    },
    "register_col_address": {"nb": "Adresse", "en": "Address"},
    "register_unplaced_no_location": {
        "nb": "Verken adresse eller lat/lon",
        "en": "Neither address nor lat/lon",
    },
    "register_unplaced_not_found": {
        "nb": "Adressen finnes ikke i adresseregisteret",
        "en": "The address is not in the address register",
    },
    "register_unplaced_hint": {
        "nb": "Lokalet er ikke plassert ennå: klikk i kartet der det ligger, og lagre.",
        "en": "This listing is not placed yet: click the map where it is, and save.",
    },
    "register_job_failed": {
        "nb": "Importen stoppet med en feil. Ingenting ble lagret.",
        "en": "The import stopped with an error. Nothing was saved.",
    },
    "register_map_more": {
        "nb": "Kartet viser de første {shown} av {total} plasserte radene.",
        "en": "The map shows the first {shown} of {total} placed rows.",
    },
    "register_template_lang": {"nb": "Malens språk", "en": "Template language"},
}
