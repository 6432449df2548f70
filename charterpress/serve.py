"""Live preview: build into a private folder, serve it on 127.0.0.1, rebuild on every change.

The public site is served at /, the handbook (once it exists) at /handbook/. When an edit makes
the site invalid, the last good build stays on screen and the diagnostics are printed: the
atomic publish guarantees that a failed build never touches the served folder.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from . import handbook, languages, publish
from .diagnostics import (
    Level,
    SourceLines,
    capped,
    format_not_shown,
    format_text,
    has_errors,
    sort_diagnostics,
)
from .pipeline import BuildOptions, BuildResult, build_site
from .render import builtin_templates_dir

HOST = "127.0.0.1"
# What a site author edits: a change to any of these rebuilds the site.
WATCHED = ("site_config.yml", "charter", "templates", "locales", "assets")

Reporter = Callable[[BuildResult], None]

_WAITING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Charterpress</title></head>
<body><h1>The site has errors</h1>
<p>The terminal lists them. This page reloads when they are fixed.</p></body></html>
"""


def watched_paths(site: Path) -> list[Path]:
    """Return the site's sources and Charterpress's own templates and catalogs that exist."""
    paths = [site / name for name in WATCHED]
    paths.append(builtin_templates_dir())
    package_locales = Path(__file__).resolve().parent.parent / "locales"
    paths.append(package_locales)
    return [p for p in paths if p.exists()]


def _placeholder(out: Path) -> None:
    """Make a served folder that says the site has errors, until a build succeeds."""
    public = out / publish.PUBLIC
    public.mkdir(parents=True, exist_ok=True)
    (out / publish.MARKER).write_text(publish.MARKER_TEXT, encoding="utf-8")
    (public / "index.html").write_text(_WAITING_PAGE, encoding="utf-8")


@contextmanager
def live_server(
    site: Path, *, port: int, today: dt.date, report: Reporter, host: str = HOST
) -> Iterator[Any]:
    """Yield a LiveReloadServer of the site, built once; call .serve() to run it."""
    from mkdocs.livereload import LiveReloadServer

    with tempfile.TemporaryDirectory(prefix="charterpress-serve-") as tmp:
        out = Path(tmp) / "out"

        latest: list[BuildResult] = []

        def rebuild() -> None:
            # The warm process keeps compiled templates and parsed catalogs; the cache keeps
            # the MkDocs output of every language that an edit did not change.
            result = build_site(BuildOptions(site=site, today=today, out=out, cache=True))
            latest[:] = [result]  # read by the request threads, for the error banner
            report(result)

        rebuild()
        if not out.is_dir():
            _placeholder(out)
        public = out / publish.PUBLIC
        # The handbook is served at /handbook/, the public site at /.
        server_class = handbook.serving_class(LiveReloadServer)
        server_class = with_banner(server_class, site, lambda: latest[0] if latest else None)
        server = server_class(builder=rebuild, host=host, port=port, root=str(out))

        def error_page(code: int) -> bytes | None:
            # Each language has its own 404 page; the source language's serves the root.
            for language in languages.LANGUAGES:
                page = public / language.segment / "404.html"
                if code == 404 and page.is_file():
                    return page.read_bytes()
            return None

        server.error_handler = error_page
        for path in watched_paths(site):
            server.watch(str(path))
        try:
            yield server
        finally:
            server.shutdown()


def serve_site(
    site: Path, *, port: int, today: dt.date, report: Reporter, announce: Callable[[str], None]
) -> None:
    """Serve the site until interrupted."""
    with live_server(site, port=port, today=today, report=report) as server:
        _listen(server)
        # The port the server really got (with --port 0, the system chooses a free one).
        announce(f"http://{HOST}:{server.server_address[1]}/")
        with suppress(KeyboardInterrupt):
            server.serve()


def _listen(server: Any) -> None:
    """Bind and listen now, so that the address announced has the real port."""
    server.server_bind()
    server.server_activate()
    # LiveReloadServer.serve() binds and listens itself: not a second time on this instance.
    server.server_bind = server.server_activate = lambda: None


def failed(result: BuildResult) -> bool:
    """Return whether a build failed, so the last good build is still served."""
    return has_errors(result.diagnostics) or result.out is None


BANNER_ID = "charterpress-errors"
_BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)


def banner(result: BuildResult, site: Path) -> bytes:
    """Return the HTML banner that lists a failed build's errors, every character escaped."""
    sources = SourceLines(site)
    errors, not_shown = capped(
        [d for d in sort_diagnostics(result.diagnostics) if d.level is Level.ERROR]
    )
    text = "\n\n".join(format_text(d, sources) for d in errors)
    if not_shown:
        text += "\n\n" + format_not_shown(not_shown)
    return (
        f'<div id="{BANNER_ID}" role="alert" style="position:sticky;top:0;z-index:10000;'
        "margin:0;padding:1em;background:#8b0000;color:#fff;font:14px/1.4 sans-serif;"
        'max-height:60vh;overflow:auto"><p style="margin:0 0 .5em;font-weight:bold">'
        "The last edit has errors: this is the last good build. It reloads when they are "
        'fixed.</p><pre style="margin:0;white-space:pre-wrap;font:13px/1.4 monospace">'
        f"{html.escape(text, quote=True)}</pre></div>"
    ).encode()


def insert_banner(page: bytes, banner_html: bytes) -> bytes:
    """Insert BANNER_HTML at the start of the page's body (or of the page, if it has none)."""
    body = _BODY.search(page)
    at = body.end() if body else 0
    return page[:at] + banner_html + page[at:]


def with_banner(base: Any, site: Path, latest: Callable[[], BuildResult | None]) -> Any:
    """Return a subclass of the server BASE that shows the latest build's errors on each page."""

    class BannerServer(base):  # type: ignore[misc]
        """Add the error banner to every HTML page while the latest build failed."""

        def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
            content = super()._inject_js_into_html(content, epoch)
            result = latest()
            if result is None or not failed(result):
                return content
            return insert_banner(content, banner(result, site))

    return BannerServer
