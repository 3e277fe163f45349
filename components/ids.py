"""Every component id, namespaced ``<panel>-<role>``, in one place."""

# page shell (components/layout.py)
PAGE_URL = "page-url"
PAGE_HEADER = "page-header"
PAGE_CONTENT = "page-content"
PAGE_LANG_NB = "page-lang-nb"
PAGE_LANG_EN = "page-lang-en"

# map panel (components/map_panel.py)
MAP_GRAPH = "map-graph"
MAP_AREA = "map-area"
MAP_SECTIONS = "map-sections"
MAP_SIZE = "map-size"
MAP_LAYERS = "map-layers"
MAP_BASEMAP = "map-basemap"
MAP_RESET = "map-reset"
MAP_SUMMARY = "map-summary"
MAP_VIEW = "map-view"
MAP_LANG = "map-lang"
# area profile (components/profile_panel.py)
PROFILE_CONTENT = "profile-content"
PROFILE_CARDS = "profile-cards"
PROFILE_EMPLOYERS = "profile-employers"
# comparison (components/comparison_panel.py)
COMPARE_TABLE = "compare-table"
COMPARE_TABLE_BOX = "compare-table-box"
COMPARE_AREAS = "compare-areas"
COMPARE_SORT = "compare-sort"
COMPARE_DIR = "compare-dir"
COMPARE_CHECK = "compare-check"
COMPARE_CHARTS = "compare-charts"
# premises finder and register (components/finder_panel.py, register_panel.py)
FINDER_LANG = "finder-lang"  # dcc.Store: the page's language
FINDER_VERSION = "finder-version"  # dcc.Store: the store version the page shows
FINDER_QUERY = "finder-query"  # dcc.Store: the active search (Query.to_dict)
FINDER_MATCH = "finder-match"  # dcc.Store: matches as bits, for the map
FINDER_POINTS = "finder-points"  # dcc.Store: every listing's point, per map trace
FINDER_SHORTLIST = "finder-shortlist"  # dcc.Store: shortlisted ids, in order
FINDER_SELECTED = "finder-selected"  # dcc.Store: {"id"} of the listing shown
FINDER_SYNC = "finder-sync"  # dcc.Store: sink of clientside grid syncing
FINDER_AREAS = "finder-areas"  # dcc.Checklist
FINDER_TYPES = "finder-types"  # dcc.Checklist
FINDER_SIZE_MIN = "finder-size-min"  # dcc.Input (number)
FINDER_SIZE_MAX = "finder-size-max"
FINDER_RENT_MIN = "finder-rent-min"
FINDER_RENT_MAX = "finder-rent-max"
FINDER_RENT_MISSING = "finder-rent-missing"  # dcc.RadioItems: keep / exclude
FINDER_AVAILABLE = "finder-available"  # dcc.DatePickerSingle
FINDER_STATUS = "finder-status"  # dcc.Checklist
FINDER_WALK = "finder-walk"  # dcc.Input (number): max walking metres
FINDER_DEPARTURES = "finder-departures"  # dcc.Input (number): min peak departures
FINDER_REACH_MINUTES = "finder-reach-minutes"  # dcc.Input (number): max minutes
FINDER_REACH_FROM = "finder-reach-from"  # dcc.Dropdown: stop place, address, point
FINDER_REACH_CLICK = "finder-reach-click"  # dcc.Store: {lat, lon} of a map click
FINDER_REACH_LEGEND = "finder-reach-legend"  # the travel-time bands' legend
FINDER_REACH_HERE = "finder-reach-here"  # detail card: travel from this listing
FINDER_RESET = "finder-reset"
FINDER_COUNT = "finder-count"  # "23 lokaler"
FINDER_NOTE = "finder-note"
FINDER_GRID = "finder-grid"  # dash_ag_grid.AgGrid (infinite row model)
FINDER_MAP = "finder-map"  # dcc.Graph
FINDER_DETAIL = "finder-detail"  # the detail card
FINDER_SHORTLIST_COUNT = "finder-shortlist-count"
FINDER_SHORTLIST_CLEAR = "finder-shortlist-clear"
FINDER_EXPORT_LIST_XLSX = "finder-export-list-xlsx"
FINDER_EXPORT_LIST_CSV = "finder-export-list-csv"
FINDER_EXPORT_ALL_XLSX = "finder-export-all-xlsx"
FINDER_EXPORT_ALL_CSV = "finder-export-all-csv"
FINDER_DOWNLOAD = "finder-download"  # dcc.Download
FINDER_COPY = "finder-copy"  # dcc.Clipboard: copies the page's URL
# presentation (components/presentation_panel.py)
PRESENT_DECK = "present-deck"
PRESENT_MAP = "present-map"
PRESENT_VIEWS = "present-views"  # dcc.Store: the list of views
PRESENT_INDEX = "present-index"  # dcc.Store: the current view's index
PRESENT_KEY = "present-key"  # dcc.Store: key presses, set by assets/presentation.js
PRESENT_ORDER = "present-order"  # dcc.Store: the chosen areas, in order
PRESENT_FOCUS = "present-focus"  # dcc.Store: control to focus after a re-render
PRESENT_LANG = "present-lang"
PRESENT_AREA_VIEWS = "present-area-views"
PRESENT_SETUP = "present-setup"
PRESENT_TOUR = "present-tour"
PRESENT_PROGRESS = "present-progress"
PRESENT_PREV = "present-prev"
PRESENT_NEXT = "present-next"
PRESENT_EXIT = "present-exit"
PRESENT_VIEW = "present-view"  # pattern type: {"type": PRESENT_VIEW, "index": k}
PRESENT_INCLUDE = "present-include"  # pattern type: {"type", "area"}
PRESENT_MOVE = "present-move"  # pattern type: {"type", "area", "dir"}
# export buttons (components/exports_panel.py), pattern types keyed by "prefix"
EXPORT_BUTTON = "export-button"  # {"type", "prefix", "kind"}
EXPORT_DOWNLOAD = "export-download"  # {"type", "prefix"}
EXPORT_CONTEXT = "export-context"  # dcc.Store {"type", "prefix"}
EXPORT_STATUS = "export-status"  # {"type", "prefix"}
# premises register and login (components/register_panel.py, components/auth.py)
REGISTER_LANG = "register-lang"
REGISTER_USER = "register-user"
REGISTER_MAP = "register-map"
REGISTER_MAP_READY = "register-map-ready"
REGISTER_LISTING = "register-listing"
REGISTER_NEW = "register-new"
REGISTER_VERSION = "register-version"
REGISTER_HEADING = "register-heading"
REGISTER_META = "register-meta"
REGISTER_FIELDS = {  # form field -> input id; the error text is "<id>-error"
    "title": "register-title",
    "address": "register-address",
    "type": "register-type",
    "size_m2": "register-size",
    "rent_nok_m2_year": "register-rent",
    "available_from": "register-available",
    "status": "register-status",
    "contact": "register-contact",
    "url": "register-url",
    "lat": "register-lat",
    "lon": "register-lon",
}
REGISTER_ERRORS = {f: i + "-error" for f, i in REGISTER_FIELDS.items()}
REGISTER_ARIA = "register-aria"
REGISTER_LOCATE = "register-locate"
REGISTER_SAVE = "register-save"
REGISTER_RELOAD = "register-reload"
REGISTER_MESSAGE = "register-message"
REGISTER_RENEW = "register-renew"
REGISTER_TO = {  # status -> button that changes a listing to it
    s: f"register-to-{s}" for s in ("ledig", "reservert", "utleid", "trukket")
}
REGISTER_HISTORY = "register-history"
REGISTER_UPLOAD = "register-upload"
REGISTER_UPLOAD_DATA = "register-upload-data"
REGISTER_PREVIEW = "register-preview"
REGISTER_IMPORT = "register-import"
REGISTER_CONFIRM = "register-confirm"
AUTH_LOGOUT = "auth-logout"
# The register's bulk import.
REGISTER_JOB = "register-job"  # {"token", "kind", "name"} of a running import job
REGISTER_JOB_DONE = "register-job-done"  # the job that just ended, to show
REGISTER_POLL = "register-poll"  # dcc.Interval polling that job's progress
REGISTER_PROGRESS = "register-progress"
REGISTER_PREVIEW_MAP = "register-preview-map"
REGISTER_TEMPLATE = {"xlsx": "register-template-xlsx", "csv": "register-template-csv"}
REGISTER_TEMPLATE_DOWNLOAD = "register-template-download"
REGISTER_TEMPLATE_LANG = "register-template-lang"
REGISTER_UNPLACED_HINT = "register-unplaced-hint"
