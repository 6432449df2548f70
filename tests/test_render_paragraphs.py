"""An author's text keeps its paragraphs on the public site and in the handbook, escaped as ever.

Every line break that YAML leaves in a text starts a paragraph: a blank line inside a folded
block (`>`), or any line of a literal block (`|`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from lxml import html
from markupsafe import Markup

from charterpress import handbook, i18n
from charterpress.pipeline import resolve_languages
from charterpress.render import Renderer, Withheld, paragraphs
from charterpress.texts import ForeignText
from charterpress.validate import validate_site
from tests.fullsite import replace
from tests.test_fuzz_render import to_html

ROOTS = Path(__file__).resolve().parent / "roots"
TODAY = dt.date(2026, 6, 15)


def test_each_line_break_starts_an_escaped_paragraph() -> None:
    text = "First <b>one</b>.\n\n  1. Second\nThird *one*\n"
    assert paragraphs(text) == Markup(
        "First &lt;b&gt;one&lt;/b&gt;.\n\n1&#46; Second\n\nThird &#42;one&#42;"
    )


def test_later_paragraphs_can_stay_inside_a_list_item() -> None:
    assert paragraphs("one\ntwo", 4) == Markup("one\n\n    two\n")
    assert paragraphs("one", 4) == Markup("one")


def test_a_line_of_dashes_is_no_rule() -> None:
    assert paragraphs("Above\n---\n-- --\nBelow") == Markup(
        "Above\n\n--&#45;\n\n-&#45; --\n\nBelow"
    )
    assert "<hr" not in to_html(str(paragraphs("Above\n---\nBelow")))


def test_a_fallback_text_marks_every_paragraph_with_its_language() -> None:
    assert paragraphs(ForeignText("Olá\nAdeus", "pt-PT")) == Markup(
        '<span lang="pt-PT">Olá</span>\n\n<span lang="pt-PT">Adeus</span>'
    )


def test_a_withheld_field_still_stops_the_render() -> None:
    with pytest.raises(ValueError, match="'internal_notes', which is for staff only"):
        paragraphs(Withheld("internal_notes"))


def _paragraph_texts(markdown: str, contains: str) -> list[str]:
    """Return the text of every <p> of MARKDOWN's HTML that holds CONTAINS."""
    tree = html.fromstring(f"<div>{to_html(markdown)}</div>")
    return [p.text_content() for p in tree.iter("p") if contains in p.text_content()]


def test_public_pages_keep_paragraphs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "render_full", site)
    charter = "charter/desk.yml"
    replace(
        site,
        charter,
        "    promise: We answer every e-mail within 2 working days.\n",
        "    promise: >-\n      We answer every e-mail\n      within 2 working days.\n\n"
        "      Replies <script>come</script> from a person.\n",
    )
    replace(
        site,
        "charter/results/desk/2025.yml",
        "    action: The last two start in March.\n",
        "    action: |-\n      The last two start in March.\n      - Both speak Czech.\n",
    )
    outcome = validate_site(site, TODAY)
    assert outcome.site is not None, [str(d) for d in outcome.diagnostics]
    edition = resolve_languages(outcome.site, TODAY)[0][0]
    rendered, diagnostics = Renderer(site).render_edition(edition)
    assert rendered is not None, [str(d) for d in diagnostics]
    pages = {page.path: page.markdown for page in rendered.pages}

    commitments = pages["desk/commitments.md"]
    assert _paragraph_texts(commitments, "e-mail within") == [
        "We answer every e-mail within 2 working days."
    ]
    assert _paragraph_texts(commitments, "from a person") == [
        "Replies <script>come</script> from a person."
    ]
    # Inside a list item, the later paragraphs stay in the item; a leading "- " is no new list.
    results = html.fromstring(f"<div>{to_html(pages['desk/results.md'])}</div>")
    (item,) = [li for li in results.iter("li") if "start in March" in li.text_content()]
    assert [p.text_content() for p in item.iter("p")] == [
        "What we are doing about it: The last two start in March.",
        "- Both speak Czech.",
    ]
    assert not item.xpath(".//ul")


def test_handbook_pages_keep_paragraphs(tmp_path: Path) -> None:
    site_root = tmp_path / "site"
    shutil.copytree(ROOTS / "full", site_root)
    replace(
        site_root,
        "charter/procedures/answer.yml",
        "purpose: Answer every e-mail on time.\n",
        "purpose: |-\n  Answer every e-mail on time.\n\n  Never <i>guess</i> a customer's order.\n",
    )
    outcome = validate_site(site_root, TODAY)
    assert outcome.site is not None, [str(d) for d in outcome.diagnostics]
    site = outcome.site
    edition = resolve_languages(site, TODAY)[0][0]
    catalogs, _problems = i18n.load_content_catalogs(site)
    procedures = handbook.translated_procedures(site, edition.language, catalogs)
    rendered, diagnostics = handbook.render_handbook(Renderer(site.root), edition, procedures)
    assert rendered is not None, [str(d) for d in diagnostics]
    (page,) = [p.markdown for p in rendered.pages if p.path == "procedures/answer.md"]
    assert _paragraph_texts(page, "on time") == ["Answer every e-mail on time."]
    assert _paragraph_texts(page, "guess") == ["Never <i>guess</i> a customer's order."]
