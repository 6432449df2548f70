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
import functools
import hashlib
import json
import random
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mkdocs.utils import meta as mkdocs_meta
from pydantic import BaseModel

from charterpress import exports, pagecache
from charterpress.cache import CACHE_DIR, KEEP, MISSING, BuildCache
from charterpress.cli import main
from charterpress.diagnostics import Diagnostic, Level
from charterpress.pipeline import (
    BuildOptions,
    BuildResult,
    build_site,
    resolve_languages,
    with_base_url,
)
from charterpress.render import (
    Edition,
    TrackedMapping,
    TrackedSequence,
    builtin_templates_dir,
    tracking_reads,
)
from charterpress.texts import ForeignText
from charterpress.validate import ValidatedSite, validate_site
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
    _add_word(site, rng.choice(TEXT_FIELDS), rng.choice(WORDS))


def _add_word(site: Path, name: str, word: str) -> None:
    path = site / "charter" / "help.yml"
    text, count = re.subn(rf"^{name}: (.*)$", rf"{name}: \1 {word}", path.read_text(), flags=re.M)
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


def _mkdocs_pages(out: Path) -> dict[str, list[str]]:
    """Return the pages MkDocs built, per project ("public/en"): those of its search index."""
    projects = {}
    for index in sorted(out.glob("*/*/search/search_index.json")):
        project = index.parent.parent.relative_to(out).as_posix()
        docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
        urls = {doc["location"].partition("#")[0] for doc in docs}
        projects[project] = sorted(f"{project}/{url}index.html" for url in urls)
    return projects


def _digests(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in out.rglob("*")
        if p.is_file()
    }


def _page_counts(before: dict[str, str], out: Path) -> tuple[int, int, int]:
    """Return the projects rebuilt, their pages and their changed pages, from the output."""
    after = _digests(out)
    projects = _mkdocs_pages(out)
    changed = {
        page for pages in projects.values() for page in pages if before.get(page) != after[page]
    }
    rebuilt = [project for project, pages in projects.items() if changed.intersection(pages)]
    return len(rebuilt), sum(len(projects[project]) for project in rebuilt), len(changed)


