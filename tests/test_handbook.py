"""The internal SOP handbook: golden pages, the review dashboard, overdue reviews, the built site.

Regenerate the goldens after an intended change (or after the example's Czech catalogs changed),
then review the diff and list the changed files in the commit message:

    .venv/bin/python -m pytest tests/test_handbook.py --update-goldens
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html

from charterpress import handbook, i18n
from charterpress.cli import main
from charterpress.diagnostics import SourcePos
from charterpress.pipeline import resolve_languages
from charterpress.render import Edition, Renderer
from charterpress.serve import live_server
from charterpress.validate import ValidatedSite, overdue_reviews, validate_site

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"
GOLDEN = Path(__file__).resolve().parent / "golden" / "handbook"
# The example's pinned build date (tests/conftest.py): handle_complaint's review (2026-06-15) is
# overdue on it.
TODAY = dt.date(2026, 11, 23)
LANGUAGES = ("en", "cs")


@pytest.fixture(scope="module")
def example() -> tuple[ValidatedSite, list[Edition]]:
    outcome = validate_site(REPO, TODAY)
    assert outcome.site is not None, [str(d) for d in outcome.diagnostics]
    editions, _problems = resolve_languages(outcome.site, TODAY)
    return outcome.site, editions


@pytest.fixture(scope="module")
def pages(example: tuple[ValidatedSite, list[Edition]]) -> dict[str, dict[str, str]]:
    """Render the example's handbook in en and cs: {language: {path: markdown}}."""
    site, editions = example
    renderer = Renderer(site.root)
    catalogs, _problems = i18n.load_content_catalogs(site)
    found: dict[str, dict[str, str]] = {}
    for edition in editions:
        if edition.language.code not in LANGUAGES:
            continue
        procedures = handbook.translated_procedures(site, edition.language, catalogs)
        rendered, diagnostics = handbook.render_handbook(renderer, edition, procedures)
        assert rendered is not None, [str(d) for d in diagnostics]
        found[edition.language.code] = {page.path: page.markdown for page in rendered.pages}
    assert sorted(found) == sorted(LANGUAGES)
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", ["procedures/handle_complaint.md", "reviews.md"])
def test_page_matches_golden(
    pages: dict[str, dict[str, str]], language: str, path: str, request: pytest.FixtureRequest
) -> None:
    golden = GOLDEN / language / path.replace("/", "__")
    markdown = pages[language][path]
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(markdown, encoding="utf-8")
    assert markdown == golden.read_text(encoding="utf-8")


def test_every_page_of_the_handbook_is_rendered(pages: dict[str, dict[str, str]]) -> None:
    assert sorted(pages["en"]) == [
        "charters/online.md",
        "charters/shops.md",
        "index.md",
        "procedures/handle_complaint.md",
        "procedures/handle_inquiry.md",
        "procedures/solve_problem.md",
        "quick-reference.md",
        "reviews.md",
        "team.md",
    ]


def test_a_step_shows_its_limit_beside_the_public_promise(
    pages: dict[str, dict[str, str]],
) -> None:
    page = pages["en"]["procedures/handle_complaint.md"]
    # The variant of the promise is named as the public page names it, never by its id.
    assert (
        "\nInternal time limit: **1 working day** · Public promise: Resolving complaints "
        "(Priority safety): Every case, within 3 working days\n"
    ) in page
    # Every step is a section (search finds it) headed by its number and role, with a box to
    # tick labelled by its action; the follow-up is a box too.
    headings = re.findall(r"^### (.+) \{: #(step-[a-z-]+) \.cp-step \}$", page, flags=re.MULTILINE)
    assert headings[:3] == [
        ("Step 1: Customer service agent", "step-log"),
        ("Step 2: Customer service agent", "step-acknowledge"),
        ("Step 3: Complaints officer", "step-make-safe"),
    ]
    assert len(headings) == 7
    assert page.count('<input type="checkbox" class="cp-tick" id="tick-') == 8
    assert page.count('<label for="tick-') == 8
    assert (
        "### Krok 1: Operátor zákaznického servisu {: #step-log .cp-step }\n"
        in (pages["cs"]["procedures/handle_complaint.md"])
    )


