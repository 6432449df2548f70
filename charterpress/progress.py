"""What a build tells the person who runs it: a line per stage, a progress bar, a summary.

The pipeline calls a Reporter at the boundaries of its stages and never prints. The base class
ignores every event (a build called as a library, a test, `serve`); TerminalReporter prints them
on stderr for `build`. A built edition may be reported in any order (MkDocs projects may be built
in parallel, each reported by the parent process as it finishes), so nothing here assumes one.
"""

from __future__ import annotations

import enum
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

# The stages of a build, in the order they run.
LOAD = "load"
VALIDATE = "validate"
LANGUAGES = "languages"
RENDER = "render"
MKDOCS_PUBLIC = "mkdocs public"
EXPORTS = "exports"
MKDOCS_HANDBOOK = "mkdocs handbook"
PUBLISH = "publish"

# The two sites a build makes, as named in edition_built().
PUBLIC_SITE = "public"
HANDBOOK_SITE = "handbook"
# The stage that builds each site: its line counts the builds reported by edition_built().
SITE_STAGES = {MKDOCS_PUBLIC: PUBLIC_SITE, MKDOCS_HANDBOOK: HANDBOOK_SITE}

# A progress bar is worth drawing when a build has this many pages, or more MkDocs builds than
# one language's public site and handbook.
BAR_PAGES = 50
BAR_BUILDS = 2
BAR_WIDTH = 24


class Verbosity(enum.IntEnum):
    """How much a build says: --quiet, the default, --verbose."""

    QUIET = 0
    NORMAL = 1
    VERBOSE = 2


class Reporter:
    """Receive a build's events and ignore them; subclasses show them."""

    def start(self, stage: str) -> None:
        """Note that STAGE starts now."""

    def finish(self, stage: str, detail: str = "", **counts: int) -> None:
        """Note that STAGE is done, with what it counted (files=3, pages=12) and a detail."""

    def expect_builds(self, builds: int, pages: int) -> None:
        """Note how many MkDocs builds (and public pages) are to come."""

    def edition_built(self, site: str, language: str, pages: int) -> None:
        """Note that the MkDocs build of SITE in LANGUAGE finished, with its page count."""


SILENT = Reporter()


@dataclass
class Built:
    """What the builds of one site made: pages per language segment."""

    pages: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Return the pages of every language."""
        return sum(self.pages.values())


# Singular forms of the nouns counts are reported in.
_SINGULAR = {
    "files": "file",
    "charters": "charter",
    "procedures": "procedure",
    "results": "result",
    "languages": "language",
    "pages": "page",
    "builds": "build",
    "errors": "error",
    "warnings": "warning",
}


def counted(counts: Mapping[str, int]) -> str:
    """Return "1 charter, no results, 3 pages" for {"charters": 1, "results": 0, "pages": 3}."""
    return ", ".join(
        f"{n or 'no'} {_SINGULAR.get(noun, noun) if n == 1 else noun}" for noun, n in counts.items()
    )


# What each stage of the build cache keeps, for the summary (cache.py names the stages).
CACHE_NOUNS = {
    "source": "source files",
    "translate": "translated files",
    "render": "rendered pages",
    "render-handbook": "rendered handbook pages",
    "render-json-ld": "JSON-LD blocks",
    "exports": "charters' exports",
    "mkdocs": "MkDocs builds",
    "page": "built pages",
}
# The cache's own bookkeeping (what a page read, parsed catalogs): not results a reader counts.
CACHE_INTERNAL = ("-reads", "catalog", "catalog_groups", "sources")


def cache_reuse(stats: Mapping[str, int]) -> str:
    """Return "reused 3 of 10 MkDocs builds, ..." for the counters of the build cache.

    The counters are "hits"/"misses" (whole MkDocs projects) and "<stage>_hits"/"_misses".
    """
    stages: dict[str, tuple[int, int]] = {}
    for name, count in stats.items():
        for outcome in ("hits", "misses"):
            if name == outcome or name.endswith(f"_{outcome}"):
                stage = name.removesuffix(outcome).removesuffix("_") or "mkdocs"
                hits, misses = stages.get(stage, (0, 0))
                stages[stage] = (
                    (hits + count, misses) if outcome == "hits" else (hits, misses + count)
                )
    if not stages:
        return "not used (--no-cache)"
    order = list(CACHE_NOUNS)
    shown = sorted(
        (stage for stage in stages if not stage.endswith(CACHE_INTERNAL)),
        key=lambda stage: (order.index(stage) if stage in order else len(order), stage),
    )
    parts = [
        f"{stages[stage][0]} of {sum(stages[stage])} {CACHE_NOUNS.get(stage, stage)}"
        for stage in shown
    ]
    return "reused " + ", ".join(parts)


def seconds(value: float) -> str:
    """Return a duration for people: "0.42 s", "12.3 s"."""
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def wants_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Return whether to colour STREAM: a terminal, unless NO_COLOR; FORCE_COLOR forces it."""
    # https://no-color.org: NO_COLOR present and not empty disables colour, whatever else says.
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR", "") not in ("", "0", "false"):
        return True
    return is_terminal(stream, environ)


