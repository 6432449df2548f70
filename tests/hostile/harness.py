"""Run the hostile corpus: copy the base site, apply one case, run a command under limits.

Each case of cases.yml replaces or patches one file of a copy of base/ (or makes a huge file, a
symbolic link, ...), then runs one command of build.py on it. The commands run in a runner process
started with `resource.setrlimit` limits on CPU seconds and address space (set in a preexec_fn);
the runner imports Charterpress once and forks one child per case, so that every case runs in
its own process under the same limits, and starting Python and importing pydantic is paid once.

Used by tests/test_hostile.py (which asserts the diagnostics) and bench/hostile.py (which prints
the time and memory each case took).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BASE = HERE / "base"
CASES_FILE = HERE / "cases.yml"

BUILD_DATE = "2026-11-23"
BUILD_EPOCH = "1795392000"  # 2026-11-23T00:00:00Z

# Validating (or checking the catalogs of) the real example site needs about 1.2 s of CPU and
# 56 MiB resident; building it, about 8 s and 90 MiB (bench/hostile.py --example). The limits
# leave a margin of four times that, yet a 50 MB file parsed in full (a 50 MB catalog: over 10 s
# and 600 MiB; a 50 MB YAML file read by PyYAML: as long) or an alias bomb expanded in full hits
# them.
CPU_SECONDS = 5
ADDRESS_SPACE = 1024 * 1024 * 1024  # 1 GiB
BUILD_CPU_SECONDS = 40
BUILD_ADDRESS_SPACE = 2 * 1024 * 1024 * 1024

# A process that hangs (pydantic-core deadlocks when an allocation fails under the address-space
# limit) uses no CPU, so the CPU limit never ends it: a wall-clock limit does, generously.
WALL_SECONDS = 120

HUGE_BYTES = 50 * 1024 * 1024

COMMANDS: dict[str, list[str]] = {
    "validate": ["validate", "--today", BUILD_DATE],
    "i18n-check": ["i18n", "check", "--domain", "content"],
    "build": ["build", "--today", BUILD_DATE],
}


@dataclass(frozen=True)
class Case:
    """One hostile input and the diagnostics it must produce."""

    id: str
    category: str
    command: str
    file: str  # the file of the site the case replaces, patches or creates
    expect: tuple[str, ...]  # "CODE file:line:column" (or "CODE file" when it has no line)
    source: str | None = None  # a corpus file that replaces FILE
    replace: tuple[tuple[str, str], ...] = ()  # substitutions in the base's FILE
    generate: str | None = None  # the name of a generator of FILE (huge files, bombs)
    symlink: str | None = None  # FILE becomes a symbolic link to this target
    message: str | None = None  # a fragment the first expected diagnostic's message must hold
    isolated: bool = False  # resource-sensitive: bombs, huge files, deep nesting
    count: int | None = None  # the number of diagnostics, when EXPECT lists only the first ones
    known_bug: str | None = None  # a bug found by the case, not fixed yet: the test is an xfail

    def prepare(self, root: Path) -> Path:
        """Make the case's site under ROOT and return its folder."""
        site = root / self.id
        shutil.copytree(BASE, site, symlinks=True)
        target = site / self.file
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.source is not None:
            target.unlink(missing_ok=True)
            shutil.copyfile(HERE / self.source, target)
        if self.replace:
            text = target.read_bytes().decode("utf-8")
            for old, new in self.replace:
                if text.count(old) != 1:
                    raise ValueError(f"{self.id}: '{old}' is not once in {self.file}")
                text = text.replace(old, new)
            target.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        if self.generate is not None:
            target.unlink(missing_ok=True)
            GENERATORS[self.generate](target)
        if self.symlink is not None:
            target.unlink(missing_ok=True)
            target.symlink_to(self.symlink)
        return site

    def argv(self, site: Path) -> list[str]:
        """Return the arguments of build.py for this case."""
        extra = ["--out", str(site.parent / f"{self.id}.out")] if self.command == "build" else []
        return [*COMMANDS[self.command], "--site", str(site), *extra]


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    """Read the manifest of the corpus."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for category, entries in data.items():
        for entry in entries:
            fields = dict(entry)
            fields["expect"] = tuple(fields["expect"])
            # Escapes let the manifest spell bytes a YAML file cannot hold (\udcXX = raw byte).
            fields["replace"] = tuple(tuple(pair) for pair in fields.get("replace", ()))
            cases.append(Case(category=category, **fields))
    ids = [c.id for c in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"case ids used twice: {sorted(duplicates)}")
    return cases


# ---------------------------------------------------------------------------------------------
# Generated files: too big, too repetitive or too binary to commit


def _huge_yaml(target: Path) -> None:
    """Write 50 MB of well-formed YAML, streamed, so no copy of it is ever in memory."""
    line = b"  - id: value-%08d\n    text: Lorem ipsum dolor sit amet, consectetur adipiscing.\n"
    with target.open("wb") as out:
        out.write(b"title: A charter padded to 50 MB\nvalues:\n")
        written, n = 0, 0
        while written < HUGE_BYTES:
            chunk = b"".join(line % (n + i) for i in range(4096))
            out.write(chunk)
            written += len(chunk)
            n += 4096


def _sparse(target: Path) -> None:
    """Make a 50 MB file of NUL bytes that takes no disk space (a sparse file)."""
    with target.open("wb") as out:
        out.truncate(HUGE_BYTES)


def _one_long_line(target: Path) -> None:
    """Write a 50 MB file that is a single line: one key whose value never ends."""
    with target.open("wb") as out:
        out.write(b"title: ")
        block = b"x" * (1024 * 1024)
        for _ in range(50):
            out.write(block)
        out.write(b"\n")


def _config_with_languages(target: Path, languages: bytes) -> None:
    with target.open("wb") as out:
        out.write(b"organisation:\n  name: Desk\n  legal_name: Desk Services, Lda.\n")
        out.write(b"base_url: https://desk.example/\nsource_language: en\n")
        out.write(b"time_zone: Europe/Lisbon\nholidays: PT\nlanguages:")
        out.write(languages)


def _million_values(target: Path) -> None:
    """Write a 2 MB site_config.yml (under the size limit) whose list holds a million numbers."""
    _config_with_languages(target, b" [" + b"1," * 999_999 + b"1]\n")


def _many_wrong_values(target: Path) -> None:
    """Write a site_config.yml whose list holds 40,000 numbers where language codes belong."""
    _config_with_languages(target, b"\n" + b"  - 1\n" * 40_000)


def _huge_po(target: Path) -> None:
    """Write a 50 MB catalog of well-formed entries, streamed."""
    base = (BASE / "locales/pt_PT/LC_MESSAGES/content.po").read_bytes()
    entry = b'\nmsgctxt "padding:%08d"\nmsgid "Padding text number %08d, never shown."\nmsgstr ""\n'
    with target.open("wb") as out:
        out.write(base)
        written, n = len(base), 0
        while written < HUGE_BYTES:
            chunk = b"".join(entry % (n + i, n + i) for i in range(4096))
            out.write(chunk)
            written += len(chunk)
            n += 4096


def _markup_flood(target: Path) -> None:
    """Write the base catalog with one 600 kB translation of "](", "<a" and one long word."""
    base = (BASE / "locales/pt_PT/LC_MESSAGES/content.po").read_text(encoding="utf-8")
    flood = "Telefone " + "](" * 100_000 + " " + "<a" * 100_000 + " " + "a" * 200_000
    target.write_text(base.replace('msgstr "Telefone"', f'msgstr "{flood}"'), encoding="utf-8")


def _deep_flow(target: Path) -> None:
    """Write a key whose value is 100,000 nested flow lists: '[[[[...]]]]'."""
    target.write_text("title: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")


def _deep_block(target: Path) -> None:
    """Write 2,000 nested block mappings, one more space of indentation each."""
    lines = ["title: A charter"]
    lines += [" " * i + f"k{i}:" for i in range(2000)]
    target.write_text("\n".join(lines) + " leaf\n", encoding="utf-8")


def _wide_bomb(target: Path) -> None:
    """Write an alias bomb of 20 levels, each list holding the one before it ten times."""
    lines = ["title: A charter", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 20):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "huge_yaml": _huge_yaml,
    "sparse": _sparse,
    "one_long_line": _one_long_line,
    "million_values": _million_values,
    "many_wrong_values": _many_wrong_values,
    "huge_po": _huge_po,
    "markup_flood": _markup_flood,
    "deep_flow": _deep_flow,
    "deep_block": _deep_block,
    "wide_bomb": _wide_bomb,
}


# ---------------------------------------------------------------------------------------------
# Running cases under limits


@dataclass
class Outcome:
    """How one case's command ended, and what it cost."""

    id: str
    returncode: int  # negative: killed by that signal
    stdout: str
    stderr: str
    seconds: float  # CPU time, user + system
    max_rss_kb: int
    diagnostics: list[str] = field(default_factory=list)  # "CODE file:line:column"
    messages: list[str] = field(default_factory=list)


