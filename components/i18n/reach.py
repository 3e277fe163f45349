"""Text of the travel-time reach by public transport (finder, map, profile, exports)."""

STRINGS = {
    "reach_filter": {
        "nb": "Reisetid med kollektivtransport",
        "en": "Travel time by public transport",
    },
    "reach_minutes": {"nb": "Innen minutter", "en": "Within minutes"},
    "reach_from": {"nb": "Fra", "en": "From"},
    "reach_from_placeholder": {
        "nb": "Holdeplass eller adresse …",
        "en": "Stop or address …",
    },
    "reach_from_hint": {
        "nb": "Eller klikk i kartet for å velge et punkt.",
        "en": "Or click on the map to choose a point.",
    },
    "reach_date": {"nb": "Reisedato", "en": "Travel date"},
    "reach_window_label": {"nb": "Avreisetid", "en": "Departure window"},
    "reach_window_default": {
        "nb": "{window} (morgenrush)",
        "en": "{window} (morning peak)",
    },
    "reach_date_error": {
        "nb": "Ingen avganger i rutetabellen {date}: velg en dag fra {first} "
        "til {last}. Ingen reisetider vises for datoen.",
        "en": "No departures in the timetable on {date}: choose a day from "
        "{first} to {last}. No travel times are shown for the date.",
    },
    "reach_window_error": {
        "nb": "Avreisetiden er ugyldig.",
        "en": "The departure window is not valid.",
    },
    "reach_point": {
        "nb": "Punkt i kartet ({lat}, {lon})",
        "en": "Point on the map ({lat}, {lon})",
    },
    "reach_address": {"nb": "Adresse: {address}", "en": "Address: {address}"},
    "reach_listing": {"nb": "Lokalet: {title}", "en": "Listing: {title}"},
    "reach_desc": {
        "nb": "Innen {minutes} min med kollektivtransport fra {place}",
        "en": "Within {minutes} min by public transport from {place}",
    },
    "reach_note_no_place": {
        "nb": "Velg et sted å reise fra for reisetidsfilteret.",
        "en": "Choose a place to travel from for the travel-time filter.",
    },
    "reach_note_unknown": {
        "nb": "Stedet er ukjent i rutetabellen: ingen lokaler nås.",
        "en": "The place is not in the timetable: no premises are reached.",
    },
    "reach_none": {
        "nb": "Datalageret har ingen rutetabell for reisetider.",
        "en": "The store holds no timetable for travel times.",
    },
    "reach_window": {
        "nb": "Avreise {start}–{end} {date}, median over avreiseminuttene",
        "en": "Departure {start}–{end} on {date}, median over the departure minutes",
    },
    "reach_detail_heading": {
        "nb": "Reisetid hit med kollektivtransport, fra",
        "en": "Travel time here by public transport, from",
    },
    "reach_detail_minutes": {"nb": "{minutes} min", "en": "{minutes} min"},
    "reach_detail_not_reached": {
        "nb": "over {minutes} min",
        "en": "over {minutes} min",
    },
    "reach_jobs_30": {
        "nb": "Arbeidsplasser innen 30 min",
        "en": "Jobs within 30 min",
    },
    "reach_jobs_band": {
        "nb": "Arbeidsplasser innen {band} min",
        "en": "Jobs within {band} min",
    },
    "reach_est_band": {
        "nb": "Virksomheter innen {band} min",
        "en": "Establishments within {band} min",
    },
    "reach_profile_heading": {
        "nb": "Nåbarhet med kollektivtransport",
        "en": "Reach by public transport",
    },
    "reach_profile_lead": {
        "nb": "Arbeidsplasser og virksomheter som nås fra områdets midtpunkt "
        "med kollektivtransport og gange i morgenrushet.",
        "en": "Jobs and establishments reached from the area's centre by "
        "public transport and walking in the morning peak.",
    },
    "reach_source": {
        "nb": "Kilde: {source}, per {as_of}. {window}.",
        "en": "Source: {source}, as of {as_of}. {window}.",
    },
    "reach_demo": {
        "nb": "Rutetidene er demonstrasjonsdata, ikke Enturs rutetabell.",
        "en": "The timetable is demonstration data, not Entur's.",
    },
    "reach_band_label": {"nb": "{band} min", "en": "{band} min"},
    "reach_map_layer": {
        "nb": "Reisetidssoner (kollektiv)",
        "en": "Travel-time bands (public transport)",
    },
    "reach_map_hint": {
        "nb": "Klikk i kartet for å tegne reisetidssoner fra punktet.",
        "en": "Click on the map to draw travel-time bands from the point.",
    },
    "reach_map_legend": {
        "nb": "Nås innen 15, 30 og 45 min med kollektivtransport og gange fra "
        "punktet. {window}.",
        "en": "Reached within 15, 30 and 45 min by public transport and walking "
        "from the point. {window}.",
    },
    "reach_from_here": {
        "nb": "Reis herfra (vis reisetidssoner)",
        "en": "Travel from here (show travel-time bands)",
    },
    "reach_map_origin": {"nb": "Startpunkt", "en": "Starting point"},
    "reach_band_hover": {
        "nb": "Innen {band} min: {jobs} arbeidsplasser, {est} virksomheter",
        "en": "Within {band} min: {jobs} jobs, {est} establishments",
    },
    "reach_sheet_jobs": {
        "nb": "Arbeidsplasser innen {band} min kollektiv",
        "en": "Jobs within {band} min by public transport",
    },
    "reach_sheet_est": {
        "nb": "Virksomheter innen {band} min kollektiv",
        "en": "Establishments within {band} min by public transport",
    },
    "reach_tour_fact": {
        "nb": "{jobs} nåbare innen 30 min kollektivt",
        "en": "{jobs} reachable within 30 min by transit",
    },
    "export_figure_reach_jobs_15": {
        "nb": "Arbeidsplasser innen 15 min kollektiv",
        "en": "Jobs within 15 min by public transport",
    },
    "export_figure_reach_jobs_30": {
        "nb": "Arbeidsplasser innen 30 min kollektiv (morgenrush)",
        "en": "Jobs within 30 min by public transport (morning peak)",
    },
    "export_figure_reach_jobs_45": {
        "nb": "Arbeidsplasser innen 45 min kollektiv",
        "en": "Jobs within 45 min by public transport",
    },
    "export_figure_reach_establishments_15": {
        "nb": "Virksomheter innen 15 min kollektiv",
        "en": "Establishments within 15 min by public transport",
    },
    "export_figure_reach_establishments_30": {
        "nb": "Virksomheter innen 30 min kollektiv",
        "en": "Establishments within 30 min by public transport",
    },
    "export_figure_reach_establishments_45": {
        "nb": "Virksomheter innen 45 min kollektiv",
        "en": "Establishments within 45 min by public transport",
    },
}
