"""What a translation must keep of its source's markup and addresses (CP605, CP606)."""

from __future__ import annotations

import pytest

from charterpress import i18n
from charterpress.i18n import Mismatch, compare


def test_a_javascript_link_is_named_whole() -> None:
    """CP606 names 'javascript:alert(1)', not 'javascript:alert(1' (a target with parentheses)."""
    assert compare("Telephone", "[Telefone](javascript:alert(1))", "en", "pt_PT") == [
        Mismatch(
            "CP606",
            "link targets differ: the source has none, the translation javascript:alert(1)",
        )
    ]


@pytest.mark.parametrize(
    ("text", "targets"),
    [
        ("[a](https://x.example/Foo_(bar)) and [b](/c)", ["https://x.example/Foo_(bar)", "/c"]),
        ("[x](javascript:alert((1)))", ["javascript:alert((1))"]),
        ("[a](/b \"a title\") [c](/d 't') [e](/f (t))", ["/b", "/d", "/f"]),
        ("see [a](b) (a note)", ["b"]),
        # Deeper than three pairs still counts as a link, up to its first ")".
        ("[x](u((((deep)))))", ["u((((deep"]),
        ("[a](b", []),
        ("](" * 1000, []),
    ],
)
def test_link_targets(text: str, targets: list[str]) -> None:
    assert i18n._LINK_TARGET.findall(text) == targets


def test_same_link_with_parentheses_is_no_mismatch() -> None:
    source = "Read [the rules](https://x.example/Rules_(2026))."
    assert compare(source, "Leia [as regras](https://x.example/Rules_(2026)).", "en", "pt_PT") == []
    changed = compare(source, "[as regras](https://x.example/Rules)", "en", "pt_PT")
    assert [m.code for m in changed] == ["CP605", "CP606"]


def test_addresses_and_tags_in_hostile_text_are_read_as_before() -> None:
    """The linear forms of the patterns find what the earlier ones found."""
    assert i18n._EMAIL.findall("to a.b+c@x.example, or help@casalumen.example. x@y") == [
        "a.b+c@x.example",
        "help@casalumen.example",
    ]
    assert i18n._TAG.findall('<b>x</b> <a href="u">y</a> 3 < 4 > 2') == ["b", "b", "a", "a"]
    flood = "](" * 5000 + "<a" * 5000 + "a" * 20000
    assert compare("Telephone", "Telefone " + flood, "en", "pt_PT") == []
