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

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .cache import MISSING, BuildCache

STAGE = "sources"
SLOT = "all"


@dataclass(slots=True)
class _Entry:
    """What one text gave: its data, and its model for each model class it was checked against."""

    data: Any
    models: dict[str, BaseModel] = field(default_factory=dict)


@dataclass
class SourceMemo:
    """The data and models of the source files of the previous run, by name and text.

    An entry's name is the file's name and the SHA-256 of its text (YamlDocument.file and
    .digest): two files with the same text each get their own data, as when they are read.
    """

    cache: BuildCache
    previous: dict[str, _Entry] = field(default_factory=dict)
    # The entries of the texts read in this run, reused or new: what the next run will find.
    current: dict[str, _Entry] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def open(cls, cache: BuildCache) -> SourceMemo:
        """Return the memo kept in CACHE by the previous run (empty on a miss)."""
        memo = cls(cache)
        if cache.enabled:
            kept = cache.fetch_value(STAGE, SLOT, memo._key())
            if kept is not MISSING and isinstance(kept, dict):
                memo.previous = kept
        return memo

    def _key(self) -> str:
        return self.cache.key(STAGE)

    def data(self, name: str) -> Any:
        """Return the data of the file NAME as read before, or MISSING."""
        entry = self.previous.get(name) or self.current.get(name)
        if entry is None:
            return MISSING
        self.current[name] = entry
        return entry.data

    def read(self, name: str, data: Any) -> None:
        """Remember the DATA of the file NAME, read without a diagnostic."""
        self.current[name] = _Entry(data)
        self.changed = True

    def model(self, name: str, model: type[BaseModel]) -> BaseModel | None:
        """Return the MODEL instance checked before from the file NAME, or None."""
        entry = self.current.get(name)
        return entry.models.get(model.__name__) if entry is not None else None

    def checked(self, name: str, instance: BaseModel) -> None:
        """Remember the model INSTANCE checked without a diagnostic from the file NAME."""
        entry = self.current.get(name)
        if entry is not None:
            entry.models[type(instance).__name__] = instance
            self.changed = True

    def store(self) -> None:
        """Keep this run's entries for the next run, if they differ from the previous run's."""
        if self.cache.enabled and (self.changed or self.current.keys() != self.previous.keys()):
            self.cache.store_value(STAGE, SLOT, self._key(), self.current)


def entry_name(file: str, digest: str) -> str:
    """Name the entry of the file FILE whose text has the SHA-256 DIGEST."""
    return f"{file}\n{digest}"
