"""translate-toolkit's pofilter on a catalog: its findings as diagnostics at their .po entries.

pofilter always exits 0 and writes the entries it finds fault with as a PO file, each under
``# (pofilter) <test>: <message>`` comments; this module runs it (``run_pofilter`` is the seam
tests replace), reads that output, and places each finding at the entry's line in the catalog.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sysconfig
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.pofile import PoFileError, read_po

from .diagnostics import Diagnostic, SourcePos, error

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

    from .i18n import Domain
    from .languages import Language

# The pofilter tests that signal a real mistake in a charter's prose. Left out, and why:
# - numbers: compares digits as written, so "99.5%" against "99,5 %" is a finding; our own
#   check (CP604) reads each number in its language first.
# - variables: the standard checker defines no variable syntax for gettext (only the Mozilla,
#   OpenOffice... profiles do); printf and pythonbraceformat below cover our placeholders.
# - nplurals: our own check (CP602) knows each language's number of forms.
# - brackets: translators add a gloss in parentheses ("Uznat (Acknowledge)").
# - doublequoting, singlequoting, startpunc: each language's own quotation marks („…“ in
#   Czech, «…» in Portuguese and Catalan) and apostrophes.
# - puncspacing: flags "99,5 %" (Czech spacing) and parentheses that move with the word order.
# - simplecaps, unchanged, acronyms: names and international words stay as they are ("Casa
#   Lumen Praha", "E-mail", "Net Promoter Score"); "100 EUR" becomes "100 €".
# - long, short, sentencecount: a good translation may be longer, or split a sentence.
# - untranslated, blank, isfuzzy, isreview, hassuggestion: what is left to do is `i18n status`'s
#   business, not a mistake; fuzzy entries are never published.
# - accelerators, options, filepaths, functions, kdecomments, simpleplurals, credits,
#   compendiumconflicts: checks for software strings ("dal/a" in Czech reads as a file path).
# - spellcheck, musttranslatewords, notranslatewords, validchars: need dictionaries or word lists.
# - emails: our own check (CP605) compares e-mail addresses, and pofilter's is quadratic on a
#   long word (a 200 kB one keeps it busy for over a minute).
TESTS: tuple[str, ...] = (
    "printf",  # %s, %d, %(name)s kept, including the unnamed ones CP603 does not read
    "pythonbraceformat",  # {name} and {} kept
    "urls",  # www. and ftp: addresses too, not only http(s) ones
    "xmltags",  # tags and their attribute values untranslated
    "escapes",  # \n, \t, \\ as in the source
    "newlines",  # a line break the source does not have splits a paragraph
    "tabs",
    "startwhitespace",  # leading spaces turn a Markdown paragraph into code
    "endwhitespace",
    "doublespacing",
    "doublewords",  # "the the"
    "endpunc",  # a sentence that lost its full stop, or a label that gained one
    "startcaps",
    "purepunc",
)

# Tests whose finding our own check already reports at the same entry, under this code: such a
# finding is left out, so one mistake gives one diagnostic.
COVERED_BY: Mapping[str, str] = {
    "printf": "CP603",
    "pythonbraceformat": "CP603",
    "urls": "CP605",
    "xmltags": "CP606",
}

_HINTS: Mapping[str, str] = {
    "printf": "keep every %-placeholder of the source, unchanged",
    "pythonbraceformat": "keep every {placeholder} of the source, unchanged and untranslated",
    "urls": "copy web addresses exactly as the source writes them",
    "xmltags": "keep HTML tags and their attributes as in the source; translate the words only",
    "escapes": r"keep escapes such as \n and \t as the source has them",
    "newlines": "keep the line breaks of the source: a new line starts a new paragraph",
    "tabs": "keep the tabs of the source, and add none",
    "startwhitespace": "start the translation as the source starts, without extra spaces",
    "endwhitespace": "end the translation as the source ends, without extra spaces",
    "doublespacing": "write one space between words",
    "doublewords": "remove the repeated word",
    "endpunc": "end the translation with the punctuation the source ends with, in your "
    "language's form",
    "startcaps": "start with a capital letter where the source does, and lower case where not",
    "purepunc": "a text of punctuation only stays as the source writes it",
}

PROGRAM = "pofilter"
# pofilter reads the example's largest catalog in well under a second, but some of its tests are
# quadratic on hostile text (a 600 kB entry of "](" and "<a" takes minutes): give up after this.
TIMEOUT_SECONDS = 60


class PofilterError(Exception):
    """pofilter failed to run on a catalog, or wrote something that is not a catalog."""


@dataclass(frozen=True)
class Finding:
    """One complaint of pofilter about one entry."""

    test: str
    message: str
    msgid: str  # the singular msgid of the entry
    context: str | None


def find_pofilter() -> str | None:
    """Return the pofilter installed beside this Python (the pinned one), else on PATH."""
    # A venv's scripts are not on PATH unless it is activated (`.venv/bin/python build.py`).
    places = [sysconfig.get_path("scripts"), os.environ.get("PATH", "")]
    return shutil.which(PROGRAM, path=os.pathsep.join(p for p in places if p))


def pofilter_command(tool: str, path: Path, language: str) -> list[str]:
    """Return the command line that runs the chosen tests on one catalog, output to stdout."""
    tests = [f"--test={test}" for test in TESTS]
    # Fuzzy entries are never published: judging them is `i18n status`'s business.
    return [tool, "--progress=none", "--nofuzzy", f"--language={language}", *tests, str(path)]


def run_pofilter(tool: str, path: Path, language: str) -> str:
    """Run pofilter on one catalog; return the PO text of the entries it found fault with."""
    result = subprocess.run(
        pofilter_command(tool, path, language),
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode < 0:  # a resource limit (SIGXCPU) or someone else stopped it
        raise PofilterError(f"it was stopped by {_signal_name(-result.returncode)}")
    if result.returncode != 0:
        said = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        raise PofilterError(said)
    return result.stdout


def _signal_name(number: int) -> str:
    """Return a signal's name (SIGXCPU), or its number when Python does not know it."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