def is_terminal(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Return whether STREAM is an interactive terminal that can redraw a line."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False
    return tty and environ.get("TERM", "") != "dumb"


# ANSI styles (SGR); only used when wants_colour() said yes.
_STYLES = {"stage": "1;36", "time": "2", "ok": "1;32", "warning": "1;33", "error": "1;31"}


class TerminalReporter(Reporter):
    """Print a build's stages, a progress bar and a summary on a stream (stderr)."""

    def __init__(
        self,
        verbosity: Verbosity = Verbosity.NORMAL,
        *,
        stream: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.verbosity = verbosity
        self.stream = stream if stream is not None else sys.stderr
        environ = os.environ if environ is None else environ
        self.colour = wants_colour(self.stream, environ)
        self.terminal = is_terminal(self.stream, environ)
        self.clock = clock
        self.begun = clock()
        self.started: dict[str, float] = {}
        self.built: dict[str, Built] = {PUBLIC_SITE: Built(), HANDBOOK_SITE: Built()}
        self.builds_expected = 0
        self.bar_shown = False
        self.bar_width = 0  # the length of the bar's text on screen, to clear it

    # -- events ------------------------------------------------------------------------------

    def start(self, stage: str) -> None:
        """Note the time STAGE starts."""
        self.started[stage] = self.clock()

    def finish(self, stage: str, detail: str = "", **counts: int) -> None:
        """Print one line for STAGE: what it counted and how long it took."""
        took = self.clock() - self.started.get(stage, self.clock())
        if not counts and stage in SITE_STAGES:
            built = self.built.get(SITE_STAGES[stage], Built())
            counts = {"builds": len(built.pages), "pages": built.total}
        what = ": ".join(part for part in (counted(counts), detail) if part)
        self.line(
            f"{self.style('stage', f'{stage:<16}')} {what:<43} {self.style('time', seconds(took))}"
        )

    def expect_builds(self, builds: int, pages: int) -> None:
        """Draw the progress bar on a terminal when the build is big enough to wait for."""
        self.builds_expected = builds
        self.bar_shown = (
            self.terminal
            and self.verbosity >= Verbosity.NORMAL
            and (pages > BAR_PAGES or builds > BAR_BUILDS)
        )
        self.draw_bar("")

    def edition_built(self, site: str, language: str, pages: int) -> None:
        """Count a finished MkDocs build; in --verbose, print a line for it."""
        self.built.setdefault(site, Built()).pages[language] = pages
        if self.verbosity >= Verbosity.VERBOSE:
            self.line(f"  built {site}/{language}: {counted({'pages': pages})}")
        self.draw_bar(f"{site}/{language}")
        if sum(len(b.pages) for b in self.built.values()) >= self.builds_expected:
            self.close()  # every build is done: the bar has said all it can

    # -- the end -----------------------------------------------------------------------------

    def close(self) -> None:
        """Erase the progress bar for good: what follows is diagnostics and the summary."""
        self.clear_bar()
        self.bar_shown = False

    def summary(
        self,
        out: Path,
        languages: list[str],
        warnings: int,
        cache: Mapping[str, int] | None = None,
    ) -> None:
        """Print where the output is, the languages, pages per site and warnings; with
        --verbose, also what the build cache reused (CACHE: BuildResult.cache)."""
        self.close()
        if self.verbosity < Verbosity.NORMAL:
            return
        took = seconds(self.clock() - self.begun)
        warned = counted({"warnings": warnings})
        if warnings:
            warned = self.style("warning", warned)
        head = self.style("ok", "built")
        self.line(
            f"{head} {', '.join(languages)} into {out / PUBLIC_SITE} ({warned}) in {took}",
        )
        for site, label in ((PUBLIC_SITE, "public site"), (HANDBOOK_SITE, "handbook")):
            built = self.built.get(site, Built())
            where = out / site
            note = " (staff only: never publish it)" if site == HANDBOOK_SITE else ""
            self.line(
                f"  {label:<12} {counted({'languages': len(built.pages), 'pages': built.total})}"
                f" in {where}{note}"
            )
            if self.verbosity >= Verbosity.VERBOSE and where.is_dir():
                files = [p for p in where.rglob("*") if p.is_file()]
                size = sum(p.stat().st_size for p in files)
                self.line(f"  {'':<12} {counted({'files': len(files)})} written, {size:,} bytes")
        if self.verbosity >= Verbosity.VERBOSE and cache is not None:
            self.line(f"  {'cache':<12} {cache_reuse(cache)}")

    # -- output ------------------------------------------------------------------------------

    def style(self, kind: str, text: str) -> str:
        """Return TEXT in the colour of KIND, when colour is on."""
        return f"\x1b[{_STYLES[kind]}m{text}\x1b[0m" if self.colour else text

    def line(self, text: str) -> None:
        """Print a line above the progress bar (quiet prints none)."""
        if self.verbosity < Verbosity.NORMAL:
            return
        self.clear_bar()
        self.stream.write(f"charterpress: {text.rstrip()}\n")
        self.draw_bar("")

    def draw_bar(self, latest: str) -> None:
        """Redraw the progress bar of the MkDocs builds on the last line."""
        if not self.bar_shown:
            return
        done = sum(len(b.pages) for b in self.built.values())
        total = max(self.builds_expected, done, 1)
        filled = BAR_WIDTH * done // total
        text = f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done}/{total} MkDocs builds"
        if latest:
            text += f" ({latest})"
        # Carriage return and spaces only: no escape code, so NO_COLOR terminals get none.
        self.stream.write("\r" + text.ljust(self.bar_width))
        self.bar_width = len(text)
        self.stream.flush()

    def clear_bar(self) -> None:
        """Erase the progress bar, so that a line can take its place."""
        if self.bar_shown and self.bar_width:
            self.stream.write("\r" + " " * self.bar_width + "\r")
            self.bar_width = 0
            self.stream.flush()
