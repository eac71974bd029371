"""The analyst report: one HTML file from a classified export (the `report` extra)."""

from palauteluokitin.extras import require

require("report", "matplotlib", "jinja2")
