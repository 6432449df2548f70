"""Source files read and checked in an earlier run, kept by the digest of their text.

Reading the YAML of a large site is most of what `validate` costs (libyaml's events alone take
2 s for 4,500 files), and checking each file against the model much of the rest. A file whose
text has not changed gives the same data and the same model, so both are kept in one entry of
the build cache (``<site>/.charterpress-cache/sources/``), keyed by the tools' versions and every
module of Charterpress (BuildCache.key): one file to read, not one per source. Only files read
and checked without a diagnostic are kept; a file with a problem is read again every time, so its
diagnostics are always made by the current code from the current text. The position tables are
not kept: they are made from the text when a diagnostic asks for one (yamlsource.YamlDocument).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .cache import BuildCache
from .diagnostics import Diagnostic

STAGE = "sources"
SLOT = "all"
FILE_STAGE = "source"  # the counters of the files reused (BuildCache.stats), one per file


@dataclass(slots=True)
class _Entry:
    """What one text gave: its data, and its model for each model class it was checked against."""

    # The data, pickled on its own: unpickled only if something reads it (YamlDocument.data).
    data: bytes
    models: dict[str, BaseModel] = field(default_factory=dict)
    # What each check found in the file: by the check's name, with what else it read.
    findings: dict[str, tuple[str, list[Diagnostic]]] = field(default_factory=dict)


@dataclass
class SourceMemo:
    """The data and models of the source files of the previous run, by name and text.

    An entry's name is the file's name and the SHA-256 of its text (YamlDocument.file and
    .digest): two files with the same text each get their own data, as when they are read.
    Each entry is pickled on its own: an entry that did not change is stored again as the bytes
    it was read from (one pickle of the whole site would also take three times as long to make).
    """

    cache: BuildCache
    # The previous run's entries, still pickled.
    previous: dict[str, bytes] = field(default_factory=dict)
    # The entries of the files read in this run, reused or new: what the next run will find.
    current: dict[str, _Entry] = field(default_factory=dict)
    # The entries of `current` made or changed in this run, to be pickled again.
    changed: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, cache: BuildCache) -> SourceMemo:
        """Return the memo kept in CACHE by the previous run (empty on a miss)."""
        memo = cls(cache)
        if cache.enabled:
            kept = cache.fetch_value(STAGE, SLOT, memo._key())
            if isinstance(kept, dict):
                memo.previous = kept
        return memo

    def _key(self) -> str:
        return self.cache.key(STAGE)

    def data(self, name: str) -> bytes | None:
        """Return the data of the file NAME as read before, pickled, or None."""
        entry = self.current.get(name)
        if entry is None:
            entry = self._unpickled(name)
            # Counted once per file, as `build --verbose` says it: "reused 899 of 900 source files".
            self.cache.stats[f"{FILE_STAGE}_misses" if entry is None else f"{FILE_STAGE}_hits"] += 1
            if entry is None:
                return None
            self.current[name] = entry
        return entry.data

    def _unpickled(self, name: str) -> _Entry | None:
        pickled = self.previous.get(name)
        if pickled is None:
            return None
        try:
            entry = pickle.loads(pickled)
        except Exception:  # a damaged entry can fail to unpickle in any way: read the file
            del self.previous[name]
            return None
        return entry if isinstance(entry, _Entry) else None

    def read(self, name: str, data: Any) -> None:
        """Remember the DATA of the file NAME, read without a diagnostic."""
        pickled = _pickled(data)
        if pickled is not None:
            self.current[name] = _Entry(pickled)
            self.changed.add(name)

    def model(self, name: str, model: type[BaseModel]) -> BaseModel | None:
        """Return the MODEL instance checked before from the file NAME, or None."""
        entry = self.current.get(name)
        return entry.models.get(model.__name__) if entry is not None else None

    def checked(self, name: str, instance: BaseModel) -> None:
        """Remember the model INSTANCE checked without a diagnostic from the file NAME."""
        entry = self.current.get(name)
        if entry is not None:
            entry.models[type(instance).__name__] = instance
            self.changed.add(name)

    def findings(
        self, name: str, check: str, inputs: str, run: Callable[[], list[Diagnostic]]
    ) -> list[Diagnostic]:
        """Return what CHECK found in the file NAME: RUN's result, or what it returned before.

        INPUTS names (by their digests) whatever else the check reads, besides the file and its
        model: the result is reused only if they are the same too.
        """
        entry = self.current.get(name)
        if entry is not None:
            kept = entry.findings.get(check)
            if kept is not None and kept[0] == inputs:
                return list(kept[1])
        found = run()
        if entry is not None:
            entry.findings[check] = (inputs, list(found))
            self.changed.add(name)
        return found

    def store(self) -> None:
        """Keep this run's entries for the next run, if they differ from the previous run's."""
        if not self.cache.enabled or (
            not self.changed and self.current.keys() == self.previous.keys()
        ):
            return
        kept: dict[str, bytes] = {}
        for name, entry in self.current.items():
            pickled = (
                _pickled(entry)
                if name in self.changed or name not in self.previous
                else self.previous[name]
            )
            if pickled is not None:
                kept[name] = pickled
        self.cache.store_value(STAGE, SLOT, self._key(), kept)


def _pickled(value: Any) -> bytes | None:
    """Pickle VALUE, or return None if it cannot be (its file is then read again next time)."""
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


def entry_name(file: str, digest: str) -> str:
    """Name the entry of the file FILE whose text has the SHA-256 DIGEST."""
    return f"{file}\n{digest}"
