#!/usr/bin/env python3
"""Benchmark Charterpress on generated sites: validate, cold build, rebuilds, yardstick.

    python bench/run.py                      # N = 10, 50, 200; medians of 3 runs
    python bench/run.py --sizes 10,50 --repeat 5 --json bench/results.json
    python bench/run.py --big                # also N = 1000
    python bench/run.py --quick              # N = 10, once: a smoke test of the script

For each N, a site is generated (bench/generate.py) and measured, each measurement in a fresh
interpreter, so that every figure includes start-up and the peak memory is that run's own
(ru_maxrss of the child, from wait4; it includes the child's own children):

- validate: `build.py validate --no-cache` (every file read and checked); validate warm: a
  `build.py validate` after one that kept the site's sources (nothing changed between them);
- cold: `build.py build` into an output folder that does not exist, with no cache in the site
  (both sites, all languages);
- edit charter / translation / template: `build.py build` again over the last output, with the
  cache the earlier builds left, after changing an opening time of one charter, one Catalan
  translation, or one template (an HTML comment in the site's override of
  public/commitments.md.j2); each run makes a change never seen before, so no rebuild is served
  from the cache's copy of an earlier state;
- serve edit: a running `build.py serve` (started once, its first build not timed); the time
  from saving a charter edit (as edit charter) to the changed channels page of that charter
  served over HTTP (polled every 20 ms, the live-reload script left out of the comparison); its
  CPU and peak are the serve process's own (from /proc), not its pool's;
- yardstick: plain `mkdocs build` over the very mkdocs.yml projects the build generated, one
  after another. The projects live in a temporary folder during the build; one extra build, not
  timed, keeps a copy of each (it wraps mkdocs_site.build_project in its own process).

Printed as a table, and as JSON with --json. Figures, never assertions: they depend on the
machine.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BUILD_PY = str(REPO / "build.py")
GENERATE_PY = str(REPO / "bench" / "generate.py")
TODAY = "2026-06-01"  # generate.BUILD_DATE: after the last results period of the example
DEFAULT_SIZES = (10, 50, 200)
BIG_SIZE = 1000
TEMPLATE = "public/commitments.md.j2"
CACHE_DIR = ".charterpress-cache"  # charterpress.cache.CACHE_DIR


def settle(out: Path) -> None:
    """Wait until the previous build's old output is deleted.

    A build has its old output deleted by a process of its own, which holds the output's lock
    (publish.remove_later). Each measure starts once it is done, as after an author's pause:
    otherwise a build would be timed with the deletion of the one before.
    """
    sys.path.insert(0, str(REPO))
    from charterpress.publish import wait_until_free

    wait_until_free(out, wait=600)


@dataclass
class Run:
    """One child process: wall time, CPU time and peak memory."""

    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    # What the build cache reused, as `build --verbose` says it ("reused 5 of 10 MkDocs builds,
    # ..."); empty for anything but a build.
    reused: str = ""


@dataclass
class Measure:
    """Several runs of one measurement, and their medians."""

    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """Return the median wall time."""
        return statistics.median(r.seconds for r in self.runs) if self.runs else float("nan")

    @property
    def cpu_seconds(self) -> float:
        """Return the median CPU time (user + system), less sensitive to a busy machine."""
        return statistics.median(r.cpu_seconds for r in self.runs) if self.runs else float("nan")

    @property
    def max_rss_mb(self) -> float:
        """Return the highest peak memory of the runs."""
        return max((r.max_rss_mb for r in self.runs), default=float("nan"))

    def to_json(self) -> dict[str, Any]:
        """Return the runs and their medians as a JSON-ready mapping."""
        return {
            "median_seconds": round(self.seconds, 3),
            "median_cpu_seconds": round(self.cpu_seconds, 3),
            "peak_rss_mb": round(self.max_rss_mb, 1),
            "runs": [asdict(r) for r in self.runs],
        }


@dataclass
class SizeResult:
    """Every figure for one N."""

    charters: int
    texts: int = 0
    pages: int = 0
    public_pages: int = 0
    handbook_pages: int = 0
    output_bytes: int = 0
    projects: int = 0
    measures: dict[str, Measure] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the figures as a JSON-ready mapping."""
        return {
            "charters": self.charters,
            "texts": self.texts,
            "pages": self.pages,
            "public_pages": self.public_pages,
            "handbook_pages": self.handbook_pages,
            "output_bytes": self.output_bytes,
            "mkdocs_projects": self.projects,
            "measures": {name: m.to_json() for name, m in self.measures.items()},
        }


