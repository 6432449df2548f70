"""The build cache: results of each stage kept under the site, keyed by hashes of their inputs.

A rebuild redoes only what an edit changed. Every stage keeps its results here, in
``<site>/.charterpress-cache/<stage>/`` (docs/building.md explains it for users):

- translation (i18n.py): each source file's texts in each language, keyed by the file's digest
  and the catalog entries of its texts;
- rendering (render.py's PageStore, keys in renderkeys.py): each public and handbook page,
  poster and JSON-LD block, keyed by what its render read (its templates by their text, its
  charter and results, the catalogs, the settings, the date; every source file if it read a
  site-wide value);
- exports (exports.py): each charter's JSON and iCalendar files in each language;
- MkDocs, at two levels: the build of each project (a language of the public site or of the
  handbook), keyed by the hash of exactly what MkDocs reads (the written project) and the build
  date (this module, ``fetch_tree``/``store_tree``); and inside a project that must be built,
  each page whose Markdown file and project frame did not change (pagecache.py).

Every key also holds the versions of Python and the libraries, and a hash of every module of
Charterpress (``versions``): a new version or an edited checkout starts afresh.

Values (``fetch_value``/``store_value``) are pickles named by their key, each with the SHA-256 of
its bytes; trees (``fetch_tree``/``store_tree``) live in ``<stage>/<slot>/<key>/`` (``slot``
names a project, ``public-pt``): a ``files/`` tree, hard-linked to the build's output, a
``diagnostics.json`` and, written last, a ``manifest.json`` with the SHA-256 of every file. An
entry is made in a private name and renamed into place, so concurrent builds never see half an
entry; a damaged entry (truncated, edited, a file that no longer matches its hash) is a miss, and
it is removed. Each slot keeps its KEEP latest entries, so the cache does not grow with every
edit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Level

CACHE_DIR = ".charterpress-cache"
MANIFEST = "manifest.json"
DIAGNOSTICS = "diagnostics.json"
FILES = "files"
KEEP = 2  # entries per slot: the current one and the one before (an edit undone)
STALE_SECONDS = 3600  # a private folder this old belongs to a build that was killed
FORMAT = 1  # bump when the layout of an entry changes
VALUE_SUFFIX = ".pickle"


class _Missing:
    """What fetch_value returns on a miss (None is a value that can be cached)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def versions() -> str:
    """Return the versions of everything the cached stages run, as one string."""
    from importlib import metadata

    found = [f"python={sys.version}", f"format={FORMAT}"]
    for package in (
        "charterpress",
        "mkdocs",
        "mkdocs-material",
        "markdown",
        "jinja2",
        "pymdown-extensions",
    ):
        try:
            found.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package}=none")
    # A checkout's code changes without a new version number: every module of the package is
    # part of the key (cached values are pickled objects of its classes, made by its code).
    here = Path(__file__).resolve().parent
    for module in sorted(here.glob("*.py")):
        found.append(f"{module.name}={hashlib.sha256(module.read_bytes()).hexdigest()}")
    return "\n".join(found)


