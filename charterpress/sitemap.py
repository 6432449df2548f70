"""The public site's one sitemap.xml, with every translation of each page, and robots.txt.

MkDocs writes a sitemap per language, which names no translation; search engines need one
sitemap that lists each page with its translations (`xhtml:link rel="alternate" hreflang`) and
`x-default`. A page shown with fallback texts in a language is listed, but is not announced as
a translation (the same rule as the pages' own hreflang links).
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from .mkdocs_site import SiteLinks, page_address

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
# MkDocs's per-language sitemaps, replaced by the one at the root.
LANGUAGE_SITEMAPS = ("sitemap.xml", "sitemap.xml.gz")


def sitemap_xml(links: SiteLinks, pages: Iterable[str]) -> str:
    """Return the sitemap of PAGES (paths such as "shops/commitments.md") in every language."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">',
    ]
    paths = list(pages)
    for language in links.languages:
        for path in paths:
            translated = links.translated.get(path, ())
            lines += [
                "  <url>",
                f"    <loc>{xml_escape(page_address(links, language, path))}</loc>",
            ]
            if language in translated:
                for other in links.languages:
                    if other in translated:
                        lines.append(_alternate(other.bcp47, page_address(links, other, path)))
                default = (
                    links.base_url
                    if path == "index.md"
                    else page_address(links, links.default, path)
                )
                lines.append(_alternate("x-default", default))
            lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def _alternate(hreflang: str, href: str) -> str:
    return (
        f'    <xhtml:link rel="alternate" hreflang={quoteattr(hreflang)} href={quoteattr(href)}/>'
    )


def robots_txt(base_url: str) -> str:
    """Return robots.txt: every public page may be crawled; the sitemap is at the root."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n"
