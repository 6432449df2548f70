"""Script injection: the OWASP XSS filter-evasion payloads in every text come out inert.

The site of tests/xss/ (one charter, one procedure, one result, English and Czech) holds the
payloads of the OWASP cheat sheet (tests/xss/owasp-payloads.yml) in every text field of the model
and in every msgstr of its Czech catalog; it is built once per session (`xss_build`), and so is
its twin with harmless texts (`xss_twin_build`). Every page of both sites must have exactly the
elements and attributes of its twin's page (nothing injected), nothing executable (no handler,
no script URL, no frame), and show every payload as text (the positive control). The JSON-LD,
search indexes, sitemap and exports are checked the same way. tests/e2e/test_xss_browser.py
loads the pages in Chromium.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree, html

from charterpress import model
from charterpress.diagnostics import sort_diagnostics
from charterpress.validate import validate_site
from tests.xss import extract_payloads
from tests.xss.payload_site import (
    FILES,
    SKELETON,
    TODAY,
    TRANSLATED,
    Built,
    all_payloads,
    control_character_payloads,
    load_payloads,
    marker,
    sentinel_variant,
    text_fields,
)

# Attributes that hold a URL a browser may follow or load.
URL_ATTRIBUTES = (
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "background",
    "dynsrc",
    "lowsrc",
    "poster",
    "cite",
    "xlink:href",
)
# Elements that run, embed or redirect; none may come from an author.
# (The templates' own <svg> icons, search <form> and <input> toggles are compared with the twin.)
ACTIVE = "iframe|frame|frameset|object|embed|applet|base|isindex|bgsound|math|xml"
_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def _pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def _relative(built: Built, page: Path) -> str:
    return page.relative_to(built.out).as_posix()


def _tree(page: Path) -> Any:
    return html.document_fromstring(page.read_bytes())


def _signature(tree: Any) -> Counter[tuple[str, tuple[str, ...]]]:
    """Count each element by its tag and the names of its attributes."""
    return Counter(
        (str(element.tag), tuple(sorted(element.attrib)))
        for element in tree.iter()
        if isinstance(element.tag, str)
    )


# Public texts that no public page shows today (the templates leave them out): the exact list,
# so that a field that starts or stops being shown updates it. They are still checked as data
# in the exports, and must not reach a page as markup like every other text.
NOT_SHOWN: set[str] = set()


def _plain(text: str) -> str:
    return " ".join(text.split())


def _visible(pages: list[Path]) -> str:
    return "\n".join(_plain(_tree(page).text_content()) for page in pages)


# ---------------------------------------------------------------------------------------------
# The payload file and the site


def test_the_payload_file_holds_the_cheat_sheet() -> None:
    payloads = load_payloads()
    assert len(payloads) >= 200
    assert len(set(payloads)) == len(payloads)
    for known in (
        "<svg/onload=alert('XSS')>",
        "<BODY\xa0ONLOAD=alert('XSS')>",  # the cheat sheet has a no-break space
        "<iframe src=javascript&colon;alert&lpar;document&period;location&rpar;>",
        '"><iframe src="javascript:alert(XSS)">',
        "&#96;`${alert``}`&#96;",
    ):
        assert known in payloads
    assert not any(extract_payloads.has_forbidden_character(p) for p in payloads)
    assert [extract_payloads.has_forbidden_character(p) for p in control_character_payloads()] == [
        True
    ]


def test_the_extractor_takes_code_blocks_and_code_items_only() -> None:
    markdown = (
        "# Title\n\nProse with `<not-a-payload>`.\n\n```html\n<IMG SRC=x>\n```\n\n"
        "```js\n\nline one\nline two\n```\n\n"
        "- `onAbort()` (an event, with prose)\n- `(alert)(1)`\n- `<IMG SRC=x>`\n"
    )
    assert extract_payloads.payloads(markdown) == [
        "<IMG SRC=x>",
        "line one\nline two",
        "(alert)(1)",
    ]


def test_the_sentinel_variant_replaces_each_dialog() -> None:
    assert sentinel_variant("<svg onload=alert(1)>[1].find(confirm);prompt``") == (
        "<svg onload=__xss(1)>[1].find(__xss);__xss``"
    )
    assert sentinel_variant("alerts") == "alerts"


def test_every_text_field_and_every_payload_is_used(xss_build: Built) -> None:
    site = xss_build.site
    for file, of in FILES:
        wanted = set(text_fields(of))
        if of is model.SiteConfig:
            wanted.discard(("output_dir",))  # a folder name, not a text shown anywhere
        if of is model.Charter:
            # A channel's address is a number, e-mail address or URL (their payloads sit in the
            # file); a shop's free texts are those of its postal_address.
            wanted.discard(("channels", "*", "address"))
        filled = {path for where, path in site.filled if where == file}
        assert wanted - filled == set(), f"{file}: add these fields to tests/xss/site/{file}"
    # A shop's postal address is made of free texts; the skeleton has one.
    assert ("charter/desk.yml", ("channels", "*", "postal_address", "street")) in site.filled
    texts = "\n".join(site.texts.values())
    assert [p for p in all_payloads() if p not in texts] == []
    translations = "\n".join(site.translations.values())
    assert [p for p in all_payloads() if p not in translations] == []
    assert len(site.translations) >= 100


# ---------------------------------------------------------------------------------------------
# Pages: nothing injected, nothing executable, every payload visible


def test_every_page_has_the_elements_of_its_harmless_twin(
    xss_build: Built, xss_twin_build: Built
) -> None:
    pages = _pages(xss_build.out)
    twins = _pages(xss_twin_build.out)
    assert [_relative(xss_build, p) for p in pages] == [_relative(xss_twin_build, p) for p in twins]
    assert len(pages) >= 30
    for page, twin in zip(pages, twins, strict=True):
        got, want = _signature(_tree(page)), _signature(_tree(twin))
        assert got == want, (_relative(xss_build, page), got - want, want - got)


def _active_elements(page: Path) -> list[tuple[str, list[tuple[str, str]], str | None]]:
    """Return the scripts, meta, link and base elements of a page, with attributes and text."""
    found = []
    for e in _tree(page).xpath("//script[not(@type='application/ld+json')] | //meta | //link"):
        attributes = dict(e.attrib)
        if e.tag == "meta" and ("name" in attributes or "property" in attributes):
            attributes["content"] = "(a text)"  # description, og:title...: author text as data
        found.append((str(e.tag), sorted(attributes.items()), e.text))
    return found


def test_scripts_meta_and_links_are_the_templates_own(
    xss_build: Built, xss_twin_build: Built
) -> None:
    for page in _pages(xss_build.out):
        twin = xss_twin_build.out / page.relative_to(xss_build.out)
        assert _active_elements(page) == _active_elements(twin), _relative(xss_build, page)


def test_nothing_executable_on_any_page(xss_build: Built) -> None:
    for page in _pages(xss_build.out):
        tree = _tree(page)
        where = _relative(xss_build, page)
        handlers = [
            (element.tag, name)
            for element in tree.iter()
            if isinstance(element.tag, str)
            for name in element.attrib
            if name.lower().startswith("on")
        ]
        assert handlers == [], where
        assert tree.xpath(" | ".join(f"//{tag}" for tag in ACTIVE.split("|"))) == [], where
        for refresh in tree.xpath("//meta[@http-equiv]/@content"):
            assert "javascript" not in refresh.lower() and "data:" not in refresh, where
        for attribute in URL_ATTRIBUTES:
            for value in tree.xpath(f"//@*[local-name()='{attribute.split(':')[-1]}']"):
                scheme = _SCHEME.match("".join(c for c in value if c.isprintable()))
                if scheme and scheme.group(1).lower() not in ("https", "http", "tel"):
                    # An e-mail address is only ever a mailto: link, whatever it holds.
                    assert scheme.group(1).lower() == "mailto", (where, value)
        for style in tree.xpath("//style/text() | //@style"):
            assert "javascript" not in style.lower() and "expression" not in style.lower(), where


def test_an_e_mail_address_that_names_a_script_is_only_a_mailto_link(xss_build: Built) -> None:
    # 'javascript:alert(1)@desk.example' is refused (CP205, tests/test_values_web.py); an address
    # that still names a script is only ever a mailto: link, which a browser never runs.
    page = xss_build.out / "public" / "en" / "desk" / "channels" / "index.html"
    hrefs = _tree(page).xpath("//a/@href[contains(., 'javascript')]")
    assert set(hrefs) == {"mailto:javascript%3Aalert%281%29@desk.example"}


def test_every_payload_is_visible_as_text(xss_build: Built) -> None:
    site = xss_build.site
    public_en = _visible(_pages(xss_build.out / "public" / "en"))
    public_cs = _visible(_pages(xss_build.out / "public" / TRANSLATED))
    handbook_en = _visible(_pages(xss_build.out / "handbook" / "en"))
    handbook_cs = _visible(_pages(xss_build.out / "handbook" / TRANSLATED))
    public = site.public_texts()
    missing = {site.where[m] for m, text in public.items() if _plain(text) not in public_en}
    assert missing == NOT_SHOWN
    staff = {m: t for m, t in site.texts.items() if m not in public}
    missing = [site.where[m] for m, text in staff.items() if _plain(text) not in handbook_en]
    assert missing == [], missing
    for marker_, text in site.translations.items():
        source = marker_.replace(TRANSLATED, "en")
        shown = public_cs if source in public else handbook_cs
        assert _plain(text) in shown or site.where[source] in NOT_SHOWN, site.where[source]


def test_staff_only_texts_never_reach_the_public_site(xss_build: Built) -> None:
    site = xss_build.site
    staff = [m for m in site.texts if m not in site.public_texts()]
    staff += [m.replace("en", TRANSLATED) for m in staff]
    assert len(staff) > 60
    for path in (xss_build.out / "public").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".ics", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert [m for m in staff if m in text] == [], path


# ---------------------------------------------------------------------------------------------
# JSON-LD, search indexes, sitemap, exports


def test_structured_data_is_data(xss_build: Built) -> None:
    found = 0
    for page in _pages(xss_build.out / "public"):
        for block in _tree(page).xpath("//script[@type='application/ld+json']/text()"):
            data = json.loads(block)
            # Nothing in it can end its <script> or open a comment or a CDATA section.
            assert not {"<", ">", "&"} & set(block), page
            found += sum(1 for m in xss_build.site.texts if m in json.dumps(data))
    assert found > 10


def _search_docs(built: Built) -> list[tuple[Path, dict[str, Any]]]:
    docs = []
    for index in sorted(built.out.rglob("search_index.json")):
        for doc in json.loads(index.read_text(encoding="utf-8"))["docs"]:
            docs.append((index, doc))
    return docs


def _fragment_tags(text: str) -> set[str]:
    fragment = html.fragment_fromstring(text or "", create_parent="div")
    return {str(e.tag) for e in fragment.iter() if isinstance(e.tag, str)}


def test_search_indexes_hold_only_the_templates_markup(
    xss_build: Built, xss_twin_build: Built
) -> None:
    docs = _search_docs(xss_build)
    twin_docs = _search_docs(xss_twin_build)
    assert len(docs) == len(twin_docs) > 20
    tags = set().union(*(_fragment_tags(d[f]) for _, d in docs for f in ("title", "text")))
    twin_tags = set().union(
        *(_fragment_tags(d[f]) for _, d in twin_docs for f in ("title", "text"))
    )
    assert tags == twin_tags
    shown = "\n".join(
        _plain(html.fragment_fromstring(d[f] or "", create_parent="div").text_content())
        for _, d in docs
        for f in ("title", "text")
    )
    site = xss_build.site
    missing = {site.where[m] for m, t in site.public_texts().items() if _plain(t) not in shown}
    # The header and footer (the organisation's texts) are not part of the search index.
    assert {w for w in missing if not w.startswith("site_config.yml")} == NOT_SHOWN


def test_the_sitemap_is_the_twins(xss_build: Built, xss_twin_build: Built) -> None:
    sitemap = (xss_build.out / "public" / "sitemap.xml").read_bytes()
    assert sitemap == (xss_twin_build.out / "public" / "sitemap.xml").read_bytes()
    etree.fromstring(sitemap)


def test_json_exports_hold_the_texts_as_data(xss_build: Built) -> None:
    site = xss_build.site
    for language, markers in (("en", site.public_texts()), (TRANSLATED, site.translations)):
        data = json.loads(
            (xss_build.out / "public" / language / "exports" / "desk.json").read_text("utf-8")
        )
        strings = "\n".join(_strings(data))
        assert sum(1 for m in markers if m in strings) > 50


def _strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return [data] if isinstance(data, str) else []


def _property_names(ics: bytes) -> list[str]:
    unfolded = ics.decode("utf-8").replace("\r\n ", "").splitlines()
    return [re.split("[;:]", line, maxsplit=1)[0] for line in unfolded]


def test_calendars_have_the_twins_properties(xss_build: Built, xss_twin_build: Built) -> None:
    calendars = sorted((xss_build.out / "public").rglob("*.ics"))
    assert len(calendars) == 4
    for calendar in calendars:
        twin = xss_twin_build.out / calendar.relative_to(xss_build.out)
        # A line break in a text would start a property of its own; icalendar escapes it.
        assert _property_names(calendar.read_bytes()) == _property_names(twin.read_bytes())
        assert b"xs0" in calendar.read_bytes()


# ---------------------------------------------------------------------------------------------
# Web addresses and control characters: refused at validation


URL_FIELDS = [
    ("site_config.yml", "  website: "),
    ("site_config.yml", "    imprint: "),
    ("site_config.yml", "    privacy: "),
    ("site_config.yml", "    accessibility: "),
    ("site_config.yml", "      url: "),
    ("charter/desk.yml", "    address: https://desk.example/form"),
    ("charter/desk.yml", "        url: "),
]
SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "javascript://desk.example/%0Aalert(1)",
    "https:javascript:alert(1)",
    "//desk.example/x",
]


def test_a_web_address_with_a_script_scheme_is_refused(tmp_path: Path) -> None:
    import shutil

    site = tmp_path / "site"
    shutil.copytree(SKELETON, site)
    expected = []
    for index, (file, prefix) in enumerate(URL_FIELDS):
        path = site / file
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        (number,) = [n for n, line in enumerate(lines) if line.startswith(prefix)]
        key = prefix.split(":")[0]
        value = SCRIPT_URLS[index % len(SCRIPT_URLS)]
        lines[number] = f"{key}: '{value}'\n"
        path.write_text("".join(lines), encoding="utf-8")
        expected.append(("CP205", f"{file}:{number + 1}:{len(key) + 3}"))
    found = sort_diagnostics(validate_site(site, TODAY).diagnostics)
    assert [(d.code, str(d.pos)) for d in found] == sorted(expected, key=_position), found
    assert all("not a web address" in d.message for d in found)


def _position(item: tuple[str, str]) -> tuple[str, int, int]:
    file, line, column = item[1].rsplit(":", 2)
    return (file, int(line), int(column))


@pytest.mark.parametrize("payload", control_character_payloads())
def test_a_payload_with_a_control_character_is_refused_at_load(
    tmp_path: Path, payload: str
) -> None:
    import shutil

    site = tmp_path / "site"
    shutil.copytree(SKELETON, site)
    path = site / "charter" / "desk.yml"
    text = path.read_text(encoding="utf-8")
    assert text.count("vision: Vision\n") == 1
    # Written as it is, in a block scalar: YAML refuses the character where it stands.
    text = text.replace("vision: Vision\n", "vision: |\n  " + payload + "\n")
    path.write_text(text, encoding="utf-8")
    line = text[: text.index(payload)].count("\n") + 1
    bad = next(i for i, c in enumerate(payload) if extract_payloads.has_forbidden_character(c))
    diagnostics = validate_site(site, TODAY).diagnostics
    assert len(diagnostics) == 1, [str(d) for d in diagnostics]
    (diagnostic,) = diagnostics
    assert (diagnostic.code, str(diagnostic.pos)) == ("CP104", f"charter/desk.yml:{line}:{bad + 3}")
    assert f"(U+{ord(payload[bad]):04X})" in diagnostic.message


def test_yaml_holds_each_payload_as_it_is() -> None:
    # Every payload survives a YAML round trip unchanged, so what the tests wrote is what the
    # site holds.
    payloads = load_payloads()
    assert yaml.safe_load(yaml.safe_dump(payloads, allow_unicode=True)) == payloads
    assert marker(7, "en") == "xs007en"


@pytest.mark.parametrize("escape", ["\\x01", "\\0", "\\x7f", "\\x9b"])
def test_a_control_character_written_as_an_escape_is_refused(tmp_path: Path, escape: str) -> None:
    # YAML lets a quoted string write the character it refuses raw; the model refuses it too.
    import shutil

    site = tmp_path / "site"
    shutil.copytree(SKELETON, site)
    path = site / "charter" / "desk.yml"
    text = path.read_text(encoding="utf-8")
    assert text.count("vision: Vision\n") == 1
    path.write_text(text.replace("vision: Vision\n", f'vision: "java{escape}script"\n'), "utf-8")
    line = text[: text.index("vision: Vision")].count("\n") + 1
    diagnostics = validate_site(site, TODAY).diagnostics
    assert [(d.code, str(d.pos)) for d in diagnostics] == [("CP205", f"charter/desk.yml:{line}:9")]
    assert "the text holds the control character U+00" in diagnostics[0].message


def test_a_control_character_in_a_translation_is_refused(tmp_path: Path, xss_build: Built) -> None:
    import shutil

    from charterpress import i18n

    site = tmp_path / "site"
    shutil.copytree(xss_build.site.root, site)
    path = site / "locales" / TRANSLATED / "LC_MESSAGES" / "content.po"
    text = path.read_text(encoding="utf-8")
    start = text.index('"' + marker(7, TRANSLATED))
    path.write_text(text[: start + 1] + "\x01" + text[start + 1 :], encoding="utf-8")
    outcome = validate_site(site, TODAY)
    assert outcome.site is not None
    _catalogs, problems = i18n.load_content_catalogs(outcome.site)
    line = text[:start].count("\n") + 1
    assert [(d.code, str(d.pos)) for d in problems] == [
        ("CP601", f"locales/{TRANSLATED}/LC_MESSAGES/content.po:{line}:1")
    ]
    assert "control character U+0001" in problems[0].message
