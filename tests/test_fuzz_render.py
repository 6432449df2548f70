"""Fuzzing the renderer: valid charters with hostile texts render to well-formed, safe pages.

Two strategies. `charters` builds small charters field by field from the model's types (ids,
texts full of markup characters, durations, times, every kind of target, internal notes and
e-mails). `full_sites` covers every part of the model: it starts from the site of tests/xss/site/
(one charter with every part, a procedure, a result), puts a drawn text into every text field
(found from the model's metadata, as tests/test_xss.py does), a secret into every internal-only
field (the model's `internal_fields`) and every text of the procedure (an internal document),
draws the targets and compensation of the commitments no procedure delivers, and leaves out
optional texts at random. Sites are written as YAML, validated and rendered with render.py (no
MkDocs: fast). The Markdown must turn into HTML that lxml parses, with no author `<` left
unescaped, and no internal value on any public page. Two full sites also go through the full
build (MkDocs included), whose handbook must show the secrets the public site must not.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import lxml.html
import markdown
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charterpress import mkdocs_site, model
from charterpress.diagnostics import Level
from charterpress.pipeline import BuildOptions, build_site, render_editions, resolve_languages
from charterpress.render import Renderer
from charterpress.validate import validate_site
from tests.xss.payload_site import FILES, SKELETON, text_slots

TODAY = dt.date(2026, 6, 15)
SITE_CONFIG = """\
organisation:
  name: Fuzz
  legal_name: Fuzz Lda.