def test_variants_are_named_by_whom_they_apply_to_not_by_id(
    pages: dict[str, dict[str, str]],
) -> None:
    page = pages["cs"]["charters/online.md"]
    assert (
        "- [Vyřizování stížnosti](../procedures/handle_complaint.md) (Priorita safety): "
        "[krok 1](../procedures/handle_complaint.md#step-log) (2 hodiny), "
    ) in page
    assert "(safety)" not in page


def test_the_charter_page_links_each_commitment_to_its_steps(
    pages: dict[str, dict[str, str]],
) -> None:
    page = pages["en"]["charters/online.md"]
    assert "## Acknowledging complaints {: #commitment-complaint-acknowledgement }" in page
    assert (
        "- [Handling a complaint](../procedures/handle_complaint.md): "
        "[step 1](../procedures/handle_complaint.md#step-log) (2 hours), "
        "[step 2](../procedures/handle_complaint.md#step-acknowledge) (4 hours)\n"
    ) in page
    assert "**Indicator**: Complaints acknowledged on time:" in page


def test_the_quick_reference_has_the_five_as_values_and_conduct(
    pages: dict[str, dict[str, str]],
) -> None:
    page = pages["en"]["quick-reference.md"]
    headings = re.findall(r"^## (.+?) \{", page, flags=re.MULTILINE)
    assert headings == [
        "The 5 A&#39;s of customer service",
        "Our service values",
        "Tone of voice and body language",
        "Difficult situations",
    ]
    assert "1. **Acknowledge**:" in page and "5. **Appreciate**:" in page


def test_an_overdue_review_is_a_warning_at_its_date(
    example: tuple[ValidatedSite, list[Edition]],
) -> None:
    site, _editions = example
    found = overdue_reviews(site, TODAY)
    assert [(d.code, d.level.value, d.pos) for d in found] == [
        ("CP430", "warning", SourcePos("charter/procedures/handle_complaint.yml", 275, 9))
    ]
    assert found[0].message == (
        "the review of the procedure 'handle_complaint' was due on 2026-06-15 "
        "(build date 2026-11-23)"
    )
    # The day of the review itself is not overdue.
    assert overdue_reviews(site, dt.date(2026, 6, 15)) == []


PROCEDURE = """\
title: Answering the telephone
purpose: Answer every call kindly and quickly.
owner:
  role: Head of Customer Service
roles:
  - id: agent
    name: Agent
steps:
  - id: answer
    role: agent
    action: Answer the call within three rings.
    within: 30 seconds
version:
  id: v1
  version: "1.0"
  approved: 2025-01-10
  approved_by: Board
  effective: 2025-02-01
review:
  last: 2025-01-10
  next: 2026-01-10
"""


def _site_with_an_overdue_procedure(tmp_path: Path) -> Path:
    """Return a one-language copy of the minimal site with a procedure due on 2026-01-10."""
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site)
    config = site / "site_config.yml"
    # One language, so that the overdue review is the build's only warning.
    config.write_text(
        config.read_text(encoding="utf-8").replace("languages: [en, pt-PT]", "languages: [en]"),
        encoding="utf-8",
    )
    (site / "charter" / "procedures").mkdir()
    (site / "charter" / "procedures" / "phone.yml").write_text(PROCEDURE, encoding="utf-8")
    return site


OVERDUE_AT = "charter/procedures/phone.yml:21:9"
OVERDUE = "the review of the procedure 'phone' was due on 2026-01-10 (build date 2026-03-01)"


