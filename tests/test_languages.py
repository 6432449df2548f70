"""All five languages of the public site: one folder each, <html lang> with the BCP 47 tag,
Material's European Portuguese, links to the same page in every language (hreflang only where
the page is really translated), the root page, one sitemap, robots.txt, a 404 page per language,
and `build --strict` refusing a public page that falls back to the source language."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from lxml import etree, html

from charterpress import languages
from charterpress.diagnostics import Level
from charterpress.pipeline import BuildOptions, build_site
from tests.conftest import REPO, ROOTS

CONFIG = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
BASE = str(CONFIG["base_url"])
PUBLISHED = [languages.BY_CODE[code] for code in CONFIG["languages"]]
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
TODAY = dt.date(2026, 6, 15)


def language_pages(public: Path, segment: str) -> list[Path]:
    """Return the MkDocs pages of one language (not the 404 page, nor the printable posters)."""
    folder = public / segment
    return sorted(
        p for p in folder.rglob("index.html") if "search" not in p.parts and "poster" not in p.parts
    )


def inner(public: Path, page: Path) -> str:
    """Return a page's address inside its language folder: "shops/commitments/"."""
    relative = page.relative_to(public).as_posix()
    return relative.split("/", 1)[1].removesuffix("index.html")


def address(segment: str, path: str) -> str:
    return f"{BASE}{segment}/{path}"


@pytest.fixture(scope="module")
def public(example_build: Path) -> Path:
    return example_build / "public"


def test_every_configured_language_is_published(public: Path) -> None:
    assert sorted(p.name for p in public.iterdir() if p.is_dir()) == sorted(
        language.segment for language in PUBLISHED
    )
    english = {inner(public, p) for p in language_pages(public, "en")}
    assert len(english) > 10
    for language in PUBLISHED:
        folder = public / language.segment
        assert (folder / "404.html").is_file()
        assert (folder / "search" / "search_index.json").is_file()
        # The same pages in every language: a link to a commitment works in each.
        assert {inner(public, p) for p in language_pages(public, language.segment)} == english


def test_html_lang_is_the_bcp47_tag_on_every_page(public: Path) -> None:
    for language in PUBLISHED:
        for page in [
            *language_pages(public, language.segment),
            public / language.segment / "404.html",
        ]:
            assert html.parse(str(page)).xpath("/html/@lang") == [language.bcp47], page
    assert html.parse(str(public / "pt" / "index.html")).xpath("/html/@lang") == ["pt-PT"]


def test_portuguese_pages_read_as_portugal_writes(public: Path) -> None:
    tree = html.parse(str(public / "pt" / "shops" / "commitments" / "index.html"))
    placeholder = tree.xpath("//input[contains(@class, 'md-search__input')]/@placeholder")
    assert placeholder == ["Pesquisar"]
    text = html.tostring(tree, encoding="unicode")
    assert "Buscar" not in text and "Compartilhar" not in text


def test_pages_are_in_their_language(public: Path) -> None:
    # The example is fully translated: no page shows the notice or a text marked as English.
    heading = {}
    for language in PUBLISHED:
        tree = html.parse(str(public / language.segment / "shops" / "commitments" / "index.html"))
        heading[language.code] = tree.xpath("string(//article//h1)")
        if language.code != CONFIG["source_language"]:
            assert not tree.xpath("//article//*[@lang='en']"), language.code
            assert not tree.xpath("//article//div[contains(@class, 'admonition note')]")
    assert len(set(heading.values())) == len(PUBLISHED), heading


def test_each_page_names_its_translations_its_canonical_address_and_x_default(
    public: Path,
) -> None:
    source = languages.BY_CODE[CONFIG["source_language"]]
    for language in PUBLISHED:
        for page in language_pages(public, language.segment):
            path = inner(public, page)
            tree = html.parse(str(page))
            assert tree.xpath("//link[@rel='canonical']/@href") == [address(language.segment, path)]
            links = {
                link.get("hreflang"): link.get("href")
                for link in tree.xpath("//head/link[@rel='alternate'][@hreflang]")
            }
            expected = {other.bcp47: address(other.segment, path) for other in PUBLISHED}
            expected["x-default"] = BASE if path == "" else address(source.segment, path)
            assert links == expected, page


