"""`personkg site`: a static linked-data site (see `pages`), with a career timeline
(`timeline`) on each person's page."""

from .pages import build_site

__all__ = ["build_site"]
