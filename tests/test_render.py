"""Render stage: golden Markdown of every page type, escaping, template errors as diagnostics.

Regenerate the goldens after an intended change, then review the diff and list the changed files
in the commit message:

    .venv/bin/python -m pytest tests/test_render.py --update-goldens
"""

from __future__ import annotations

import datetime as dt
import gettext
import shutil
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup
from pydantic import BaseModel

from charterpress.diagnostics import SourcePos
from charterpress.languages import BY_CODE
from charterpress.pipeline import resolve_languages
from charterpress.render import (
    NAV_GROUP_SIZE,
    Edition,
    NavItem,
    RenderedLanguage,
    Renderer,
    Withheld,
    _is_internal,
    builtin_templates_dir,
    escape_text,
    grouped_nav,
    public_view,
)
from charterpress.texts import ForeignText
from charterpress.validate import validate_site

ROOTS = Path(__file__).resolve().parent / "roots"
REPO = Path(__file__).resolve().parent.parent
XSS_SITE = Path(__file__).resolve().parent / "xss" / "site"
GOLDEN = Path(__file__).resolve().parent / "golden" / "render"
TODAY = dt.date(2026, 6, 15)


def render_root(root: Path) -> RenderedLanguage:
    """Validate and render the source language of the site at ROOT."""
    outcome = validate_site(root, TODAY)
    assert outcome.site is not None, [str(d) for d in outcome.diagnostics]
    edition = resolve_languages(outcome.site, TODAY)[0][0]
    rendered, diagnostics = Renderer(root).render_edition(edition)
    assert rendered is not None, [str(d) for d in diagnostics]
    return rendered


@pytest.fixture(scope="module")
def full() -> RenderedLanguage:
    return render_root(ROOTS / "render_full")


PAGES = [
    "index.md",
    "desk/index.md",
    "desk/commitments.md",
    "desk/channels.md",
    "desk/complaints.md",
    "desk/results.md",
    "desk/about.md",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_matches_golden(
    full: RenderedLanguage, path: str, request: pytest.FixtureRequest
) -> None:
    page = {p.path: p for p in full.pages}[path]
    golden = GOLDEN / (path.replace("/", "__"))
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(page.markdown, encoding="utf-8")
    assert page.markdown == golden.read_text(encoding="utf-8")


def test_footer_matches_golden(full: RenderedLanguage, request: pytest.FixtureRequest) -> None:
    golden = GOLDEN / "footer.html"
    if request.config.getoption("--update-goldens"):
        golden.write_text(str(full.footer_html), encoding="utf-8")
    assert str(full.footer_html) == golden.read_text(encoding="utf-8")


def test_past_max_contacts_the_footer_links_to_a_contacts_page(
    tmp_path: Path, full: RenderedLanguage, request: pytest.FixtureRequest
) -> None:
    root = tmp_path / "site"
    shutil.copytree(ROOTS / "render_full", root)
    config = root / "site_config.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("footer:\n", "footer:\n  max_contacts: 1\n"),
        encoding="utf-8",
    )
    rendered = render_root(root)
    footer = str(rendered.footer_html)
    assert '<a href="/en/contacts/">All the ways to reach us</a>' in footer
    assert "cp-contact__list" not in footer and "cp-contact__list" in str(full.footer_html)
    assert [p.path for p in rendered.pages] == ["index.md", "contacts.md", *PAGES[1:]]
    assert [(str(n.title), n.path) for n in rendered.nav[:2]] == [
        ("Our customer service charters", "index.md"),
        ("Contact us", "contacts.md"),
    ]
    page = {p.path: p for p in rendered.pages}["contacts.md"]
    golden = GOLDEN / "contacts.md"
    if request.config.getoption("--update-goldens"):
        golden.write_text(page.markdown, encoding="utf-8")
    assert page.markdown == golden.read_text(encoding="utf-8")


def test_pages_and_navigation_are_in_order(full: RenderedLanguage) -> None:
    assert [p.path for p in full.pages] == PAGES
    assert [str(n.title) for n in full.nav] == [
        "Our customer service charters",
        "The help desk charter",
    ]
    assert [c.path for c in full.nav[1].children] == PAGES[1:]
    assert str(full.pages[2].head_title) == "Our commitments · The help desk charter"


def test_a_charter_without_complaints_or_results_has_no_such_pages() -> None:
    rendered = render_root(ROOTS / "minimal")
    assert [p.path for p in rendered.pages] == [
        "index.md",
        "help/index.md",
        "help/commitments.md",
        "help/channels.md",
        "help/about.md",
    ]


def test_internal_fields_never_reach_a_page(full: RenderedLanguage) -> None:
    text = "".join(p.markdown for p in full.pages) + str(full.footer_html)
    assert "Staff only" not in text
    assert "desk.owner@desk.example" not in text
    assert "monthly report" not in text


