"""Each check of checks.py catches its fault on a small page, and passes on the fixed twin.

These run the real tools (Chromium, axe-core, the Nu checker), no mocks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .browser import PageLog, serve_as, serve_folder
from .checks import (
    axe_violations,
    check_links,
    foreign_urls,
    horizontal_overflow,
    language_switch_targets,
    links_to_folder,
    no_links_into,
    nu_errors,
    print_pdf_pages,
    search_first_result,
    search_results,
    wider_than_viewport,
)

BASE = "https://charter.example/"


def page_html(body: str, head: str = "", lang: str = "en") -> str:
    """Return a complete, valid HTML page around BODY."""
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>A page</title>\n{head}\n</head>\n<body>\n<main>\n<h1>A page</h1>\n"
        f"{body}\n</main>\n</body>\n</html>\n"
    )


def write(path: Path, text: str) -> Path:
    """Write TEXT to PATH, making its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_linked_site(root: Path, *, broken: bool) -> None:
    """Write a small site whose links all resolve, or (BROKEN) one of each broken kind."""
    write(root / "assets" / "logo.png", "png")
    write(root / "assets" / "site.css", "h1 { background: url(logo.png) }")
    write(root / "en" / "shops" / "index.html", page_html('<h2 id="hours">Hours</h2>'))
    write(root / "en" / "résumé.html", page_html('<p id="top-of">x</p>'))
    write(
        root / "index.html",
        page_html("<p>Moved</p>", '<meta http-equiv="refresh" content="0; URL=\'en/\'">'),
    )
    links = [
        '<a href="shops/">folder</a>',
        '<a href="shops/#hours">anchor in another page</a>',
        '<a href="#intro">anchor here</a>',
        '<a href="r%C3%A9sum%C3%A9.html#top-of">percent-encoded</a>',
        '<a href="/en/shops/index.html?q=1">root-relative with a query</a>',
        f'<a href="{BASE}en/shops/#hours">own absolute address</a>',
        '<a href="https://elsewhere.example/missing">another site: not ours to check</a>',
        '<a href="mailto:help@charter.example">mail</a>',
        '<img src="../assets/logo.png" srcset="../assets/logo.png 2x" alt="Logo">',
    ]
    if broken:
        links += [
            '<a href="shop/">missing folder</a>',
            '<a href="shops/#opening">missing anchor in another page</a>',
            '<a href="#outro">missing anchor here</a>',
            f'<a href="{BASE}en/gone/">own absolute address, missing</a>',
            '<img src="../assets/logo.svg" alt="Logo">',
            '<a href="../../outside.html">outside</a>',
        ]
        write(root / "assets" / "print.css", "@import 'missing.css';")
        write(
            root / "index.html",
            page_html("<p>Moved</p>", '<meta http-equiv="refresh" content="0; url=fr/">'),
        )
    body = '<p id="intro">Intro</p>\n' + "\n".join(f"<p>{link}</p>" for link in links)
    write(root / "en" / "index.html", page_html(body))


def test_check_links_passes_when_every_link_and_anchor_resolves(tmp_path: Path) -> None:
    make_linked_site(tmp_path, broken=False)
    assert check_links(tmp_path, BASE) == []


def test_check_links_reports_each_broken_link_and_anchor(tmp_path: Path) -> None:
    make_linked_site(tmp_path, broken=True)
    assert check_links(tmp_path, BASE) == [
        "en/index.html:22: <a href='shop/'>: no such file en/shop/index.html",
        "en/index.html:23: <a href='shops/#opening'>: no id 'opening' in en/shops/index.html",
        "en/index.html:24: <a href='#outro'>: no id 'outro' in en/index.html",
        f"en/index.html:25: <a href='{BASE}en/gone/'>: no such file en/gone/index.html",
        "en/index.html:26: <img src='../assets/logo.svg'>: no such file assets/logo.svg",
        # As over HTTP, '..' stops at the top of the site.
        "en/index.html:27: <a href='../../outside.html'>: no such file outside.html",
        "index.html:7: <meta content='fr/'>: no such file fr/index.html",
        "assets/print.css: url(missing.css) names no file",
    ]


