"""Text of the premises finder (``components/finder_panel.py``, ``finder.py``)."""

STRINGS = {
    # --- the page and the filters ---------------------------------------------
    "finder_heading": {"nb": "Finn ledige lokaler", "en": "Find available premises"},
    "finder_filters": {"nb": "Søk", "en": "Search"},
    "finder_areas": {"nb": "Område", "en": "Area"},
    "finder_area_rest": {"nb": "Resten av kommunen", "en": "Rest of the municipality"},
    "finder_types": {"nb": "Type lokale", "en": "Type of premises"},
    "finder_none_is_all": {
        "nb": "Ingen valgt betyr alle.",
        "en": "None ticked means all.",
    },
    "finder_size": {"nb": "Størrelse", "en": "Size"},
    "finder_size_legend": {"nb": "Størrelse (m²)", "en": "Size (m²)"},
    "finder_from": {"nb": "Fra", "en": "From"},
    "finder_to": {"nb": "Til", "en": "To"},
    "finder_rent": {"nb": "Leie", "en": "Rent"},
    "finder_rent_legend": {"nb": "Leie (kr/m²/år)", "en": "Rent (NOK/m²/year)"},
    "finder_rent_unit": {"nb": "kr/m²/år", "en": "NOK/m²/year"},
    "finder_rent_keep": {
        "nb": "Ta med lokaler uten oppgitt leie",
        "en": "Include premises without a stated rent",
    },
    "finder_rent_exclude": {
        "nb": "Bare lokaler med oppgitt leie",
        "en": "Only premises with a stated rent",
    },
    "finder_available_by": {"nb": "Ledig senest", "en": "Available by"},
    "finder_available_hint": {
        "nb": "Lokaler som er ledige på eller før datoen.",
        "en": "Premises available on or before the date.",
    },
    "finder_date_placeholder": {"nb": "dd.mm.åååå", "en": "dd.mm.yyyy"},
    "finder_status": {"nb": "Status", "en": "Status"},
    "finder_transit": {"nb": "Kollektivtilbud", "en": "Public transport"},
    "finder_walk": {"nb": "Maks gangavstand (m)", "en": "Max walking distance (m)"},
    "finder_min_departures": {
        "nb": "Holdeplass med minst avganger per time i rushtiden",
        "en": "Stop with at least departures per peak hour",
    },
    "finder_walk_note": {
        "nb": "Gangavstand (luftlinje × 1,3) til nærmeste holdeplass med minst så "
        "mange avganger.",
        "en": "Walking distance (straight line × 1.3) to the nearest stop with at "
        "least that many departures.",
    },
    "finder_transit_desc": {
        "nb": "Gangavstand (luftlinje × 1,3) høyst {walk} m til holdeplass med minst "
        "{dep} avganger per time i rushtiden",
        "en": "Walking distance (straight line × 1.3) at most {walk} m to a stop "
        "with at least {dep} departures per peak hour",
    },
    "finder_reset": {"nb": "Nullstill søket", "en": "Reset the search"},
    "finder_all": {"nb": "alle", "en": "all"},
    # --- results ----------------------------------------------------------------
    "finder_skip_grid": {
        "nb": "Hopp over tabellen, til valgt lokale",
        "en": "Skip the table, to the chosen listing",
    },
    "finder_count_one": {"nb": "{n} lokale", "en": "{n} premises"},
    "finder_count_many": {"nb": "{n} lokaler", "en": "{n} premises"},
    "finder_note_size": {
        "nb": "Størrelse: «fra» er større enn «til».",
        "en": "Size: “from” is larger than “to”.",
    },
    "finder_note_rent": {
        "nb": "Leie: «fra» er større enn «til».",
        "en": "Rent: “from” is larger than “to”.",
    },
    "finder_note_no_stop": {
        "nb": "Ingen holdeplass har så mange avganger.",
        "en": "No stop has that many departures.",
    },
    "finder_shortlist_count": {"nb": "{n} på kortlisten", "en": "{n} shortlisted"},
    "finder_shortlist_hint": {
        "nb": "Kryss av lokaler i tabellen for å sette dem på kortlisten.",
        "en": "Tick premises in the table to shortlist them.",
    },
    "finder_shortlist_clear": {"nb": "Tøm kortlisten", "en": "Clear the shortlist"},
    "finder_export": {"nb": "Last ned", "en": "Download"},
    "finder_export_list": {"nb": "Kortlisten", "en": "The shortlist"},
    "finder_export_all": {"nb": "Alle treff", "en": "All results"},
    "finder_export_list_xlsx": {
        "nb": "Last ned kortlisten som Excel (XLSX)",
        "en": "Download the shortlist as Excel (XLSX)",
    },
    "finder_export_list_csv": {
        "nb": "Last ned kortlisten som CSV",
        "en": "Download the shortlist as CSV",
    },
    "finder_export_all_xlsx": {
        "nb": "Last ned alle treff som Excel (XLSX)",
        "en": "Download all results as Excel (XLSX)",
    },
    "finder_export_all_csv": {
        "nb": "Last ned alle treff som CSV",
        "en": "Download all results as CSV",
    },
    "finder_copy": {"nb": "Kopier lenke til søket", "en": "Copy link to this search"},
    "finder_copied": {"nb": "Lenken er kopiert", "en": "Link copied"},
    "finder_register_link": {"nb": "Lokaleregisteret", "en": "Premises register"},
    "finder_grid_aria": {"nb": "Treff i tabell", "en": "Results table"},
    "finder_map_aria": {"nb": "Kart over treffene", "en": "Map of the results"},
    "finder_map_hint": {
        "nb": "Klikk på et lokale i kartet eller i tabellen for å se detaljer.",
        "en": "Click a listing on the map or in the table for details.",
    },
    "finder_stops_trace": {"nb": "Holdeplasser", "en": "Stops"},
    "finder_areas_trace": {"nb": "Næringsområder", "en": "Business areas"},
    "finder_selected_trace": {"nb": "Valgt lokale", "en": "Selected listing"},
    "finder_legend": {"nb": "Type lokale", "en": "Type of premises"},
    "finder_stale": {"nb": "kan være utdatert", "en": "possibly stale"},
    "finder_stale_long": {
        "nb": "Kan være utdatert: sist oppdatert for mer enn {days} dager siden "
        "(for demonstrasjonsdata regnet fra datagrunnlagets dato, ikke fra i dag).",
        "en": "Possibly stale: last updated more than {days} days ago (for "
        "demonstration data counted from the data's as-of date, not from today).",
    },
    "finder_no_rent": {"nb": "ikke oppgitt", "en": "not stated"},
    "finder_lines_short": {"nb": "linje", "en": "line"},
    "finder_yes": {"nb": "ja", "en": "yes"},
    "finder_no": {"nb": "nei", "en": "no"},
    # --- grid columns -------------------------------------------------------------
    "finder_grid_title": {"nb": "Lokale", "en": "Listing"},
    "finder_grid_area": {"nb": "Område", "en": "Area"},
    "finder_grid_type": {"nb": "Type", "en": "Type"},
    "finder_grid_size": {"nb": "Areal", "en": "Size"},
    "finder_grid_rent": {"nb": "Leie", "en": "Rent"},
    "finder_grid_available": {"nb": "Ledig fra", "en": "Available"},
    "finder_grid_status": {"nb": "Status", "en": "Status"},
    "finder_grid_stop": {"nb": "Nærmeste holdeplass", "en": "Nearest stop"},
    "finder_grid_walk": {"nb": "Gange", "en": "Walk"},
    "finder_grid_updated": {"nb": "Oppdatert", "en": "Updated"},
    # --- the detail card ------------------------------------------------------------
    "finder_detail_empty": {
        "nb": "Velg et lokale i tabellen eller kartet.",
        "en": "Choose a listing in the table or on the map.",
    },
    "finder_detail_stop": {"nb": "Nærmeste holdeplass", "en": "Nearest stop"},
    "finder_detail_lines": {"nb": "Linjer", "en": "Lines"},
    "finder_detail_departures": {
        "nb": "Avganger i rushtiden",
        "en": "Departures in the peak hour",
    },
    "finder_detail_per_hour": {"nb": "per time", "en": "per hour"},
    "finder_detail_walk": {
        "nb": "Gangavstand (luftlinje × 1,3)",
        "en": "Walking distance (straight line × 1.3)",
    },
    "finder_detail_updated": {"nb": "Sist oppdatert", "en": "Last updated"},
    "finder_detail_contact": {"nb": "Kontakt", "en": "Contact"},
    "finder_detail_link": {"nb": "Annonse", "en": "Listing"},
    "finder_detail_open_link": {"nb": "Åpne annonsen", "en": "Open the listing"},
    "finder_detail_register": {
        "nb": "Rediger i lokaleregisteret",
        "en": "Edit in the premises register",
    },
    "finder_detail_no_stop": {
        "nb": "Ingen holdeplass med så mange avganger",
        "en": "No stop with that many departures",
    },
    "finder_detail_fresh": {"nb": "{days} dager siden", "en": "{days} days ago"},
    "finder_demo_tag": {"nb": "Demonstrasjonsdata", "en": "Demonstration data"},
    # --- exports ---------------------------------------------------------------------
    "finder_export_title": {
        "nb": "Ledige lokaler i {kommune} – søk",
        "en": "Available premises in {kommune} – search",
    },
    "finder_export_filter": {"nb": "Filter", "en": "Filter"},
    "finder_export_what": {"nb": "Utvalg", "en": "Selection"},
    "finder_export_what_list": {
        "nb": "kortliste ({n} lokaler)",
        "en": "shortlist ({n} premises)",
    },
    "finder_export_what_all": {
        "nb": "alle treff ({n} lokaler)",
        "en": "all results ({n} premises)",
    },
    "finder_export_at": {"nb": "Eksportert", "en": "Exported"},
    "finder_export_source": {"nb": "Kilde", "en": "Source"},
    "finder_export_walk": {
        "nb": "Gangavstand = luftlinje i EPSG:25833 × 1,3.",
        "en": "Walking distance = straight line in EPSG:25833 × 1.3.",
    },
    "finder_export_stale": {
        "nb": "«Kan være utdatert» = ikke oppdatert på mer enn {days} dager (per "
        "{today}).",
        "en": "“Possibly stale” = not updated for more than {days} days (as of "
        "{today}).",
    },
    "finder_export_demo": {
        "nb": "Demonstrasjonsdata: genererte eksempler, ikke ekte lokaler.",
        "en": "Demonstration data: generated examples, not real premises.",
    },
    "finder_col_premises_id": {"nb": "ID", "en": "ID"},
    "finder_col_title": {"nb": "Tittel", "en": "Title"},
    "finder_col_address": {"nb": "Adresse", "en": "Address"},
    "finder_col_area": {"nb": "Område", "en": "Area"},
    "finder_col_type": {"nb": "Type", "en": "Type"},
    "finder_col_size_m2": {"nb": "Areal (m²)", "en": "Size (m²)"},
    "finder_col_rent_nok_m2_year": {
        "nb": "Leie (kr/m²/år)",
        "en": "Rent (NOK/m²/year)",
    },
    "finder_col_available_from": {"nb": "Ledig fra", "en": "Available from"},
    "finder_col_status": {"nb": "Status", "en": "Status"},
    "finder_col_stop_name": {"nb": "Nærmeste holdeplass", "en": "Nearest stop"},
    "finder_col_stop_lines": {"nb": "Linjer", "en": "Lines"},
    "finder_col_stop_departures": {
        "nb": "Avganger i rushtiden (per time)",
        "en": "Departures per peak hour",
    },
    "finder_col_walk_m": {"nb": "Gangavstand (m)", "en": "Walking distance (m)"},
    "finder_col_distance_m": {"nb": "Luftlinje (m)", "en": "Straight line (m)"},
    "finder_col_updated_day": {"nb": "Sist oppdatert", "en": "Last updated"},
    "finder_col_stale": {"nb": "Kan være utdatert", "en": "Possibly stale"},
    "finder_col_contact": {"nb": "Kontakt", "en": "Contact"},
    "finder_col_url": {"nb": "Lenke", "en": "Link"},
}