def test_public_view_withholds_internal_fields() -> None:
    outcome = validate_site(ROOTS / "render_full", TODAY)
    assert outcome.site is not None
    charter = public_view(outcome.site.charters["desk"].charter)
    withheld = [charter.internal_notes, charter.owner.email, charter.indicators[0].data_source]
    # Each is false for {% if %} and names its field; printing one is CP402.
    assert [(type(v), bool(v), v.field) for v in withheld] == [
        (Withheld, False, "Charter.internal_notes"),
        (Withheld, False, "Owner.email"),
        (Withheld, False, "Indicator.data_source"),
    ]
    assert charter.owner.name == "Ana Costa"


def _copying_public_view(instance: Any) -> Any:
    """The public view as first written: every nested model copied, withheld or not."""
    updates: dict[str, Any] = {}
    for name, info in type(instance).model_fields.items():
        value = getattr(instance, name)
        if _is_internal(info):
            updates[name] = Withheld(f"{type(instance).__name__}.{name}")
        elif isinstance(value, BaseModel):
            updates[name] = _copying_public_view(value)
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            updates[name] = [_copying_public_view(item) for item in value]
    return instance.model_copy(update=updates) if updates else instance


def _plain(value: Any) -> Any:
    """Return VALUE as plain data that can be compared, withheld fields named."""
    if isinstance(value, Withheld):
        return ("withheld", value.field)
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return (type(value).__name__, {name: _plain(getattr(value, name)) for name in fields})
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


@pytest.mark.parametrize("root", [ROOTS / "render_full", XSS_SITE, REPO])
def test_public_view_shares_only_what_holds_nothing_to_withhold(root: Path) -> None:
    outcome = validate_site(root, TODAY)
    assert outcome.site is not None
    models = [source.charter for source in outcome.site.charters.values()]
    models += [source.results for source in outcome.site.results]
    for model in models:
        assert _plain(public_view(model)) == _plain(_copying_public_view(model))
    charter = models[0]
    view = public_view(charter)
    assert view is not charter
    # A charter's opening hours hold no staff-only field: the view shares them.
    assert view.channels[0].hours is charter.channels[0].hours


# ---------------------------------------------------------------------------------------------
# Escaping


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src&#61;x onerror&#61;alert(1)&gt;"),
        ("[x](javascript:alert(1))", "&#91;x&#93;(javascript:alert(1))"),
        ("a | b", "a &#124; b"),
        ("# not a heading", "&#35; not a heading"),
        ("*em* _u_ `code`", "&#42;em&#42; &#95;u&#95; &#96;code&#96;"),
        ("- not a list", "&#45; not a list"),
        ("1. not a list", "1&#46; not a list"),
        ("two\n\n    lines", "two lines"),
        ("{: #id }", "&#123;: &#35;id &#125;"),
        ('Tom & Jerry\'s "show"', "Tom &amp; Jerry&#39;s &quot;show&quot;"),
    ],
)
def test_escape_text_makes_text_inert(raw: str, escaped: str) -> None:
    assert escape_text(raw) == Markup(escaped)


def _renderer_with(tmp_path: Path, name: str, source: str) -> Renderer:
    """Return a renderer of a site whose templates/ holds one template NAME."""
    path = tmp_path / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    renderer = Renderer(tmp_path)
    renderer.env.globals.update(_callables())
    return renderer


def _callables() -> dict[str, object]:
    from charterpress.render import _gettext_callables

    return dict(_gettext_callables(gettext.NullTranslations()))


@pytest.mark.parametrize(
    "source",
    [
        "{{ text }}",
        "{{ '[' ~ text ~ ']' }}",
        "{{ [text, text] | join(' ') }}",
        "{% trans t=text %}Hello {{ t }}{% endtrans %}",
        "{{ _('Hello %(t)s', t=text) }}",
        "{% macro show(x) %}{{ x }}{% endmacro %}{{ show(text) }}",
        "{{ text | e }}",
        "{{ text | upper | lower }}",
    ],
)
def test_every_way_of_printing_escapes(tmp_path: Path, source: str) -> None:
    renderer = _renderer_with(tmp_path, "t.md.j2", source)
    out = renderer.env.get_template("t.md.j2").render(text="[x](javascript:alert(1)) <b>")
    assert "[x](" not in out
    assert "<b>" not in out
    assert "&#91;x&#93;(javascript:alert(1)) &lt;b&gt;" in out


@pytest.mark.parametrize("name", ["safe", "urlize", "tojson"])
def test_filters_that_would_not_escape_are_refused(tmp_path: Path, name: str) -> None:
    renderer = _renderer_with(tmp_path, "t.md.j2", "{% set title = 't' %}{{ text | " + name + " }}")
    with pytest.raises(Exception, match="would print author text unescaped"):
        renderer.env.get_template("t.md.j2").render(text="<b>")