class BenchError(Exception):
    """A child process failed: the benchmark cannot go on."""


def child_env() -> dict[str, str]:
    """Return the environment of every child: Material's notice silenced, no stray date."""
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def timed(command: Sequence[str], *, cwd: Path | None = None) -> Run:
    """Run COMMAND; return its wall time, CPU time and peak memory, or raise BenchError."""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = output.decode("utf-8", "replace").strip().splitlines()[-15:]
        raise BenchError(f"{' '.join(command)} exited {process.returncode}:\n" + "\n".join(tail))
    reused = re.search(rb"^charterpress:\s+cache\s+(.*)$", output, flags=re.MULTILINE)
    # ru_maxrss is in kilobytes on Linux.
    return Run(
        round(seconds, 3),
        round(usage.ru_utime + usage.ru_stime, 3),
        round(usage.ru_maxrss / 1024, 1),
        reused.group(1).decode("utf-8", "replace").strip() if reused else "",
    )


def build_command(site: Path, out: Path) -> list[str]:
    """Return the command of a full build of SITE into OUT."""
    return [
        *(PYTHON, BUILD_PY, "build", "--site", str(site), "--out", str(out), "--today", TODAY),
        "--verbose",  # for its line on what the cache reused
    ]


# ---------------------------------------------------------------------------------------------
# The edits: each call makes a change never seen before, so that no rebuild can be served from
# the cache's copy of an earlier state (an edit undone is a cache hit, and would flatter it).

_EDIT_NUMBERS = itertools.count(1)