def limits_for(argv: Sequence[str]) -> tuple[int, int]:
    """Return the CPU seconds and address space a command of build.py may use."""
    if argv[:1] == ["build"]:
        return BUILD_CPU_SECONDS, BUILD_ADDRESS_SPACE
    return CPU_SECONDS, ADDRESS_SPACE


def set_limits(cpu_seconds: int, address_space: int) -> None:
    """Limit CPU time and address space of the calling process (a preexec_fn)."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))


_DIAGNOSTIC_LINE = re.compile(
    r"^(?P<where>\S.*?): (?P<level>error|warning)\[(?P<code>CP\d{3})\]: (?P<message>.*)$"
)


def parse_diagnostics(stderr: str) -> tuple[list[str], list[str]]:
    """Return 'CODE where' and the message of every diagnostic a command printed."""
    found, messages = [], []
    for line in stderr.splitlines():
        match = _DIAGNOSTIC_LINE.match(line)
        if match:
            found.append(f"{match['code']} {match['where']}")
            messages.append(match["message"])
    return found, messages


def run_cases(
    jobs: Sequence[tuple[str, list[str]]],
    *,
    fork: bool = True,
    timeout: float = 600,
) -> list[Outcome]:
    """Run each (id, argv) job of build.py in a child under its limits; return the outcomes.

    The runner starts under the widest limits (a preexec_fn); each child lowers them to its own
    command's (limits_for) before it runs. A forked child's CPU time starts from zero.
    """
    widest = max(limits_for(argv) for _, argv in jobs)
    with tempfile.TemporaryDirectory(prefix="hostile-run-") as scratch:
        jobs_file = Path(scratch) / "jobs.json"
        jobs_file.write_text(json.dumps({"fork": fork, "jobs": list(jobs)}), encoding="utf-8")
        env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, "NO_MKDOCS_2_WARNING": "1"}
        env.pop("PYTHONSTARTUP", None)
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), str(jobs_file), scratch],
            preexec_fn=lambda: set_limits(*widest),
            env=env,
            cwd=scratch,
            check=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        results = json.loads((Path(scratch) / "results.json").read_text(encoding="utf-8"))
    outcomes = []
    for result in results:
        outcome = Outcome(**result)
        outcome.diagnostics, outcome.messages = parse_diagnostics(outcome.stderr)
        outcomes.append(outcome)
    return outcomes


def _child(argv: list[str], out: Path, err: Path) -> None:
    """Run build.py with ARGV in this (forked) process and exit with its status."""
    code = 2
    set_limits(*limits_for(argv))
    with out.open("wb") as stdout, err.open("wb") as stderr:
        os.dup2(stdout.fileno(), 1)
        os.dup2(stderr.fileno(), 2)
    try:
        if argv[:1] == ["--python"]:  # a positive control: plain Python under the same limits
            sys.argv = ["-c", *argv[2:]]
            exec(compile(argv[1], "<control>", "exec"), {"__name__": "__main__"})
        else:
            from charterpress.cli import run

            sys.argv = ["build.py", *argv]
            run()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # a bug that escaped the CLI's guard: show it, as Python would
        import traceback

        traceback.print_exc()
        code = 3
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _wait(pid: int) -> tuple[int, Any]:
    """Wait for PID; kill it if it outlives WALL_SECONDS (a hang uses no CPU: no limit ends it)."""
    deadline = time.monotonic() + WALL_SECONDS
    while True:
        found, status, usage = os.wait4(pid, os.WNOHANG)
        if found:
            return status, usage
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return status, usage
        time.sleep(0.01)


def _run_one(job_id: str, argv: list[str], scratch: Path, fork: bool) -> dict[str, Any]:
    out, err = scratch / f"{job_id}.out", scratch / f"{job_id}.err"
    if fork:
        pid = os.fork()
        if pid == 0:
            _child(argv, out, err)
        status, usage = _wait(pid)
    else:
        with out.open("wb") as stdout, err.open("wb") as stderr:
            command = (
                [sys.executable, "-c", *argv[1:]]
                if argv[:1] == ["--python"]
                else [sys.executable, str(REPO / "build.py"), *argv]
            )
            process = subprocess.Popen(
                command,
                stdout=stdout,
                stderr=stderr,
                preexec_fn=lambda: set_limits(*limits_for(argv)),
            )
            status, usage = _wait(process.pid)
            process.returncode = os.waitstatus_to_exitcode(status)
    returncode = os.waitstatus_to_exitcode(status)
    return {
        "id": job_id,
        "returncode": returncode,
        "stdout": out.read_bytes().decode("utf-8", errors="replace"),
        "stderr": err.read_bytes().decode("utf-8", errors="replace"),
        "seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "max_rss_kb": usage.ru_maxrss,
    }


def _runner(jobs_file: Path, scratch: Path) -> None:
    """Run the jobs of JOBS_FILE one after the other, each in its own child process."""
    spec = json.loads(jobs_file.read_text(encoding="utf-8"))
    sys.path.insert(0, str(REPO))
    if spec["fork"]:
        # Import once, before forking: each child then starts with everything loaded.
        import charterpress.cli
        import charterpress.cli_build
        import charterpress.cli_i18n
        import charterpress.i18n
        import charterpress.validate  # noqa: F401
    results = [_run_one(job_id, argv, scratch, spec["fork"]) for job_id, argv in spec["jobs"]]
    (scratch / "results.json").write_text(json.dumps(results), encoding="utf-8")


def prepare_all(cases: Iterable[Case], root: Path) -> list[tuple[Case, list[str]]]:
    """Make every case's site under ROOT; return each case with its build.py arguments."""
    return [(case, case.argv(case.prepare(root))) for case in cases]


def as_dict(outcome: Outcome) -> dict[str, Any]:
    """Return an outcome as plain data."""
    return dataclasses.asdict(outcome)


if __name__ == "__main__":
    _runner(Path(sys.argv[1]), Path(sys.argv[2]))