def test_a_foreign_text_carries_its_language_and_the_page_a_notice(tmp_path: Path) -> None:
    renderer = _renderer_with(
        tmp_path, "public/t.md.j2", "{% set title = 'T' %}\n# Title\n\n{{ text }}\n"
    )
    page = renderer.render_page("public/t.md.j2", "t.md", {"text": ForeignText("Hi <b>", "en")})
    assert '<span lang="en">Hi &lt;b&gt;</span>' in page.markdown
    assert page.foreign_languages == ("en",)
    assert (
        page.markdown.index("# Title")
        < page.markdown.index("!!! note")
        < page.markdown.index("<span")
    )


# ---------------------------------------------------------------------------------------------
# Template errors: CP401 at the template's file and line


def _edition(root: Path) -> Edition:
    outcome = validate_site(root, TODAY)
    assert outcome.site is not None
    return resolve_languages(outcome.site, TODAY)[0][0]


def _site_with_template(tmp_path: Path, name: str, text: str) -> Path:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site)
    target = site / "templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return site


def test_a_missing_field_fails_with_template_and_line(tmp_path: Path) -> None:
    site = _site_with_template(
        tmp_path,
        "public/about.md.j2",
        "{% set title = 'About' %}\n# About\n\n{{ charter.no_such_field }}\n",
    )
    rendered, diagnostics = Renderer(site).render_edition(_edition(site))
    assert rendered is None
    assert [(d.code, d.pos) for d in diagnostics] == [
        ("CP401", SourcePos("templates/public/about.md.j2", 4, 1))
    ]
    assert "no_such_field" in diagnostics[0].message


def test_a_template_syntax_error_names_its_line(tmp_path: Path) -> None:
    site = _site_with_template(
        tmp_path, "public/home.md.j2", "{% set title = 'Home' %}\n# Home\n{% if %}\n"
    )
    rendered, diagnostics = Renderer(site).render_edition(_edition(site))
    assert rendered is None
    assert [(d.code, d.pos) for d in diagnostics] == [
        ("CP401", SourcePos("templates/public/home.md.j2", 3, 1))
    ]


def test_printing_an_absent_value_is_an_error(tmp_path: Path) -> None:
    site = _site_with_template(
        tmp_path, "public/about.md.j2", "{% set title = 'About' %}\n\n{{ charter.owner.name }}\n"
    )
    rendered, diagnostics = Renderer(site).render_edition(_edition(site))
    assert rendered is None
    assert [(d.code, d.pos) for d in diagnostics] == [
        ("CP401", SourcePos("templates/public/about.md.j2", 3, 1))
    ]
    assert "absent" in diagnostics[0].message


def test_a_site_template_overrides_the_builtin_one(tmp_path: Path) -> None:
    site = _site_with_template(
        tmp_path,
        "public/home.md.j2",
        "{% set title = 'Welcome' %}\n# Welcome to {{ site.organisation.name }}\n",
    )
    rendered, diagnostics = Renderer(site).render_edition(_edition(site))
    assert rendered is not None, diagnostics
    assert rendered.pages[0].markdown == "# Welcome to Minimal\n"


def test_builtin_templates_are_found_from_a_checkout() -> None:
    assert builtin_templates_dir() == Path(__file__).resolve().parent.parent / "templates"
    assert BY_CODE["en"].segment == "en"


def _entries(count: int) -> list[NavItem]:
    return [NavItem(escape_text(f"Charter {n:04d}"), f"c{n}/index.md") for n in range(count)]


def test_a_short_navigation_list_is_left_as_it_is() -> None:
    entries = _entries(NAV_GROUP_SIZE)[::-1]
    assert grouped_nav(entries) == tuple(entries)


def test_a_long_navigation_list_is_split_into_even_alphabetical_groups() -> None:
    entries = _entries(45)[::-1]  # out of order: the groups are alphabetical
    groups = grouped_nav(entries)
    assert [str(g.title) for g in groups] == [
        "Charter 0000 – Charter 0014",
        "Charter 0015 – Charter 0029",
        "Charter 0030 – Charter 0044",
    ]
    assert [child.path for g in groups for child in g.children] == [
        f"c{n}/index.md" for n in range(45)
    ]


def test_a_very_long_navigation_list_is_grouped_twice_and_stays_escaped() -> None:
    entries = [*_entries(500), NavItem(escape_text("Zoo <b>&"), "zoo/index.md")]
    groups = grouped_nav(entries)
    assert len(groups) <= NAV_GROUP_SIZE
    assert all(len(g.children) <= NAV_GROUP_SIZE for g in groups)
    assert all(len(c.children) <= NAV_GROUP_SIZE for g in groups for c in g.children)
    assert str(groups[-1].title).endswith(" – Zoo &lt;b&gt;&amp;")
    assert str(groups[0].title).startswith("Charter 0000 – Charter 02")
    sizes = {len(c.children) for g in groups for c in g.children}
    assert max(sizes) - min(sizes) <= 1
    leaves = [leaf for g in groups for c in g.children for leaf in c.children]
    assert len(leaves) == 501
