"""Diagnostics: problems found in a site's sources, as values that carry their source position."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path


class Level(StrEnum):
    """How serious a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class SourcePos:
    """A 1-based line and column in a file, the file named relative to the site folder."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Code:
    """One entry of the diagnostic registry: what a code means and how to fix it in general."""

    code: str
    name: str
    level: Level
    summary: str
    explanation: str


@dataclass(frozen=True)
class Diagnostic:
    """One problem, where it is, and how to fix it."""

    code: str
    message: str
    pos: SourcePos | None = None
    hint: str = ""
    level: Level = Level.ERROR
    related: tuple[SourcePos, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, line, column, then code."""
        if self.pos is None:
            return ("", 0, 0, self.code, self.message)
        return (self.pos.file, self.pos.line, self.pos.column, self.code, self.message)

    def to_json(self) -> dict[str, object]:
        """Return this diagnostic as a JSON-ready mapping."""
        return {
            "level": self.level.value,
            "code": self.code,
            "name": REGISTRY[self.code].name if self.code in REGISTRY else "",
            "message": self.message,
            "file": self.pos.file if self.pos else None,
            "line": self.pos.line if self.pos else None,
            "column": self.pos.column if self.pos else None,
            "hint": self.hint,
        }


def _c(code: str, name: str, summary: str, explanation: str, level: Level = Level.ERROR) -> Code:
    return Code(code, name, level, summary, explanation)


