"""The built public site: structure of the HTML (lxml), no request to another host, determinism,
the command line, and MkDocs's own problems as diagnostics."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html

from charterpress.diagnostics import Level
from charterpress.pipeline import BuildOptions, build_site
from charterpress.publish import MARKER

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"
TODAY = dt.date(2026, 6, 15)
TEXT_SUFFIXES = (".html", ".css", ".js", ".json", ".xml")
URL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\"'<>)\\]*")


@pytest.fixture(scope="module")
def full_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build tests/roots/render_full once for this module; return its output folder."""
    out = tmp_path_factory.mktemp("render-full") / "out"
    result = build_site(BuildOptions(site=ROOTS / "render_full", today=TODAY, out=out, cache=False))
    assert result.ok, [str(d) for d in result.diagnostics]
    return out


def pages(public: Path) -> list[Path]:
    """Return every HTML page of a built public site."""
    return sorted(public.rglob("*.html"))


def test_output_layout(example_build: Path) -> None:
    assert (example_build / MARKER).is_file()
    public = example_build / "public"
    assert (public / "index.html").is_file()
    assert (public / "en" / "index.html").is_file()
    assert (public / "en" / "404.html").is_file()
    assert (public / "sitemap.xml").is_file()
    assert (public / "en" / "search" / "search_index.json").is_file()
    for charter in (REPO / "charter").glob("*.yml"):
        for page in ("", "commitments/", "channels/", "about/"):
            assert (public / "en" / charter.stem / page / "index.html").is_file()


def test_the_example_results_pages_have_a_labelled_chart(example_build: Path) -> None:
    charters = sorted(p.name for p in (REPO / "charter" / "results").iterdir() if p.is_dir())
    assert charters
    for charter in charters:
        page = example_build / "public" / "en" / charter / "results" / "index.html"
        tree = html.parse(str(page))
        charts = tree.xpath("//figure[@class='cp-chart']/svg[@role='img']")
        assert charts, page
        for svg in charts:
            assert svg.xpath("title/text()") and svg.xpath("desc/text()"), page


def test_every_page_shows_how_to_contact_us(example_build: Path) -> None:
    checked = 0
    for page in pages(example_build / "public"):
        tree = html.parse(str(page))
        links = tree.xpath("//footer//*[@class='cp-contact']//a/@href")
        assert any(href.startswith(("tel:", "mailto:")) for href in links), page
        assert tree.xpath("//footer//*[@class='cp-legal']//a"), page
        checked += 1
    assert checked >= 10


def test_pages_have_a_title_a_language_and_stable_anchors(example_build: Path) -> None:
    public = example_build / "public" / "en"
    tree = html.parse(str(public / "shops" / "commitments" / "index.html"))
    assert tree.xpath("/html/@lang") == ["en"]
    assert tree.xpath("//title/text()")[0].startswith("Our commitments · ")
    anchors = tree.xpath("//article//h2/@id")
    assert "commitment-advisor-wait" in anchors
    assert all(a.startswith("commitment-") for a in anchors)


def test_channel_pages_show_hours_in_a_table(full_build: Path) -> None:
    tree = html.parse(str(full_build / "public" / "en" / "desk" / "channels" / "index.html"))
    rows = tree.xpath("//h3[@id='channel-phone-hours']/following-sibling::table[1]//tbody/tr")
    cells = [[td.text_content() for td in row.xpath("td")] for row in rows]
    assert cells[0] == ["Monday", "09:00–18:00"]
    assert cells[1] == ["Tuesday", "09:00–13:00, 14:00–18:00"]
    assert cells[6] == ["Sunday", "Closed"]


def test_results_chart_is_present_and_labelled(full_build: Path) -> None:
    tree = html.parse(str(full_build / "public" / "en" / "desk" / "results" / "index.html"))
    (svg,) = tree.xpath("//figure[@class='cp-chart']/svg")
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.xpath(f"title[@id='{title_id}']/text()") == ["Results against targets, 2025"]
    desc = svg.xpath(f"desc[@id='{desc_id}']/text()")[0]
    assert "Answers to e-mails: 97.5%, target Every case, within 2 working days: Not met" in desc
    assert len(svg.xpath(".//rect[contains(@class, 'cp-bar ')]")) == 4
    assert not tree.xpath("//script[contains(., 'chart')]")
    table = tree.xpath("//h2[@id='period-2025']/following-sibling::table[1]")[0]
    assert "A flu epidemic in January." in table.text_content()


