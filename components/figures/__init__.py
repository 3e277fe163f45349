"""Pure figure builders: frames and view state in, Plotly figures (or patches) out.

No Dash callbacks and no file reads here (``basemap.current`` reads through
``components.data``). One module per job:

- ``basemap``: the one offline basemap (boundary, neighbours, areas as GeoJSON,
  built once per store version), its layers, online tile slot, and the camera fit;
- ``map_view``: the map page's view state and its URL parameters;
- ``map_layers``: the map page's traces, ``map_figure`` and ``map_patch``;
- ``charts``: the bar charts of the profile and the comparison;
- ``theme``: fonts, colours, the plotly template and the maps' config.

The names below are the package's surface: ``figures.map_figure`` and so on.
"""

from components.figures.basemap import (
    BASEMAPS,
    ONLINE_BASEMAPS,
    TILES,
    Basemap,
    base_layers,
    basemap_layer,
    build_basemap,
    camera,
    geojson,
)
from components.figures.charts import (
    comparison_figure,
    empty_figure,
    jobs_by_section_figure,
    new_per_year_figure,
    premises_by_type_figure,
    size_classes_figure,
)
from components.figures.firm_layer import firm_points
from components.figures.map_layers import (
    DEFAULT_ZOOM,
    MapContext,
    map_context,
    map_figure,
    map_patch,
    route_group,
    trace_keys,
)
from components.figures.map_view import (
    DEFAULT_LAYERS,
    LAYERS,
    MapView,
    view_from_state,
    view_to_params,
)
from components.figures.theme import (
    ACCENT,
    MAP_GRAPH_CONFIG,
    PREMISES_COLORS,
    SECTION_COLORS,
    TEMPLATE,
    separators,
)

__all__ = [
    "ACCENT",
    "BASEMAPS",
    "DEFAULT_LAYERS",
    "DEFAULT_ZOOM",
    "LAYERS",
    "MAP_GRAPH_CONFIG",
    "ONLINE_BASEMAPS",
    "PREMISES_COLORS",
    "SECTION_COLORS",
    "TEMPLATE",
    "TILES",
    "Basemap",
    "MapContext",
    "MapView",
    "base_layers",
    "basemap_layer",
    "build_basemap",
    "camera",
    "comparison_figure",
    "empty_figure",
    "firm_points",
    "geojson",
    "jobs_by_section_figure",
    "map_context",
    "map_figure",
    "map_patch",
    "new_per_year_figure",
    "premises_by_type_figure",
    "route_group",
    "separators",
    "size_classes_figure",
    "trace_keys",
    "view_from_state",
    "view_to_params",
]