_MARK = "(pofilter) "


def parse_findings(output: str) -> list[Finding]:
    """Read pofilter's output: every '# (pofilter) <test>: <message>' comment of every entry."""
    from .i18n import lint_po

    if not output.strip():
        return []  # no entry failed
    problem = lint_po(output)  # Babel reads on past a broken line
    if problem is not None:
        raise PofilterError(f"its output is not a catalog (line {problem[0]}: {problem[1]})")
    try:
        catalog = read_po(io.StringIO(output), abort_invalid=True)
    except (PoFileError, ValueError, LookupError) as exc:
        raise PofilterError(f"its output is not a catalog ({exc})") from None
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
        for comment in message.user_comments:
            if comment.startswith(_MARK):
                test, _, said = comment.removeprefix(_MARK).partition(":")
                found.append(Finding(test.strip(), said.strip(), msgid, message.context))
    return found


def _entry_line(catalog: Catalog, lines: list[str], finding: Finding) -> int:
    """Return the line of the entry's first msgstr, as our own checks report it (0 if absent)."""
    from .i18n import _entry_lines

    message = catalog.get(finding.msgid, finding.context)
    if message is None or message.lineno is None:
        return 0
    return min(_entry_lines(lines, message.lineno).values(), default=message.lineno)


def findings_to_diagnostics(
    findings: Iterable[Finding],
    catalog: Catalog,
    lines: list[str],
    name: str,
    already: Iterable[Diagnostic] = (),
) -> list[Diagnostic]:
    """Place each finding at its entry, leaving out those our own checks already reported."""
    reported = {(d.code, d.pos) for d in already}
    out: list[Diagnostic] = []
    for finding in findings:
        line = _entry_line(catalog, lines, finding)
        pos = SourcePos(name, line, 1 if line else 0)
        if (COVERED_BY.get(finding.test), pos) in reported:
            continue
        out.append(
            error(
                "CP614",
                f"pofilter {finding.test}: {finding.message}",
                pos,
                _HINTS.get(finding.test, "compare the translation with its source"),
            )
        )
    return out


def check_with_pofilter(
    domain: Domain,
    language: Language,
    already: Iterable[Diagnostic] = (),
    tool: str | None = None,
) -> list[Diagnostic]:
    """Run pofilter on LANGUAGE's catalog of DOMAIN and return its findings as CP614."""
    from .i18n import CatalogError, read_catalog

    path = domain.po(language)
    name = domain.display(path)
    program = tool or find_pofilter()
    if program is None:
        return [
            error(
                "CP608",
                "pofilter is not installed, so the catalogs were not checked with it",
                SourcePos(name),
                "install Charterpress's dependencies (./dev setup installs translate-toolkit)",
            )
        ]
    try:
        catalog = read_catalog(path, language.gettext, domain.name, domain.max_bytes)
    except CatalogError:
        return []  # check_catalog reports it (CP601)
    try:
        findings = parse_findings(run_pofilter(program, path, language.gettext))
    except subprocess.TimeoutExpired:
        return [
            error(
                "CP614",
                f"pofilter did not finish checking the catalog within {TIMEOUT_SECONDS} seconds",
                SourcePos(name),
                "look for a very long or repetitive translation, or check with --no-pofilter",
            )
        ]
    except (PofilterError, OSError) as exc:
        return [
            error(
                "CP614",
                f"pofilter could not check the catalog: {exc}",
                SourcePos(name),
                "run `pofilter " + str(path) + "` to see why, or check with --no-pofilter",
            )
        ]
    lines = path.read_text(encoding="utf-8").splitlines()
    return findings_to_diagnostics(findings, catalog, lines, name, already)