def test_theme_is_branded_and_has_both_palettes(full_build: Path) -> None:
    public = full_build / "public" / "en"
    tree = html.parse(str(public / "index.html"))
    assert tree.xpath("//link[@rel='icon']/@href") == ["assets/branding/favicon.svg"]
    assert tree.xpath("//img[contains(@src, 'assets/branding/logo.svg')]")
    schemes = tree.xpath("//input[@data-md-color-scheme]/@data-md-color-scheme")
    assert schemes == ["default", "slate"]
    css = (public / "assets" / "colours.css").read_text(encoding="utf-8")
    assert "--md-primary-fg-color: #1d4e6b;" in css


def test_navigation_is_pruned(example_build: Path) -> None:
    # A page's navigation holds its own charter's pages, and only the title of the others.
    public = example_build / "public" / "en"
    home = html.parse(str(public / "index.html"))
    nav = "//nav[contains(@class, 'md-nav--primary')]//a/@href"
    assert not any("commitments" in href for href in home.xpath(nav))
    page = html.parse(str(public / "shops" / "commitments" / "index.html"))
    links = page.xpath(nav)
    assert "../channels/" in links
    assert not any(href.startswith("../../online/") and href != "../../online/" for href in links)


def _allowed_hosts(site_config: Path) -> set[str]:
    """Hosts a page may link to: the site's own and the ones its author wrote down."""
    text = site_config.read_text(encoding="utf-8")
    text += "".join(p.read_text(encoding="utf-8") for p in site_config.parent.glob("charter/*.yml"))
    return {
        urlsplit(u if "//" in u[:8] else "https:" + u).hostname or "" for u in URL.findall(text)
    }


# Hosts named in string literals of Material's bundled JavaScript, which our pages never request:
# unpkg.com serves a ResizeObserver polyfill only to browsers without ResizeObserver (none that
# Material supports) and Mermaid only for diagrams (we make none); api.github.com is asked only
# when a repository is configured (we configure none). URLs in comments are never fetched.
VENDOR_JS_HOSTS = {"unpkg.com", "api.github.com"}
# Namespaces and schemas, which identify a vocabulary and are never fetched.
NAMESPACE_HOSTS = {"www.w3.org", "www.sitemaps.org", "schema.org"}


def test_no_page_or_asset_requests_another_host(example_build: Path) -> None:
    public = example_build / "public"
    own = _allowed_hosts(REPO / "site_config.yml")
    for path in sorted(public.rglob("*")):
        if path.suffix not in TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            tree = html.fromstring(text)
            # Everything a browser fetches by itself must stay on this site.
            fetched = tree.xpath(
                # Canonical and hreflang links name pages; a browser never fetches them.
                "//script/@src | //img/@src | "
                "//link[not(@rel='canonical' or @rel='alternate')]/@href | "
                "//iframe/@src | //source/@src | //video/@src | //audio/@src | //object/@data"
            )
            for url in fetched:
                assert urlsplit(url).netloc == "", (path, url)
            for url in tree.xpath("//a/@href"):
                host = urlsplit(url).hostname
                assert host is None or host in own, (path, url)
            for style in tree.xpath("//style/text() | //@style"):
                assert not URL.search(style), (path, style)
            continue
        if path.suffix == ".css":
            # Comments (licence notices) are never fetched; CSS comments cannot nest.
            text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
            # Inline data: images (icons with their licence notice) are not requests either.
            text = re.sub(r"url\(\"data:[^\"]*\"\)|url\('data:[^']*'\)", "", text)
        if path.suffix == ".js":
            for url in re.findall(r"[\"'`](https?://[A-Za-z0-9.-]+)", text):
                assert urlsplit(url).hostname in VENDOR_JS_HOSTS | own, (path, url)
            continue
        for url in re.findall(r"https?://[A-Za-z0-9.-]+", text):
            assert urlsplit(url).hostname in NAMESPACE_HOSTS | own, (path, url)


