"""What `build` prints: a line per stage with counts and times, a progress bar on a terminal, a
summary; --quiet and --verbose; colour only on a terminal and never under NO_COLOR."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from charterpress import progress
from charterpress.cli import main
from charterpress.progress import TerminalReporter, Verbosity, cache_reuse, wants_colour

REPO = Path(__file__).resolve().parent.parent
MINIMAL = Path(__file__).resolve().parent / "roots" / "minimal"
TODAY = "2026-06-15"
# Neither the environment of the person running the tests nor CI's may decide about colour.
PLAIN_ENV: dict[str, str | None] = {"NO_COLOR": None, "FORCE_COLOR": None, "TERM": "xterm"}
TIME = re.compile(r"\d+\.\d+ s\b")
ESCAPE = "\x1b"


class FakeClock:
    """A clock that advances by a quarter of a second each time it is read."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 0.25
        return self.now


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def stage_events(reporter: progress.Reporter, order: list[tuple[str, str]]) -> None:
    """Send the events of a two-language build, the MkDocs builds finishing in ORDER."""
    reporter.start(progress.LOAD)
    reporter.finish(progress.LOAD, files=4)
    reporter.start(progress.RENDER)
    reporter.finish(progress.RENDER, languages=2, pages=60)
    reporter.expect_builds(4, 60)
    reporter.start(progress.MKDOCS_PUBLIC)
    for site, language in order:
        reporter.edition_built(site, language, 30 if site == progress.PUBLIC_SITE else 7)
    reporter.finish(progress.MKDOCS_PUBLIC)


def reporter_on(stream: io.StringIO, verbosity: Verbosity = Verbosity.NORMAL) -> TerminalReporter:
    return TerminalReporter(verbosity, stream=stream, environ={"TERM": "xterm"}, clock=FakeClock())


def test_a_line_per_stage_with_counts_and_times() -> None:
    stream = io.StringIO()
    reporter = reporter_on(stream)
    stage_events(reporter, [("public", "en"), ("public", "pt")])
    assert stream.getvalue().splitlines() == [
        "charterpress: load             4 files                                     0.25 s",
        "charterpress: render           2 languages, 60 pages                       0.25 s",
        "charterpress: mkdocs public    2 builds, 60 pages                          0.25 s",
    ]


def test_built_editions_may_arrive_in_any_order() -> None:
    builds = [("handbook", "pt"), ("public", "pt"), ("handbook", "en"), ("public", "en")]
    outputs = []
    for order in (builds, builds[::-1], sorted(builds)):
        stream = io.StringIO()
        reporter = reporter_on(stream, Verbosity.NORMAL)
        stage_events(reporter, order)
        reporter.summary(Path("out"), ["en", "pt-PT"], warnings=1)
        outputs.append(TIME.sub("T", stream.getvalue()))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0].splitlines()[-3:] == [
        "charterpress: built en, pt-PT into out/public (1 warning) in T",
        "charterpress:   public site  2 languages, 60 pages in out/public",
        "charterpress:   handbook     2 languages, 14 pages in out/handbook "
        "(staff only: never publish it)",
    ]


def test_verbose_prints_each_mkdocs_build() -> None:
    stream = io.StringIO()
    stage_events(reporter_on(stream, Verbosity.VERBOSE), [("public", "pt"), ("public", "en")])
    lines = stream.getvalue().splitlines()
    assert lines[2:4] == [
        "charterpress:   built public/pt: 30 pages",
        "charterpress:   built public/en: 30 pages",
    ]


def test_quiet_prints_nothing() -> None:
    stream = Terminal()
    reporter = reporter_on(stream, Verbosity.QUIET)
    stage_events(reporter, [("public", "en"), ("public", "pt")])
    reporter.summary(Path("out"), ["en"], warnings=0)
    assert stream.getvalue() == ""


def test_a_terminal_gets_colour_and_a_progress_bar_that_is_erased() -> None:
    stream = Terminal()
    reporter = reporter_on(stream)
    stage_events(reporter, [("public", "en"), ("public", "pt")])
    text = stream.getvalue()
    assert "\x1b[1;36mload" in text
    assert "\r[############------------] 2/4 MkDocs builds (public/pt)" in text
    # Each line replaces the bar: the bar's last drawing is erased before it.
    assert "\r" + " " * len("[############------------] 2/4 MkDocs builds (public/pt)") + "\r" in (
        text
    )