# The one registry of every diagnostic code. docs/diagnostics.md is generated from it, and a test
# checks that each code has a test that produces it.
_CODES: tuple[Code, ...] = (
    # Reading files
    _c(
        "CP100",
        "file-unreadable",
        "a source file cannot be read",
        "The file exists but cannot be opened, or a folder, a pipe or a device stands where a "
        "file belongs.",
    ),
    _c(
        "CP101",
        "file-too-large",
        "a source file is larger than the size limit",
        "Charter sources are small. A file over the limit is refused before it is parsed, so a "
        "huge or generated file cannot exhaust the machine. Split it, or check that the right "
        "file was saved. A file that holds more keys and values than the limit (about fifty "
        "times the largest real charter) is refused as soon as the limit is passed, for the "
        "same reason.",
    ),
    _c(
        "CP102",
        "not-utf8",
        "a source file is not valid UTF-8",
        "Every source file must be saved as UTF-8. The diagnostic points at the first byte that "
        "is not UTF-8; files saved as Latin-1 or Windows-1252 ('ANSI') usually fail at the first "
        "accented letter, and files saved as UTF-16 ('Unicode') at the very start. Open the file "
        "in your editor and save it again with the encoding 'UTF-8'.",
    ),
    _c(
        "CP103",
        "empty-file",
        "a source file is empty",
        "The file is empty or holds only comments. Fill it in, or delete it.",
    ),
    _c(
        "CP104",
        "yaml-syntax",
        "the file is not well-formed YAML",
        "YAML cannot read the file from this position on. The message says why in plain words "
        "and points where the fix goes. Common causes: a tab used for indentation, a line indented "
        "more than the key above it, a quote or bracket that is never closed, a value that holds "
        "': ' without quotes, a value that starts with a reserved character such as @ or `, or "
        "an invisible control character pasted from another program.",
    ),
    _c(
        "CP105",
        "duplicate-key",
        "the same key appears twice in one mapping",
        "YAML parsers silently keep only one of two equal keys, which loses data. Charterpress "
        "refuses the file instead. Remove or rename one of them.",
    ),
    _c(
        "CP106",
        "alias-limit",
        "aliases expand beyond the limit",
        "Anchors and aliases (&name, *name) are allowed, but the document they expand to must stay "
        "below a size limit; a document that multiplies itself through nested aliases (an 'alias "
        "bomb') is refused.",
    ),
    _c(
        "CP107",
        "nesting-limit",
        "the YAML nests deeper than the limit",
        "No charter needs more than a few levels of nesting. Deeper documents are refused so that "
        "they cannot exhaust the machine.",
    ),
    _c(
        "CP108",
        "unsupported-tag",
        "a YAML tag that Charterpress does not accept",
        "Only plain YAML values are accepted: mappings, lists, strings, numbers, booleans and "
        "null. Tags such as !!python/object or custom !tags are refused.",
    ),
    _c(
        "CP109",
        "multiple-documents",
        "a file holds more than one YAML document",
        "Each source file holds exactly one YAML document. Remove the '---' separator and split "
        "the file into two.",
    ),
    _c(
        "CP110",
        "expected-mapping",
        "a list or a single value where a mapping belongs",
        "The file or the field must be a mapping of keys to values (key: value), but a list "
        "(- item) or a single value was found.",
    ),
    _c(
        "CP111",
        "byte-order-mark",
        "the file starts with a byte-order mark",
        "The file starts with an invisible byte-order mark (BOM), which some editors add. Save it "
        "as 'UTF-8' rather than 'UTF-8 with BOM'.",
        Level.WARNING,
    ),
    _c(
        "CP112",
        "missing-file",
        "a required file or folder is missing",
        "The site folder must hold site_config.yml and a charter/ folder with at least one "
        "charter.",
    ),
    _c(
        "CP113",
        "invalid-key",
        "a mapping key that is not a plain string",
        "Keys must be plain, non-empty text. A list or a mapping used as a key, or an empty "
        "key (such as '': value), is refused; put the key in quotes if it is meant as text.",
    ),
    # Checking values
    _c(
        "CP201",
        "missing-field",
        "a required field is missing",
        "The field is required at this place. Add it.",
    ),
    _c(
        "CP202",
        "unknown-key",
        "a key that the format does not know",
        "The key is not part of the format at this place. It is often a typo: the message suggests "
        "the closest known key.",
    ),
    _c(
        "CP203",
        "wrong-type",
        "a value of the wrong type",
        "The value has the wrong type: a number where text belongs, text where a list belongs, and "
        "so on. Numbers that must be read as text (phone numbers, postal codes) go in quotes.",
    ),
    _c(
        "CP204",
        "out-of-range",
        "a value outside what is possible",
        "The value has the right type but is impossible: a negative duration, a percentage above "
        "100, a time of day such as 25:00.",
    ),
    _c(
        "CP205",
        "invalid-format",
        "a value that does not follow its format",
        "Text that must follow a format (a time of day 'HH:MM', a duration '2 working_days', a "
        "date 'YYYY-MM-DD', an id, a colour, a URL, an e-mail address) does not, or a text holds "
        "a control character (written with an escape such as \\x01 in a quoted string).",
    ),
    _c(
        "CP206",
        "inconsistent-values",
        "values that contradict each other",
        "Two values of one item cannot both be true: a channel that closes before it opens, a "
        "review date before the approval date.",
    ),
    _c(
        "CP207",
        "invalid-choice",
        "a value that is not one of the allowed choices",
        "The field accepts only a fixed set of values; the message lists them and suggests the "
        "closest one.",
    ),
    _c(
        "CP208",
        "unknown-language",
        "a language code that Charterpress does not publish",
        "Languages are written as pt-PT, ca, cs, ro or en.",
    ),
    _c(
        "CP209",
        "language-alias",
        "a language written in a form that is accepted but not canonical",
        "'pt' is read as European Portuguese, 'pt-PT'. Write pt-PT to make that explicit.",
        Level.WARNING,
    ),
    _c(
        "CP210",
        "unknown-time-zone",
        "a time zone that does not exist",
        "Time zones are IANA names such as Europe/Lisbon, Europe/Madrid, Europe/Prague, "
        "Europe/Bucharest or Europe/London.",
    ),
    _c(
        "CP211",
        "unknown-holiday-calendar",
        "a holiday calendar that does not exist",
        "Holiday calendars are an ISO country code (PT, ES, CZ, RO, GB) with an optional "
        "subdivision (ES-CT for Catalonia).",
    ),
    _c(
        "CP212",
        "unsafe-path",
        "a file path that leaves the site folder or does not exist",
        "Paths to logos and other assets are relative to the site folder, must stay inside it, and "
        "must name an existing file.",
    ),
    _c(
        "CP213",
        "unknown-country",
        "a country code that does not exist",
        "Countries are ISO 3166-1 alpha-2 codes in capitals: PT, ES, CZ, RO, GB. The site prints "
        "the country's name in each page's language; the message suggests the code of a name or "
        "a near miss.",
    ),
    # Cross-checks between files and items
    _c(
        "CP301",
        "duplicate-id",
        "two items share one id",
        "Ids identify items in links, translations and results, so they must be unique where the "
        "message says.",
    ),
    _c(
        "CP302",
        "unknown-reference",
        "a reference to an id that does not exist",
        "The value names a channel, commitment, segment or other item by its id, but no item has "
        "that id. The message suggests the closest existing id.",
    ),
    _c(
        "CP303",
        "id-mismatch",
        "a file's id does not match its file name",
        "A charter's id is its file name: charter/shops.yml holds the charter 'shops'.",
    ),
    _c(
        "CP304",
        "unknown-charter",
        "a reference to a charter that does not exist",
        "A procedure delivers a commitment of a charter, or a results folder "
        "(charter/results/<charter id>/) reports on a charter, but no charter/<id>.yml has that "
        "id; or a results file lies directly in charter/results/, outside any charter's folder.",
    ),
    _c(
        "CP305",
        "unknown-charter-item",
        "a reference to a commitment, variant or indicator that the charter does not hold",
        "A procedure or a results file names a commitment (or a variant of its target, or an "
        "indicator) by its id, but the charter it names has no such item. The message suggests "
        "the closest id.",
    ),
    _c(
        "CP306",
        "unknown-period",
        "a results file whose name is not a reporting period",
        "A results file is named after the period it covers: 2025.yml (a year), 2025-h1.yml (a "
        "half year), 2025-q3.yml (a quarter) or 2025-06.yml (a month).",
    ),
    _c(
        "CP307",
        "unknown-objective",
        "a result for an objective that the charter does not hold",
        "A results file reports on an objective by its id, but the charter has no objective with "
        "that id.",
    ),
    _c(
        "CP308",
        "duplicate-file",
        "two files hold the same id",
        "A charter's, a procedure's or a period's id is its file name; shops.yml and shops.yaml "
        "name the same charter. Remove or rename one of them.",
    ),
    _c(
        "CP309",
        "more-time-than-promised",
        "a procedure gives staff more time than customers are promised",
        "The internal time limits of the steps that deliver a commitment, one after the other, "
        "end later than the commitment's timeframe for at least one request, taken on the "
        "channel's calendar (working days, opening hours, public holidays, the clock's rules) "
        "over the twelve months from the build date. The message gives the worst such request; "
        "the position is the limit of the step that first runs past the promise.",
    ),
    _c(
        "CP310",
        "incomparable-time",
        "an internal limit that cannot be compared with the promise",
        "The limit counts a kind of time (opening hours) that cannot be counted for the "
        "commitment, because it names no channel whose opening hours would count it. State the "
        "limit in the commitment's kind of time.",
    ),
    _c(
        "CP311",
        "result-contradicts-status",
        "a result's status contradicts its value",
        "The value reported for a commitment or objective does not agree with its status: 'met' "
        "with a value that misses the target, or 'not_met' with a value that reaches it. The "
        "target is the one in force on the last day of the period.",
    ),
    _c(
        "CP312",
        "result-value-kind",
        "a result's value is not the kind of value its target is",
        "A percentage target is measured as a number from 0 to 100, an average or maximum time "
        "as a duration, an objective in the kind of its baseline.",
    ),
    _c(
        "CP313",
        "no-version-in-force",
        "no version of a charter is in force on the build date",
        "Every version listed takes effect after the build date, so the public pages cannot say "
        "which version is in force.",
        Level.WARNING,
    ),
    _c(
        "CP314",
        "result-version-mismatch",
        "results name another version than the one in force then",
        "Results are tied to the version of the charter in force on the last day of their "
        "period; the 'version' the file names must be that one.",
    ),
    _c(
        "CP315",
        "period-not-over",
        "results for a period that has not ended",
        "Results are published once their period is over: the period must end before the build "
        "date.",
    ),
    # Rendering, building and publishing
    _c(
        "CP401",
        "template-error",
        "a template failed to render",
        "A template of the site (templates/) or of Charterpress has a syntax error, uses a value "
        "that does not exist, or prints an absent value. The diagnostic names the template and "
        "the line. Undefined values are errors, never blank text.",
    ),
    _c(
        "CP402",
        "internal-field-in-public-template",
        "a public page's template prints a field for staff only",
        "Fields marked for staff only (an owner's e-mail address, internal notes, an indicator's "
        "data source, a results file's internal notes) never reach the public site: public pages "
        "see them as absent, so `{% if %}` tests are false, and printing one stops the build "
        "instead of publishing it. The diagnostic names the field, the template and the line. "
        "Remove it from the public template; the staff handbook shows it.",
    ),
    _c(
        "CP410",
        "output-not-ours",
        "the output folder exists and was not made by Charterpress",
        "Publishing replaces the whole output folder. Charterpress replaces only a folder that "
        "carries its marker file (.charterpress-output), so that a mistyped --out can never wipe "
        "a folder of yours. Choose an empty or new folder, or delete this one yourself.",
    ),
    _c(
        "CP411",
        "output-unwritable",
        "the output folder cannot be written",
        "Charterpress builds the site in a new folder beside the output folder and swaps it in. "
        "The folder beside it must be writable and on the same file system.",
    ),
    _c(
        "CP412",
        "output-busy",
        "another build kept the output folder locked",
        "Builds into the same output folder run one at a time: each holds a lock on the file "
        ".charterpress-<out>.lock beside the output from the moment it starts writing until the "
        "new output is in place. A build waits for the one ahead of it and gives up after ten "
        "minutes. A build that was killed releases the lock by itself (the operating system "
        "does it), so a stale lock never blocks the next build.",
    ),
    _c(
        "CP420",
        "mkdocs-failed",
        "MkDocs could not build a language of the site",
        "MkDocs stopped (with --strict, any MkDocs warning stops it). The warnings printed with "
        "it say why. Nothing was written.",
    ),
    _c(
        "CP421",
        "mkdocs-warning",
        "MkDocs reported a problem while building",
        "MkDocs found something wrong in the pages it was given, usually a broken link or anchor "
        "in a site template. --strict turns it into an error.",
        Level.WARNING,
    ),
    _c(
        "CP423",
        "build-worker-failed",
        "the process building one language stopped",
        "The MkDocs projects of the languages are built in parallel, each in a process of a "
        "pool (build --jobs). One of those processes stopped without a result: it was killed "
        "(out of memory, a signal) or its result could not be sent back. The other languages "
        "are reported as usual; nothing was written. Run the build again; `--jobs 1` builds "
        "every language in the main process, and `--debug` shows what went wrong there.",
    ),
    _c(
        "CP422",
        "material-script-changed",
        "Material's script is not the one Charterpress adapts",
        "Charterpress adapts one line of Material's script so that it leaves the language "
        "selector's links (which lead to the same page in each language) alone, instead of "
        "fetching a sitemap for every hreflang link of the page. That line was not found: the "
        "installed mkdocs-material is not the version in constraints.txt. Install that version "
        "(./dev setup).",
    ),
    _c(
        "CP430",
        "review-overdue",
        "a charter or procedure is past its next review date",
        "Its 'review: next' date is before the build date. The staff handbook's review dashboard "
        "marks it overdue. Review the document, then write the new dates in 'review: last' and "
        "'review: next'. --strict turns it into an error.",
        Level.WARNING,
    ),
    # Translation catalogs (python build.py i18n ...)
    _c(
        "CP601",
        "catalog-syntax",
        "a translation catalog (.po or .pot) cannot be read",
        "The file is not a well-formed gettext catalog: an unclosed quote, a keyword that is not "
        "msgid/msgstr/msgctxt, text outside quotes, a control character (U+0000 to U+001F but "
        "tab and line breaks, U+007F to U+009F but NEL) that no page could show. Translation "
        "editors such as Poedit never "
        "write such files; fix the line by hand, or restore the file and run `i18n update`.",
    ),
    _c(
        "CP602",
        "plural-forms",
        "the wrong number of plural forms",
        "Each language has its own number of plural forms: Czech and Romanian have 3 (one, few, "
        "other), Portuguese, Catalan and English 2. The header's Plural-Forms and every plural "
        "entry (msgstr[0], msgstr[1], ...) must have that number.",
    ),
    _c(
        "CP603",
        "placeholder-mismatch",
        "a translation's placeholders differ from its source",
        "Placeholders such as {n} or %(day)s are replaced by values when the page is built; a "
        "translation must keep every one of them, unchanged and untranslated. The build shows "
        "the source text instead of such a translation.",
    ),
    _c(
        "CP604",
        "number-mismatch",
        "a translation's numbers differ from its source",
        "A charter's promises carry numbers (90%, 60 seconds, 2 days): a translation must state "
        "the same ones. Numbers are compared after reading each in its own language, so '85 %' "
        "in Czech equals '85%' in English and '1.234,5' equals '1,234.5'. The build shows the "
        "source text instead of such a translation, so a wrong promise is never published.",
    ),
    _c(
        "CP605",
        "address-mismatch",
        "a translation's web or e-mail addresses differ from its source",
        "Addresses are copied, never translated: a translation must hold the same web and e-mail "
        "addresses as its source.",
    ),
    _c(
        "CP606",
        "markup-mismatch",
        "a translation's markup differs from its source",
        "HTML tags, Markdown link targets and `code` spans must be kept as in the source; only "
        "the words around them are translated.",
    ),
    _c(
        "CP607",
        "msgfmt-error",
        "GNU msgfmt rejects a catalog",
        "msgfmt --check, GNU gettext's own compiler, found an error in the entry at this line: "
        "typically a format string whose directives differ from the msgid's, or a header "
        "problem.",
    ),
    _c(
        "CP608",
        "tool-missing",
        "a checking tool is not installed",
        "The catalogs could not be checked with GNU gettext's msgfmt, or with translate-"
        "toolkit's pofilter, because the tool is not installed. Install the Debian package "
        "gettext (./dev test does it) for msgfmt; pofilter comes with Charterpress's "
        "dependencies (./dev setup).",
        Level.WARNING,
    ),
    _c(
        "CP609",
        "msgfmt-warning",
        "GNU msgfmt warns about a catalog",
        "msgfmt --check printed a warning for the entry or header at this line, for example a "
        "header field still holding its initial default value.",
        Level.WARNING,
    ),
    _c(
        "CP610",
        "public-text-falls-back",
        "a public text is shown in the source language on a page of another language",
        "The text has no usable translation in that language (missing, fuzzy, or with other "
        "numbers or placeholders than its source), so the page shows the source text, marked "
        "with its language, and a notice. `build --strict` fails on it for published languages.",
        Level.WARNING,
    ),
    _c(
        "CP611",
        "handbook-text-falls-back",
        "a handbook text is shown in the source language",
        "A text of the staff handbook has no usable translation in that language, so the "
        "handbook shows the source text.",
        Level.WARNING,
    ),
    _c(
        "CP612",
        "catalog-out-of-date",
        "a translation catalog lags behind the sources",
        "The template (.pot) does not hold the texts the charters or templates hold now, or a "
        "language's catalog (.po) lacks texts of the template, so translators cannot see them. "
        "Run `python build.py i18n extract`, then `python build.py i18n update`.",
        Level.WARNING,
    ),
    _c(
        "CP613",
        "missing-template",
        "a translation template (.pot) does not exist",
        "`i18n update` and `i18n status` work from the template in locales/templates/, which "
        "`python build.py i18n extract` writes. Run it first.",
    ),
    _c(
        "CP614",
        "pofilter-finding",
        "translate-toolkit's pofilter finds fault with a translation",
        "`i18n check` runs pofilter, the translation checker of translate-toolkit, on every "
        "catalog, with the tests that suit a charter's prose: placeholders (printf, "
        "pythonbraceformat), web addresses, HTML tags, escapes, line breaks, tabs, "
        "spaces at the start or end, double spaces, repeated words, the punctuation at the end "
        "and the capital at the start. The message names the test and says what it found; "
        "docs/translators.md lists the tests and why the others are left out. A finding that "
        "one of Charterpress's own checks (CP603, CP605, CP606) already reports at the same "
        "entry is not repeated. pofilter gets 60 seconds per catalog; a catalog it cannot "
        "check in that time is reported at the file. `i18n check --no-pofilter` skips it.",
    ),
    # The run itself
    _c(
        "CP900",
        "internal-error",
        "a bug in Charterpress",
        "Charterpress itself failed. Nothing was written. Rerun with --debug and report the "
        "traceback.",
    ),
    _c(
        "CP901",
        "invalid-option",
        "a command-line option or environment value is invalid",
        "An option such as --today or SOURCE_DATE_EPOCH, or the --site folder, is invalid.",
    ),
    _c(
        "CP910",
        "init-language",
        "`init` has no starter in that language, or the languages do not fit together",
        "`init --lang` names the source language of the starter texts: one of pt-PT, ca, cs, "
        "ro, en. `--languages` lists the published languages, comma-separated, each once, the "
        "source language among them. Nothing was written.",
    ),
    _c(
        "CP911",
        "init-folder-in-use",
        "`init` would write into a file or a folder that is not empty",
        "`init` writes a new site only into a new or an empty folder (a `.git` folder may be "
        "there already), so that it never overwrites a file of yours. The diagnostic names the "
        "first file in the way. Name a new folder, or move those files away. Nothing was "
        "written.",
    ),
)

