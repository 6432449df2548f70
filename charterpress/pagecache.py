"""Page-level reuse inside one MkDocs build: unchanged pages come from a cache, not from MkDocs.

A charter's edit changes a few pages of each language; without this, every page of the project
goes through Markdown and the page template again. With it, a page is rebuilt only when its own
Markdown file or the project's *frame* changed. The frame is everything a page's HTML depends on
besides its own file: mkdocs.yml (its site_dir left out), every file of docs/ and overrides/ that
is not a page, the build date, the tools' versions, and for every page its source, URL, title
and the front matter that other pages' navigation reads (everything but Charterpress's own
``cp_*`` keys, which only a page's own frame prints). A new title or page changes the frame,
and every page of the project is rebuilt.

How one build runs (MkDocs 1.6.1's ``build``; this module and mkdocs_site.py are the only ones
that know its insides): ``_populate_page`` and ``_build_page`` are wrapped for that build only.

- Reading: a page whose file is the one of a cached entry is read (``read_source``, with its
  plugin events) but not converted; its title is the cached one, and so is its front matter
  when JSON holds it exactly (its YAML is not parsed again). Other pages go through the
  original ``_populate_page``. After the last page the frame key is computed from every page's
  title; if it is not the cached frame, the deferred pages are converted after all.
- Writing: a cached page's final HTML (tidied) is linked to its destination and its search
  entries are given to Material's search plugin, in the same order as a cold build; its anchors
  and its links to anchors are restored, so that ``validate_anchor_links`` sees every page.
  Other pages go through the original ``_build_page`` and are tidied at once. A cached page's
  ``content`` and ``toc`` are not restored: only a page's own template and its search entries
  read them (Material's templates read another page's title, URL and meta only), and both are
  in the cache.

Storage, per project (``<site>/.charterpress-cache/pages/<slot>/``): ``blobs/<sha256>``, each
page's HTML stored once by the hash of its bytes, and ``manifest.json`` (the frame key, and per
page key its blob, title, front matter, search entries and anchors), replaced atomically after a
build with no warning. A blob whose bytes do not match its name is a miss and is removed; blobs
that the new manifest does not name are removed with it. Two builds of one site that save at the
same moment can leave a manifest naming a removed blob: the next build rebuilds that page.

Only the Material search plugin is known: with any other plugin, pages are not reused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import hash_tree, link_file, versions

STAGE = "pages"
MANIFEST = "manifest.json"
BLOBS = "blobs"
FORMAT = 2  # bump when the manifest's layout changes
STALE_SECONDS = 3600  # a temporary file this old belongs to a build that was killed
_DIGEST = re.compile(r"[0-9a-f]{64}")
_LOG = logging.getLogger("mkdocs.commands.build")  # MkDocs's own logger for page errors

Tidy = Callable[[Path], None]


@dataclass
class Entry:
    """What a later build needs of one built page instead of building it."""

    src_uri: str
    title: str | None  # the title MkDocs found in the rendered page (its first h1)
    blob: str | None  # SHA-256 of the page's HTML; None when MkDocs wrote no file
    search: list[Any]  # the page's entries in the search index
    anchors: list[str] | None  # present_anchor_ids
    links: list[Any] | None  # links_to_anchors: [[target src_uri, [[anchor, link], ...]], ...]
    meta: str | None = None  # the front matter as JSON text; None when JSON cannot hold it

    def plain(self) -> dict[str, Any]:
        """Return the entry as JSON data."""
        return {
            "src_uri": self.src_uri,
            "title": self.title,
            "blob": self.blob,
            "search": self.search,
            "anchors": self.anchors,
            "links": self.links,
            "meta": self.meta,
        }

    @classmethod
    def from_plain(cls, data: Any) -> Entry:
        """Return the entry of JSON data written by plain (ValueError if it is not one)."""
        if not isinstance(data, dict):
            raise ValueError("an entry is not a mapping")
        entry = cls(
            data["src_uri"],
            data["title"],
            data["blob"],
            data["search"],
            data["anchors"],
            data["links"],
            data["meta"],
        )
        if not isinstance(entry.src_uri, str) or not isinstance(entry.search, list):
            raise ValueError("an entry has the wrong types")
        if entry.title is not None and not isinstance(entry.title, str):
            raise ValueError("an entry's title is not text")
        if entry.anchors is not None and not (
            isinstance(entry.anchors, list) and all(isinstance(a, str) for a in entry.anchors)
        ):
            raise ValueError("an entry's anchors are not a list of text")
        if entry.blob is not None and not (
            isinstance(entry.blob, str) and _DIGEST.fullmatch(entry.blob)
        ):
            raise ValueError("an entry's blob is not a SHA-256")
        if entry.meta is not None and not isinstance(entry.meta, str):
            raise ValueError("an entry's front matter is not text")
        return entry


@dataclass
class PageCache:
    """The page cache of one project (a slot), with the counts of this build."""

    folder: Path
    hits: int = 0
    misses: int = 0
    frame: str = ""
    entries: dict[str, Entry] = field(default_factory=dict)
    unwritable: bool = False

    def load(self) -> None:
        """Read the slot's manifest; a missing or damaged one is an empty cache."""
        try:
            data = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or not isinstance(data.get("frame"), str):
                raise ValueError("another format")
            entries = {str(key): Entry.from_plain(value) for key, value in data["pages"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return
        self.frame, self.entries = data["frame"], entries

    def restore(self, digest: str, target: Path) -> bool:
        """Link a blob to TARGET; False if it is missing or damaged (then it is removed).

        A link, not a copy: a project's pages are some 100 MB that a rebuild need not write
        again. Nothing writes into a built page in place (the pages reused are not tidied
        again), and a blob changed anyway no longer matches its name: a miss.
        """
        path = self.folder / BLOBS / digest
        try:
            data = path.read_bytes()
        except OSError:
            return False
        if hashlib.sha256(data).hexdigest() != digest:
            path.unlink(missing_ok=True)
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            link_file(path, target)
        except OSError:  # removed meanwhile by another build's save
            return False
        return True

    def put(self, data: bytes) -> str | None:
        """Store a page's HTML as a blob; return its hash (None if it cannot be stored).

        Written at once, so that a project's pages are never all held in memory; a build that
        ends with a warning leaves blobs that no manifest names, removed by the next save.
        """
        digest = hashlib.sha256(data).hexdigest()
        try:
            (self.folder / BLOBS).mkdir(parents=True, exist_ok=True)
            _write_atomically(self.folder / BLOBS / digest, data)
        except OSError:
            self.unwritable = True  # a full disk or a read-only site: no manifest this time
            return None
        return digest

    def save(self, frame: str, entries: dict[str, Entry]) -> None:
        """Replace the manifest with ENTRIES (their blobs stored); drop the blobs it leaves out."""
        if self.unwritable:
            return
        blobs = self.folder / BLOBS
        try:
            blobs.mkdir(parents=True, exist_ok=True)
            manifest = {
                "format": FORMAT,
                "frame": frame,
                "pages": {key: entry.plain() for key, entry in entries.items()},
            }
            _write_atomically(
                self.folder / MANIFEST, json.dumps(manifest, ensure_ascii=False).encode("utf-8")
            )
        except OSError:
            return  # a full disk or a read-only site: the build goes on without the cache
        kept = {entry.blob for entry in entries.values()}
        now = time.time()
        try:
            found = [*blobs.iterdir(), *self.folder.glob(".*")]
        except OSError:
            return
        for path in found:
            with contextlib.suppress(OSError):
                if path.name.startswith("."):
                    # A temporary file of a build killed while it wrote it.
                    if now - path.stat().st_mtime > STALE_SECONDS:
                        path.unlink()
                elif path.name not in kept:
                    path.unlink()


def _write_atomically(target: Path, data: bytes) -> None:
    """Write DATA to TARGET through a temporary file renamed into place."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        Path(name).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(name).unlink()
        raise


def page_key(frame: str, src_uri: str, source: bytes) -> str:
    """Return the key of a page: the frame, the page's path and its Markdown file's bytes."""
    digest = hashlib.sha256(f"{frame}\0{len(src_uri)}:{src_uri}\0".encode())
    digest.update(source)
    return digest.hexdigest()[:40]


def _json_exact(value: Any) -> bool:
    """Return whether VALUE comes back from JSON as it is (same types, same order)."""
    if value is None or type(value) in (str, int, float, bool):
        return True
    if type(value) is list:
        return all(_json_exact(item) for item in value)
    if type(value) is dict:
        return all(type(k) is str and _json_exact(v) for k, v in value.items())
    return False  # a date, a tuple, a set: JSON would give back another type


def meta_text(meta: Any) -> str | None:
    """Return a page's front matter as JSON text, or None if JSON cannot hold it exactly.

    An empty front matter is never kept: MkDocs gives one for a page whose front matter is not
    YAML too, and then keeps the delimiters in the Markdown.
    """
    if not meta or type(meta) is not dict or not _json_exact(meta):
        return None
    return json.dumps(meta, ensure_ascii=False)


def read_source(page: Any, config: Any, meta: str | None) -> None:
    """Run MkDocs's Page.read_source; take the front matter from META instead of YAML if given."""
    from mkdocs.utils import meta as mkdocs_meta

    source = config.plugins.on_page_read_source(page=page, config=config)
    if source is None:
        try:
            source = page.file.content_string
        except OSError:
            _LOG.error(f"File not found: {page.file.src_path}")
            raise
        except ValueError:
            _LOG.error(f"Encoding error reading file: {page.file.src_path}")
            raise
    # The page's key holds its file's bytes: META is the front matter of exactly this source.
    found = mkdocs_meta.YAML_RE.match(source) if meta is not None else None
    if found is None or meta is None:
        page.markdown, page.meta = mkdocs_meta.get_data(source)
    else:
        page.markdown, page.meta = source[found.end() :].lstrip("\n"), json.loads(meta)


def _frame_meta(meta: Any) -> dict[str, Any]:
    """Return the front matter of a page that other pages may print (not Charterpress's)."""
    if not isinstance(meta, dict):
        return {}
    return {str(k): v for k, v in meta.items() if not str(k).startswith("cp_")}


class PageReuse:
    """The state of one MkDocs build that reuses pages: the wrappers and what they saw."""

    def __init__(
        self, cache: PageCache, project_dir: Path, site_dir: Path, build_date: str, tidy: Tidy
    ) -> None:
        self.cache = cache
        self.project_dir = project_dir
        self.site_dir = site_dir
        self.build_date = build_date
        self.tidy = tidy
        self.enabled: bool | None = None  # decided at the first page: known plugins only
        self.expected = 0  # pages MkDocs will read
        self.pages: list[Any] = []  # the Page objects, in MkDocs's order
        self.sources: dict[str, bytes] = {}  # src_uri -> the Markdown file's bytes
        self.metas: dict[str, str | None] = {}  # src_uri -> front matter read (meta_text)
        self.deferred: dict[str, Any] = {}  # src_uri -> Page read but not converted yet
        self.files: Any = None
        self.static = ""  # the hash of the project's files that are not pages
        self.frame = ""
        self.settled = False  # whether the frame key is known
        self.hits: dict[str, Entry] = {}
        self.kept: dict[str, Entry] = {}  # page key -> entry, for the new manifest
        self.done: set[str] = set()  # pages written and tidied by the wrappers (dest_uri)
        self.search: Any = None  # Material's search index, if the plugin is on

    # -- reading ------------------------------------------------------------------------------

    def populate(self, original: Callable[..., None], page: Any, config: Any, files: Any) -> None:
        """Read a page; convert it now unless it may come from the cache."""
        if self.enabled is None:
            self._start(config, files)
        if not self.enabled:
            original(page, config, files)
            return
        src_uri = page.file.src_uri
        try:
            source = page.file.content_bytes
        except OSError:
            source = None
        entry = None
        if source is not None:
            self.sources[src_uri] = source
            entry = self.cache.entries.get(page_key(self.cache.frame, src_uri, source))
        if entry is None:
            original(page, config, files)
            # Taken now: a page's template could change its meta later in the build.
            self.metas[src_uri] = meta_text(page.meta)
            self.pages.append(page)
        else:
            page = self._read(page, config, files, entry.meta)
            self.metas[src_uri] = entry.meta
            # The title the page had when it was cached: the frame key needs every page's title
            # before any is converted. It is checked by the frame key below.
            page._title_from_render = entry.title
            page.content = ""  # not None: MkDocs would look for a title in the Markdown
            self.deferred[src_uri] = page
            self.pages.append(page)
        if len(self.pages) == self.expected:
            self._settle(config, files)

    def _start(self, config: Any, files: Any) -> None:
        """Decide whether pages are reused in this build, and load the manifest."""
        from material.plugins.search.plugin import SearchPlugin  # type: ignore[import-untyped]

        plugins = list(config.plugins.values())
        self.enabled = all(isinstance(plugin, SearchPlugin) for plugin in plugins)
        if not self.enabled:
            return
        for plugin in plugins:
            if plugin.config.enabled:
                self.search = plugin.search_index
        self.files = files
        self.expected = len(files.documentation_pages())
        self.cache.load()

    @staticmethod
    def _read(page: Any, config: Any, files: Any, meta: str | None) -> Any:
        """Run the first half of MkDocs's _populate_page: events and read_source, no Markdown."""
        with _as_populate_page(page, config):
            page = config.plugins.on_pre_page(page, config=config, files=files)
            read_source(page, config, meta)
            page.markdown = config.plugins.on_page_markdown(
                page.markdown, page=page, config=config, files=files
            )
        return page

    @staticmethod
    def _convert(page: Any, config: Any, files: Any) -> None:
        """Run the second half of MkDocs's _populate_page: Markdown to HTML, and its event."""
        with _as_populate_page(page, config):
            page.render(config, files)
            page.content = config.plugins.on_page_content(
                page.content, page=page, config=config, files=files
            )

    def _settle(self, config: Any, files: Any) -> None:
        """Once every page is read: compute the frame, then convert what cannot be reused."""
        self.settled = True
        deferred, self.deferred = self.deferred, {}
        self.frame = self._frame_key(config, files)
        if self.frame != self.cache.frame:
            for page in deferred.values():
                self._convert(page, config, files)
            if deferred:
                # The titles of the deferred pages were the cached ones: take the real ones.
                self.frame = self._frame_key(config, files)
            return
        for src_uri, page in deferred.items():
            entry = self.cache.entries[page_key(self.frame, src_uri, self.sources[src_uri])]
            links = _links(entry.links, files)
            if links is False:
                self._convert(page, config, files)
                continue
            page.present_anchor_ids = None if entry.anchors is None else set(entry.anchors)
            page.links_to_anchors = links
            # Its blob is read (and checked) when the page is written: a project's pages are
            # not all held in memory at once.
            self.hits[src_uri] = entry

    def _frame_key(self, config: Any, files: Any) -> str:
        """Return the key of everything a page depends on besides its own file."""
        if not self.static:
            pages = {
                Path(page.file.abs_src_path).resolve().relative_to(self.project_dir).as_posix()
                for page in self.pages
                if page.file.abs_src_path
            }
            self.static = hash_tree(
                self.project_dir, {"mkdocs.yml": str(self.site_dir.resolve())}, leave_out=pages
            )
        listing = [
            [page.file.src_uri, page.url, page.title, _frame_meta(page.meta)] for page in self.pages
        ]
        try:
            # In the order YAML gave (not sorted: a mapping may mix keys of several types).
            material = json.dumps(
                [versions(), self.build_date, self.static, listing],
                ensure_ascii=False,
                default=str,
            )
        except (TypeError, ValueError):
            # Front matter that JSON cannot hold (a key that is a list): a frame never seen
            # before, so that no page of this build is taken from the cache.
            return uuid.uuid4().hex
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:40]

    # -- writing ------------------------------------------------------------------------------

    def build_page(
        self,
        original: Callable[..., None],
        page: Any,
        config: Any,
        doc_files: Any,
        nav: Any,
        env: Any,
        dirty: bool = False,
        excluded: bool = False,
    ) -> None:
        """Write a page: from the cache if it is a hit, else through MkDocs's template."""
        if not self.enabled:
            original(page, config, doc_files, nav, env, dirty, excluded)
            return
        if not self.settled:  # never with MkDocs 1.6.1: every page is read before any is built
            self._settle(config, self.files)
        src_uri = page.file.src_uri
        dest = Path(page.file.abs_dest_path)
        entry = None if excluded else self.hits.get(src_uri)
        blob = entry.blob if entry is not None else None
        if blob is not None and not self.cache.restore(blob, dest):
            # A missing or damaged blob: the page is converted and built after all, in its
            # place (the frame is the cached one, so its title and anchors are the same).
            self._convert(page, config, self.files)
            entry = None
        if entry is not None:
            if self.search is not None:
                self.search.entries.extend(json.loads(json.dumps(entry.search)))
            self.done.add(page.file.dest_uri)
            self.kept[page_key(self.frame, src_uri, self.sources[src_uri])] = entry
            self.cache.hits += 1
            return
        before = len(self.search.entries) if self.search is not None else 0
        original(page, config, doc_files, nav, env, dirty, excluded)
        self.cache.misses += 1
        source = self.sources.get(src_uri)
        if excluded or source is None:
            return
        digest = None
        if dest.is_file():
            self.tidy(dest)
            digest = self.cache.put(dest.read_bytes())
            self.done.add(page.file.dest_uri)
        added = self.search.entries[before:] if self.search is not None else []
        links = page.links_to_anchors
        self.kept[page_key(self.frame, src_uri, source)] = Entry(
            src_uri,
            page._title_from_render,
            digest,
            # As JSON data, as Material writes the index: what cannot be JSON becomes text.
            json.loads(json.dumps(added, default=str)),
            None if page.present_anchor_ids is None else sorted(page.present_anchor_ids),
            None
            if links is None
            else [[target.src_uri, list(anchors.items())] for target, anchors in links.items()],
            self.metas.get(src_uri),
        )

    def save(self) -> None:
        """Keep this build's pages as the slot's cache."""
        if self.enabled and self.frame and len(self.kept) == len(self.pages):
            self.cache.save(self.frame, self.kept)


def _links(data: list[Any] | None, files: Any) -> dict[Any, dict[str, str]] | bool | None:
    """Return cached links_to_anchors with File objects; False if a target is gone."""
    if data is None:
        return None
    links: dict[Any, dict[str, str]] = {}
    try:
        for src_uri, anchors in data:
            target = files.get_file_from_path(src_uri)
            if target is None:
                return False
            links[target] = {str(anchor): str(link) for anchor, link in anchors}
    except (TypeError, ValueError):
        return False
    return links


@contextlib.contextmanager
def reuse_pages(
    cache: PageCache | None, config_file: Path, site_dir: Path, build_date: str, tidy: Tidy
) -> Iterator[PageReuse | None]:
    """Reuse CACHE's pages in the MkDocs build run inside; yield its state (None: no cache).

    MkDocs's page functions are replaced for the duration only (a pool process builds one
    project at a time). After a build with no warning, call ``save`` on what was yielded.
    """
    if cache is None:
        yield None
        return
    from mkdocs.commands import build as mkdocs_build

    reuse = PageReuse(cache, config_file.parent.resolve(), site_dir, build_date, tidy)
    populate, build_page = mkdocs_build._populate_page, mkdocs_build._build_page

    def _populate_page(page: Any, config: Any, files: Any, dirty: bool = False) -> None:
        if dirty:  # never asked by Charterpress: MkDocs's own way
            populate(page, config, files, dirty)
            return
        reuse.populate(populate, page, config, files)

    def _build_page(*args: Any, **kwargs: Any) -> None:
        reuse.build_page(build_page, *args, **kwargs)

    mkdocs_build._populate_page = _populate_page
    mkdocs_build._build_page = _build_page
    try:
        yield reuse
    finally:
        mkdocs_build._populate_page = populate
        mkdocs_build._build_page = build_page


@contextlib.contextmanager
def _as_populate_page(page: Any, config: Any) -> Iterator[None]:
    """Make PAGE MkDocs's current page, and log a failure as its _populate_page does."""
    from mkdocs.exceptions import BuildError

    config._current_page = page
    try:
        yield
    except Exception as exc:
        message = f"Error reading page '{page.file.src_uri}':"
        if not isinstance(exc, BuildError):
            message += f" {exc}"
        _LOG.error(message)
        raise
    finally:
        config._current_page = None
