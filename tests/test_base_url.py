"""`build --base-url`: a preview under a sub-path, with every absolute address under it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from click.testing import CliRunner
from lxml import html

from charterpress.cli import main

MINIMAL = Path(__file__).resolve().parent / "roots" / "minimal"
CONFIGURED = "charter.example.com"  # base_url of tests/roots/minimal
BASE = "https://preview.example.org/preview/pr-12/"
ADDRESS = re.compile(r"https?://[^\s\"'<>)\\]+")
TEXT_SUFFIXES = (".html", ".xml", ".txt", ".json", ".ics", ".js", ".css")


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the minimal site once with --base-url (no trailing slash: it is added)."""
    out = tmp_path_factory.mktemp("base-url") / "out"
    args = ["build", "--quiet", "--site", str(MINIMAL), "--out", str(out), "--no-cache"]
    result = CliRunner().invoke(
        main,
        [*args, "--today", "2026-06-15", "--base-url", BASE.rstrip("/")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    return out


def text_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)


def test_no_address_of_the_configured_site_is_left(preview: Path) -> None:
    files = text_files(preview)
    assert len(files) > 50
    for path in files:
        assert CONFIGURED not in path.read_text(encoding="utf-8"), path


def test_every_address_of_the_site_is_under_the_base(preview: Path) -> None:
    host = urlsplit(BASE).hostname
    found = 0
    for path in text_files(preview):
        for address in ADDRESS.findall(path.read_text(encoding="utf-8")):
            if urlsplit(address).hostname == host:
                assert address.startswith(BASE), (path, address)
                found += 1
    assert found > 50


def test_canonical_hreflang_and_json_ld_use_the_base(preview: Path) -> None:
    page = html.parse(str(preview / "public" / "en" / "help" / "index.html"))
    assert page.xpath("//link[@rel='canonical']/@href") == [f"{BASE}en/help/"]
    assert page.xpath("//link[@rel='alternate'][@hreflang]/@href") == [
        f"{BASE}en/help/",
        f"{BASE}en/help/",
    ]
    (ld,) = page.xpath("//script[@type='application/ld+json']/text()")
    assert json.loads(ld)["subjectOf"]["url"] == f"{BASE}en/help/"


def test_the_root_page_sitemap_and_robots_use_the_base(preview: Path) -> None:
    public = preview / "public"
    root = html.parse(str(public / "index.html"))
    assert root.xpath("//link[@rel='canonical']/@href") == [BASE]
    assert root.xpath("//link[@hreflang='en']/@href") == [f"{BASE}en/"]
    # The redirect to the default language stays relative: it works under any folder.
    assert root.xpath("//noscript/meta[@http-equiv='refresh']/@content") == ["0; url=en/"]
    sitemap = (public / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{BASE}en/help/commitments/</loc>" in sitemap
    assert (
        (public / "robots.txt")
        .read_text(encoding="utf-8")
        .endswith(f"Sitemap: {BASE}sitemap.xml\n")
    )


def test_the_404_page_links_under_the_sub_path(preview: Path) -> None:
    # Served at any missing address, the 404 page cannot use relative links.
    page = html.parse(str(preview / "public" / "en" / "404.html"))
    paths = page.xpath("//link[@rel='stylesheet']/@href | //script/@src")
    assert paths
    assert all(p.startswith("/preview/pr-12/en/") for p in paths if not p.startswith("http"))


def test_relative_links_keep_working(preview: Path) -> None:
    page_file = preview / "public" / "en" / "help" / "commitments" / "index.html"
    page = html.parse(str(page_file))
    checked = 0
    for link in page.xpath("//a/@href | //link/@href | //script/@src | //img/@src"):
        if urlsplit(link).scheme or link.startswith(("#", "/", "mailto:", "tel:")):
            continue
        target = Path(urlsplit(urljoin(page_file.as_uri(), link)).path)
        assert target.is_file() or (target / "index.html").is_file(), link
        checked += 1
    assert checked > 10


@pytest.mark.parametrize(
    "value", ["preview.example.org/pr-12/", "ftp://example.org/", "https://example.org/?p=1"]
)
def test_a_base_url_that_is_not_a_web_address_is_refused(tmp_path: Path, value: str) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["build", "--site", str(MINIMAL), "--out", str(out), "--base-url", value, "--no-cache"],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"error[CP901]: --base-url '{value}' is not the address of a site\n"
        "  = hint: write a full address, e.g. --base-url https://preview.example.com/pr-12/\n"
        "\ncharterpress: 1 error, 0 warnings; nothing was written\n"
    )
    assert not out.exists()


def test_the_deploy_guide_builds_previews_with_the_option() -> None:
    guide = (Path(__file__).resolve().parent.parent / "docs" / "deploy.md").read_text("utf-8")
    preview = guide[guide.index("## Previews under a sub-path") :]
    assert 'charterpress build --out site --base-url "https://preview.example.com/$BRANCH/"' in (
        preview
    )
    assert "sed -i" not in guide
