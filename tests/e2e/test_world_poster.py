"""Each charter's poster, in a real Chromium: it prints on one A4 sheet, and its QR code, drawn
by segno and photographed by Chromium, is read by an independent decoder (zxing-cpp) as the
address of the charter's page in the poster's language."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

from .browser import serve_folder, watch_page
from .checks import print_pdf_pages
from .sitepages import ARTIFACTS

CONFIG = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))


def test_each_poster_prints_on_one_a4_sheet_and_its_qr_code_reads_as_its_page(
    browser: Any, site_output: Path
) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pytest.importorskip("PIL.Image")
    public = site_output / "public"
    posters = sorted(public.glob("*/*/poster/index.html"))
    segments = {p.relative_to(public).parts[0] for p in posters}
    assert len(posters) >= 2 * len(CONFIG["languages"]) and len(segments) == len(
        CONFIG["languages"]
    )
    context = browser.new_context(viewport={"width": 800, "height": 1100})
    page = context.new_page()
    log = watch_page(page)
    problems = []
    shots = ARTIFACTS / "screenshots" / "public"
    shots.mkdir(parents=True, exist_ok=True)
    written = []
    with serve_folder(public) as base:
        for poster in posters:
            segment, charter = poster.relative_to(public).parts[:2]
            page.goto(f"{base}/{segment}/{charter}/poster/", wait_until="load")
            if segment not in {shot.name.split("-")[0] for shot in written}:
                # One poster per language, for a person to look at (the page is loaded anyway).
                shot = shots / f"{segment}-poster.png"
                page.screenshot(path=str(shot), full_page=True)
                written.append(shot)
            sheets = print_pdf_pages(page)
            if sheets != 1:
                problems.append(f"{segment}/{charter}: prints on {sheets} A4 sheets")
            shot = page.locator(".cp-poster__qr svg").screenshot()
            found = [r.text for r in zxingcpp.read_barcodes(image.open(io.BytesIO(shot)))]
            expected = f"{CONFIG['base_url']}{segment}/{charter}/"
            if found != [expected]:
                problems.append(f"{segment}/{charter}: the QR code reads {found}, not {expected}")
    context.close()
    problems += log.console_errors + log.failed_requests + log.bad_responses
    problems += log.foreign_requests
    assert not problems, "\n".join(problems)
    assert len(written) == len(segments)
    assert all(shot.stat().st_size > 1000 for shot in written)