def test_incremental_builds_equal_cold_builds_and_reuse_the_cache(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    site = _site(tmp_path)
    incremental = tmp_path / "incremental"
    first = _build(site, incremental, cache=True)
    assert (first.cache["hits"], first.cache["misses"], first.cache["stores"]) == (0, 4, 4)
    every_page = sum(len(pages) for pages in _mkdocs_pages(incremental).values())
    assert (first.cache["page_hits"], first.cache["page_misses"]) == (0, every_page)

    # Two source documents (the settings, the charter) translated into Portuguese; one charter
    # exported in two languages.
    assert (first.cache["translate_misses"], first.cache["exports_misses"]) == (2, 2)
    rendered_pages = first.cache["render_stores"]  # every page and poster of both languages
    assert rendered_pages == len(list((incremental / "public").glob("*/**/index.html")))

    again = _build(site, incremental, cache=True)
    assert (again.cache["hits"], again.cache["misses"]) == (4, 0)
    assert (again.cache["translate_hits"], again.cache["exports_hits"]) == (2, 2)
    assert again.cache["translate_misses"] + again.cache["exports_misses"] == 0
    assert_same_tree(incremental, _build(site, tmp_path / "cold-0", cache=False).out or site)

    edits = [edit_charter, edit_translation, edit_template]
    rng.shuffle(edits)
    for number, edit in enumerate(edits, 1):
        edit(site, rng)
        before = _digests(incremental)
        result = _build(site, incremental, cache=True)
        cold = _build(site, tmp_path / f"cold-{number}", cache=False)
        assert cold.cache == {}
        assert_same_tree(incremental, tmp_path / f"cold-{number}")
        assert result.diagnostics == cold.diagnostics
        assert result.cache["hits"] + result.cache["misses"] == 4
        # Every page of a project rebuilt was built or reused; the changed ones were built (and
        # maybe more: a new title changes every page's frame, see the tests below).
        rebuilt, pages, changed = _page_counts(before, incremental)
        assert result.cache["misses"] == rebuilt
        assert result.cache["page_hits"] + result.cache["page_misses"] == pages
        assert result.cache["page_misses"] >= changed
        # What the translation and export stages redid: (translations, exports) made again.
        redone = (result.cache["translate_misses"], result.cache["exports_misses"])
        assert redone == {edit_charter: (1, 2), edit_translation: (1, 1)}.get(edit, (0, 0))
        assert result.cache["translate_hits"] == 2 - redone[0]
        assert result.cache["exports_hits"] == 2 - redone[1]
        rendered = (result.cache["render_hits"], result.cache["render_stores"])
        if edit is edit_charter:
            # The only charter: all its pages, and the home pages that list it.
            assert rendered == (0, rendered_pages), edit.__name__
        if edit is edit_translation:
            # Only the Portuguese pages changed: both English projects come from the cache.
            assert result.cache["hits"] >= 2, (edit.__name__, result.cache)
            assert rendered == (rendered_pages // 2, rendered_pages // 2), edit.__name__
        if edit is edit_template:
            # A public template: the handbook's projects come from the cache.
            assert result.cache["hits"] >= 2, (edit.__name__, result.cache)
            # Only the pages made with it are rendered again: the commitments page of each.
            assert rendered == (rendered_pages - 2, 2), edit.__name__
        assert result.cache["misses"] >= 1, (edit.__name__, result.cache)


def test_a_rebuilt_project_builds_only_its_changed_pages(tmp_path: Path) -> None:
    site = _site(tmp_path)
    out = tmp_path / "out"
    _build(site, out, cache=True)

    # The summary shows on a few pages: the others of each project rebuilt come from the cache.
    _add_word(site, "summary", "kindly")
    before = _digests(out)
    result = _build(site, out, cache=True)
    rebuilt, pages, changed = _page_counts(before, out)
    assert 0 < changed < pages, (rebuilt, pages, changed)
    assert result.cache["misses"] == rebuilt
    assert (result.cache["page_hits"], result.cache["page_misses"]) == (pages - changed, changed)
    assert_same_tree(out, _build(site, tmp_path / "cold-1", cache=False).out or site)

    # A new title changes the navigation that every page shows: all of them are built again.
    _add_word(site, "title", "today")
    before = _digests(out)
    result = _build(site, out, cache=True)
    rebuilt, pages, changed = _page_counts(before, out)
    assert result.cache["misses"] == rebuilt
    assert (result.cache["page_hits"], result.cache["page_misses"]) == (0, pages)
    assert_same_tree(out, _build(site, tmp_path / "cold-2", cache=False).out or site)

    # The blobs of the pages replaced are gone: each slot keeps only what its manifest names.
    slots = sorted((site / CACHE_DIR / "pages").iterdir())
    assert [slot.name for slot in slots] == [
        f"{project.replace('/', '-')}" for project in sorted(_mkdocs_pages(out))
    ]
    for slot in slots:
        manifest = json.loads((slot / "manifest.json").read_text(encoding="utf-8"))
        named = {entry["blob"] for entry in manifest["pages"].values()}
        assert {blob.name for blob in (slot / "blobs").iterdir()} == named


def test_a_damaged_page_or_manifest_is_rebuilt_and_stored_again(tmp_path: Path) -> None:
    site = _site(tmp_path)
    out = tmp_path / "out"
    _build(site, out, cache=True)
    projects = _mkdocs_pages(out)
    every_page = sum(len(pages) for pages in projects.values())
    slot = site / CACHE_DIR / "pages" / "public-en"
    manifest = json.loads((slot / "manifest.json").read_text(encoding="utf-8"))
    (blob,) = [
        entry["blob"] for entry in manifest["pages"].values() if entry["src_uri"] == "index.md"
    ]
    (slot / "blobs" / blob).write_bytes(b"damaged")
    (site / CACHE_DIR / "pages" / "public-pt" / "manifest.json").write_text("{", encoding="utf-8")
    # Without the cache of whole projects, each project is built again, from its pages' cache.
    shutil.rmtree(site / CACHE_DIR / "mkdocs")
    result = _build(site, out, cache=True)
    rebuilt = 1 + len(projects["public/pt"])  # the damaged page, every page of the damaged slot
    assert result.cache["page_hits"] == every_page - rebuilt
    assert result.cache["page_misses"] == rebuilt
    assert hashlib.sha256((slot / "blobs" / blob).read_bytes()).hexdigest() == blob
    assert_same_tree(out, _build(site, tmp_path / "cold", cache=False).out or site)
    # Both stored again: the next build of every project takes every page from the cache.
    shutil.rmtree(site / CACHE_DIR / "mkdocs")
    result = _build(site, out, cache=True)
    assert (result.cache["page_hits"], result.cache["page_misses"]) == (every_page, 0)


def test_a_reused_page_takes_its_front_matter_from_the_manifest_and_links_its_blob(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path)
    out = tmp_path / "out"
    _build(site, out, cache=True)
    projects = _mkdocs_pages(out)
    every_page = sum(len(pages) for pages in projects.values())
    manifest = site / CACHE_DIR / "pages" / "public-en" / "manifest.json"
    entries = json.loads(manifest.read_text(encoding="utf-8"))["pages"].values()
    home = next(entry for entry in entries if entry["src_uri"] == "index.md")
    assert json.loads(home["meta"])["cp_title"]
    parsed: list[str] = []
    get_data = mkdocs_meta.get_data

    def counting(doc: str) -> tuple[str, dict[str, Any]]:
        parsed.append(doc)
        return get_data(doc)

    monkeypatch.setattr(mkdocs_meta, "get_data", counting)
    # Every project built again (no whole-project cache), every page from the page cache: no
    # page's front matter is parsed as YAML, and the output is the same.
    shutil.rmtree(site / CACHE_DIR / "mkdocs")
    result = _build(site, out, cache=True)
    assert (result.cache["page_hits"], result.cache["page_misses"]) == (every_page, 0)
    assert parsed == []
    monkeypatch.undo()
    # A reused page is a link to its blob, not a copy.
    blob = site / CACHE_DIR / "pages" / "public-en" / "blobs" / home["blob"]
    assert (out / "public" / "en" / "index.html").stat().st_ino == blob.stat().st_ino
    assert_same_tree(out, _build(site, tmp_path / "cold", cache=False).out or site)


def test_only_front_matter_that_json_holds_exactly_is_kept() -> None:
    assert pagecache.meta_text({"a": [1, 2.5, "é", None, True], "b": {"c": ""}}) == (
        '{"a": [1, 2.5, "é", null, true], "b": {"c": ""}}'
    )
    # Empty (also what MkDocs gives for front matter that is not YAML), or types JSON changes.
    for meta in ({}, {"d": dt.date(2026, 6, 1)}, {1: "one"}, {"t": ("a",)}, ["a"], None):
        assert pagecache.meta_text(meta) is None, meta


def test_the_pages_of_a_build_with_a_warning_are_not_kept(tmp_path: Path) -> None:
    site = _site(tmp_path)
    with (site / "templates" / TEMPLATE).open("a", encoding="utf-8") as file:
        file.write("\n[A page that does not exist](missing.md)\n")
    result = build_site(
        BuildOptions(site=site, today=TODAY, out=tmp_path / "out", cache=True, jobs=1)
    )
    # A warning without --strict: the site is built, and says which link is broken.
    assert result.ok
    warned = [d.message for d in result.diagnostics if d.code == "CP421"]
    assert [message.split(":")[0] for message in warned] == ["MkDocs (en)", "MkDocs (pt)"]
    pages = site / CACHE_DIR / "pages"
    # The public projects warned (every MkDocs warning is CP421); the handbook's did not.
    assert sorted(p.parent.name for p in pages.glob("*/manifest.json")) == [
        "handbook-en",
        "handbook-pt",
    ]


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
    (tree / "a" / "page.html").unlink()  # a new build's file, not the stored one changed
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
    slot = tmp_path / "cache" / "mkdocs" / "public-en"
    kept = sorted(p.name for p in slot.iterdir() if not p.name.startswith("."))
    assert len(kept) == KEEP and "k3" in kept
    # The pruned entry, renamed aside, is left for the build to delete once it is done.
    (retired,) = cache.take_retired()
    assert retired.parent == slot and retired.name.startswith(".old-")
    assert (retired / "files" / "page.html").is_file()
    assert cache.take_retired() == []


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


def test_a_stored_tree_shares_its_files_and_an_edited_file_is_a_miss(tmp_path: Path) -> None:
    # Hard links, not copies: a project of a large site is some 100 MB.
    cache = BuildCache.open(tmp_path / "cache")
    tree = tmp_path / "tree"
    (tree / "a").mkdir(parents=True)
    (tree / "a" / "page.html").write_text("one", encoding="utf-8")
    cache.store_tree("mkdocs", "public-en", "k1", tree, [])
    stored = tmp_path / "cache" / "mkdocs" / "public-en" / "k1" / "files" / "a" / "page.html"
    assert stored.stat().st_ino == (tree / "a" / "page.html").stat().st_ino
    restored = tmp_path / "restored"
    assert cache.fetch_tree("mkdocs", "public-en", "k1", restored) == []
    assert (restored / "a" / "page.html").stat().st_ino == stored.stat().st_ino
    # Written in place (which the build never does): the entry no longer matches its manifest.
    (restored / "a" / "page.html").write_text("two", encoding="utf-8")
    assert cache.fetch_tree("mkdocs", "public-en", "k1", tmp_path / "again") is None
    assert cache.stats["corrupt"] == 1


# ---------------------------------------------------------------------------------------------
# The translation and export stages, without MkDocs: over a copy of the example (five languages,
# two charters, procedures and results), what each edit makes them redo, and that what comes
# from the cache equals what a run without it makes.

EXAMPLE_TODAY = dt.date(2026, 11, 23)


@dataclass
class Stages:
    """What the translation and export stages gave, and what the cache did."""

    editions: list[Edition]
    problems: list[Diagnostic]
    exports: dict[str, dict[str, bytes]]
    stats: Counter[str]


@functools.cache
def _validated(site: Path, digest: str) -> ValidatedSite:
    """Return SITE validated, once per state of its sources (DIGEST): validation is slow."""
    outcome = validate_site(site, EXAMPLE_TODAY)
    assert outcome.site is not None, [str(d) for d in outcome.diagnostics]
    return outcome.site


def _stages(site: Path, cache: bool = True, base_url: str | None = None) -> Stages:
    """Validate SITE, translate it and make its exports, with its build cache or without."""
    sources = [site / "site_config.yml", *sorted((site / "charter").rglob("*.yml"))]
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()
    build_cache = BuildCache.open(site / CACHE_DIR if cache else None)
    checked = with_base_url(_validated(site, digest), base_url)
    editions, problems = resolve_languages(checked, EXAMPLE_TODAY, build_cache)
    files = {
        edition.language.code: exports.site_exports(
            edition.extra["site"],
            edition.language,
            EXAMPLE_TODAY,
            build_cache,
            edition.extra["translation"].sources,
        )
        for edition in editions
    }
    return Stages(editions, problems, files, build_cache.stats)


def _foreign(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Return the path and language of every fallback text in VALUE (== ignores the language)."""
    if isinstance(value, ForeignText):
        return [(path, value.lang)]
    if isinstance(value, BaseModel):
        return [
            f
            for name in type(value).model_fields
            for f in _foreign(getattr(value, name), f"{path}/{name}")
        ]
    if isinstance(value, list | tuple):
        return [f for i, item in enumerate(value) for f in _foreign(item, f"{path}/{i}")]
    if isinstance(value, dict):
        return [f for k, item in value.items() for f in _foreign(item, f"{path}/{k}")]
    return []


def _assert_same(got: Stages, cold: Stages) -> None:
    """Assert that cached stages gave exactly what stages without the cache gave."""
    assert got.problems == cold.problems
    assert got.exports == cold.exports
    assert [list(files) for files in got.exports.values()] == [
        list(files) for files in cold.exports.values()
    ]
    for edition, expected in zip(got.editions, cold.editions, strict=True):
        site, want = edition.extra["site"], expected.extra["site"]
        assert edition.language == expected.language
        assert edition.extra["translation"].fallbacks == expected.extra["translation"].fallbacks
        assert (site.config, site.charters, site.procedures, site.results) == (
            want.config,
            want.charters,
            want.procedures,
            want.results,
        )
        models = [site.config, *(s.charter for s in site.charters.values())]
        models += [s.procedure for s in site.procedures.values()]
        models += [r.results for r in site.results]
        expected_models = [want.config, *(s.charter for s in want.charters.values())]
        expected_models += [s.procedure for s in want.procedures.values()]
        expected_models += [r.results for r in want.results]
        assert _foreign(models) == _foreign(expected_models)


def _counts(stages: Stages) -> tuple[int, int, int, int]:
    """Return the source documents, translated languages, charters and languages of a site."""
    checked = stages.editions[0].extra["site"]
    documents = 1 + len(checked.charters) + len(checked.procedures) + len(checked.results)
    languages = len(stages.editions)
    return documents, languages - 1, len(checked.charters), languages


def test_a_charter_edit_translates_and_exports_only_that_charter_again(
    example_copy: Path,
) -> None:
    site = example_copy
    first = _stages(site)
    documents, translated, charters, languages = _counts(first)
    assert (documents, translated, charters, languages) == (10, 4, 2, 5)
    assert first.stats == {
        "translate_misses": documents * translated,
        "translate_stores": documents * translated,
        "catalog_misses": translated,
        "catalog_stores": translated,
        "catalog_groups_misses": translated,
        "catalog_groups_stores": translated,
        "exports_misses": charters * languages,
        "exports_stores": charters * languages,
    }
    _assert_same(first, _stages(site, cache=False))

    again = _stages(site)
    # Nothing changed: no catalog is even read, only the digests of their entries per file.
    assert again.stats == {
        "catalog_groups_hits": translated,
        "translate_hits": documents * translated,
        "exports_hits": charters * languages,
    }
    _assert_same(again, first)

    path = site / "charter" / "shops.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntitle: ", "\ntitle: Edited ", 1), encoding="utf-8")
    edited = _stages(site)
    assert edited.stats == {
        "catalog_groups_hits": translated,
        "catalog_hits": translated,  # the edited charter is translated from the cached lookups
        "translate_hits": (documents - 1) * translated,
        "translate_misses": translated,
        "translate_stores": translated,
        "exports_hits": (charters - 1) * languages,
        "exports_misses": languages,
        "exports_stores": languages,
    }
    cold = _stages(site, cache=False)
    _assert_same(edited, cold)
    # The edit shows: the new title falls back to English in every translated language.
    assert [p.code for p in cold.problems].count("CP610") > [p.code for p in first.problems].count(
        "CP610"
    )


def test_a_translation_edit_translates_only_that_file_in_that_language_again(
    example_copy: Path,
) -> None:
    site = example_copy
    documents, translated, charters, languages = _counts(_stages(site))
    po = site / "locales" / "ca" / "LC_MESSAGES" / "content.po"
    text = po.read_text(encoding="utf-8")
    old = 'msgstr "La nostra promesa de servei a les botigues Casa Lumen"'
    assert text.count(old) == 1
    po.write_text(text.replace(old, old[:-1] + ' (editat)"'), encoding="utf-8")
    edited = _stages(site)
    assert edited.stats == {
        # Catalan's catalog is parsed; the other languages' are not even read.
        "catalog_misses": 1,
        "catalog_stores": 1,
        "catalog_groups_misses": 1,
        "catalog_groups_stores": 1,
        "catalog_groups_hits": translated - 1,
        "translate_hits": documents * translated - 1,
        "translate_misses": 1,
        "translate_stores": 1,
        "exports_hits": charters * languages - 1,
        "exports_misses": 1,
        "exports_stores": 1,
    }
    _assert_same(edited, _stages(site, cache=False))
    catalan = next(e for e in edited.editions if e.language.code == "ca")
    assert str(catalan.charters["shops"].title).endswith("(editat)")


def test_damaged_translation_and_export_entries_are_made_again(example_copy: Path) -> None:
    site = example_copy
    first = _stages(site)
    documents, translated, charters, languages = _counts(first)
    cached = site / CACHE_DIR
    damaged = [
        *sorted(cached.glob("translate/ca/charter/shops.yml/*.pickle")),
        *sorted(cached.glob("exports/cs/online/*.pickle")),
    ]
    assert len(damaged) == 2
    for entry in damaged:
        entry.write_bytes(entry.read_bytes()[:-3] + b"bad")
    again = _stages(site)
    assert again.stats == {
        "corrupt": 2,
        "catalog_groups_hits": translated,
        "catalog_hits": 1,  # Catalan's, to translate the charter again
        "translate_hits": documents * translated - 1,
        "translate_misses": 1,
        "translate_stores": 1,
        "exports_hits": charters * languages - 1,
        "exports_misses": 1,
        "exports_stores": 1,
    }
    _assert_same(again, first)
    assert all(entry.exists() for entry in damaged)  # stored again
    assert _stages(site).stats["translate_hits"] == documents * translated


def test_an_unreadable_catalog_is_reported_by_every_build_and_never_cached(
    example_copy: Path,
) -> None:
    site = example_copy
    po = site / "locales" / "ro" / "LC_MESSAGES" / "content.po"
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "unterminated\n', encoding="utf-8")
    cold = _stages(site, cache=False)
    documents, translated, _charters, _languages = _counts(cold)
    assert [p.code for p in cold.problems if p.code == "CP601"] == ["CP601"]
    for run in range(2):
        got = _stages(site)
        _assert_same(got, cold)
        # Romanian's documents are translated every time (all falling back), without even a
        # look in the cache; the other languages' once, then reused.
        others = documents * (translated - 1)
        expected = (others, others, 0) if run == 0 else (0, 0, others)
        stats = got.stats
        assert (stats["translate_misses"], stats["translate_stores"]) == expected[:2]
        assert stats["translate_hits"] == expected[2]
        assert not list((site / CACHE_DIR / "translate" / "ro").rglob("*.pickle"))


def test_another_base_url_is_not_served_the_cached_exports(example_copy: Path) -> None:
    site = example_copy
    _documents, translated, charters, languages = _counts(_stages(site))
    preview = _stages(site, base_url="https://preview.example.org/charter/")
    # The settings' translations (one per language) and every export are made again.
    assert preview.stats["translate_misses"] == translated
    assert preview.stats["exports_misses"] == charters * languages
    _assert_same(
        preview, _stages(site, cache=False, base_url="https://preview.example.org/charter/")
    )
    calendars = [v for k, v in preview.exports["en"].items() if k.endswith(".ics")]
    assert calendars and all(b"@preview.example.org" in ics for ics in calendars)


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
