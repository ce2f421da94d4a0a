"""Markdown written by users (agenda texts, proposals, minutes) as sanitised HTML.

One renderer for pages and PDFs: Markdown to HTML, then nh3 keeps a small allowlist of tags
(no scripts, styles or event handlers; links only to http, https and mailto).
"""

from __future__ import annotations

import markdown as md
import nh3
from flask import Flask
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(text: str) -> str:
    """Markdown to HTML, sanitised (no scripts, styles or event handlers; safe links)."""
    html = md.markdown(text or "", extensions=["sane_lists", "tables"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def init_app(app: Flask) -> None:
    """The `markdown` template filter."""

    @app.template_filter("markdown")
    def _markdown_filter(text: str) -> Markup:
        return Markup(render_markdown(text))  # noqa: S704  (sanitised by nh3)
