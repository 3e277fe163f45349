"""Text of the presentation mode (``present_*``) and the export buttons (``export_*``)."""

STRINGS = {
    # --- the frame: controls and progress --------------------------------------
    "present_brand": {
        "nb": "Næringsarealer {kommune}",
        "en": "Business areas of {kommune}",
    },
    "present_prev": {"nb": "Forrige", "en": "Previous"},
    "present_next": {"nb": "Neste", "en": "Next"},
    "present_exit": {"nb": "Avslutt", "en": "Exit"},
    "present_exit_label": {
        "nb": "Avslutt presentasjonen (Esc)",
        "en": "Leave the presentation (Esc)",
    },
    "present_progress_label": {"nb": "Visning", "en": "View"},
    "present_nav_label": {"nb": "Bla i presentasjonen", "en": "Move through the tour"},
    "present_keys_hint": {
        "nb": "Bla: piltaster, PgUp/PgDn, mellomrom · Home/End · Esc: avslutt",
        "en": "Move: arrow keys, PgUp/PgDn, Space · Home/End · Esc: exit",
    },
    "present_map_label": {
        "nb": "Kart over {kommune} med næringsområdene",
        "en": "Map of {kommune} with the business areas",
    },
    # --- overview ---------------------------------------------------------------
    "present_overview_title": {
        "nb": "Næringsarealer i {kommune}",
        "en": "Business areas in {kommune}",
    },
    "present_overview_lead": {
        "nb": "{areas_N} næringsområder med hver sin rolle – en omvisning.",
        "en": "{areas_N} business areas, each with its own role – a guided tour.",
    },
    "present_inhabitants": {"nb": "innbyggere (om lag)", "en": "inhabitants (about)"},
    "present_muni_jobs": {"nb": "arbeidsplasser", "en": "jobs"},
    "present_muni_enterprises": {
        "nb": "registrerte foretak (okt. 2024)",
        "en": "registered enterprises (Oct 2024)",
    },
    "present_strategy_source": {
        "nb": "Kilde: {kommune} kommune, Næringsstrategi 2025–2037",
        "en": "Source: {kommune} kommune, business strategy (Næringsstrategi) "
        "2025–2037",
    },
    "present_tour_heading": {"nb": "I denne omvisningen", "en": "In this tour"},
    "present_setup_summary": {
        "nb": "Tilpass: velg områder og rekkefølge",
        "en": "Customise: choose areas and order",
    },
    "present_setup_help": {
        "nb": "Kryss av for områdene som skal vises, og flytt dem med knappene. "
        "Valget lagres i lenken.",
        "en": "Tick the areas to show and move them with the buttons. The choice is "
        "kept in the link.",
    },
    "present_setup_label": {
        "nb": "Områder og rekkefølge",
        "en": "Areas and order",
    },
    "present_move_up": {"nb": "Flytt {name} opp", "en": "Move {name} up"},
    "present_move_down": {"nb": "Flytt {name} ned", "en": "Move {name} down"},
    "present_not_shown": {"nb": "vises ikke", "en": "not shown"},
    # --- one area ---------------------------------------------------------------
    "present_area_kicker": {"nb": "Område {k} av {n}", "en": "Area {k} of {n}"},
    "present_figures": {"nb": "Nøkkeltall", "en": "Key figures"},
    "present_establishments": {"nb": "virksomheter", "en": "establishments"},
    "present_jobs": {"nb": "arbeidsplasser", "en": "jobs"},
    "present_premises_m2": {
        "nb": "ledig næringsareal",
        "en": "available floor space",
    },
    "present_premises_detail": {
        "nb": "{n} · median {rent}",
        "en": "{n} · median {rent}",
    },
    "present_stops": {"nb": "holdeplasser", "en": "public transport stops"},
    "present_transit_detail": {
        "nb": "{lines} · {deps} i rushtimen",
        "en": "{lines} · {deps} in the peak hour",
    },
    "present_character": {"nb": "Kjennetegn", "en": "Character"},
    "present_ambition": {"nb": "Ambisjon", "en": "Ambition"},
    "present_top_premises": {
        "nb": "Største ledige lokaler",
        "en": "Largest premises available",
    },
    "present_no_premises": {
        "nb": "Ingen ledige lokaler registrert i området.",
        "en": "No premises available in the area.",
    },
    "present_demo": {"nb": "Demonstrasjonsdata", "en": "Demonstration data"},
    "present_demo_note": {
        "nb": "Virksomheter, lokaler og kollektivtall er demonstrasjonsdata, "
        "ikke ekte tall.",
        "en": "Firms, premises and public transport figures are demonstration "
        "data, not real figures.",
    },
    "present_figures_source": {"nb": "Tall: {sources}", "en": "Figures: {sources}"},
    "present_asof_firms": {
        "nb": "Virksomheter og arbeidsplasser",
        "en": "Firms and jobs",
    },
    "present_asof_premises": {"nb": "lokaler", "en": "premises"},
    "present_asof_transit": {"nb": "kollektivtall", "en": "public transport"},
    "present_text_source": {
        "nb": "Tekst: egne ord etter {kommune} kommunes næringsstrategi 2025–2037",
        "en": "Text: our own words after {kommune}'s business strategy 2025–2037",
    },
    # --- closing comparison -----------------------------------------------------
    "present_closing_title": {
        "nb": "Områdene side om side",
        "en": "The areas side by side",
    },
    "present_closing_chart": {
        "nb": "Arbeidsplasser per område",
        "en": "Jobs per area",
    },
    "present_col_area": {"nb": "Område", "en": "Area"},
    "present_col_establishments": {"nb": "Virksomheter", "en": "Establishments"},
    "present_col_jobs": {"nb": "Arbeidsplasser", "en": "Jobs"},
    "present_col_premises_m2": {"nb": "Ledig areal", "en": "Available space"},
    "present_col_stops": {"nb": "Holdeplasser", "en": "Stops"},
    "present_rest": {"nb": "Resten av kommunen", "en": "Rest of the municipality"},
    "present_total": {"nb": "Hele kommunen", "en": "Whole municipality"},
    "present_take_away": {"nb": "Ta med deg", "en": "Take away"},
    # --- export buttons (components/exports_panel.py) -----------------------------
    "export_group": {"nb": "Last ned", "en": "Download"},
    "export_html": {"nb": "Kart (HTML)", "en": "Map (HTML)"},
    "export_pdf": {"nb": "Områdeprofil (PDF)", "en": "Area profile (PDF)"},
    "export_xlsx": {"nb": "Tabell (XLSX)", "en": "Table (XLSX)"},
    "export_done": {"nb": "Lastet ned: {name}", "en": "Downloaded: {name}"},
    "export_failed": {
        "nb": "Filen kunne ikke lages: {error}",
        "en": "The file could not be made: {error}",
    },
}