base_url: https://fuzz.example/
source_language: en
languages: [en]
time_zone: Europe/Lisbon
holidays: PT
"""
# Every internal value carries this mark, and no public text can: the letter q is left out of
# public texts, so finding "qq" on a page means an internal value leaked.
SECRET = "qq"
# Markup, Markdown, Jinja and YAML syntax, quotes, non-Latin scripts: what an author may type.
HOSTILE = [
    "<script>alert(1)</script>",
    "<b>bold</b>",
    "</div>",
    "<!--",
    "&amp;",
    "&",
    "{{ config }}",
    "{% raw %}",
    "[link](javascript:alert(1))",
    "![img](x.png)",
    "*",
    "_",
    "`",
    "#",
    "|",
    "> ",
    "- ",
    "1. ",
    "\\",
    '"',
    "'",
    "{: .x }",
    "!!! note",
    "Ελληνικά",
    "日本語",
    "ř",
    "ș",
]
PUBLIC_ALPHABET = st.characters(
    codec="utf-8",
    categories=["L", "N", "P", "S", "Zs"],
    exclude_characters="qQ\u2028\u2029",
)


def _extension_list() -> tuple[list[Any], dict[str, Any]]:
    names: list[Any] = []
    configs: dict[str, Any] = {}
    for item in [*mkdocs_site.MARKDOWN_EXTENSIONS, "fenced_code"]:
        if isinstance(item, dict):
            ((name, config),) = item.items()
            names.append(name)
            configs[name] = config
        else:
            names.append(item)
    return names, configs


def to_html(text: str) -> str:
    """Convert Markdown as MkDocs does for this site (the same extensions, plus its defaults)."""
    names, configs = _extension_list()
    return str(markdown.markdown(text, extensions=names, extension_configs=configs))


def words(min_size: int = 1) -> st.SearchStrategy[str]:
    """Return a text strategy: hostile pieces and free characters, never blank."""
    piece = st.one_of(st.sampled_from(HOSTILE), st.text(PUBLIC_ALPHABET, min_size=1, max_size=12))
    return (
        st.lists(piece, min_size=min_size, max_size=5)
        .map(lambda parts: " ".join(parts).strip())
        .filter(lambda text: bool(text) and SECRET not in text.lower())
    )


ids = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?", fullmatch=True).filter(
    lambda text: SECRET not in text
)
secrets = st.integers(0, 10**6).map(lambda n: f"{SECRET}{n}")
units = st.sampled_from(
    ["seconds", "minutes", "hours", "days", "working_days", "opening_hours", "weeks"]
)
durations = st.builds(lambda n, unit: f"{n} {unit}", st.integers(1, 90), units)
percents = st.integers(1, 99)
times = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 11), st.sampled_from([0, 30]))
targets = st.one_of(
    st.fixed_dictionaries(
        {"kind": st.just("percent_within"), "percent": percents, "within": durations}
    ),
    st.fixed_dictionaries({"kind": st.just("every_case"), "within": durations}),
    st.fixed_dictionaries({"kind": st.just("average"), "at_most": durations}),
    st.fixed_dictionaries({"kind": st.just("maximum"), "at_most": durations}),
    st.fixed_dictionaries({"kind": st.just("availability"), "percent": percents}),
    st.fixed_dictionaries({"kind": st.just("rate_at_most"), "percent": percents}),
)


@st.composite
def charters(draw: st.DrawFn) -> dict[str, Any]:
    """Draw a valid charter, as the data of its YAML file."""
    channel_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    channels = []
    for channel_id in channel_ids:
        opens = draw(times)
        channels.append(
            {
                "id": channel_id,
                "kind": "email",
                "name": draw(words()),
                "address": f"{channel_id}@fuzz.example",
                "hours": {"monday": f"{opens}-{int(opens[:2]) + 8:02d}:00"},
            }
        )
    commitments = []
    for commitment_id in draw(st.lists(ids, min_size=1, max_size=3, unique=True)):
        commitment: dict[str, Any] = {
            "id": commitment_id,
            "title": draw(words()),
            "promise": draw(words(2)),
            "channels": draw(st.lists(st.sampled_from(channel_ids), min_size=1, unique=True)),
            "target": draw(targets),
        }
        if draw(st.booleans()):
            commitment["internal_notes"] = f"note {draw(secrets)}"
        commitments.append(commitment)
    charter: dict[str, Any] = {
        "title": draw(words()),
        "summary": draw(words(2)),
        "scope": draw(words()),
        "vision": draw(words()),
        "owner": {"role": draw(words()), "email": f"{draw(secrets)}@fuzz.example"},
        "channels": channels,
        "commitments": commitments,
    }
    if draw(st.booleans()):
        charter["internal_notes"] = f"staff {draw(secrets)} only"
    return charter


# -------------------------------------------------------------------------------------------
# Every part of the model: the skeleton of tests/xss/site/, with drawn texts and secrets

SKELETON_DATA = {
    relative: yaml.safe_load((SKELETON / relative).read_text(encoding="utf-8"))
    for relative, _ in FILES
}
# Optional texts that a model validator asks for, given the skeleton's values: a result that was
# not (or partly) met needs its cause and the action taken.
NEEDED = {"cause", "action"}
# The commitment that no procedure delivers: its target and compensation may be anything valid.
FREE_COMMITMENT = "phone-answer"
compensations = st.one_of(
    st.fixed_dictionaries(
        {
            "currency": st.sampled_from(["EUR", "CZK", "RON", "GBP"]),
            "fixed": st.integers(1, 500),
            "paid": st.just("automatic"),
        }
    ),
    st.builds(
        lambda base, per_day, extra, weeks: {
            "currency": "EUR",
            "base": base,
            "per_day_late": per_day,
            "cap": base + extra,
            "paid": "on_claim",
            "claim_within": f"{weeks} weeks",
        },
        st.integers(0, 50),
        st.integers(1, 20),
        st.integers(0, 100),
        st.integers(1, 52),
    ),
)


def _set_everywhere(data: Any, path: tuple[str, ...], value: Callable[[], str]) -> int:
    """Set the field at PATH ('*' for every list item) in every holder that exists; count them."""
    if not isinstance(data, dict):
        return 0
    head, *rest = path
    if not rest:
        data[head] = value()
        return 1
    inner = data.get(head)
    items = inner if isinstance(inner, list) and rest[0] == "*" else [inner]
    tail = tuple(rest[1:]) if rest[0] == "*" else tuple(rest)
    return sum(_set_everywhere(item, tail, value) for item in items)


def fill_site(
    text: Callable[[], str], secret: Callable[[], str], keep: Callable[[], bool]
) -> dict[str, Any]:
    """Return the skeleton's documents with TEXT in public texts and SECRET in internal fields.

    An optional public text is left out unless KEEP says otherwise.
    """
    documents = copy.deepcopy(SKELETON_DATA)
    documents["site_config.yml"]["languages"] = ["en"]  # one language: half the render time
    for relative, of in FILES:
        internal_document = model.is_internal_document(of)
        for slot in list(text_slots(documents[relative], of, relative, (), internal_document)):
            if slot.internal:
                slot.holder[slot.key] = f"staff {secret()}"
            elif slot.required or slot.key in NEEDED or keep():
                slot.holder[slot.key] = text()
            else:
                del slot.holder[slot.key]
        if not internal_document:
            for path in model.internal_fields(of):
                if path[-1] == "email":
                    _set_everywhere(documents[relative], path, lambda: f"{secret()}@fuzz.example")
    return documents


@st.composite
def full_sites(draw: st.DrawFn) -> dict[str, Any]:
    """Draw a valid site that uses every part of the model, as the data of its YAML files."""
    documents = fill_site(
        text=lambda: draw(words()),
        secret=lambda: draw(secrets),
        keep=lambda: draw(st.booleans()),
    )
    charter = documents["charter/desk.yml"]
    free = next(c for c in charter["commitments"] if c["id"] == FREE_COMMITMENT)
    free["target"] = draw(targets)
    if draw(st.booleans()):
        free["compensation"] = draw(compensations)
    return documents


@contextmanager
def site_of(charter: dict[str, Any]) -> Iterator[Path]:
    """Write a one-charter site into a fresh folder."""
    with files_of({"charter/fuzz.yml": charter}) as site:
        (site / "site_config.yml").write_text(SITE_CONFIG, encoding="utf-8")
        yield site


@contextmanager
def files_of(documents: dict[str, Any]) -> Iterator[Path]:
    """Write each document (relative path -> data) as YAML into a fresh site folder."""
    with tempfile.TemporaryDirectory(prefix="charterpress-fuzz-") as folder:
        site = Path(folder)
        for relative, data in documents.items():
            path = site / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            path.write_text(text, encoding="utf-8")
        yield site


def render_pages(site: Path) -> dict[str, str]:
    """Validate and render SITE; return each page's Markdown by path."""
    outcome = validate_site(site, TODAY)
    errors = [d for d in outcome.diagnostics if d.level is Level.ERROR]
    assert outcome.site is not None and errors == [], [str(d) for d in errors]
    editions, _ = resolve_languages(outcome.site, TODAY)
    rendered, problems = render_editions(Renderer(outcome.site.root), editions)
    assert problems == []
    return {page.path: page.markdown for language in rendered for page in language.pages}