def test_check_links_knows_the_path_of_a_site_published_in_a_folder(tmp_path: Path) -> None:
    body = '<p><a href="/charter/en/">home</a> <a href="/blog/">elsewhere on the host</a></p>'
    write(tmp_path / "en" / "index.html", page_html(body))
    assert check_links(tmp_path, "https://host.example/charter/") == [
        "en/index.html:12: <a href='/blog/'>: points outside the site folder"
    ]


def test_no_links_into_catches_a_relative_and_an_absolute_link(tmp_path: Path) -> None:
    public = tmp_path / "public"
    write(tmp_path / "handbook" / "en" / "index.html", page_html("<p>staff only</p>"))
    write(public / "en" / "index.html", page_html('<p><a href="../shops/">shops</a></p>'))
    write(public / "en" / "shops" / "index.html", page_html("<p>shops</p>"))
    assert no_links_into(public, "handbook/") == []
    assert no_links_into(public, "https://handbook.example/") == []

    write(
        public / "en" / "staff.html",
        page_html(
            '<p><a href="../../handbook/en/">handbook</a></p>\n'
            '<p><a href="https://handbook.example/en/">handbook</a></p>'
        ),
    )
    assert no_links_into(public, "handbook/") == [
        "en/staff.html:12: <a href='../../handbook/en/'> leads into handbook/"
    ]
    assert no_links_into(public, "https://handbook.example/") == [
        "en/staff.html:13: mentions https://handbook.example/"
    ]


def test_links_to_folder_catches_every_way_of_writing_a_handbook_path(tmp_path: Path) -> None:
    public = tmp_path / "public"
    # The fixed twin: "handbooks" and "handbook-tips" are other folders, a mailto is no path.
    write(
        public / "en" / "index.html",
        page_html(
            '<p><a href="handbook-tips/">tips</a> <a href="https://x.example/handbooks/">x</a>'
            ' <a href="mailto:handbook@x.example">mail</a></p>'
        ),
    )
    assert links_to_folder(public, BASE, "handbook") == []

    write(
        public / "en" / "staff" / "index.html",
        page_html(
            '<p><a href="/handbook/en/">root-relative</a></p>\n'
            '<p><a href="../../handbook/">relative</a></p>\n'
            f'<p><a href="{BASE}handbook/en/procedures/">absolute</a></p>\n'
            '<p><img src="https://intranet.example/handbook/logo.svg" alt="logo"></p>'
        ),
    )
    assert links_to_folder(public, BASE, "handbook") == [
        "en/staff/index.html:12: <a href='/handbook/en/'> leads to a /handbook/ path",
        "en/staff/index.html:13: <a href='../../handbook/'> leads to a /handbook/ path",
        f"en/staff/index.html:14: <a href='{BASE}handbook/en/procedures/'> leads to a /handbook/"
        " path",
        "en/staff/index.html:15: <img src='https://intranet.example/handbook/logo.svg'> leads to"
        " a /handbook/ path",
    ]


def test_foreign_urls_ignores_links_identifiers_and_the_site_own_address(tmp_path: Path) -> None:
    head = (
        f'<link rel="canonical" href="{BASE}en/">\n'
        f'<link rel="alternate" hreflang="cs" href="{BASE}cs/">\n'
        f'<meta property="og:url" content="{BASE}en/">\n'
        '<link rel="stylesheet" href="assets/site.css">\n'
        '<script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "Organization",'
        ' "url": "https://www.casalumen.example/"}'
        "</script>\n"
        "<script>const svg = 'http://www.w3.org/2000/svg'; // see https://example.org/doc\n"
        'const space = c == "\\u2003"//nbsp, a comment after a string\n</script>'
    )
    body = (
        '<p><a href="https://www.casalumen.example/contact/">Contact us</a></p>\n'
        '<form action="https://search.example/"><p><button>Go</button></p></form>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="dot">'
        '<circle r="1"/></svg>\n'
        '<div itemscope itemtype="https://schema.org/Organization">Casa</div>'
    )
    write(tmp_path / "en" / "index.html", page_html(body, head))
    write(
        tmp_path / "en" / "assets" / "site.css",
        "/* fonts: https://fonts.google.com */ @font-face { src: url(font.woff2) }",
    )
    write(
        tmp_path / "sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{BASE}en/</loc></url></urlset>\n",
    )
    write(tmp_path / "search.json", '{"docs": [{"text": "See https://www.example.org/ for more"}]}')
    assert foreign_urls(tmp_path, [BASE]) == []