def test_a_small_build_on_a_terminal_has_no_progress_bar() -> None:
    stream = Terminal()
    reporter = reporter_on(stream)
    reporter.expect_builds(2, 12)
    reporter.edition_built("public", "en", 6)
    reporter.edition_built("handbook", "en", 6)
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    ("terminal", "environ", "colour"),
    [
        (True, {"TERM": "xterm"}, True),
        (False, {"TERM": "xterm"}, False),
        (True, {"TERM": "dumb"}, False),
        (True, {"TERM": "xterm", "NO_COLOR": "1"}, False),
        (True, {"TERM": "xterm", "NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        # An empty NO_COLOR does not count (no-color.org).
        (True, {"TERM": "xterm", "NO_COLOR": ""}, True),
        (False, {"FORCE_COLOR": "1"}, True),
        (True, {"TERM": "xterm", "FORCE_COLOR": "0"}, True),
    ],
)
def test_colour_only_on_a_terminal_and_never_under_no_color(
    terminal: bool, environ: dict[str, str], colour: bool
) -> None:
    stream = Terminal() if terminal else io.StringIO()
    assert wants_colour(stream, environ) is colour


def test_no_color_on_a_terminal_keeps_the_bar_without_escape_codes() -> None:
    stream = Terminal()
    reporter = TerminalReporter(
        stream=stream, environ={"TERM": "xterm", "NO_COLOR": "1"}, clock=FakeClock()
    )
    stage_events(reporter, [("public", "en"), ("public", "pt")])
    text = stream.getvalue()
    assert "MkDocs builds" in text
    assert ESCAPE not in text


# ---------------------------------------------------------------------------------------------
# The command


def build(tmp_path: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    """Run `build` of a copy of the minimal site in this process (stderr is not a terminal).

    A copy: the build keeps its cache in the site's folder, and the test roots stay as in git.
    """
    out, site = tmp_path / "out", tmp_path / "site"
    if not site.exists():
        shutil.copytree(MINIMAL, site)
    return CliRunner().invoke(
        main,
        ["build", "--site", str(site), "--out", str(out), "--today", TODAY, *args],
        env={**PLAIN_ENV, **(env or {})},
        catch_exceptions=False,
    )


def progress_lines(stderr: str) -> list[str]:
    """Return the lines of stderr that are not diagnostics, their times normalised."""
    return [TIME.sub("T", line) for line in stderr.splitlines() if line.startswith("charterpress:")]


def test_build_prints_its_stages_and_a_summary(tmp_path: Path) -> None:
    result = build(tmp_path)
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "out"
    assert progress_lines(result.stderr) == [
        "charterpress: load             2 files                                     T",
        "charterpress: validate         1 charter, no procedures, no results        T",
        "charterpress: languages        2 languages: en, pt-PT                      T",
        "charterpress: render           2 languages, 10 pages                       T",
        # The handbook renders and builds while the public projects build (a pool): its line
        # comes first, then the public site's, whose exports follow its builds.
        "charterpress: mkdocs handbook  2 builds, 10 pages                          T",
        "charterpress: mkdocs public    2 builds, 10 pages                          T",
        "charterpress: exports          4 files                                     T",
        f"charterpress: publish          {out!s:<43} T",
        f"charterpress: built en, pt-PT into {out / 'public'} (8 warnings) in T",
        f"charterpress:   public site  2 languages, 10 pages in {out / 'public'}",
        f"charterpress:   handbook     2 languages, 10 pages in {out / 'handbook'} "
        "(staff only: never publish it)",
    ]
    # Not a terminal: no colour, no progress bar.
    assert ESCAPE not in result.stderr
    assert "\r" not in result.stderr
    # The diagnostics come before the summary, in their usual form.
    assert result.stderr.index("charter/help.yml:1:8: warning[CP610]: ") < result.stderr.index(
        "charterpress: built"
    )


def test_quiet_build_prints_only_diagnostics(tmp_path: Path) -> None:
    result = build(tmp_path, "--quiet")
    assert result.exit_code == 0, result.stderr
    assert progress_lines(result.stderr) == []
    assert result.stderr.startswith("charter/help.yml:1:8: warning[CP610]: ")
    assert (tmp_path / "out" / "public" / "en" / "index.html").is_file()


def test_quiet_and_verbose_together_are_refused(tmp_path: Path) -> None:
    result = build(tmp_path, "--quiet", "--verbose")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error[CP901]: --quiet and --verbose contradict each other\n  = hint: choose one\n"
    )


def build_invalid(tmp_path: Path, env: dict[str, str | None]) -> Result:
    """Run `build` of a site with a mistake: it stops after validation, before MkDocs."""
    site = tmp_path / "site"
    shutil.copytree(MINIMAL, site)
    path = site / "charter" / "help.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: Help desk charter", "title: 12"),
        encoding="utf-8",
    )
    return CliRunner().invoke(
        main,
        ["build", "--site", str(site), "--out", str(tmp_path / "out"), "--today", TODAY],
        env={**PLAIN_ENV, **env},
        catch_exceptions=False,
    )


