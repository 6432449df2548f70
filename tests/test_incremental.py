"""Incremental builds: after seeded random edits, the cached build equals a cold one, byte for byte.

Over a copy of tests/roots/minimal (English and Portuguese, four MkDocs projects) with a
Portuguese catalog and a site template override; each edit is followed by a build with the cache
and one without, and the counters of the cache say what was reused. About ten small builds.

The render cache (render.PageStore) is tested on the same small sites with a second charter:
exact counts of the pages rendered again after an edit of a charter, a procedure, a template
that pages import, a site template that reads every charter, a damaged entry, another address;
each time the output equals a build without the cache. About 13 s on this machine.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from charterpress.cache import CACHE_DIR, KEEP, MISSING, BuildCache
from charterpress.cli import main
from charterpress.diagnostics import Diagnostic, Level
from charterpress.pipeline import BuildOptions, BuildResult, build_site
from charterpress.render import (
    TrackedMapping,
    TrackedSequence,
    builtin_templates_dir,
    tracking_reads,
)
from tests.test_parallel import assert_same_tree

ROOTS = Path(__file__).resolve().parent / "roots"
TODAY = dt.date(2026, 6, 1)
SEED = 12
WORDS = ("promptly", "kindly", "always", "clearly", "today")
TEXT_FIELDS = ("title", "summary", "scope", "vision")
TEMPLATE = "public/commitments.md.j2"


def _site(tmp_path: Path) -> Path:
    """Copy the minimal site, with a catalog for Portuguese and a template of its own."""
    site = tmp_path / "site"
    # Without the cache that command-line builds of the root leave in it.
    shutil.copytree(ROOTS / "minimal", site, ignore=shutil.ignore_patterns(CACHE_DIR))
    for command in ("extract", "update"):
        result = CliRunner().invoke(main, ["i18n", command, "--site", str(site)])
        assert result.exit_code == 0, result.output
    override = site / "templates" / TEMPLATE
    override.parent.mkdir(parents=True)
    shutil.copyfile(builtin_templates_dir() / TEMPLATE, override)
    return site


def _po(site: Path) -> Path:
    return site / "locales" / "pt_PT" / "LC_MESSAGES" / "content.po"


def edit_charter(site: Path, rng: random.Random) -> None:
    """Add a word to one of the charter's texts."""
    path = site / "charter" / "help.yml"
    name = rng.choice(TEXT_FIELDS)
    text, count = re.subn(
        rf"^{name}: (.*)$", rf"{name}: \1 {rng.choice(WORDS)}", path.read_text(), flags=re.M
    )
    assert count == 1
    path.write_text(text, encoding="utf-8")


def edit_translation(site: Path, rng: random.Random) -> None:
    """Translate one untranslated entry of the Portuguese catalog whose text is still current."""
    path = _po(site)
    charter = (site / "charter" / "help.yml").read_text(encoding="utf-8")
    entries = path.read_text(encoding="utf-8").split("\n\n")
    candidates = {}
    for i, entry in enumerate(entries):
        msgid = re.search(r'^msgid "(.+)"$', entry, flags=re.M)
        # No numbers: a translation must keep them, and "PT ..." is checked like any other.
        current = msgid is not None and msgid.group(1) in charter
        if msgid and current and 'msgstr ""' in entry and not re.search(r"\d", msgid.group(1)):
            candidates[i] = msgid.group(1)
    chosen = rng.choice(sorted(candidates))
    entries[chosen] = entries[chosen].replace('msgstr ""', f'msgstr "PT {candidates[chosen]}"')
    path.write_text("\n\n".join(entries), encoding="utf-8")


def edit_template(site: Path, rng: random.Random) -> None:
    """Add a visible line at the end of the site's override of a public template."""
    path = site / "templates" / TEMPLATE
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nEdited {rng.choice(WORDS)}.\n")


def _build(site: Path, out: Path, *, cache: bool) -> BuildResult:
    result = build_site(BuildOptions(site=site, today=TODAY, out=out, jobs=1, cache=cache))
    assert result.ok, [str(d) for d in result.diagnostics]
    return result


