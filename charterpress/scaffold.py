"""The command `init`: a new charter repository with a small but complete starter site.

The starter files ship as package data in charterpress/starters/: `common/` for the files that
are the same in every language, and one folder per source language (pt-PT, ca, cs, ro, en) for
the texts. A few placeholders are filled in when the files are written: the languages, and
dates relative to the day of `init`, so that the starter's results period has ended and its
review is still to come, whatever the day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import __version__, languages
from .diagnostics import Diagnostic, SourcePos, error
from .schema import write_schemas

STARTERS = Path(__file__).resolve().parent / "starters"
COMMON = "common"
# Package data cannot hold dot-files reliably: "dot-github" is written as ".github".
DOT_PREFIX = "dot-"
SOURCE_LANGUAGES: tuple[str, ...] = tuple(lang.code for lang in languages.LANGUAGES)
# A folder holding only these counts as empty: a freshly created or cloned empty repository.
IGNORED = frozenset({".git"})


@dataclass(frozen=True)
class InitOptions:
    """What `init` creates: where, in which source language, publishing which languages."""

    target: Path
    today: dt.date  # the starter's dates follow it
    language: str = "en"
    languages: tuple[str, ...] = ()  # empty: the source language only

    @property
    def published(self) -> tuple[str, ...]:
        """Return the published languages, the source language first when none were given."""
        return self.languages or (self.language,)


def starter_folder(language: str) -> Path:
    """Return the folder of the starter texts in LANGUAGE."""
    return STARTERS / language


def placeholders(options: InitOptions) -> dict[str, str]:
    """Return the value of every @NAME@ placeholder of the starter files."""
    year = options.today.year
    return {
        "@SOURCE_LANGUAGE@": options.language,
        "@LANGUAGES@": "[" + ", ".join(options.published) + "]",
        "@YEAR_2@": str(year - 2),
        "@YEAR_1@": str(year - 1),
        "@YEAR@": str(year),
        "@NEXT_YEAR@": str(year + 1),
        "@CHARTERPRESS_VERSION@": __version__,
    }


def _fill(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace(name, value)
    return text


def _target_path(relative: Path, values: dict[str, str]) -> str:
    """Return where a starter file goes: placeholders filled, 'dot-' turned into '.'."""
    parts = [
        "." + part[len(DOT_PREFIX) :] if part.startswith(DOT_PREFIX) else part
        for part in relative.parts
    ]
    return _fill("/".join(parts), values)


def starter_files(options: InitOptions) -> dict[str, str]:
    """Return every file of the new site as {relative path: text}, without writing anything."""
    values = placeholders(options)
    files: dict[str, str] = {}
    for folder in (STARTERS / COMMON, starter_folder(options.language)):
        for source in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = source.relative_to(folder)
            text = source.read_text(encoding="utf-8")
            files[_target_path(relative, values)] = _fill(text, values)
    return dict(sorted(files.items()))


def check_options(options: InitOptions) -> list[Diagnostic]:
    """Return why `init` cannot write: a language (CP910), a folder in use (CP911)."""
    problems: list[Diagnostic] = []
    known = ", ".join(SOURCE_LANGUAGES)
    if options.language not in SOURCE_LANGUAGES:
        problems.append(
            error(
                "CP910",
                f"there is no starter in '{options.language}'",
                None,
                f"choose --lang among {known}",
            )
        )
    for code in options.languages:
        if code not in languages.BY_CODE:
            problems.append(
                error(
                    "CP910",
                    f"'{code}' is not a language Charterpress publishes",
                    None,
                    f"list languages among {known}, e.g. --languages pt-PT,en",
                )
            )
    if options.languages and options.language not in options.languages:
        problems.append(
            error(
                "CP910",
                f"--languages does not include the source language '{options.language}'",
                None,
                f"add it, e.g. --languages {','.join((options.language, *options.languages))}",
            )
        )
    if len(set(options.languages)) != len(options.languages):
        problems.append(
            error("CP910", "--languages names a language twice", None, "name each language once")
        )
    problems += _folder_in_use(options.target)
    return problems


def _folder_in_use(target: Path) -> list[Diagnostic]:
    """Return CP911 at the file that stands in the way of a new site in TARGET, or nothing."""
    if target.exists() and not target.is_dir():
        return [
            error(
                "CP911",
                f"'{target}' is a file, not a folder",
                SourcePos(str(target)),
                "name a new folder",
            )
        ]
    if not target.is_dir():
        return []
    # Named by its first entry, so that the person sees what is in the way.
    found = sorted(p for p in target.iterdir() if p.name not in IGNORED)
    if not found:
        return []
    return [
        error(
            "CP911",
            f"the folder '{target}' is not empty: init writes only into a new or empty folder",
            SourcePos(str(found[0])),
            "name a new folder, e.g. `charterpress init my-charter`; nothing was written",
        )
    ]


def init_site(options: InitOptions) -> list[Path]:
    """Write the new site into OPTIONS.target (checked first); return the files written."""
    files = starter_files(options)
    options.target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for relative, text in files.items():
        path = options.target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    written += write_schemas(options.target / "schemas")
    return written