def test_a_failed_build_says_where_it_stopped_and_what_is_wrong(tmp_path: Path) -> None:
    result = build_invalid(tmp_path, {})
    out = tmp_path / "out"
    assert result.exit_code == 1
    lines = progress_lines(result.stderr)
    assert lines[:2] == [
        "charterpress: load             2 files                                     T",
        "charterpress: validate         problems found                              T",
    ]
    assert lines[-1].endswith("; nothing was written")
    assert "charter/help.yml:1:8: error[CP" in result.stderr
    assert not out.exists()


def test_the_command_reads_force_color_and_no_color(tmp_path: Path) -> None:
    forced = build_invalid(tmp_path / "forced", {"FORCE_COLOR": "1"})
    assert "charterpress: \x1b[1;36mvalidate" in forced.stderr
    refused = build_invalid(tmp_path / "refused", {"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "charterpress: validate" in refused.stderr
    assert ESCAPE not in refused.stderr


def test_on_a_terminal_the_build_has_colour_and_a_progress_bar(tmp_path: Path) -> None:
    """Run `python build.py build` with its stderr on a pseudo-terminal, as a person would."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    command = [
        sys.executable,
        str(REPO / "build.py"),
        "build",
        "--site",
        str(MINIMAL),
        "--no-cache",
    ]
    with subprocess.Popen(
        [*command, "--out", str(tmp_path / "out"), "--today", TODAY],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env={**env, "TERM": "xterm"},
    ) as child:
        os.close(slave)
        received = b""
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            assert ready, "the build printed nothing for 2 minutes"
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            received += chunk
        assert child.wait(timeout=120) == 0
    os.close(master)
    text = received.decode("utf-8")
    assert "\x1b[1;36mmkdocs public" in text
    assert "\x1b[1;32mbuilt\x1b[0m en, pt-PT into" in text
    # The bar counts the projects in the order the pool finishes them, which is not fixed.
    bars = re.findall(r"\r\[([#-]{24})\] (\d)/4 MkDocs builds \((\w+/\w+)\)", text)
    assert [(bar.count("#"), int(done)) for bar, done, _ in bars] == [
        (6, 1),
        (12, 2),
        (18, 3),
        (24, 4),
    ]
    assert sorted(name for _, _, name in bars) == [
        "handbook/en",
        "handbook/pt",
        "public/en",
        "public/pt",
    ]


def test_cache_reuse_names_each_stage_with_what_it_reused() -> None:
    stats = Counter(hits=3, misses=7, page_hits=940, page_misses=60, stores=7, corrupt=1)
    stats.update({"render_hits": 8, "render_misses": 2, "render-reads_hits": 10})
    stats.update(catalog_misses=1, other_hits=1)
    assert cache_reuse(stats) == (
        "reused 8 of 10 rendered pages, 3 of 10 MkDocs builds, 940 of 1000 built pages, "
        "1 of 1 other"
    )
    assert cache_reuse(Counter(render_misses=4)) == "reused 0 of 4 rendered pages"
    assert cache_reuse(Counter()) == "not used (--no-cache)"


def test_verbose_summary_says_what_the_cache_reused() -> None:
    stream = io.StringIO()
    reporter = reporter_on(stream, Verbosity.VERBOSE)
    reporter.summary(Path("missing-out"), ["en"], warnings=0, cache=Counter(hits=1, misses=1))
    assert (
        stream.getvalue().splitlines()[-1]
        == "charterpress:   cache        reused 1 of 2 MkDocs builds"
    )
    stream = io.StringIO()
    reporter_on(stream, Verbosity.NORMAL).summary(
        Path("missing-out"), ["en"], warnings=0, cache=Counter(hits=1)
    )
    assert "cache" not in stream.getvalue()
