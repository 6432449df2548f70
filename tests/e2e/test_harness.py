"""The browser harness itself catches what the end-to-end checks rely on it to catch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .browser import PageLog, serve_folder


def test_foreign_font_request_is_blocked_and_recorded(
    tmp_path: Path, page: tuple[Any, PageLog]
) -> None:
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='en'><head><title>t</title>"
        "<link rel='stylesheet' href='https://fonts.googleapis.com/css?family=Roboto'>"
        "</head><body><p>hello</p></body></html>",
        encoding="utf-8",
    )
    tab, log = page
    with serve_folder(tmp_path) as base:
        tab.goto(f"{base}/index.html")
        assert tab.text_content("p") == "hello"
    assert log.foreign_requests == ["https://fonts.googleapis.com/css?family=Roboto"]


def test_console_errors_and_dialogs_are_recorded(tmp_path: Path, page: tuple[Any, PageLog]) -> None:
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='en'><head><title>t</title></head><body>"
        "<script>console.error('boom'); alert('xss');</script></body></html>",
        encoding="utf-8",
    )
    tab, log = page
    with serve_folder(tmp_path) as base:
        tab.goto(f"{base}/index.html")
    assert log.console_errors == ["boom"]
    assert log.dialogs == ["xss"]


def test_missing_file_is_a_failed_request(tmp_path: Path, page: tuple[Any, PageLog]) -> None:
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='en'><head><title>t</title>"
        "<script src='missing.js'></script></head><body></body></html>",
        encoding="utf-8",
    )
    tab, log = page
    with serve_folder(tmp_path) as base:
        response = tab.goto(f"{base}/index.html")
        assert response is not None and response.ok
        missing = tab.request.get(f"{base}/missing.js")
        assert missing.status == 404
    # A 404 is a response, not a network failure: the console reports it, and so does the log.
    assert any("404" in message for message in log.console_errors)
    assert log.bad_responses == [f"404 {base}/missing.js"]
