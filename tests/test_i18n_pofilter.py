"""`i18n check` runs translate-toolkit's pofilter and reports each finding at its .po entry."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import pytest

from charterpress import i18n, languages, pofilter
from charterpress.diagnostics import Diagnostic, Level, SourcePos, error
from tests import conftest
from tests.conftest import REPO, require_tool, run_build_py

CS = languages.BY_CODE["cs"]
EN = languages.BY_CODE["en"]
HOSTILE_BASE = Path(__file__).resolve().parent / "hostile" / "base"

# A Czech catalog written by hand, so that every line number below is plain to see.
CATALOG = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: cs\\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : (n>=2 && n<=4) ? 1 : 2);\\n"

#. Commitment.promise: a double space the source does not have (line 10)
msgctxt "desk:commitments/reply/promise"
msgid "We answer within two working days."
msgstr "Odpovíme  do dvou pracovních dnů."

#. Commitment.title: a clean entry
msgctxt "desk:commitments/reply/title"
msgid "Replies"
msgstr "Odpovědi"

#. Channel.description: a translated web address (line 20), which CP605 reports too
msgctxt "desk:channels/web/description"
msgid "See https://desk.example/help for more."
msgstr "Více na https://desk.example/pomoc."
"""
PO_NAME = "locales/cs/LC_MESSAGES/content.po"


def shown(found: list[Diagnostic]) -> list[str]:
    return sorted(f"{d.code} {d.pos}: {d.message}" for d in found)


@pytest.fixture
def domain(tmp_path: Path) -> i18n.Domain:
    """Return a content domain, English to Czech, whose Czech catalog is CATALOG."""
    path = i18n.po_path(tmp_path / "locales", CS.gettext, i18n.CONTENT_DOMAIN)
    path.parent.mkdir(parents=True)
    path.write_text(CATALOG, encoding="utf-8")
    return i18n.Domain(i18n.CONTENT_DOMAIN, tmp_path / "locales", tmp_path, EN, (CS,))


def test_pofilter_findings_are_reported_at_their_entry(domain: i18n.Domain) -> None:
    found = pofilter.check_with_pofilter(domain, CS, tool=require_tool("pofilter"))
    assert shown(found) == [
        f"CP614 {PO_NAME}:10:1: pofilter doublespacing: Different use of double spaces",
        f"CP614 {PO_NAME}:20:1: pofilter urls: Different URLs",
    ]
    assert found[0].level is Level.ERROR
    assert found[0].hint == "write one space between words"


def test_check_reports_a_mistake_once_when_our_own_check_finds_it_too(
    domain: i18n.Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pofilter, "find_pofilter", lambda: require_tool("pofilter"))
    found = i18n.check(domain, msgfmt=False, pofilter=True)
    assert [f"{d.code} {d.pos}" for d in found] == [
        f"CP605 {PO_NAME}:20:1",
        f"CP614 {PO_NAME}:10:1",
    ]


def test_check_runs_pofilter_only_when_asked(domain: i18n.Domain) -> None:
    assert [d.code for d in i18n.check(domain, msgfmt=False)] == ["CP605"]


def test_parse_findings_reads_every_comment_of_every_entry() -> None:
    output = """\
msgid ""
msgstr ""
"Language: cs\\n"

# Translator's own note.
# (pofilter) endpunc: Different punctuation at the end
# (pofilter) startcaps: Different capitalization at the start
msgctxt "desk:title"
msgid "Our promise."
msgstr "náš slib"

# (pofilter) printf: Different printf variable: %(n)s
msgid "%(n)s day"
msgid_plural "%(n)s days"
msgstr[0] "%(m)s den"
msgstr[1] "%(n)s dny"
msgstr[2] "%(n)s dnů"
"""
    assert pofilter.parse_findings(output) == [
        pofilter.Finding(
            "endpunc", "Different punctuation at the end", "Our promise.", "desk:title"
        ),
        pofilter.Finding(
            "startcaps", "Different capitalization at the start", "Our promise.", "desk:title"
        ),
        pofilter.Finding("printf", "Different printf variable: %(n)s", "%(n)s day", None),
    ]
    assert pofilter.parse_findings("") == []


def test_an_output_that_is_not_a_catalog_is_an_error() -> None:
    with pytest.raises(pofilter.PofilterError, match=r"not a catalog \(line 2: a string is not"):
        pofilter.parse_findings('msgid "a"\nmsgstr "b\n')