def test_foreign_urls_reports_what_the_browser_would_fetch_elsewhere(tmp_path: Path) -> None:
    head = (
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">\n'
        '<link rel="canonical" href="https://mirror.example/en/">\n'
        "<style>body { background: url('//cdn.example/bg.png') }</style>\n"
        '<script>fetch("https://api.example/track")</script>'
    )
    body = '<p><img src="https://images.example/logo.png" alt="Logo"></p>'
    write(tmp_path / "en" / "index.html", page_html(body, head))
    write(
        tmp_path / "assets" / "site.css",
        '@import "https://fonts.example/a.css";\n'
        "@font-face { src: url(https://fonts.gstatic.com/s/roboto.woff2) }",
    )
    write(
        tmp_path / "assets" / "logo.svg",
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image xlink:href="https://images.example/x.png"/></svg>',
    )
    write(tmp_path / "manifest.json", '{"icons": [{"src": "https://icons.example/i.png"}]}')
    assert foreign_urls(tmp_path, [BASE]) == [
        "assets/logo.svg:1: fetched by <image href>: https://images.example/x.png",
        "assets/site.css:1: fetched by a style sheet: https://fonts.example/a.css",
        "assets/site.css:2: fetched by a style sheet: https://fonts.gstatic.com/s/roboto.woff2",
        "en/index.html:7: fetched by <link>: https://fonts.googleapis.com/css?family=Roboto",
        "en/index.html:8: the page's own address (link rel): https://mirror.example/en/",
        "en/index.html:15: fetched by <img src>: https://images.example/logo.png",
        "en/index.html:9: fetched by a style sheet: //cdn.example/bg.png",
        "en/index.html:10: in a script: https://api.example/track",
        "manifest.json:0: an address in JSON: https://icons.example/i.png",
    ]


def test_axe_reports_a_missing_alt_text_and_passes_the_fixed_twin(
    page: tuple[Any, PageLog],
) -> None:
    tab, _ = page
    tab.set_content(page_html('<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'))
    violations = axe_violations(tab)
    assert len(violations) == 1
    assert violations[0].startswith(
        "image-alt (critical): Images must have alternative text: Element does not have an alt"
    )
    assert violations[0].endswith(" -- at img")

    tab.set_content(
        page_html('<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="A dot"></p>')
    )
    assert axe_violations(tab) == []


def test_axe_reports_low_contrast_and_a_rule_can_be_switched_off(
    page: tuple[Any, PageLog],
) -> None:
    tab, _ = page
    tab.set_content(page_html('<p style="color: #bbb; background: #fff">Faint text</p>'))
    assert axe_violations(tab) == [
        "color-contrast (serious): Elements must meet minimum color contrast ratio thresholds:"
        " Element has insufficient color contrast of 1.91 (foreground color: #bbbbbb,"
        " background color: #ffffff, font size: 12.0pt (16px), font weight: normal)."
        " Expected contrast ratio of 4.5:1 -- at p"
    ]
    assert axe_violations(tab, disabled={"color-contrast": "checked by hand"}) == []


def test_nu_checker_reports_an_invalid_element_and_passes_the_fixed_twin(tmp_path: Path) -> None:
    write(tmp_path / "good" / "index.html", page_html("<ul><li>one</li></ul>"))
    write(tmp_path / "bad" / "index.html", page_html("<ul><div>one</div></ul>"))
    # One JVM for both pages: the errors name the page they belong to.
    assert nu_errors(tmp_path) == [
        "bad/index.html:12:5: error: Element “div” not allowed as child of element “ul”"
        " in this context. (Suppressing further errors from this subtree.)"
    ]