def test_the_language_selector_leads_to_the_same_page_without_script(public: Path) -> None:
    for language in PUBLISHED:
        for page in language_pages(public, language.segment):
            tree = html.parse(str(page))
            links = tree.xpath("//header//a[contains(@class, 'md-select__link')]")
            assert [a.get("hreflang") for a in links] == [lang.bcp47 for lang in PUBLISHED]
            for link, other in zip(links, PUBLISHED, strict=True):
                target = (page.parent / link.get("href")).resolve()
                assert target == (public / other.segment / inner(public, page)).resolve(), page
                assert (target / "index.html").is_file()
                # Material's script rewrites links without a target; these need no rewriting.
                assert link.get("target") == "_self"
                assert link.get("lang") == other.bcp47
            (current,) = tree.xpath("//a[contains(@class, 'md-select__link')][@aria-current]")
            assert current.get("hreflang") == language.bcp47


def test_materials_script_leaves_hreflang_links_alone(public: Path) -> None:
    from charterpress.mkdocs_site import MATERIAL_ALTERNATES, OUR_ALTERNATES

    for language in PUBLISHED:
        (bundle,) = (public / language.segment / "assets" / "javascripts").glob("bundle.*.js")
        text = bundle.read_text(encoding="utf-8")
        assert OUR_ALTERNATES in text and MATERIAL_ALTERNATES not in text


def test_the_script_adaptation_reports_a_changed_material(tmp_path: Path) -> None:
    from charterpress.mkdocs_site import adapt_language_selector

    scripts = tmp_path / "cs" / "assets" / "javascripts"
    scripts.mkdir(parents=True)
    (scripts / "bundle.0000.min.js").write_text("function ui(){}", encoding="utf-8")
    (problem,) = adapt_language_selector(tmp_path / "cs")
    assert problem.code == "CP422" and problem.level is Level.ERROR and problem.pos is None
    assert problem.message == (
        'Material\'s script in cs/assets/javascripts has no M("link[rel=alternate]") to adapt'
    )


def test_the_root_page_lists_every_language_and_chooses_one(public: Path) -> None:
    root = public / "index.html"
    tree = html.parse(str(root))
    links = tree.xpath("//body//a[@hreflang]")
    assert [(a.get("href"), a.get("hreflang"), a.text_content()) for a in links] == [
        (f"{lang.segment}/", lang.bcp47, lang.name) for lang in PUBLISHED
    ]
    source = languages.BY_CODE[CONFIG["source_language"]]
    # Without a script: the source language; with one: the best of navigator.languages.
    (refresh,) = tree.xpath("//noscript/meta[@http-equiv='refresh']/@content")
    assert refresh == f"0; url={source.segment}/"
    script = tree.xpath("string(//head/script)")
    assert "navigator.languages" in script and "location.replace" in script
    for language in PUBLISHED:
        assert f'["{language.bcp47}", "{language.segment}"]' in script
    assert tree.xpath("//link[@rel='alternate'][@hreflang='x-default']/@href") == [BASE]


def test_one_sitemap_lists_every_page_with_its_translations(public: Path) -> None:
    tree = etree.parse(str(public / "sitemap.xml"))
    urls = tree.findall(f"{SITEMAP}url")
    built = [
        address(language.segment, inner(public, page))
        for language in PUBLISHED
        for page in language_pages(public, language.segment)
    ]
    assert sorted(u.findtext(f"{SITEMAP}loc") for u in urls) == sorted(built)
    source = languages.BY_CODE[CONFIG["source_language"]]
    for url in urls:
        loc = url.findtext(f"{SITEMAP}loc")
        path = loc.removeprefix(BASE).split("/", 1)[1]
        alternates = {
            link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
        }
        expected = {other.bcp47: address(other.segment, path) for other in PUBLISHED}
        expected["x-default"] = BASE if path == "" else address(source.segment, path)
        assert alternates == expected, loc
    # MkDocs's own sitemaps (one per language, without translations) are gone.
    assert not list(public.glob("*/sitemap.xml*"))