REGISTRY: Mapping[str, Code] = {c.code: c for c in _CODES}


# Headings of the reference, by the hundreds digit of a code.
_GROUPS: dict[str, str] = {
    "1": "Reading files",
    "2": "Checking values",
    "3": "Checks across items and files",
    "4": "Rendering, building and publishing",
    "6": "Translation catalogs",
    "9": "The run itself",
}


def registry_markdown() -> str:
    """Return the reference of every diagnostic code, as Markdown (docs/diagnostics.md)."""
    lines = [
        "# Diagnostic codes",
        "",
        "> Generated from the registry in `charterpress/diagnostics.py`: do not edit by hand.",
        "> Regenerate with `python build.py codes --format markdown > docs/diagnostics.md`.",
        "",
        "Every problem Charterpress reports carries one of these codes, printed as",
        "`file:line:column: error[CODE]: message`, with the line of the file, a caret under the",
        "place, and a hint. Errors stop the build; warnings do not.",
        "List them in a terminal with `python build.py codes`.",
    ]
    group = ""
    for code in REGISTRY.values():
        digit = code.code[2:3]
        if digit != group:
            group = digit
            lines += ["", f"## {_GROUPS.get(digit, 'Other checks')}"]
        lines += [
            "",
            f"### {code.code} {code.name}",
            "",
            f"*{code.level.value}*: {code.summary}.",
            "",
            code.explanation,
        ]
    return "\n".join(lines) + "\n"


