"""The lookup read straight from a .po file (i18n._lookup_of_po) equals the one made from babel's
Catalog, or declines, so that read_catalog reads the file as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from charterpress import i18n

HEADER = """# Translations
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: pt_PT\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""

READ = """#. Field: title
#. Audience: public (customers read it on the public site)
#: charter/help.yml:1
msgctxt "charter/help:title"
msgid "Help desk"
msgstr "Apoio"

#, fuzzy, python-brace-format
#| msgid "Old {name}"
msgctxt "charter/help:summary"
msgid ""
"We answer "
"{name} \\"quickly\\"\\n"
"\\ttoday"
msgstr ""
"Respondemos "
"{name}"

msgctxt "charter/help:scope"
msgid "Untranslated"
msgstr ""

msgid "No context"
msgstr "Sem contexto"

msgctxt "charter/help:vision"
msgid "Fuzzy later"
msgstr "Difuso"
#,fuzzy
msgid "Next"
msgstr "Seguinte"
"""


def _babel(tmp_path: Path, text: str) -> dict[tuple[str, str | None], tuple[object, bool]]:
    path = tmp_path / "content.po"
    path.write_text(text, encoding="utf-8")
    return i18n.CatalogLookup.of(i18n.read_catalog(path, "pt_PT", "content")).entries


def test_the_lookup_read_straight_equals_babels(tmp_path: Path) -> None:
    text = HEADER + READ
    lookup = i18n._lookup_of_po(text.encode())
    assert lookup is not None
    assert lookup.entries == _babel(tmp_path, text)
    assert lookup.entries[("Next", None)] == ("Seguinte", True)


@pytest.mark.parametrize(
    "entry",
    [
        # Plural forms, obsolete entries, a repeated key, a missing msgstr.
        'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] "Um"\nmsgstr[1] "Muitos"\n',
        '#~ msgid "Gone"\n#~ msgstr "Ido"\n',
        'msgid "Twice"\nmsgstr "A"\n\nmsgid "Twice"\nmsgstr "B"\n',
        'msgid "Alone"\n\nmsgid "Next"\nmsgstr "Seguinte"\n',
    ],
)
def test_what_it_does_not_read_is_left_to_babel(tmp_path: Path, entry: str) -> None:
    assert i18n._lookup_of_po((HEADER + entry).encode()) is None


def test_another_charset_is_left_to_babel() -> None:
    text = HEADER.replace("UTF-8", "ISO-8859-1") + 'msgid "A"\nmsgstr "B"\n'
    assert i18n._lookup_of_po(text.encode()) is None


def test_a_build_reads_the_lookup_without_babel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "content.po"
    path.write_text(HEADER + READ, encoding="utf-8")
    expected = _babel(tmp_path, HEADER + READ)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("babel's Catalog was built")

    monkeypatch.setattr(i18n, "read_catalog", refuse)
    digest, lookup = i18n._parse_lookup(path, "pt_PT")
    assert lookup.entries == expected
    assert digest == i18n.hashlib.sha256(path.read_bytes()).hexdigest()
