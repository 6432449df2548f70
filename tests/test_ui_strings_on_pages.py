"""No built-in UI string reaches a non-English page untranslated."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from lxml import html

from charterpress import languages
from tests.conftest import REPO


def visible_text(page: Path) -> str:
    """Return the text a reader sees on PAGE (no scripts, styles or attributes)."""
    tree = html.parse(str(page))
    for element in tree.xpath("//script|//style|//template"):
        element.drop_tree()
    return " ".join(" ".join(tree.getroot().itertext()).split())


def english_ui_strings(code: str) -> list[str]:
    """Return the UI msgids whose translation into CODE differs from the English."""
    path = REPO / "locales" / code / "LC_MESSAGES" / "ui.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    strings = []
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or "%" in message.id:
            continue
        if "{" in message.id or len(message.id) < 12 or message.string == message.id:
            continue
        strings.append(message.id)
    return strings


def test_no_ui_string_is_left_in_english_on_a_translated_page(example_build: Path) -> None:
    found = []
    for language in languages.LANGUAGES:
        if language.code == "en":
            continue
        english = english_ui_strings(language.gettext)
        assert english, language.code
        for site in ("public", "handbook"):
            for page in sorted((example_build / site / language.segment).rglob("*.html")):
                text = visible_text(page)
                found += [f"{page.relative_to(example_build)}: {s!r}" for s in english if s in text]
    assert found == []
