"""Live preview: build into a private folder, serve it on 127.0.0.1, rebuild on every change.

The public site is served at /, the handbook (once it exists) at /handbook/. When an edit makes
the site invalid, the last good build stays on screen and the diagnostics are printed: the
atomic publish guarantees that a failed build never touches the served folder.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from . import languages, publish
from .diagnostics import has_errors
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

        def rebuild() -> None:
            result = build_site(BuildOptions(site=site, today=today, out=out))
            report(result)

        rebuild()
        if not out.is_dir():
            _placeholder(out)
        public = out / publish.PUBLIC
        server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(public))

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
        announce(f"http://{HOST}:{port}/")
        with suppress(KeyboardInterrupt):
            server.serve()


def failed(result: BuildResult) -> bool:
    """Return whether a build failed, so the last good build is still served."""
    return has_errors(result.diagnostics) or result.out is None
