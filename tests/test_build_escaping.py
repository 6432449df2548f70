"""Author text is untrusted: HTML and Markdown in every text field come out inert and visible.

A payload with a numbered marker goes into every text field of a copy of a small site (the fields
are found by walking the model, so a new field is covered without touching this test). The built
site must hold nothing executable, and each public payload must be visible as text, so a field
that is simply not rendered fails the test. Staff-only fields must not appear at all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pytest
import yaml
from lxml import html
from pydantic import BaseModel

from charterpress.model import Charter, ResultSet, SiteConfig
from charterpress.pipeline import BuildOptions, build_site
from charterpress.values import InternalOnly, _check_text

ROOTS = Path(__file__).resolve().parent / "roots"
TODAY = dt.date(2026, 6, 15)
PAYLOAD = (
    "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) "
    "*a* _b_ `c` | # d {: #e } !!! f"
)
# Fields whose value must keep its format (addresses checked per channel kind, the output path).
SKIP = {("output_dir",)}


def _models(annotation: Any) -> list[type[BaseModel]]:
    origin = get_origin(annotation)
    if origin is not None and (origin in (list, Union) or type(annotation).__name__ == "UnionType"):
        return [m for arg in get_args(annotation) for m in _models(arg)]
    if get_origin(annotation) is not None and hasattr(annotation, "__metadata__"):
        return _models(get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _metadata(info: Any) -> list[Any]:
    found = list(info.metadata)
    for arg in (info.annotation, *get_args(info.annotation)):
        found += list(getattr(arg, "__metadata__", ()))
    return found


def _is_text(info: Any) -> bool:
    return any(getattr(m, "func", None) is _check_text for m in _metadata(info))


def _is_internal(info: Any) -> bool:
    return any(isinstance(m, InternalOnly) for m in _metadata(info))


class Payloads:
    """Put a numbered payload into every text field of YAML data, following the model."""

    def __init__(self) -> None:
        self.public: dict[str, str] = {}  # marker -> where
        self.internal: dict[str, str] = {}

    def fill(
        self, data: Any, model: type[BaseModel], where: str, path: tuple[str, ...] = ()
    ) -> None:
        if not isinstance(data, dict):
            return
        if "kind" in data and data.get("kind") in (
            "phone",
            "email",
            "chat",
            "web_form",
            "app",
            "video",
            "social_media",
        ):
            skip_address = True
        else:
            skip_address = False
        for key, value in data.items():
            info = model.model_fields.get(key)
            if info is None:
                continue
            field_path = (*path, key)
            if _is_text(info) and isinstance(value, str):
                if field_path in SKIP or (key == "address" and skip_address):
                    continue
                internal = _is_internal(info) or self._inside_internal
                marker = f"M{len(self.public) + len(self.internal):03d}M"
                (self.internal if internal else self.public)[marker] = (
                    f"{where}: {'.'.join(field_path)}"
                )
                data[key] = f"{marker} {PAYLOAD}"
                continue
            saved = self._inside_internal
            self._inside_internal = saved or _is_internal(info)
            for inner in _models(info.annotation):
                items = value if isinstance(value, list) else [value]
                for item in items:
                    if isinstance(item, dict) and (
                        "kind" not in inner.model_fields
                        or item.get("kind") in _literal_kinds(inner)
                    ):
                        self.fill(item, inner, where, field_path)
            self._inside_internal = saved

    _inside_internal = False


def _literal_kinds(model: type[BaseModel]) -> set[Any]:
    annotation = model.model_fields["kind"].annotation
    args = get_args(annotation)
    return set(args) if args else {member.value for member in annotation}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Payloads]:
    """Build a copy of render_full with a payload in every text field; return out and markers."""
    site = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(ROOTS / "render_full", site)
    payloads = Payloads()
    for relative, model in [
        ("site_config.yml", SiteConfig),
        ("charter/desk.yml", Charter),
        ("charter/results/desk/2025.yml", ResultSet),
    ]:
        path = site / relative
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        payloads.fill(data, model, relative)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = site.parent / "out"
    result = build_site(BuildOptions(site=site, today=TODAY, out=out))
    assert result.ok, [str(d) for d in result.diagnostics]
    return out, payloads


def test_every_text_field_got_a_payload(hostile: tuple[Path, Payloads]) -> None:
    _out, payloads = hostile
    assert len(payloads.public) >= 80
    assert len(payloads.internal) >= 2  # internal_notes of the charter and of the results


def _html_files(out: Path) -> list[Path]:
    return sorted((out / "public").rglob("*.html"))


def test_nothing_executable_reaches_a_page(hostile: tuple[Path, Payloads]) -> None:
    out, _payloads = hostile
    for page in _html_files(out):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
        tree = html.fromstring(text)
        assert not tree.xpath("//img[@src='x']"), page
        assert not tree.xpath("//*[@onerror]"), page
        assert not tree.xpath("//a[starts-with(normalize-space(@href), 'javascript')]"), page
        assert not tree.xpath("//script[contains(., 'alert(1)')][not(@type)]"), page
        # Structured data holds author text as data: it must parse, and nothing in it may end
        # its <script> (structured.script_json escapes every <, > and &).
        for data in tree.xpath("//script[@type='application/ld+json']/text()"):
            json.loads(data)
            assert not {"<", ">", "&"} & set(data), page
        # Markdown specials stay text: no emphasis, code, attribute or admonition from a payload.
        assert not tree.xpath("//em[normalize-space()='a'] | //em[normalize-space()='b']"), page
        assert not tree.xpath("//code[normalize-space()='c'] | //*[@id='e']"), page
        # The one admonition allowed is Charterpress's notice on a page with untranslated texts.
        assert not tree.xpath(
            "//*[contains(@class, 'admonition')][not(ancestor-or-self::*[contains(@class, "
            "'cp-fallback')])]"
        ), page


def test_search_index_and_sitemap_hold_no_markup_from_authors(
    hostile: tuple[Path, Payloads],
) -> None:
    out, _payloads = hostile
    index = json.loads(
        (out / "public" / "en" / "search" / "search_index.json").read_text(encoding="utf-8")
    )
    found = 0
    for doc in index["docs"]:
        for field in ("title", "text"):
            if not doc[field]:
                continue
            fragment = html.fragment_fromstring(doc[field], create_parent="div")
            assert not fragment.xpath(".//script | .//img | .//*[@onerror]"), doc
            assert not fragment.xpath(".//a[starts-with(@href, 'javascript')]"), doc
            found += "<script>alert(1)</script>" in fragment.text_content()
    assert found > 10
    sitemap = (out / "public" / "sitemap.xml").read_text(encoding="utf-8")
    assert "alert" not in sitemap


def _visible_text(out: Path) -> str:
    texts = []
    for page in _html_files(out):
        tree = html.parse(str(page))
        texts.append(" ".join(tree.getroot().text_content().split()))
    return "\n".join(texts)


def test_every_public_payload_is_visible_as_text(hostile: tuple[Path, Payloads]) -> None:
    out, payloads = hostile
    visible = _visible_text(out)
    missing = [
        f"{marker} ({where})"
        for marker, where in payloads.public.items()
        if f"{marker} {PAYLOAD}" not in visible
    ]
    assert missing == []


def test_staff_only_fields_never_reach_the_public_site(hostile: tuple[Path, Payloads]) -> None:
    out, payloads = hostile
    for path in (out / "public").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".js", ".css"):
            text = path.read_text(encoding="utf-8")
            for marker in payloads.internal:
                assert marker not in text, (path, payloads.internal[marker])


def test_titles_in_the_head_and_navigation_are_escaped(hostile: tuple[Path, Payloads]) -> None:
    out, _payloads = hostile
    page = out / "public" / "en" / "desk" / "commitments" / "index.html"
    tree = html.parse(str(page))
    (title,) = tree.xpath("//title")
    assert "<script>alert(1)</script>" in title.text_content()
    assert re.search(r"<title>[^<]*&lt;script&gt;", page.read_text(encoding="utf-8"))
