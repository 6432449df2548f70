"""A real headless Chromium (Debian's), driven by Playwright, and a loopback HTTP server."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:  # the stdlib names it "format"
        return


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve FOLDER on 127.0.0.1 at a free port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class PageLog:
    """What a page did that a test may object to."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def watch_page(page: Any) -> PageLog:
    """Record console errors, failed requests, 4xx/5xx answers, foreign requests and dialogs.

    Requests to any host but the loopback one are blocked, so nothing leaves the machine.
    """
    log = PageLog()

    def on_console(message: Any) -> None:
        if message.type == "error":
            log.console_errors.append(message.text)

    def on_route(route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK_HOSTS:
            route.continue_()
        else:
            log.foreign_requests.append(route.request.url)
            route.abort()

    def on_dialog(dialog: Any) -> None:
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)

    def on_response(response: Any) -> None:
        if response.status >= 400:
            log.bad_responses.append(f"{response.status} {response.url}")

    page.on("requestfailed", lambda request: log.failed_requests.append(request.url))
    page.on("response", on_response)
    page.on("dialog", on_dialog)
    page.route("**/*", on_route)
    return log


def serve_as(page: Any, base_url: str, folder: Path) -> None:
    """Answer every request under BASE_URL from FOLDER inside the browser, with no network.

    The site then runs at its real address. Material's language selector needs that: it
    matches the other language's sitemap against the current address, rewriting protocol and
    host but not the port, so on 127.0.0.1:PORT it always falls back to the home page.
    Register it after watch_page(): the later route answers first.
    """
    root = folder.resolve()
    prefix = base_url.rstrip("/") + "/"

    def on_route(route: Any) -> None:
        path = unquote(urlsplit(route.request.url).path)
        base_path = urlsplit(prefix).path
        target = (root / path.removeprefix(base_path)).resolve()
        if not target.is_relative_to(root):
            route.fulfill(status=404, body="outside the site")
        elif target.is_dir() and not path.endswith("/"):
            # A server answers 301 here; Playwright does not route the request a fulfilled
            # redirect leads to (it would go to the network), so the page redirects itself.
            html = f'<!doctype html><meta http-equiv="refresh" content="0; url={path}/">'
            route.fulfill(status=200, content_type="text/html", body=html)
        elif target.is_dir() and (target / "index.html").is_file():
            route.fulfill(path=target / "index.html")
        elif target.is_file():
            route.fulfill(path=target)
        else:
            route.fulfill(status=404, body="not found")

    page.route(prefix + "**", on_route)