def test_validate_reports_an_overdue_review_and_fails_under_strict(tmp_path: Path) -> None:
    site = _site_with_an_overdue_procedure(tmp_path)
    command = ["validate", "--site", str(site), "--today", "2026-03-01"]
    runner = CliRunner()

    checked = runner.invoke(main, command, catch_exceptions=False)
    assert checked.exit_code == 0, checked.output
    assert f"{OVERDUE_AT}: warning[CP430]: {OVERDUE}" in checked.stderr
    assert checked.stderr.endswith(": 1 charter valid (0 errors, 1 warning)\n")

    strict = runner.invoke(main, [*command, "--strict"], catch_exceptions=False)
    assert strict.exit_code == 1
    assert f"{OVERDUE_AT}: error[CP430]: {OVERDUE}" in strict.stderr

    as_json = runner.invoke(main, [*command, "--format", "json"], catch_exceptions=False)
    document = json.loads(as_json.stdout)
    assert (document["errors"], document["warnings"]) == (0, 1)
    assert [(d["code"], d["level"]) for d in document["diagnostics"]] == [("CP430", "warning")]

    # On the day of the review itself nothing is overdue.
    on_time = runner.invoke(main, [*command[:-1], "2026-01-10", "--strict"])
    assert (on_time.exit_code, on_time.stderr.count("CP430")) == (0, 0)