def test_robots_txt_allows_everything_and_names_the_sitemap(public: Path) -> None:
    assert (public / "robots.txt").read_text(encoding="utf-8") == (
        f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n"
    )


NOT_FOUND = {
    "en": "Page not found",
    "pt-PT": "Página não encontrada",
    "ca": "No s'ha trobat la pàgina",
    "cs": "Stránka nenalezena",
    "ro": "Pagina nu a fost găsită",
}


def test_each_language_has_its_own_404_page(public: Path) -> None:
    for language in PUBLISHED:
        tree = html.parse(str(public / language.segment / "404.html"))
        assert tree.xpath("string(//article//h1)").strip() == NOT_FOUND[language.code]
        # Served at any address: the way home is an absolute path.
        assert tree.xpath("//article//a/@href") == [f"/{language.segment}/"]
        homes = tree.xpath("//header//a[contains(@class, 'md-select__link')]/@href")
        assert homes == [f"/{other.segment}/" for other in PUBLISHED]


# ---------------------------------------------------------------------------------------------
# A language whose texts are not translated (tests/roots/minimal has no Portuguese catalog)


@pytest.fixture(scope="module")
def untranslated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("untranslated") / "out"
    result = build_site(BuildOptions(site=ROOTS / "minimal", today=TODAY, out=out, cache=False))
    assert result.ok, [str(d) for d in result.diagnostics]
    assert {d.code for d in result.diagnostics} == {"CP610"}
    assert result.languages == ["en", "pt-PT"]
    return out / "public"


def test_a_fallback_page_shows_english_marked_and_a_notice(untranslated: Path) -> None:
    tree = html.parse(str(untranslated / "pt" / "help" / "commitments" / "index.html"))
    assert tree.xpath("/html/@lang") == ["pt-PT"]
    assert tree.xpath("//article//span[@lang='en']")
    (title,) = tree.xpath("//article//div[contains(@class, 'admonition')]/p[1]")
    # The notice is in the page's language; the texts it is about are in English.
    assert title.text_content() == "Ainda não traduzido"


def test_a_fallback_page_is_not_announced_as_a_translation(untranslated: Path) -> None:
    for page in ("en/help/commitments/index.html", "pt/help/commitments/index.html"):
        tree = html.parse(str(untranslated / page))
        hreflangs = tree.xpath("//head/link[@rel='alternate']/@hreflang")
        assert hreflangs == ["en", "x-default"], page
    sitemap = etree.parse(str(untranslated / "sitemap.xml"))
    for url in sitemap.findall(f"{SITEMAP}url"):
        links = [link.get("hreflang") for link in url.findall(f"{XHTML}link")]
        if "/pt/" in url.findtext(f"{SITEMAP}loc"):
            assert links == []
        else:
            assert links == ["en", "x-default"]
    # The reader can still switch: the selector offers every published language.
    tree = html.parse(str(untranslated / "en" / "help" / "commitments" / "index.html"))
    hrefs = tree.xpath("//a[contains(@class, 'md-select__link')]/@href")
    assert hrefs == ["../../../en/help/commitments/", "../../../pt/help/commitments/"]


def test_strict_refuses_a_public_page_that_falls_back(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site)
    out = tmp_path / "out"
    result = build_site(BuildOptions(site=site, today=TODAY, out=out, strict=True))
    assert not result.ok and result.out is None
    assert not out.exists()
    fallbacks = [d for d in result.diagnostics if d.code == "CP610"]
    assert fallbacks and all(d.level is Level.ERROR for d in fallbacks)
    first = min(fallbacks, key=lambda d: d.sort_key())
    assert str(first.pos) == "charter/help.yml:1:8"
    assert first.message == (
        "not translated into Portuguese (Portugal) (no catalog): help:title; "
        "the source text is shown"
    )


def test_the_example_is_wholly_translated_so_strict_would_publish_it() -> None:
    from charterpress.pipeline import resolve_languages
    from charterpress.validate import validate_site

    outcome = validate_site(REPO, dt.date(2026, 11, 23))
    assert outcome.site is not None
    editions, problems = resolve_languages(outcome.site, dt.date(2026, 11, 23))
    assert [e.language for e in editions] == PUBLISHED
    assert [str(p) for p in problems] == []
