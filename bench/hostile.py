#!/usr/bin/env python3
"""Print the CPU time and peak memory of every hostile case, and how each one ended.

    python bench/hostile.py                 # every case, each in a fresh interpreter
    python bench/hostile.py --fork          # as the tests run them: forked from one runner
    python bench/hostile.py --only huge     # the cases whose id or category holds 'huge'
    python bench/hostile.py --show          # also print the diagnostics each case gave
    python bench/hostile.py --example       # also the real example site, for the margin

Each case runs under the same limits as in tests/test_hostile.py (harness.limits_for). The
figures are the child's own: CPU seconds (user + system) and peak resident memory (ru_maxrss;
with --fork it includes what the runner had loaded before forking). Printed, never asserted:
they depend on the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "hostile"))

import harness  # noqa: E402


def _as_expected(case: harness.Case, found: list[str]) -> bool:
    if case.count is None:
        return tuple(found) == case.expect
    return tuple(found[: len(case.expect)]) == case.expect and len(found) == case.count


def main() -> None:
    """Run the cases and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fork", action="store_true", help="fork each case from one runner")
    parser.add_argument("--only", default="", help="run the cases whose id or category holds this")
    parser.add_argument("--show", action="store_true", help="print each case's diagnostics")
    parser.add_argument("--example", action="store_true", help="also validate the example site")
    args = parser.parse_args()
    cases = [c for c in harness.load_cases() if args.only in c.id or args.only in c.category]
    with tempfile.TemporaryDirectory(prefix="hostile-bench-") as tmp:
        prepared = harness.prepare_all(cases, Path(tmp))
        jobs = [(case.id, argv) for case, argv in prepared]
        if args.example:
            for name, command in (
                ("(example: validate)", "validate"),
                ("(example: build)", "build"),
            ):
                argv = [*harness.COMMANDS[command], "--site", str(REPO)]
                if command == "build":
                    argv += ["--out", str(Path(tmp) / "example.out")]
                jobs.append((name, argv))
        outcomes = harness.run_cases(jobs, fork=args.fork)
    expected = {case.id: case for case in cases}
    space, build_space = harness.ADDRESS_SPACE // 2**20, harness.BUILD_ADDRESS_SPACE // 2**20
    print(
        f"limits: {harness.CPU_SECONDS} s of CPU and {space} MiB of address space "
        f"({harness.BUILD_CPU_SECONDS} s and {build_space} MiB for build)"
    )
    print(f"{'case':<40} {'exit':>5} {'cpu s':>7} {'peak MiB':>9}  result")
    for outcome in outcomes:
        case = expected.get(outcome.id)
        if case is None:
            verdict = ""
        elif outcome.returncode == 1 and _as_expected(case, outcome.diagnostics):
            verdict = "as expected"
        else:
            shown = outcome.diagnostics[:5] + ["..."] * (len(outcome.diagnostics) > 5)
            verdict = "DIFFERS: " + (", ".join(shown) or "no diagnostic")
        if case is not None and case.known_bug:
            verdict += " (known bug)"
        if "Traceback" in outcome.stdout + outcome.stderr:
            verdict += " TRACEBACK"
        print(
            f"{outcome.id:<40} {outcome.returncode:>5} {outcome.seconds:>7.2f} "
            f"{outcome.max_rss_kb / 1024:>9.1f}  {verdict}"
        )
        if args.show:
            for line, message in list(zip(outcome.diagnostics, outcome.messages, strict=True))[:5]:
                print(f"    {line}  {message[:150]}")
            if outcome.returncode not in (0, 1):
                print("    " + outcome.stderr[-2000:].replace("\n", "\n    "))


if __name__ == "__main__":
    main()