def _build(site: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(REPO / "build.py"), "build", "--site", str(site)]
    return subprocess.run(
        [*command, "--out", str(out), "--today", "2026-03-01", *extra],
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_overdue_review_warns_and_fails_the_build_under_strict(tmp_path: Path) -> None:
    site = _site_with_an_overdue_procedure(tmp_path)

    built = _build(site, tmp_path / "out")
    assert built.returncode == 0, built.stderr
    assert f"{OVERDUE_AT}: warning[CP430]: {OVERDUE}" in built.stderr
    assert (tmp_path / "out" / "handbook" / "en" / "procedures" / "phone" / "index.html").is_file()

    strict = _build(site, tmp_path / "strict", "--strict")
    assert strict.returncode == 1
    assert f"{OVERDUE_AT}: error[CP430]: {OVERDUE}" in strict.stderr
    assert not (tmp_path / "strict").exists()


# ---------------------------------------------------------------------------------------------
# The built handbook (the session build of the example)


def _pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def test_the_handbook_is_built_beside_the_public_site_in_every_language(
    example_build: Path,
) -> None:
    public = sorted(p.name for p in (example_build / "public").iterdir() if p.is_dir())
    built = sorted(p.name for p in (example_build / "handbook").iterdir() if p.is_dir())
    assert built == public
    for segment in built:
        root = example_build / "handbook" / segment
        assert (root / "procedures" / "handle_complaint" / "index.html").is_file()
        assert (root / "reviews" / "index.html").is_file()
        assert (root / "search" / "search_index.json").is_file()
        assert not (root / "sitemap.xml").exists()
        assert not (root / "sitemap.xml.gz").exists()


def test_every_handbook_page_is_noindex_and_robots_disallow_everything(
    example_build: Path,
) -> None:
    pages = _pages(example_build / "handbook")
    assert len(pages) > 40
    for page in pages:
        tree = html.fromstring(page.read_bytes())
        assert tree.xpath('//meta[@name="robots"]/@content') == ["noindex,nofollow"], page
    robots = (example_build / "handbook" / "robots.txt").read_text(encoding="utf-8")
    assert robots == "User-agent: *\nDisallow: /\n"


def test_the_handbook_uses_the_public_page_frame_and_its_search_worker(
    example_build: Path,
) -> None:
    # The title and the scripts' configuration come from the partials both main.html include.
    page = example_build / "handbook" / "cs" / "procedures" / "handle_complaint" / "index.html"
    public = example_build / "public" / "cs" / "shops" / "commitments" / "index.html"
    frames = [html.fromstring(path.read_bytes()) for path in (page, public)]
    assert frames[0].findtext(".//title") == "Vyřizování stížnosti - Příručka pro zaměstnance"
    configs = [json.loads(frame.get_element_by_id("__config").text) for frame in frames]
    assert sorted(configs[0]) == sorted(configs[1])
    # Charterpress's worker: a Czech reader may type without diacritics, as on the public site.
    assert (
        configs[0]["search"]
        == configs[1]["search"]
        == ("../../assets/javascripts/workers/site-search.js")
    )
    worker = example_build / "handbook" / "cs" / "assets" / "javascripts" / "workers"
    assert (worker / "site-search.js").is_file()


def test_the_public_site_never_links_to_the_handbook(example_build: Path) -> None:
    for page in _pages(example_build / "public"):
        tree = html.fromstring(page.read_bytes())
        for link in tree.xpath("//@href | //@src"):
            assert "handbook" not in str(link), (page, link)


def test_each_step_has_its_own_entry_in_the_czech_search_index(example_build: Path) -> None:
    index = json.loads(
        (example_build / "handbook" / "cs" / "search" / "search_index.json").read_text("utf-8")
    )
    steps = {
        doc["location"].partition("#")[2]: doc["title"]
        for doc in index["docs"]
        if doc["location"].startswith("procedures/handle_complaint/#step-")
    }
    assert len(steps) == 7
    assert steps["step-log"] == "Krok 1: Operátor zákaznického servisu"
    assert steps["step-close"] == "Krok 7: Referent pro stížnosti"


def test_the_steps_print_as_boxes_to_tick(example_build: Path) -> None:
    page = example_build / "handbook" / "en" / "procedures" / "handle_complaint" / "index.html"
    tree = html.fromstring(page.read_bytes())
    boxes = tree.xpath('//input[@type="checkbox"][@class="cp-tick"]')
    assert len(boxes) == 8
    # Each step's box follows its heading, whose id the charter pages link to.
    steps = tree.xpath('//h3[@class="cp-step"]')
    assert [h.get("id") for h in steps][:2] == ["step-log", "step-acknowledge"]
    assert [h.xpath("string(following-sibling::p[1]/input/@id)") for h in steps][:2] == [
        "tick-log",
        "tick-acknowledge",
    ]
    for box in boxes:
        assert tree.xpath(f'//label[@for="{box.get("id")}"]'), box.get("id")
    css = (example_build / "handbook" / "en" / "assets" / "handbook.css").read_text("utf-8")
    assert "@media print" in css
    assert tree.xpath('//link[@rel="stylesheet"][contains(@href, "assets/handbook.css")]')


def test_the_dashboard_flags_the_overdue_review(example_build: Path) -> None:
    page = example_build / "handbook" / "en" / "reviews" / "index.html"
    tree = html.fromstring(page.read_bytes())
    rows = tree.xpath("//table/tbody/tr")
    assert len(rows) == 5
    overdue = [row.xpath("string(td[1])") for row in rows if row.xpath('.//*[@class="cp-overdue"]')]
    assert overdue == ["Handling a complaint"]


# ---------------------------------------------------------------------------------------------
# Serving


def test_serve_shows_the_handbook_at_handbook(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "full", site)
    with live_server(site, port=0, today=dt.date(2026, 6, 15), report=lambda _r: None) as server:
        thread = threading.Thread(target=server.serve, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not (server.server_address[1] != 0 and server.serve_thread.is_alive()):
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        host, port = server.server_address[:2]
        base = f"http://{host}:{port}"
        with urllib.request.urlopen(f"{base}/handbook/en/", timeout=10) as response:
            text = response.read().decode("utf-8")
        assert '<meta name="robots" content="noindex,nofollow">' in text
        with urllib.request.urlopen(f"{base}/handbook", timeout=10) as response:
            assert response.url == f"{base}/handbook/"
        with urllib.request.urlopen(f"{base}/en/desk", timeout=10) as response:
            assert response.url == f"{base}/en/desk/"
            assert "noindex" not in response.read().decode("utf-8")
