"""A preview that survives mistakes: `build.py serve` keeps the last good build on an invalid edit.

The server runs as a subprocess on 127.0.0.1 with a port the system chooses (--port 0; the
address is read from the terminal output). Every wait polls with a deadline; the server is
always stopped, with Ctrl+C (SIGINT), as a user would.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from charterpress.diagnostics import Diagnostic, SourcePos, error
from charterpress.pipeline import BuildResult
from charterpress.serve import BANNER_ID, banner, insert_banner
from tests.conftest import wait_for

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"
TODAY = "2026-06-15"
HOSTILE_KEY = "<script>alert(1)</script>"
PAGE = "en/desk/commitments/"


def fetch(url: str) -> str:
    """Return the page at URL, or '' while it cannot be served."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError):
        return ""


@contextmanager
def serving(site: Path, log: Path) -> Iterator[str]:
    """Run `build.py serve` on SITE; yield its address; stop it with Ctrl+C."""
    command = [sys.executable, str(REPO / "build.py"), "serve", "--site", str(site)]
    command += ["--port", "0", "--today", TODAY]
    with log.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        found: list[str] = []

        def announced() -> bool:
            assert process.poll() is None, log.read_text(encoding="utf-8")
            match = re.search(r"serving (http://127\.0\.0\.1:\d+/)", log.read_text("utf-8"))
            found[:] = [match.group(1)] if match else []
            return bool(found)

        wait_for(announced, "the server to start")
        yield found[0]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def one_language_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "full", site)
    config = site / "site_config.yml"
    config.write_text(
        config.read_text("utf-8").replace("languages: [en, pt-PT]", "languages: [en]"), "utf-8"
    )
    return site


def test_serve_shows_errors_on_the_last_good_build_and_recovers(tmp_path: Path) -> None:
    site, log = one_language_site(tmp_path), tmp_path / "serve.log"
    charter = site / "charter" / "desk.yml"
    good = charter.read_text(encoding="utf-8")
    with serving(site, log) as url:
        wait_for(lambda: "Answers to e-mails" in fetch(url + PAGE), "the first build")
        assert BANNER_ID not in fetch(url + PAGE)

        # An edit that breaks the site, with markup in the mistake itself.
        charter.write_text(f"{HOSTILE_KEY}: oops\n{good}", encoding="utf-8")
        wait_for(lambda: BANNER_ID in fetch(url + PAGE), "the error banner")
        page = fetch(url + PAGE)
        assert "Answers to e-mails" in page  # still the last good build
        shown = page[page.index(BANNER_ID) : page.index("</div>", page.index(BANNER_ID))]
        assert "charter/desk.yml:1:1: error[CP202]" in shown
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
        assert HOSTILE_KEY not in page
        # The banner is on every page, and the terminal says the same.
        assert BANNER_ID in fetch(url)
        terminal = log.read_text(encoding="utf-8")
        assert "charter/desk.yml:1:1: error[CP202]" in terminal
        assert "charterpress: still serving the last good build" in terminal

        # Fixed, without a restart: the banner goes, the new text comes.
        charter.write_text(good.replace("Answers to e-mails", "Replies to e-mails"), "utf-8")
        wait_for(lambda: "Replies to e-mails" in fetch(url + PAGE), "the recovery")
        assert BANNER_ID not in fetch(url + PAGE)
        assert BANNER_ID not in fetch(url)


def test_the_banner_escapes_every_diagnostic_and_goes_after_the_body_tag(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text('x: "</pre><img src=x onerror=alert(1)>"\n', "utf-8")
    diagnostics: list[Diagnostic] = [
        error("CP204", "bad value '</pre><img src=x onerror=alert(1)>'", SourcePos("a.yml", 1, 4)),
        error("CP412", 'another build & "quotes"', None),
    ]
    result = BuildResult(None, diagnostics)
    html = banner(result, tmp_path).decode("utf-8")
    assert "<img" not in html and "</pre><img" not in html
    assert "a.yml:1:4: error[CP204]: bad value &#x27;&lt;/pre&gt;&lt;img" in html
    assert "error[CP412]: another build &amp; &quot;quotes&quot;" in html
    assert html.count("<pre") == 1 and html.count("</pre>") == 1
    page = b'<html><body class="x"><p>text</p></body></html>'
    assert insert_banner(page, b"<div>B</div>") == (
        b'<html><body class="x"><div>B</div><p>text</p></body></html>'
    )
    assert insert_banner(b"<p>no body</p>", b"<b>B</b>") == b"<b>B</b><p>no body</p>"