def test_incremental_builds_equal_cold_builds_and_reuse_the_cache(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    site = _site(tmp_path)
    incremental = tmp_path / "incremental"
    first = _build(site, incremental, cache=True)
    assert (first.cache["hits"], first.cache["misses"], first.cache["stores"]) == (0, 4, 4)
    pages = first.cache["render_stores"]  # every page and poster of both languages
    assert pages == len(list((incremental / "public").glob("*/**/index.html")))

    again = _build(site, incremental, cache=True)
    assert (again.cache["hits"], again.cache["misses"]) == (4, 0)
    assert_same_tree(incremental, _build(site, tmp_path / "cold-0", cache=False).out or site)

    edits = [edit_charter, edit_translation, edit_template]
    rng.shuffle(edits)
    for number, edit in enumerate(edits, 1):
        edit(site, rng)
        result = _build(site, incremental, cache=True)
        cold = _build(site, tmp_path / f"cold-{number}", cache=False)
        assert cold.cache == {}
        assert_same_tree(incremental, tmp_path / f"cold-{number}")
        assert result.diagnostics == cold.diagnostics
        assert result.cache["hits"] + result.cache["misses"] == 4
        rendered = (result.cache["render_hits"], result.cache["render_stores"])
        if edit is edit_charter:
            # The only charter: all its pages, and the home pages that list it.
            assert rendered == (0, pages), edit.__name__
        if edit is edit_translation:
            # Only the Portuguese pages changed: both English projects come from the cache.
            assert result.cache["hits"] >= 2, (edit.__name__, result.cache)
            assert rendered == (pages // 2, pages // 2), edit.__name__
        if edit is edit_template:
            # A public template: the handbook's projects come from the cache.
            assert result.cache["hits"] >= 2, (edit.__name__, result.cache)
            # Only the pages made with it are rendered again: the commitments page of each.
            assert rendered == (pages - 2, 2), edit.__name__
        assert result.cache["misses"] >= 1, (edit.__name__, result.cache)


def test_a_corrupt_cache_entry_is_rebuilt_and_dropped(tmp_path: Path) -> None:
    site = _site(tmp_path)
    out = tmp_path / "out"
    _build(site, out, cache=True)
    pages = sorted((site / CACHE_DIR).glob("mkdocs/public-en/*/files/index.html"))
    assert len(pages) == 1
    pages[0].write_text("damaged", encoding="utf-8")
    result = _build(site, out, cache=True)
    assert (result.cache["corrupt"], result.cache["hits"], result.cache["misses"]) == (1, 3, 1)
    assert_same_tree(out, _build(site, tmp_path / "cold", cache=False).out or site)
    # Rebuilt and stored again: the next build reuses everything.
    assert _build(site, out, cache=True).cache["hits"] == 4


def test_a_cache_entry_stored_twice_keeps_the_first(tmp_path: Path) -> None:
    # Two builds finishing the same project at once: the second rename fails, quietly.
    cache = BuildCache.open(tmp_path / "cache")
    tree = tmp_path / "tree"
    (tree / "a").mkdir(parents=True)
    (tree / "a" / "page.html").write_text("one", encoding="utf-8")
    warning = Diagnostic("CP421", "MkDocs (en): a warning", None, "hint", Level.WARNING)
    cache.store_tree("mkdocs", "public-en", "k1", tree, [warning])
    (tree / "a" / "page.html").write_text("two", encoding="utf-8")
    cache.store_tree("mkdocs", "public-en", "k1", tree, [])
    assert cache.stats["stores"] == 1
    target = tmp_path / "restored"
    assert cache.fetch_tree("mkdocs", "public-en", "k1", target) == [warning]
    assert (target / "a" / "page.html").read_text(encoding="utf-8") == "one"
    assert sorted(p.name for p in (tmp_path / "cache" / "mkdocs" / "public-en").iterdir()) == ["k1"]


def test_no_cache_folder_is_made_without_the_cache(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site, ignore=shutil.ignore_patterns(CACHE_DIR))
    _build(site, tmp_path / "out", cache=False)
    assert not (site / CACHE_DIR).exists()


def test_a_slot_keeps_only_its_latest_entries(tmp_path: Path) -> None:
    cache = BuildCache.open(tmp_path / "cache")
    tree = tmp_path / "tree"
    tree.mkdir()
    for key in ("k1", "k2", "k3"):
        (tree / "page.html").write_text(key, encoding="utf-8")
        cache.store_tree("mkdocs", "public-en", key, tree, [])
    kept = sorted(p.name for p in (tmp_path / "cache" / "mkdocs" / "public-en").iterdir())
    assert len(kept) == KEEP and "k3" in kept


def test_a_cached_value_comes_back_and_a_damaged_one_is_a_miss(tmp_path: Path) -> None:
    cache = BuildCache.open(tmp_path / "cache")
    assert cache.fetch_value("render", "pt", "k1") is MISSING
    cache.store_value("render", "pt", "k1", {"page": ["text", None]})
    assert cache.fetch_value("render", "pt", "k1") == {"page": ["text", None]}
    cache.store_value("render", "pt", "k2", None)  # None is a value, not a miss
    assert cache.fetch_value("render", "pt", "k2") is None
    entry = tmp_path / "cache" / "render" / "pt" / "k1.pickle"
    entry.write_bytes(entry.read_bytes()[:-1] + b"x")
    assert cache.fetch_value("render", "pt", "k1") is MISSING
    assert not entry.exists()
    assert (cache.stats["render_hits"], cache.stats["render_misses"]) == (2, 2)
    assert (cache.stats["render_stores"], cache.stats["corrupt"]) == (2, 1)


def test_a_slot_keeps_its_latest_values_only(tmp_path: Path) -> None:
    cache = BuildCache.open(tmp_path / "cache")
    for number in range(KEEP + 3):
        cache.store_value("render", "pt", f"k{number}", number)
    kept = sorted(p.name for p in (tmp_path / "cache" / "render" / "pt").iterdir())
    assert len(kept) == KEEP
    assert f"k{KEEP + 2}.pickle" in kept


def test_a_disabled_cache_stores_nothing(tmp_path: Path) -> None:
    cache = BuildCache(None)
    cache.store_value("render", "pt", "k1", 1)
    assert cache.fetch_value("render", "pt", "k1") is MISSING
    assert cache.stats == {}


# ---------------------------------------------------------------------------------------------
# The render cache: pages whose inputs did not change come from the cache (render.PageStore)

OTHER = "desk"  # the second charter of _two_charters


def _two_charters(tmp_path: Path) -> Path:
    """Copy the minimal site with a second charter, 'desk', a copy of 'help' under its own name."""
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site, ignore=shutil.ignore_patterns(CACHE_DIR))
    text = (site / "charter" / "help.yml").read_text(encoding="utf-8")
    (site / "charter" / f"{OTHER}.yml").write_text(
        text.replace("Help desk", "Service desk"), encoding="utf-8"
    )
    return site


def _edit_title(site: Path, charter: str, word: str) -> None:
    """Add WORD to a charter's title."""
    path = site / "charter" / f"{charter}.yml"
    text, count = re.subn(r"^title: (.*)$", rf"title: \1 {word}", path.read_text(), flags=re.M)
    assert count == 1
    path.write_text(text, encoding="utf-8")


def _rendered(out: Path, charter: str) -> int:
    """Count a charter's rendered pages in every language of a build: its pages and poster."""
    return len(list((out / "public").glob(f"*/{charter}/**/index.html")))


def _pages(result: BuildResult) -> tuple[int, int, int]:
    """Return the render cache's (hits, pages rendered and stored, damaged entries dropped)."""
    return result.cache["render_hits"], result.cache["render_stores"], result.cache["corrupt"]


def test_a_charter_edit_renders_only_that_charters_pages_again(tmp_path: Path) -> None:
    site = _two_charters(tmp_path)
    out = tmp_path / "out"
    first = _build(site, out, cache=True)
    languages = len([p for p in (out / "public").iterdir() if p.is_dir()])
    own, other = _rendered(out, "help"), _rendered(out, OTHER)
    assert (languages, own, other) == (2, 10, 10)  # 4 pages and a poster in each language
    # Everything rendered: the two charters' pages and the home page of each language.
    assert _pages(first) == (0, own + other + languages, 0)

    _edit_title(site, "help", "promptly")
    result = _build(site, out, cache=True)
    # Again: the edited charter's pages, and the home pages, which list every charter.
    assert _pages(result) == (other, own + languages, 0)
    # The JSON-LD of each charter's pages, per language: the other charter's from the cache.
    assert (result.cache["render-json-ld_hits"], result.cache["render-json-ld_stores"]) == (2, 2)
    # The handbook: the edited charter's page, and the pages that list every charter.
    handbook = len(list((out / "handbook").glob("*/**/index.html")))
    kept = len(list((out / "handbook").glob(f"*/charters/{OTHER}/index.html")))
    assert kept == languages
    assert (result.cache["render-handbook_hits"], result.cache["render-handbook_stores"]) == (
        kept,
        handbook - kept,
    )
    assert_same_tree(out, _build(site, tmp_path / "cold", cache=False).out or site)
    assert "Help desk charter promptly" in (out / "public" / "en" / "index.html").read_text()

    # Nothing changed: nothing rendered.
    assert _pages(_build(site, out, cache=True)) == (own + other + languages, 0, 0)


def test_a_page_that_reads_every_charter_is_rendered_again_when_another_changes(
    tmp_path: Path,
) -> None:
    site = _two_charters(tmp_path)
    # A site's own 'about' page that names every charter: its charter's files are not enough.
    override = site / "templates" / "public" / "about.md.j2"
    override.parent.mkdir(parents=True)
    original = (builtin_templates_dir() / "public" / "about.md.j2").read_text(encoding="utf-8")
    override.write_text(
        original + "\nAlso: {% for other in charters.values() %}{{ other.title }}; {% endfor %}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    _build(site, out, cache=True)
    _edit_title(site, OTHER, "kindly")
    result = _build(site, out, cache=True)
    # The other charter's pages, the home pages and 'help's about pages; the rest from the cache.
    languages, other = 2, _rendered(out, OTHER)
    again = other + languages + languages
    assert _pages(result) == (_rendered(out, "help") - languages, again, 0)
    about = (out / "public" / "en" / "help" / "about" / "index.html").read_text(encoding="utf-8")
    assert "Service desk charter kindly;" in about
    assert_same_tree(out, _build(site, tmp_path / "cold", cache=False).out or site)


def test_a_damaged_page_in_the_cache_is_rendered_again(tmp_path: Path) -> None:
    site = _two_charters(tmp_path)
    out = tmp_path / "out"
    first = _build(site, out, cache=True)
    total = first.cache["render_stores"]
    entries = sorted((site / CACHE_DIR / "render").glob("public-en+help+commitments.md/*.pickle"))
    assert len(entries) == 1
    entries[0].write_bytes(entries[0].read_bytes()[:-10])
    result = _build(site, out, cache=True)
    assert _pages(result) == (total - 1, 1, 1)
    assert_same_tree(out, _build(site, tmp_path / "cold", cache=False).out or site)
    assert _pages(_build(site, out, cache=True)) == (total, 0, 0)


def test_every_access_to_a_site_wide_value_is_noted() -> None:
    data = {"a": 1, "b": 2}
    mapping, sequence = TrackedMapping("charters", data), TrackedSequence("contacts", (1, 2))
    reads: list[Callable[[], object]] = [
        lambda: mapping["a"],
        lambda: list(mapping),
        lambda: len(mapping),
        lambda: "a" in mapping,
        lambda: bool(mapping),
        lambda: mapping.get("z"),
        lambda: list(mapping.items()),
        lambda: list(mapping.values()),
        lambda: mapping == data,
        lambda: repr(mapping),
        lambda: mapping._cp_data,  # a template may reach a private name
    ]
    for read in reads:
        with tracking_reads() as seen:
            read()
        assert seen == {"charters"}
    for read in (
        lambda: sequence[0],
        lambda: list(sequence),
        lambda: len(sequence),
        lambda: 2 in sequence,
        lambda: list(reversed(sequence)),
        lambda: sequence.index(2),
    ):
        with tracking_reads() as seen:
            read()
        assert seen == {"contacts"}
    with tracking_reads() as seen:
        holder = {"charters": mapping, "contacts": sequence}
        dict(holder)  # passed around, never looked into
    assert seen == set()


def test_a_template_that_pages_import_renders_those_pages_again(tmp_path: Path) -> None:
    site = _two_charters(tmp_path)
    out = tmp_path / "out"
    total = _build(site, out, cache=True).cache["render_stores"]
    macros = site / "templates" / "shared" / "macros.md.j2"
    macros.parent.mkdir(parents=True)
    shutil.copyfile(builtin_templates_dir() / "shared" / "macros.md.j2", macros)
    # The same text in the site's folder: pages are keyed by the texts they load, not the files.
    assert _pages(_build(site, out, cache=True)) == (total, 0, 0)
    with macros.open("a", encoding="utf-8") as file:
        file.write('{% macro unused() %}{{ _("Unused") }}{% endmacro %}\n')
    result = _build(site, out, cache=True)
    # Every page that imports the macros (all but the overviews and the home pages) and posters.
    importing = 2 * (_rendered(out, "help") // 2 - 1)
    assert _pages(result) == (total - 2 * importing, 2 * importing, 0)
    assert_same_tree(out, _build(site, tmp_path / "cold", cache=False).out or site)


def test_a_procedure_edit_renders_its_handbook_pages_again(tmp_path: Path) -> None:
    # The 'full' site: charter 'desk', whose e-mail promise the procedure 'answer' keeps, and
    # a second charter, 'other', that no procedure delivers.
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "full", site, ignore=shutil.ignore_patterns(CACHE_DIR))
    shutil.copyfile(site / "charter" / "desk.yml", site / "charter" / "other.yml")
    out = tmp_path / "out"
    first = _build(site, out, cache=True)
    path = site / "charter" / "procedures" / "answer.yml"
    text = path.read_text(encoding="utf-8").replace("Answer every e-mail on time.", "Be quick.")
    path.write_text(text, encoding="utf-8")
    result = _build(site, out, cache=True)
    languages = 2
    # Public pages never show a procedure; only the home pages, keyed by every source, again.
    assert _pages(result) == (first.cache["render_stores"] - languages, languages, 0)
    # The handbook: the procedure's page, the page of the charter it delivers, and the pages
    # that list every procedure (home, quick reference, team, reviews); 'other' from the cache.
    handbook = first.cache["render-handbook_stores"]
    assert handbook == len(list((out / "handbook").glob("*/**/index.html")))
    hits = (result.cache["render-handbook_hits"], result.cache["render-handbook_stores"])
    assert hits == (languages, handbook - languages)
    page = out / "handbook" / "en" / "procedures" / "answer" / "index.html"
    assert "Be quick." in page.read_text(encoding="utf-8")
    assert_same_tree(out, _build(site, tmp_path / "cold", cache=False).out or site)


def test_a_build_at_another_address_renders_its_pages_for_that_address(tmp_path: Path) -> None:
    # --base-url changes no file, but the posters' QR codes and the JSON-LD name the address.
    site = _two_charters(tmp_path)
    out = tmp_path / "out"
    _build(site, out, cache=True)
    preview = "https://preview.example.org/charter/"

    def build(target: Path, cache: bool) -> BuildResult:
        options = BuildOptions(
            site=site, today=TODAY, out=target, jobs=1, cache=cache, base_url=preview
        )
        result = build_site(options)
        assert result.ok, [str(d) for d in result.diagnostics]
        return result

    result = build(out, True)
    assert (result.cache["render_hits"], result.cache["render-json-ld_hits"]) == (0, 0)
    assert_same_tree(out, build(tmp_path / "cold", False).out or site)
    assert preview in (out / "public" / "en" / "help" / "poster" / "index.html").read_text()
