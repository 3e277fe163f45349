"""Text of the meeting pack: the standalone HTML map, PDF profiles and XLSX tables."""

STRINGS = {
    "export_title": {
        "nb": "Næringsarealer {kommune}",
        "en": "Business areas of {kommune}",
    },
    "export_all_areas": {
        "nb": "alle {areas_n} næringsområder",
        "en": "all {areas_n} business areas",
    },
    "export_demo": {"nb": "Demonstrasjonsdata", "en": "Demonstration data"},
    "export_demo_note": {
        "nb": "Demonstrasjonsdata: tallene er laget for å vise løsningen, ikke ekte.",
        "en": "Demonstration data: the figures are made up to show the tool, not real.",
    },
    "export_indicative": {
        "nb": "Avgrensningen er veiledende (skissert), ikke en offisiell grense.",
        "en": "The outline is indicative (sketched), not an official boundary.",
    },
    "export_rest": {"nb": "Resten av kommunen", "en": "Rest of the municipality"},
    "export_total": {"nb": "Hele kommunen", "en": "Whole municipality"},
    "export_area": {"nb": "Område", "en": "Area"},
    "export_area_id": {"nb": "Område-ID", "en": "Area ID"},
    "export_sources": {"nb": "Kilder", "en": "Sources"},
    "export_source": {"nb": "Kilde", "en": "Source"},
    "export_licence": {"nb": "Lisens", "en": "Licence"},
    "export_as_of": {"nb": "per", "en": "as of"},
    "export_as_of_col": {"nb": "Per dato", "en": "As of"},
    "export_figure": {"nb": "Nøkkeltall", "en": "Key figure"},
    "export_value": {"nb": "Verdi", "en": "Value"},
    "export_yes": {"nb": "Ja", "en": "Yes"},
    "export_no": {"nb": "Nei", "en": "No"},
    "export_legend": {"nb": "Tegnforklaring", "en": "Legend"},
    "export_key_figures": {"nb": "Nøkkeltall", "en": "Key figures"},
    "export_boundary": {"nb": "Kommunegrense", "en": "Municipal boundary"},
    "export_neighbours": {"nb": "Nabokommuner", "en": "Neighbouring municipalities"},
    "export_establishments": {"nb": "Virksomheter", "en": "Establishments"},
    "export_largest_firms": {
        "nb": "Virksomheter: de {n} med flest ansatte av {of}",
        "en": "Establishments: the {n} with most employees of {of}",
    },
    "export_premises": {"nb": "Ledige lokaler", "en": "Available premises"},
    "export_transit_stops": {"nb": "Holdeplasser", "en": "Public transport stops"},
    "export_basemap": {
        "nb": "Bakgrunnskart OpenStreetMap (på nett)",
        "en": "OpenStreetMap basemap (online)",
    },
    "export_overview_title": {
        "nb": "Næringsarealer {kommune}: de {areas_n} næringsområdene",
        "en": "Business areas of {kommune}: the {areas_n} areas",
    },
    "export_jobs_by_section": {
        "nb": "Arbeidsplasser etter næring (NACE-hovedområde)",
        "en": "Jobs by industry (NACE section)",
    },
    "export_no_establishments": {
        "nb": "Ingen virksomheter registrert i området.",
        "en": "No establishments recorded in the area.",
    },
    "export_premises_list": {"nb": "Ledige lokaler", "en": "Available premises"},
    "export_no_premises": {
        "nb": "Ingen ledige lokaler i området.",
        "en": "No premises available.",
    },
    "export_more_premises": {
        "nb": "… og {n} til (se regnearket)",
        "en": "… and {n} more (see XLSX)",
    },
    "export_unplaced": {
        "nb": "{n} virksomheter kunne ikke plasseres på kartet og er regnet med i "
        "resten av kommunen.",
        "en": "{n} establishments could not be placed on the map and are counted in "
        "the rest of the municipality.",
    },
    "export_premises_title": {"nb": "Tittel", "en": "Title"},
    "export_address": {"nb": "Adresse", "en": "Address"},
    "export_type": {"nb": "Type", "en": "Type"},
    "export_size": {"nb": "Areal (m²)", "en": "Floor area (m²)"},
    "export_rent": {"nb": "Leie (kr/m²/år)", "en": "Rent (NOK/m²/yr)"},
    "export_available_from": {"nb": "Ledig fra", "en": "Available from"},
    "export_status": {"nb": "Status", "en": "Status"},
    "export_contact": {"nb": "Kontakt", "en": "Contact"},
    "export_url": {"nb": "Lenke", "en": "Link"},
    "export_updated_at": {"nb": "Oppdatert", "en": "Updated"},
    "export_employees": {"nb": "Ansatte", "en": "Employees"},
    "export_nace": {"nb": "Næringskode", "en": "Industry code"},
    "export_departures": {
        "nb": "avganger i rushtimen",
        "en": "departures in peak hour",
    },
    "export_page": {"nb": "Side", "en": "Page"},
    "export_map_sources": {"nb": "Kartgrunnlag", "en": "Map data"},
    "export_sheet_comparison": {"nb": "Sammenligning", "en": "Comparison"},
    "export_sheet_sources": {"nb": "Kilder", "en": "Sources"},
    "export_sheet_figures": {"nb": "Nøkkeltall", "en": "Key figures"},
    "export_sheet_premises": {"nb": "Ledige lokaler", "en": "Available premises"},
    # --- figure labels (tables, cards, tooltips) --------------------------------------
    "export_figure_establishments": {"nb": "Virksomheter", "en": "Establishments"},
    "export_figure_jobs": {"nb": "Arbeidsplasser", "en": "Jobs"},
    "export_figure_jobs_estimated": {
        "nb": "Herav anslått (1–4 ansatte)",
        "en": "Of which estimated (1–4 employees)",
    },
    "export_figure_unplaced_establishments": {
        "nb": "Virksomheter uten plassering",
        "en": "Establishments not placed",
    },
    "export_figure_premises_available": {
        "nb": "Ledige lokaler",
        "en": "Premises available",
    },
    "export_figure_premises_m2": {
        "nb": "Ledig areal (m²)",
        "en": "Available floor area (m²)",
    },
    "export_figure_median_rent_nok_m2": {
        "nb": "Medianleie (kr/m²/år)",
        "en": "Median rent (NOK/m²/yr)",
    },
    "export_figure_stops": {"nb": "Holdeplasser", "en": "Stops"},
    "export_figure_lines": {"nb": "Linjer", "en": "Lines"},
    "export_figure_departures_peak_hour": {
        "nb": "Avganger i rushtimen",
        "en": "Departures in peak hour",
    },
    # --- charts and map ---------------------------------------------------------------
    "export_other": {"nb": "Andre", "en": "Other"},
    "export_osm_attribution": {
        "nb": '© <a href="https://www.openstreetmap.org/copyright">'
        "OpenStreetMap</a>-bidragsytere",
        "en": '© <a href="https://www.openstreetmap.org/copyright">'
        "OpenStreetMap</a> contributors",
    },
}
