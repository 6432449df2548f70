"""The handbook's procedures print on A4 as checklists of one or two pages, in every language."""

from __future__ import annotations

import functools
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import require_tool
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def served_output(example_build: Path) -> Iterator[str]:
    """Serve the session build's output folder on 127.0.0.1; yield its address."""
    handler = functools.partial(_QuietHandler, directory=str(example_build))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


def test_each_procedure_prints_on_one_or_two_a4_pages_with_its_steps(
    example_build: Path, served_output: str
) -> None:
    require_tool("chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    segments = sorted(p.name for p in (example_build / "handbook").iterdir() if p.is_dir())
    procedures = sorted(
        p.name for p in (example_build / "handbook" / "en" / "procedures").iterdir() if p.is_dir()
    )
    counts: dict[str, int] = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            for segment in segments:
                for procedure in procedures:
                    page.goto(f"{served_output}/handbook/{segment}/procedures/{procedure}/")
                    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
                    counts[f"{segment}/{procedure}"] = len(pdf.pages)
                    if segment == "en" and procedure == "handle_complaint":
                        text = " ".join(sheet.extract_text() or "" for sheet in pdf.pages)
                        # The checklist's last step and the follow-up are on paper; the
                        # navigation is not.
                        assert "Close the case when the remedy is done" in text
                        assert "Two weeks after closing" in text
                        assert "Review dashboard" not in text
        finally:
            browser.close()
    assert len(counts) == len(segments) * len(procedures) >= 3
    assert {key: n for key, n in counts.items() if not 1 <= n <= 2} == {}