def hash_tree(
    folder: Path, replace: dict[str, str] | None = None, leave_out: Collection[str] = ()
) -> str:
    """Return the SHA-256 of the names and bytes of every file under FOLDER.

    REPLACE maps a relative file name to text to leave out of that file (a path that differs
    from build to build, such as the staging folder named in mkdocs.yml); the files named in
    LEAVE_OUT (relative names) are not hashed at all.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        name = path.relative_to(folder).as_posix()
        if name in leave_out:
            continue
        data = path.read_bytes()
        left_out = (replace or {}).get(name)
        if left_out:
            data = data.replace(left_out.encode("utf-8"), b"<...>")
        digest.update(f"{len(name)}:{name}:{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


@dataclass
class BuildCache:
    """A cache folder, or none (--no-cache), with counters of what happened in this build."""

    folder: Path | None
    stats: Counter[str] = field(default_factory=Counter)
    _versions: str = ""
    # Entries pruned by this build, renamed aside: deleted once the build is done (take_retired).
    retired: list[Path] = field(default_factory=list)

    @classmethod
    def open(cls, folder: Path | None) -> BuildCache:
        """Return the cache in FOLDER (made if needed), or a disabled cache if it cannot be."""
        if folder is None:
            return cls(None)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Keep git (and anything that honours .gitignore) out of it.
            ignore = folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
        except OSError:
            return cls(None)
        return cls(folder)

    @property
    def enabled(self) -> bool:
        """Return whether results are looked up and stored."""
        return self.folder is not None

    def key(self, *parts: str) -> str:
        """Return the key of a result from the hashes of its inputs and the tools' versions."""
        if not self._versions:
            self._versions = versions()
        digest = hashlib.sha256(self._versions.encode())
        for part in parts:
            digest.update(f"\0{len(part)}:{part}".encode())
        return digest.hexdigest()[:40]

    def _entry(self, stage: str, slot: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / stage / slot / key

    def fetch_tree(self, stage: str, slot: str, key: str, target: Path) -> list[Diagnostic] | None:
        """Restore a cached tree into TARGET and return its diagnostics; None on a miss."""
        if self.folder is None:
            return None
        entry = self._entry(stage, slot, key)
        try:
            manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
            diagnostics = [
                _diagnostic(d)
                for d in json.loads((entry / DIAGNOSTICS).read_text(encoding="utf-8"))
            ]
            _restore(entry / FILES, manifest, target)
        except FileNotFoundError:
            self.stats["misses"] += 1
            shutil.rmtree(target, ignore_errors=True)
            return None
        except (OSError, ValueError, KeyError, TypeError):
            # A corrupt entry (truncated, edited, half-deleted): rebuild, and drop it.
            self.stats["corrupt"] += 1
            self.stats["misses"] += 1
            shutil.rmtree(target, ignore_errors=True)
            shutil.rmtree(entry, ignore_errors=True)
            return None
        self.stats["hits"] += 1
        with contextlib.suppress(OSError):  # pruned meanwhile by a concurrent build: no matter
            os.utime(entry)  # the most recently used entries are kept
        return diagnostics

    def store_tree(
        self, stage: str, slot: str, key: str, source: Path, diagnostics: Iterable[Diagnostic]
    ) -> None:
        """Keep a copy of the tree SOURCE and its DIAGNOSTICS under KEY."""
        if self.folder is None:
            return
        entry = self._entry(stage, slot, key)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix=f".new-{key}-", dir=entry.parent) as tmp:
                pending = Path(tmp) / "entry"
                shutil.copytree(source, pending / FILES, symlinks=False, copy_function=link_file)
                (pending / DIAGNOSTICS).write_text(
                    json.dumps([_plain(d) for d in diagnostics]), encoding="utf-8"
                )
                manifest = {
                    p.relative_to(pending / FILES).as_posix(): hashlib.sha256(
                        p.read_bytes()
                    ).hexdigest()
                    for p in sorted((pending / FILES).rglob("*"))
                    if p.is_file()
                }
                (pending / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
                try:
                    pending.rename(entry)
                except OSError:
                    return  # another build stored the same entry first: theirs is as good
            self.stats["stores"] += 1
            self._prune(entry.parent, keep=entry.name)
        except OSError:
            # A full disk or a read-only site: the build goes on without the cache.
            self.stats["store_failures"] += 1

    def fetch_value(self, stage: str, slot: str, key: str) -> Any:
        """Return the value stored under KEY, or MISSING (counted as `<stage>_misses`).

        Values are pickled: the cache is as trusted as the site folder that holds it (its
        templates run in the build too). A damaged entry is a miss, and it is removed.
        """
        if self.folder is None:
            return MISSING
        entry = self._entry(stage, slot, key).with_suffix(VALUE_SUFFIX)
        try:
            data = entry.read_bytes()
        except OSError:
            self.stats[f"{stage}_misses"] += 1
            return MISSING
        view = memoryview(data)  # not a copy: the sources' entry is 100 MB at 1,000 charters
        digest, payload = view[:32], view[32:]
        try:
            if hashlib.sha256(payload).digest() != digest:
                raise ValueError("the entry does not match its hash")
            value = pickle.loads(payload)
        except Exception:  # a damaged entry can fail to unpickle in any way
            self.stats["corrupt"] += 1
            self.stats[f"{stage}_misses"] += 1
            with contextlib.suppress(OSError):
                entry.unlink()
            return MISSING
        self.stats[f"{stage}_hits"] += 1
        with contextlib.suppress(OSError):
            os.utime(entry)
        return value

    def store_value(self, stage: str, slot: str, key: str, value: Any) -> None:
        """Keep VALUE (picklable) under KEY; the slot keeps its KEEP most recent values."""
        if self.folder is None:
            return
        entry = self._entry(stage, slot, key).with_suffix(VALUE_SUFFIX)
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            entry.parent.mkdir(parents=True, exist_ok=True)
            pending = entry.with_name(f".new-{uuid.uuid4().hex}")
            with pending.open("wb") as handle:
                # Written in two parts: joined, a large value (a catalog's lookup) had a second
                # copy made at the peak of the build.
                handle.write(hashlib.sha256(payload).digest())
                handle.write(payload)
            pending.replace(entry)  # whole or not at all, for concurrent builds
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            self.stats["store_failures"] += 1
            return
        self.stats[f"{stage}_stores"] += 1
        self._prune_values(entry.parent, keep=entry.name)

    def _prune_values(self, slot: Path, keep: str) -> None:
        """Remove all but the KEEP most recently used values of a slot, and stale leftovers."""
        now = time.time()
        with contextlib.suppress(OSError):
            for leftover in slot.glob(".new-*"):  # a build killed while it stored a value
                if now - leftover.stat().st_mtime > STALE_SECONDS:
                    leftover.unlink(missing_ok=True)
            entries = sorted(
                (p for p in slot.iterdir() if p.suffix == VALUE_SUFFIX),
                key=lambda p: (p.name != keep, -p.stat().st_mtime),
            )
            for old in entries[KEEP:]:
                old.unlink(missing_ok=True)

    def _prune(self, slot: Path, keep: str) -> None:
        """Remove all but the KEEP most recently used entries of a slot, and stale leftovers."""
        now = time.time()
        for leftover in slot.glob(".*"):
            # A build killed while it stored or removed an entry leaves its private folder.
            with contextlib.suppress(OSError):
                if now - leftover.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(leftover, ignore_errors=True)
        entries = sorted(
            (p for p in slot.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: (p.name != keep, -p.stat().st_mtime),
        )
        for old in entries[KEEP:]:
            # Renamed aside first, so that a concurrent build never reads half a removed entry.
            aside = slot / f".old-{uuid.uuid4().hex}"
            try:
                old.rename(aside)
            except OSError:
                continue
            # Deleting a project's entry (thousands of folders) took 2 s each at 200 charters:
            # the build deletes them once it is done (publish.remove_later), waiting for none.
            self.retired.append(aside)

    def take_retired(self) -> list[Path]:
        """Return the entries this build pruned, to be deleted, and forget them."""
        retired, self.retired = self.retired, []
        return retired


def link_file(source: str | Path, target: str | Path) -> None:
    """Make TARGET a hard link to SOURCE, or a copy where links cannot be made.

    A stored or restored tree shares its files with the build's output instead of copying
    them (a project of 200 charters is some 100 MB): nothing writes into a built file in place
    (a change is a new file renamed over it), and a file changed anyway no longer matches its
    hash in the manifest, which makes the entry a miss.
    """
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)


def _restore(files: Path, manifest: dict[str, str], target: Path) -> None:
    """Link the files of MANIFEST from FILES into TARGET, checking each one's hash."""
    if not isinstance(manifest, dict):
        raise ValueError("the manifest is not a mapping")
    for name, expected in sorted(manifest.items()):
        if name.startswith("/") or ".." in name.split("/"):
            raise ValueError(f"a file outside the entry: {name}")
        data = (files / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != expected:
            raise ValueError(f"{name} does not match its hash")
        out = target / name
        out.parent.mkdir(parents=True, exist_ok=True)
        link_file(files / name, out)


def _plain(diagnostic: Diagnostic) -> dict[str, Any]:
    """Return a diagnostic of a cached stage as JSON data (they name no source position)."""
    return {
        "code": diagnostic.code,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
        "level": diagnostic.level.value,
    }


def _diagnostic(data: dict[str, Any]) -> Diagnostic:
    """Return the diagnostic of JSON data written by _plain."""
    return Diagnostic(
        str(data["code"]), str(data["message"]), None, str(data["hint"]), Level(data["level"])
    )