def test_horizontal_overflow_at_360_px(page: tuple[Any, PageLog]) -> None:
    tab, _ = page
    wide = '<div class="poster" style="width: 500px">A promise in a box too wide</div>'
    tab.set_content(page_html(wide))
    assert horizontal_overflow(tab) is True
    assert wider_than_viewport(tab) == ["div.poster (right edge 508 px)"]

    tab.set_content(page_html(wide.replace("width: 500px", "max-width: 500px")))
    assert horizontal_overflow(tab) is False
    assert wider_than_viewport(tab) == []


POSTER_CSS = "<style>@page { size: A4; margin: 10mm } body { margin: 0 }</style>"


def test_print_pdf_counts_a4_pages(tmp_path: Path, page: tuple[Any, PageLog]) -> None:
    tab, log = page
    write(
        tmp_path / "long.html",
        page_html('<div style="height: 400mm">tall poster</div>', POSTER_CSS),
    )
    write(tmp_path / "fits.html", page_html('<div style="height: 200mm">poster</div>', POSTER_CSS))
    with serve_folder(tmp_path) as base:
        tab.goto(f"{base}/long.html")
        assert print_pdf_pages(tab) == 2
        tab.goto(f"{base}/fits.html")
        assert print_pdf_pages(tab) == 1
    assert log.console_errors == []


MATERIAL_PROJECT = """\
site_name: Casa
site_url: https://charter.example/{lang}/
site_dir: ../site/{lang}
theme:
  name: material
  font: false
  language: {lang}
extra:
  alternate:
    - {{name: English, link: /en/, lang: en}}
    - {{name: Čeština, link: /cs/, lang: cs}}
"""


PAGE_TEXT = {
    "en": "We answer every letter within five working days.",
    "cs": "Na každý dopis odpovíme do pěti pracovních dnů.",
}


@pytest.fixture(scope="module")
def material_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a small two-language Material site, once for this module; return its folder.

    Both languages have a commitments page; only English has a contact page, so from that
    page the language selector can only land on the Czech home page.
    """
    folder = tmp_path_factory.mktemp("material")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    pages = {"en": ["shops/commitments.md", "shops/contact.md"], "cs": ["shops/commitments.md"]}
    for lang, paths in pages.items():
        project = folder / lang
        write(project / "mkdocs.yml", MATERIAL_PROJECT.format(lang=lang))
        write(project / "docs" / "index.md", f"# Home ({lang})\n")
        for path in paths:
            write(project / "docs" / path, f"# {path} ({lang})\n\n{PAGE_TEXT[lang]}\n")
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, env=env, check=True
        )
    return folder / "site"


def test_language_switch_lands_on_the_same_page_or_is_caught(
    material_site: Path, page: tuple[Any, PageLog]
) -> None:
    tab, log = page
    serve_as(tab, "https://charter.example/", material_site)
    assert language_switch_targets(tab, "https://charter.example/en/shops/commitments/") == {
        "cs": "https://charter.example/cs/shops/commitments/"
    }
    # The fault: a page missing in Czech sends the reader to the Czech home page.
    assert language_switch_targets(tab, "https://charter.example/en/shops/contact/") == {
        "cs": "https://charter.example/cs/"
    }
    assert log.foreign_requests == []
    assert log.failed_requests == []

    # Why serve_as: over 127.0.0.1:PORT Material drops the port when it matches the sitemap,
    # and even the page that exists in both languages lands on the home page.
    with serve_folder(material_site) as base:
        landed = language_switch_targets(tab, f"{base}/en/shops/commitments/")
    assert landed == {"cs": f"{base}/cs/"}


def test_search_opens_the_page_that_holds_the_words_or_finds_nothing(
    material_site: Path, page: tuple[Any, PageLog]
) -> None:
    tab, log = page
    with serve_folder(material_site) as base:
        for lang, query in (("en", "letter"), ("cs", "dopis")):
            tab.goto(f"{base}/{lang}/", wait_until="networkidle")
            opened = search_first_result(tab, query)
            assert opened is not None, f"no result for {query!r} in {lang}"
            assert urlsplit(opened).path == f"/{lang}/shops/commitments/"
        tab.goto(f"{base}/en/", wait_until="networkidle")
        assert search_results(tab, "zebra") == []
        assert search_first_result(tab, "zebra") is None
    assert log.console_errors == []