def test_a_pofilter_that_fails_is_reported_at_the_catalog(domain: i18n.Domain) -> None:
    false = shutil.which("false")
    assert false is not None
    found = pofilter.check_with_pofilter(domain, CS, tool=false)
    assert shown(found) == [f"CP614 {PO_NAME}: pofilter could not check the catalog: exit status 1"]


def test_a_pofilter_stopped_by_a_signal_is_reported_at_the_catalog(
    domain: i18n.Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    shell = shutil.which("sh")
    assert shell is not None
    monkeypatch.setattr(pofilter, "pofilter_command", lambda *_: [shell, "-c", "kill -XCPU $$"])
    found = pofilter.check_with_pofilter(domain, CS, tool=shell)
    assert shown(found) == [
        f"CP614 {PO_NAME}: pofilter could not check the catalog: it was stopped by SIGXCPU"
    ]


def test_a_pofilter_that_takes_too_long_is_stopped_and_reported(
    domain: i18n.Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleep = shutil.which("sleep")
    assert sleep is not None
    monkeypatch.setattr(pofilter, "TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(pofilter, "pofilter_command", lambda *_: [sleep, "30"])
    found = pofilter.check_with_pofilter(domain, CS, tool=sleep)
    assert shown(found) == [
        f"CP614 {PO_NAME}: pofilter did not finish checking the catalog within 0.2 seconds"
    ]


def test_a_missing_pofilter_is_a_warning(
    domain: i18n.Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pofilter, "find_pofilter", lambda: None)
    found = pofilter.check_with_pofilter(domain, CS)
    assert found == [
        error(
            "CP608",
            "pofilter is not installed, so the catalogs were not checked with it",
            SourcePos(PO_NAME),
            "install Charterpress's dependencies (./dev setup installs translate-toolkit)",
        )
    ]
    assert found[0].level is Level.WARNING


def test_a_missing_pofilter_fails_under_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CI never skips the pofilter tests: without the tool, require_tool fails them."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(conftest, "SCRIPTS", str(tmp_path))
    monkeypatch.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="'pofilter' is not installed"):
        require_tool("pofilter")


def test_pofilter_is_found_beside_this_python() -> None:
    require_tool("pofilter")
    found = pofilter.find_pofilter()
    assert found is not None
    assert Path(found).parent == Path(sysconfig.get_path("scripts"))


@pytest.mark.parametrize("domain_name", [i18n.UI_DOMAIN, i18n.CONTENT_DOMAIN])
def test_the_example_catalogs_pass_pofilter(domain_name: str) -> None:
    tool = require_tool("pofilter")
    targets = tuple(lang for lang in languages.LANGUAGES if lang != EN)
    locales = i18n.PACKAGE_LOCALES if domain_name == i18n.UI_DOMAIN else REPO / "locales"
    domain = i18n.Domain(domain_name, locales, REPO, EN, targets)
    found = [d for lang in targets for d in pofilter.check_with_pofilter(domain, lang, tool=tool)]
    assert shown(found) == []


run_cli = run_build_py


def test_i18n_check_prints_a_finding_and_no_pofilter_skips_it(tmp_path: Path) -> None:
    require_tool("pofilter")
    site = tmp_path / "site"
    shutil.copytree(HOSTILE_BASE, site)
    catalog = site / "locales/pt_PT/LC_MESSAGES/content.po"
    text = catalog.read_text(encoding="utf-8")
    old = 'msgstr "Respondemos a todas as mensagens em 2 dias úteis."'
    assert text.count(old) == 1
    catalog.write_text(text.replace(old, old.replace("todas as", "todas  as")), encoding="utf-8")
    args = ("i18n", "check", "--site", str(site), "--domain", "content", "--no-msgfmt")
    result = run_cli(*args)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[:4] == [
        "locales/pt_PT/LC_MESSAGES/content.po:81:1: error[CP614]: pofilter doublespacing: "
        "Different use of double spaces",
        ' 81 | msgstr "Respondemos a todas  as mensagens em 2 dias úteis."',
        "    | ^",
        "  = hint: write one space between words",
    ]
    skipped = run_cli(*args, "--no-pofilter")
    assert skipped.returncode == 0, skipped.stderr
