"""genotex.portal: the web pages a researcher uses, served at ``/`` by the API's app.

Server-rendered Jinja2 pages over the same :mod:`genotex.store` queries as the API; plots are
drawn in the browser by plotly.js from the JSON API (served locally, no CDN).
"""

from genotex.portal.search import SearchQuery, parse_query
from genotex.portal.views import mount_portal

__all__ = ["SearchQuery", "mount_portal", "parse_query"]