_AUTHOR_TAG = re.compile(r"<(script|b|div|!--)", re.IGNORECASE)


def check_page(path: str, text: str) -> None:
    """Assert that one page's Markdown and HTML are well-formed and leak nothing."""
    assert SECRET not in text.lower(), f"{path}: an internal value reached a public page"
    html = to_html(text)
    assert SECRET not in html.lower(), path
    # No author markup survives as markup: every '<' of a text was escaped.
    assert not _AUTHOR_TAG.search(html), (path, _AUTHOR_TAG.search(html))
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    assert not tree.xpath("//script | //b | //img | //a[starts-with(@href, 'javascript')]"), path


def test_the_strategy_draws_charters_the_model_accepts() -> None:
    # The drawn keys are all fields of the model; the internal ones are the model's own.
    internal = set(model.internal_fields(model.Charter))
    assert ("internal_notes",) in internal
    assert ("owner", "email") in internal
    assert ("commitments", "*", "internal_notes") in internal


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(charters())
def test_rendered_pages_are_well_formed_and_keep_internal_fields_out(
    charter: dict[str, Any],
) -> None:
    with site_of(charter) as site:
        pages = render_pages(site)
    assert pages
    for path, text in sorted(pages.items()):
        check_page(path, text)


def test_the_full_strategy_marks_every_internal_field() -> None:
    # Every internal field of the model that the skeleton holds gets a secret, every public text
    # a public text, so the leak check below covers every internal-only field.
    count = iter(range(10**6))
    documents = fill_site(
        text=lambda: "public", secret=lambda: f"{SECRET}{next(count)}", keep=lambda: True
    )
    for relative, of in FILES:
        if model.is_internal_document(of):
            continue
        for path in model.internal_fields(of):
            assert _set_everywhere(documents[relative], path, lambda: "") >= 1, (relative, path)
    documents = fill_site(
        text=lambda: "public", secret=lambda: f"{SECRET}{next(count)}", keep=lambda: True
    )
    dumped = {relative: yaml.safe_dump(data) for relative, data in documents.items()}
    secrets_per_file = {relative: text.count(SECRET) for relative, text in dumped.items()}
    # Charter: the internal notes of the charter and of its two commitments, the indicator's data
    # source, three owners' e-mails; result: its note; the procedure: its every text (33 fields
    # of the model, some in several items).
    assert secrets_per_file["charter/desk.yml"] == 7
    assert secrets_per_file["charter/results/desk/2025.yml"] == 1
    assert secrets_per_file["charter/procedures/answer.yml"] >= 33
    assert secrets_per_file["site_config.yml"] == 0


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(full_sites())
def test_every_part_of_the_model_renders_safely_and_keeps_internal_fields_out(
    documents: dict[str, Any],
) -> None:
    with files_of(documents) as site:
        pages = render_pages(site)
    # Every page of the charter, results included.
    assert {"desk/index.md", "desk/results.md", "desk/complaints.md"} <= set(pages)
    for path, text in sorted(pages.items()):
        check_page(path, text)


@pytest.mark.slow
@settings(max_examples=2, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(full_sites())
def test_a_few_fuzzed_sites_survive_the_full_build(documents: dict[str, Any]) -> None:
    with files_of(documents) as site, tempfile.TemporaryDirectory() as folder:
        result = build_site(BuildOptions(site=site, today=TODAY, out=Path(folder) / "out"))
        assert result.ok, [str(d) for d in result.diagnostics if d.level is Level.ERROR]
        public = Path(folder) / "out" / "public"
        pages = sorted(public.rglob("*.html"))
        assert pages
        for page in pages:
            text = page.read_text(encoding="utf-8")
            assert SECRET not in text.lower(), page
            lxml.html.document_fromstring(text)
        # The positive control: the secrets are printed, on the handbook's pages.
        handbook = Path(folder) / "out" / "handbook"
        shown = "".join(p.read_text(encoding="utf-8") for p in handbook.rglob("*.html"))
        assert shown.count(SECRET) >= 30
