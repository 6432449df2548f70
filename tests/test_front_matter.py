"""A page's front matter, written as JSON, is read back by MkDocs as the very values written."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.utils import meta

from charterpress.mkdocs_site import _front_matter, front_matter_yaml

# Any text at all, the characters YAML refuses or folds included (C0 and C1 controls, NEL,
# LS, PS, U+FEFF, U+FFFE, U+FFFF) and characters outside the Basic Multilingual Plane.
TEXTS = st.text(
    st.characters(codec="utf-8")
    | st.sampled_from(["\x00", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff"])
)
KEYS = st.text(st.characters(codec="utf-8"), min_size=1)
VALUES = st.recursive(
    TEXTS | st.booleans() | st.integers() | st.none(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_yaml_reads_the_front_matter_as_the_values_written(values: dict[str, Any]) -> None:
    assert yaml.load(front_matter_yaml(values), Loader=yaml.SafeLoader) == values


@given(TEXTS, st.lists(TEXTS, max_size=3))
def test_mkdocs_reads_a_page_front_matter_and_keeps_its_markdown(
    title: str, foreign: list[str]
) -> None:
    page = _front_matter(title, foreign, {"cp_selector": [{"current": True, "href": "../"}]})
    markdown, found = meta.get_data(page + "# Heading\n")
    assert markdown == "# Heading\n"
    expected: dict[str, Any] = {
        "cp_title": title,
        "cp_selector": [{"current": True, "href": "../"}],
    }
    if foreign:
        expected["cp_foreign"] = foreign
    assert found == expected


def test_the_front_matter_is_one_line_of_json_between_the_markers() -> None:
    page = _front_matter("Our commitments · The charter", ["en"], {"cp_og_locale": "pt_PT"})
    assert page == (
        '---\n{"cp_foreign": ["en"], "cp_og_locale": "pt_PT", '
        '"cp_title": "Our commitments · The charter"}\n---\n\n'
    )