def test_css_makes_no_request_to_another_host(example_build: Path) -> None:
    for css in (example_build / "public").rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        for url in re.findall(r"url\(([^)]*)\)|@import\s+['\"]([^'\"]+)", text):
            target = "".join(url).strip("'\" ")
            assert not target.startswith(("http:", "https:", "//")), (css, target)


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_two_builds_give_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    digests = []
    for name in ("one", "two"):
        out = tmp_path / name
        # Without the cache: the second build makes every byte again.
        options = BuildOptions(site=ROOTS / "render_full", today=TODAY, out=out, cache=False)
        result = build_site(options)
        assert result.ok, result.diagnostics
        digests.append(_tree_digest(out))
    assert digests[0] == digests[1]
    # One sitemap at the root (sitemap.py), with no date; MkDocs's dated ones are removed.
    sitemap = (tmp_path / "one" / "public" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<lastmod>" not in sitemap
    assert not list((tmp_path / "one" / "public").glob("*/sitemap.xml*"))


def test_the_build_date_is_the_only_date_in_the_output(full_build: Path) -> None:
    # No clock time leaks into the output: the only dates are the build date and the charter's.
    for path in (full_build / "public").rglob("*"):
        if path.suffix in (".html", ".xml", ".json"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"\d{2}:\d{2}:\d{2}", text.replace("00:00:00", "")), path


# ---------------------------------------------------------------------------------------------
# The command line


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_build_command_writes_the_site(tmp_path: Path) -> None:
    result = run(
        "build",
        "--site",
        str(ROOTS / "minimal"),
        "--out",
        str(tmp_path / "o"),
        "--today",
        "2026-06-15",
        "--no-cache",  # the test roots stay as they are in git
    )
    assert result.returncode == 0, result.stderr
    assert "built en, pt-PT into" in result.stderr
    assert "end of life" not in result.stderr + result.stdout  # Material's notice is silenced
    assert (tmp_path / "o" / "public" / "en" / "help" / "commitments" / "index.html").is_file()


def test_no_command_means_build(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site)
    result = run("--debug", cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "site" / "public" / "en" / "index.html").is_file()


def test_build_of_an_invalid_site_writes_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site)
    path = site / "charter" / "help.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("percent: 90", "percent: 190"))
    result = run("build", "--site", str(site), "--today", "2026-06-15")
    assert result.returncode == 1
    assert "charter/help.yml:23:16: error[CP204]" in result.stderr
    assert not (site / "site").exists()


def _site_with_broken_link(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site)
    about = site / "templates" / "public" / "about.md.j2"
    about.parent.mkdir(parents=True)
    about.write_text(
        "{% set title = 'About' %}\n# About\n\n[gone](no-such-page.md)\n", encoding="utf-8"
    )
    return site


def test_a_mkdocs_warning_is_reported_and_strict_turns_it_into_an_error(tmp_path: Path) -> None:
    site = _site_with_broken_link(tmp_path)
    result = build_site(BuildOptions(site=site, today=TODAY, out=tmp_path / "out"))
    assert result.ok
    # The root has no Portuguese catalog: its pt-PT texts fall back (CP610), not the subject here.
    warnings = [d for d in result.diagnostics if d.code != "CP610"]
    assert [(w.code, w.level, w.pos) for w in warnings] == [("CP421", Level.WARNING, None)] * 2
    assert [w.message.split(": ")[0] for w in warnings] == ["MkDocs (en)", "MkDocs (pt)"]
    assert all("no-such-page.md" in w.message for w in warnings)

    strict = build_site(BuildOptions(site=site, today=TODAY, out=tmp_path / "strict", strict=True))
    assert not strict.ok
    mkdocs = [d for d in strict.diagnostics if d.code != "CP610"]
    assert [d.code for d in mkdocs] == ["CP421", "CP420", "CP421", "CP420"]
    assert all(d.level is Level.ERROR for d in strict.diagnostics)
    assert mkdocs[1].pos is None
    assert mkdocs[1].message.startswith("MkDocs could not build the 'en' site")
    assert not (tmp_path / "strict").exists()