def error(code: str, message: str, pos: SourcePos | None = None, hint: str = "") -> Diagnostic:
    """Make a diagnostic at the registry's level for CODE."""
    return Diagnostic(code, message, pos, hint, REGISTRY[code].level)


def strictly(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Under --strict, turn every warning into an error."""
    return [replace(d, level=Level.ERROR) if d.level is Level.WARNING else d for d in diagnostics]


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """Return whether any diagnostic is an error."""
    return any(d.level is Level.ERROR for d in diagnostics)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Return the diagnostics sorted by position, without exact repeats."""
    unique = {(d.sort_key(), d.hint, d.level): d for d in diagnostics}
    return [unique[k] for k in sorted(unique)]


# The line breaks YAML counts (libyaml's marks count these and only these). Python's
# str.splitlines() also breaks at form feeds and other controls, which would shift the excerpt.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """Split TEXT into lines at the line breaks YAML counts, without the breaks."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # a final line break ends the last line rather than starting a new one
    return lines


def line_and_column(text: str, index: int) -> tuple[int, int]:
    """Return the 1-based line and column of the character at INDEX of TEXT."""
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, match.end()
    return line, index - start + 1


class SourceLines:
    """Read source lines on demand, for showing them under a diagnostic."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._cache: dict[str, list[str]] = {}

    def line(self, file: str, line: int) -> str | None:
        """Return line LINE (1-based) of FILE, or None if it cannot be read."""
        if file not in self._cache:
            try:
                with (self._root / file).open("rb") as handle:  # never all of a huge file
                    raw = handle.read(4 * 1024 * 1024)
                text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
                self._cache[file] = split_lines(text)
            except OSError:
                self._cache[file] = []
        lines = self._cache[file]
        return lines[line - 1] if 0 < line <= len(lines) else None


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _shown(text: str) -> str:
    # Tabs are shown as 4 spaces; other control characters as one visible mark each, so that
    # the terminal does not act on them and the caret stays under the right character.
    return _CONTROL.sub("\ufffd", text.replace("\t", "    "))


def format_text(diagnostic: Diagnostic, sources: SourceLines | None = None) -> str:
    """Format one diagnostic for a terminal: position, code, message, source excerpt, hint."""
    where = f"{diagnostic.pos}: " if diagnostic.pos else ""
    out = [f"{where}{diagnostic.level.value}[{diagnostic.code}]: {diagnostic.message}"]
    pos = diagnostic.pos
    if sources and pos and pos.line > 0:
        text = sources.line(pos.file, pos.line)
        if text is not None:
            shown = _shown(text)
            if len(shown) > 200:
                shown = shown[:200] + "…"
            gutter = str(pos.line)
            pad = " " * len(gutter)
            caret_at = len(_shown(text[: max(pos.column - 1, 0)]))
            out.append(f" {gutter} | {shown}")
            out.append(f" {pad} | {' ' * min(caret_at, 201)}^")
    if diagnostic.hint:
        out.append(f"  = hint: {diagnostic.hint}")
    return "\n".join(out)


def format_summary(diagnostics: list[Diagnostic]) -> str:
    """Return a one-line count of errors and warnings."""
    errors = sum(1 for d in diagnostics if d.level is Level.ERROR)
    warnings = len(diagnostics) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


# One run reports at most this many diagnostics: a generated or corrupted site can hold tens of
# thousands of problems per file, and nobody reads past the first screens of them.
MAX_REPORTED = 1000


def capped(
    diagnostics: list[Diagnostic], limit: int = MAX_REPORTED
) -> tuple[list[Diagnostic], int]:
    """Return at most LIMIT diagnostics, in their order, errors kept first; and how many are not."""
    if len(diagnostics) <= limit:
        return diagnostics, 0
    # Warnings give way to errors, so a flood of warnings never hides the error that stops a run.
    by_level = sorted(
        range(len(diagnostics)), key=lambda i: diagnostics[i].level is not Level.ERROR
    )
    kept = sorted(by_level[:limit])
    return [diagnostics[i] for i in kept], len(diagnostics) - limit


def format_not_shown(count: int) -> str:
    """Return the line that stands for the diagnostics left out of a capped report."""
    plural = "s" * (count != 1)
    return (
        f"charterpress: {count:,} more diagnostic{plural} not shown (a run reports at most "
        f"{MAX_REPORTED:,}); fix the ones above and run again"
    )


def format_json(diagnostics: list[Diagnostic], limit: int = MAX_REPORTED) -> str:
    """Return the diagnostics as a JSON document for editors and CI, at most LIMIT of them.

    The counts are of all diagnostics; "dropped", present only when the cap applied, says how
    many of them the list leaves out.
    """
    errors = sum(1 for d in diagnostics if d.level is Level.ERROR)
    shown, dropped = capped(diagnostics, limit)
    doc: dict[str, object] = {
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [d.to_json() for d in shown],
    }
    if dropped:
        doc["dropped"] = dropped
    return json.dumps(doc, ensure_ascii=False, indent=2)
