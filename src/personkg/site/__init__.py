"""`personkg site`: a static linked-data site (see `pages`): the data of each page from
`sections.Context` (and `facts`), the HTML from the Jinja2 templates in `templates/`, the style
from `static/site.css`, and a career timeline (`timeline`) on each person's page."""

from .pages import build_site, fill_site, large_site, site

__all__ = ["site", "build_site", "fill_site", "large_site"]