def test_a_fallback_text_keeps_its_language_and_the_page_shows_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from charterpress import pipeline
    from charterpress.texts import ForeignText

    translated = pipeline.translated_edition

    def with_fallback(translator: object, language: object, today: dt.date) -> object:
        edition = translated(translator, language, today)  # type: ignore[arg-type]
        if edition.language.code != "en":
            return edition
        charter = edition.charters["help"]
        foreign = charter.model_copy(update={"vision": ForeignText("Olá <b>todos</b>", "pt-PT")})
        return replace(edition, charters={"help": foreign})

    monkeypatch.setattr(pipeline, "translated_edition", with_fallback)
    result = build_site(
        BuildOptions(site=ROOTS / "minimal", today=TODAY, out=tmp_path / "o", cache=False)
    )
    assert result.ok, result.diagnostics
    tree = html.parse(str(tmp_path / "o" / "public" / "en" / "help" / "index.html"))
    (span,) = tree.xpath("//article//span[@lang='pt-PT']")
    assert span.text_content() == "Olá <b>todos</b>"
    (notice,) = tree.xpath("//article//div[contains(@class, 'admonition')]")
    assert "Not yet translated" in notice.text_content()
    other = html.parse(
        str(tmp_path / "o" / "public" / "en" / "help" / "commitments" / "index.html")
    )
    assert not other.xpath("//div[contains(@class, 'admonition')]")


def test_every_anchor_is_an_element_id_and_none_is_left_as_text(full_build: Path) -> None:
    public = full_build / "public" / "en"
    for page in pages(public):
        assert "{:" not in html.parse(str(page)).getroot().text_content(), page
    commitments = html.parse(str(public / "desk" / "commitments" / "index.html"))
    for anchor in (
        "commitment-email-reply",
        "commitment-email-reply-members",
        "commitment-email-reply-clock",
        "commitment-phone-answer-fallback",
        "commitment-callback-compensation",
        "commitment-email-reply-indicator",
    ):
        assert commitments.xpath(f"//*[@id='{anchor}']"), anchor
    overview = html.parse(str(public / "desk" / "index.html"))
    assert overview.xpath("//*[@id='includes-advice'] | //*[@id='segment-new']")


def test_each_target_variant_is_a_list_item_of_its_own(example_build: Path) -> None:
    # A variant with a note used to run into the next one ("...today.)- For Long-term...").
    page = example_build / "public" / "en" / "online" / "commitments" / "index.html"
    tree = html.parse(str(page))
    items = [
        tree.xpath(f"//span[@id='commitment-phone-answer-{variant}']/ancestor::li[1]")
        for variant in ("delivery-today", "club-members")
    ]
    assert all(len(found) == 1 for found in items)
    assert items[0][0] is not items[1][0]
    assert "- " not in "".join(items[0][0].itertext())


def test_the_build_holds_one_translated_language_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import weakref

    from charterpress import pipeline

    translated = pipeline.translated_edition
    earlier: list[weakref.ref[object]] = []
    alive_when_translating: list[int] = []

    def watched(translator: object, language: object, today: dt.date) -> object:
        gc.collect()
        alive_when_translating.append(sum(ref() is not None for ref in earlier))
        edition = translated(translator, language, today)  # type: ignore[arg-type]
        if edition.language.code != "en":  # the source language's site is the validated one
            earlier.append(weakref.ref(edition.extra["site"]))
        return edition

    monkeypatch.setattr(pipeline, "translated_edition", watched)
    result = build_site(BuildOptions(site=ROOTS / "i18n_basic", today=TODAY, out=tmp_path / "o"))
    assert result.ok, result.diagnostics
    assert result.languages == ["en", "cs", "pt-PT"]
    # en, cs, pt-PT: when pt-PT is translated, Czech's translated site is gone already.
    assert alive_when_translating == [0, 0, 0]
    assert len(earlier) == 2