def toggle(path: Path, pattern: str, replace: Callable[[re.Match[str]], str]) -> None:
    """Rewrite the first match of PATTERN in PATH, or fail if there is none."""
    text = path.read_text(encoding="utf-8")
    changed, count = re.subn(pattern, replace, text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise BenchError(f"cannot find the text to edit in {path}")
    path.write_text(changed, encoding="utf-8")


def first_charter(site: Path) -> Path:
    """Return the first shops charter of SITE (one of its shops opens 10:00-21:00 on Mondays)."""
    return sorted((site / "charter").glob("shops-*.yml"))[0]


def edit_charter(site: Path) -> None:
    """Move one channel's Monday closing time to a minute it never had (20:59, 20:58, ...)."""
    minute = 59 - next(_EDIT_NUMBERS) % 60
    toggle(
        first_charter(site),
        r'^(\s+monday: )"10:00-2[01]:\d\d"',
        lambda m: f'{m.group(1)}"10:00-20:{minute:02d}"',
    )


def edit_translation(site: Path) -> None:
    """Put a new mark at the start of one Catalan translation ("*b ", "*c ", ...).

    Letters, not digits: a translation with a number its source lacks would be refused.
    """
    context = first_charter(site).stem + ":title"
    number, mark = next(_EDIT_NUMBERS), ""
    while number:
        number, letter = divmod(number, 26)
        mark += "abcdefghijklmnopqrstuvwxyz"[letter]
    toggle(
        site / "locales" / "ca" / "LC_MESSAGES" / "content.po",
        rf'^(msgctxt "{re.escape(context)}"\n(?:.*\n)*?msgstr ")(\*[a-z]* )?',
        lambda m: f"{m.group(1)}*{mark} ",
    )


def edit_template(site: Path) -> None:
    """Put a new numbered HTML comment at the end of the site's override of one template.

    The comment reaches every language's commitments pages (a Jinja comment would not: the
    cache would see no change at all).
    """
    number = next(_EDIT_NUMBERS)
    toggle(
        site / "templates" / TEMPLATE,
        r"(<!-- bench edit \d+ -->\n)?\Z",
        lambda m: f"<!-- bench edit {number} -->\n",
    )


def add_template_override(site: Path) -> None:
    """Give the site an unchanged override of TEMPLATE, which edit_template will change."""
    from_builtin = REPO / "templates" / TEMPLATE
    target = site / "templates" / TEMPLATE
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(from_builtin, target)


EDITS: dict[str, Callable[[Path], None]] = {
    "edit_charter": edit_charter,
    "edit_translation": edit_translation,
    "edit_template": edit_template,
}


# ---------------------------------------------------------------------------------------------
# The yardstick: keep the generated MkDocs projects, then build each with plain mkdocs

KEEP_SNIPPET = """
import shutil, sys
from pathlib import Path
from charterpress import cli, mkdocs_site

keep = Path(sys.argv[1])
original = mkdocs_site.build_project

def build_project(project, build_date, *args):
    kind = "handbook" if project.site_dir.parent.name == "handbook" else "public"
    shutil.copytree(project.config_file.parent, keep / f"{kind}-{project.site_dir.name}")
    return original(project, build_date, *args)

mkdocs_site.build_project = build_project
sys.argv = ["build.py", *sys.argv[2:]]
cli.run()
"""


def keep_projects(site: Path, out: Path, keep: Path) -> list[Path]:
    """Build once with every MkDocs project copied into KEEP; return their mkdocs.yml files."""
    shutil.rmtree(out, ignore_errors=True)
    keep.mkdir(parents=True)
    # Without the cache, so that every project is really built (and copied).
    command = [*build_command(site, out)[2:], "--no-cache", "--jobs", "1"]
    timed([PYTHON, "-c", KEEP_SNIPPET, str(keep), *command], cwd=REPO)
    return sorted(keep.glob("*/mkdocs.yml"))


def mkdocs_executable() -> str:
    """Return the mkdocs command of this interpreter's environment."""
    beside = Path(PYTHON).parent / "mkdocs"
    return str(beside) if beside.is_file() else "mkdocs"


def yardstick(configs: list[Path], target: Path) -> Run:
    """Build every project with plain `mkdocs build`, one after another; return the total."""
    runs = []
    for config in configs:
        site_dir = target / config.parent.name
        shutil.rmtree(site_dir, ignore_errors=True)
        runs.append(
            timed([mkdocs_executable(), "build", "-q", "-f", str(config), "-d", str(site_dir)])
        )
    return Run(
        round(sum(r.seconds for r in runs), 3),
        round(sum(r.cpu_seconds for r in runs), 3),
        max(r.max_rss_mb for r in runs),
    )


# ---------------------------------------------------------------------------------------------
# One size


def count_output(out: Path, result: SizeResult) -> None:
    """Record the page count and size of a built output folder."""
    files = [p for p in out.rglob("*") if p.is_file()]
    result.output_bytes = sum(p.stat().st_size for p in files)
    pages = [p for p in files if p.suffix == ".html"]
    result.pages = len(pages)
    result.public_pages = sum(1 for p in pages if p.relative_to(out).parts[0] == "public")
    result.handbook_pages = sum(1 for p in pages if p.relative_to(out).parts[0] == "handbook")


def progress(message: str) -> None:
    """Say what is being measured, on stderr."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


MEASURES = ("validate", "cold", "edits", "yardstick", "serve")


def record(result: SizeResult, name: str, which: str, run: Run) -> None:
    """Add RUN to the measurement NAME, and print it at once (a long run shows its progress)."""
    result.measures.setdefault(name, Measure()).runs.append(run)
    progress(
        f"N={result.charters}: {name} {which}: {run.seconds:.2f} s wall, "
        f"{run.cpu_seconds:.2f} s CPU, {run.max_rss_mb:.0f} MB peak"
        + (f"; cache {run.reused}" if run.reused else "")
    )


def measure_size(
    charters: int, repeat: int, work: Path, seed: int, measures: Sequence[str] = MEASURES
) -> SizeResult:
    """Generate a site of CHARTERS charters and take every measurement REPEAT times."""
    result = SizeResult(charters)
    site, out = work / f"site-{charters}", work / f"out-{charters}"
    progress(f"N={charters}: generating the site")
    generated = subprocess.run(
        [PYTHON, GENERATE_PY, str(site), "--charters", str(charters), "--seed", str(seed)],
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if generated.returncode != 0:
        raise BenchError(f"generate.py failed:\n{generated.stdout}{generated.stderr}")
    result.texts = int(re.search(r"(\d+) texts", generated.stdout).group(1))  # type: ignore[union-attr]
    add_template_override(site)

    if "validate" in measures:
        for index in range(repeat):
            # Every file read and checked: without the sources kept by an earlier run.
            command = [PYTHON, BUILD_PY, "validate", "--no-cache", "--site", str(site)]
            run = timed([*command, "--today", TODAY])
            record(result, "validate", f"{index + 1}/{repeat}", run)
        # Warm: what an author's next `validate` costs, the unchanged files reused from the
        # sources the previous run kept (a first run, not timed, keeps them).
        warm = [PYTHON, BUILD_PY, "validate", "--site", str(site), "--today", TODAY]
        timed(warm)
        for index in range(repeat):
            record(result, "validate_warm", f"{index + 1}/{repeat}", timed(warm))
    if "cold" in measures or "edits" in measures:
        for index in range(repeat if "cold" in measures else 1):
            settle(out)
            shutil.rmtree(out, ignore_errors=True)
            # Cold: no output and no cache (the build makes it again, for the rebuilds).
            shutil.rmtree(site / CACHE_DIR, ignore_errors=True)
            record(result, "cold_build", f"{index + 1}/{repeat}", timed(build_command(site, out)))
        count_output(out, result)
        progress(f"N={charters}: {result.pages} pages, {result.output_bytes / 1e6:.1f} MB")
    # The yardstick before the edits: it is what the cold build is compared with.
    if "yardstick" in measures:
        progress(f"N={charters}: keeping the MkDocs projects for the yardstick")
        configs = keep_projects(site, work / f"keep-out-{charters}", work / f"projects-{charters}")
        result.projects = len(configs)
        for index in range(repeat):
            run = yardstick(configs, work / f"yardstick-{charters}")
            record(result, "yardstick", f"{index + 1}/{repeat} ({len(configs)} projects)", run)
    if "serve" in measures:
        progress(f"N={charters}: starting serve")
        for index, run in enumerate(serve_edits(site, out, repeat, work)):
            record(result, "serve_edit", f"{index + 1}/{repeat}", run)
    for name, edit in EDITS.items() if "edits" in measures else ():
        for index in range(repeat):
            settle(out)
            edit(site)
            record(result, name, f"{index + 1}/{repeat}", timed(build_command(site, out)))
    return result


# ---------------------------------------------------------------------------------------------
# The edit seen in a running serve

SERVE_TIMEOUT = 600.0  # seconds for serve's first build, and for each edit to show


def _proc_figures(pid: int) -> tuple[float, float]:
    """Return the CPU seconds (user + system) and the peak memory in MB of the process PID."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    status = Path(f"/proc/{pid}/status").read_text()
    peak = re.search(r"^VmHWM:\s+(\d+) kB", status, flags=re.MULTILINE)
    return cpu, int(peak.group(1)) / 1024 if peak else float("nan")


def _page(url: str) -> bytes | None:
    """Return the page at URL without the live-reload script (it changes on every build)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body: bytes = response.read()
    except (urllib.error.URLError, OSError):
        return None
    # serve inserts the script just before </body>: the page is what comes before it.
    end = body.rfind(b"<script>\nvar livereload = function")
    return body[:end] if end >= 0 else body


def _serving_url(process: subprocess.Popen[bytes], log: Path) -> str:
    """Wait until serve announces its address in LOG; return it."""
    deadline = time.perf_counter() + SERVE_TIMEOUT
    while time.perf_counter() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        found = re.search(r"serving (http://\S+/)", text)
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise BenchError(f"serve exited {process.returncode}:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)
    raise BenchError(f"serve did not start within {SERVE_TIMEOUT:.0f} s")


def _monday_closing(site: Path) -> bytes:
    """Return the Monday closing time that edit_charter last wrote, as pages show it."""
    text = first_charter(site).read_text(encoding="utf-8")
    found = re.search(r'^\s+monday: "10:00-(2[01]:\d\d)"', text, flags=re.MULTILINE)
    if found is None:
        raise BenchError(f"no Monday hours in {first_charter(site)}")
    return found.group(1).encode()


def serve_edits(site: Path, out: Path, repeat: int, work: Path) -> list[Run]:
    """Time REPEAT charter edits from the save to the changed page served by a running serve."""
    charter = first_charter(site).stem
    pages = sorted((out / "public").glob(f"*/{charter}/channels/index.html"))
    if not pages:
        raise BenchError(f"no channels page of {charter} in {out}/public: build it first")
    path = "/" + pages[0].parent.relative_to(out / "public").as_posix() + "/"
    log = work / "serve.log"
    command = [PYTHON, BUILD_PY, "serve", "--site", str(site), "--port", "0", "--today", TODAY]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=child_env(), stdout=sink, stderr=sink)
    runs: list[Run] = []
    try:
        url = _serving_url(process, log) + path.lstrip("/")
        for _ in range(repeat):
            before = _page(url)
            if before is None:
                raise BenchError(f"serve does not serve {url}")
            cpu_before, _ = _proc_figures(process.pid)
            start = time.perf_counter()
            edit_charter(site)
            closing = _monday_closing(site)
            # Changed is not enough: the page must show the new closing time.
            while (now := _page(url)) is None or now == before or closing not in now:
                if time.perf_counter() - start > SERVE_TIMEOUT:
                    raise BenchError(f"the edit did not show at {url}")
                time.sleep(0.02)
            seconds = time.perf_counter() - start
            cpu_after, peak = _proc_figures(process.pid)
            runs.append(Run(round(seconds, 3), round(cpu_after - cpu_before, 3), round(peak, 1)))
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return runs


# ---------------------------------------------------------------------------------------------
# Reporting

COLUMNS: tuple[tuple[str, Callable[[SizeResult], str]], ...] = (
    ("N", lambda r: str(r.charters)),
    ("pages", lambda r: str(r.pages)),
    ("out MB", lambda r: f"{r.output_bytes / 1e6:.1f}"),
    ("validate s", lambda r: _seconds(r, "validate")),
    ("validate warm s", lambda r: _seconds(r, "validate_warm")),
    ("cold s", lambda r: _seconds(r, "cold_build")),
    ("cold cpu s", lambda r: _cpu(r, "cold_build")),
    ("charter edit s", lambda r: _seconds(r, "edit_charter")),
    ("transl. edit s", lambda r: _seconds(r, "edit_translation")),
    ("template edit s", lambda r: _seconds(r, "edit_template")),
    ("charter edit/cold", lambda r: _ratio(r, "edit_charter", "cold_build")),
    ("serve edit s", lambda r: _seconds(r, "serve_edit")),
    ("yardstick s", lambda r: _seconds(r, "yardstick")),
    ("yardstick cpu s", lambda r: _cpu(r, "yardstick")),
    ("cold/yardstick", lambda r: _ratio(r, "cold_build", "yardstick")),
    ("peak MB", lambda r: _peak(r)),
)


def _seconds(result: SizeResult, name: str) -> str:
    measure = result.measures.get(name)
    return f"{measure.seconds:.2f}" if measure and measure.runs else "-"


def _cpu(result: SizeResult, name: str) -> str:
    measure = result.measures.get(name)
    return f"{measure.cpu_seconds:.2f}" if measure and measure.runs else "-"


def _ratio(result: SizeResult, name: str, base: str) -> str:
    """Return the median wall time of NAME divided by that of BASE."""
    measure, by = result.measures.get(name), result.measures.get(base)
    if not (measure and measure.runs and by and by.runs):
        return "-"
    return f"{measure.seconds / by.seconds:.2f}"


def _peak(result: SizeResult) -> str:
    peaks = [m.max_rss_mb for k, m in result.measures.items() if k != "yardstick" and m.runs]
    return f"{max(peaks):.0f}" if peaks else "-"


def table(results: list[SizeResult]) -> str:
    """Return the figures as a Markdown table."""
    header = [name for name, _ in COLUMNS]
    rows = [[cell(r) for _, cell in COLUMNS] for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines)


def reuse_lines(results: list[SizeResult]) -> list[str]:
    """Return what the cache reused in the last run of each rebuild, a line each."""
    return [
        f"N={r.charters} {name}: {measure.runs[-1].reused}"
        for r in results
        for name, measure in r.measures.items()
        if measure.runs and measure.runs[-1].reused and name != "cold_build"
    ]


def package_version(name: str) -> str:
    """Return the installed version of a distribution, or '-'."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def machine() -> dict[str, Any]:
    """Describe the machine and the software measured."""
    memory = "-"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    packages = ("mkdocs", "mkdocs-material", "markdown", "jinja2", "pydantic", "babel", "pyyaml")
    return {
        "nproc": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "packages": {name: package_version(name) for name in packages},
    }


@contextlib.contextmanager
def work_folder(keep: Path | None) -> Iterator[Path]:
    """Yield the folder of the generated sites: KEEP, else a temporary one removed at the end."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="charterpress-bench-") as folder:
        yield Path(folder)


def parse_sizes(text: str) -> list[int]:
    """Parse '10,50,200' into sizes."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes are whole numbers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes are whole numbers from 1")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, measure, print the table (and the JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=parse_sizes, help="charter counts, e.g. 10,50 (default: 10,50,200)"
    )
    parser.add_argument("--big", action="store_true", help=f"also N = {BIG_SIZE}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--quick", action="store_true", help="once, N = 10 unless --sizes: a smoke test"
    )
    parser.add_argument(
        "--measure",
        default=",".join(MEASURES),
        help=f"what to measure, comma-separated (default: {','.join(MEASURES)}); "
        "edits need one cold build",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--keep", type=Path, help="generate and build in this folder, and keep it")
    args = parser.parse_args(argv)
    default = [10] if args.quick else list(DEFAULT_SIZES)
    sizes: list[int] = list(args.sizes) if args.sizes else default
    if args.big and BIG_SIZE not in sizes:
        sizes.append(BIG_SIZE)
    repeat = 1 if args.quick else max(1, args.repeat)
    measures = [m.strip() for m in args.measure.split(",") if m.strip()]
    unknown = sorted(set(measures) - set(MEASURES))
    if unknown:
        parser.error(f"unknown measures {', '.join(unknown)}; choose from {', '.join(MEASURES)}")
    load_before = [round(x, 2) for x in os.getloadavg()]

    results: list[SizeResult] = []
    try:
        with work_folder(args.keep) as work:
            for charters in sizes:
                results.append(measure_size(charters, repeat, work, args.seed, measures))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    about = machine()
    print(
        f"Charterpress benchmark: median of {repeat} run(s); {about['nproc']} CPUs, "
        f"{about['memory']}, Python {about['python']}; load average {load_before[0]} before, "
        f"{about['load_average'][0]} after (wall times grow with it; CPU times much less)"
    )
    print(table(results))
    for line in reuse_lines(results):
        print(line)
    if args.json:
        document = {
            "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
            "today": TODAY,
            "repeat": repeat,
            "machine": about,
            "load_average_before": load_before,
            "sizes": [r.to_json() for r in results],
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
