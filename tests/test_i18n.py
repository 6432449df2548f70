"""Translation catalogs: extraction, update, status, check, and resolution at build time.

The extraction golden (tests/golden/i18n/content.pot) is regenerated with:
    .venv/bin/python -m pytest tests/test_i18n.py --update-goldens
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from charterpress import i18n, languages
from charterpress.diagnostics import Diagnostic, Level, SourcePos
from charterpress.texts import ForeignText
from charterpress.validate import ValidatedSite, validate_site
from tests.conftest import REPO, ROOTS, require_tool, run_build_py

GOLDEN = Path(__file__).parent / "golden" / "i18n"
EPOCH = "1767225600"  # 2026-01-01 00:00 UTC
CS = languages.BY_CODE["cs"]
PT = languages.BY_CODE["pt-PT"]
EN = languages.BY_CODE["en"]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a private copy of the i18n_basic site with its content catalogs made."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = tmp_path / "site"
    shutil.copytree(ROOTS / "i18n_basic", root)
    extract_and_update(root)
    return root


def validated(root: Path) -> ValidatedSite:
    outcome = validate_site(root)
    assert outcome.site is not None, [str(d) for d in outcome.diagnostics]
    return outcome.site


def extract_and_update(root: Path) -> ValidatedSite:
    checked = validated(root)
    domain = i18n.content_domain(checked)
    i18n.extract(domain, checked)
    _written, problems = i18n.update(domain)
    assert problems == []
    return checked


def po(root: Path, language: languages.Language) -> Path:
    return root / "locales" / language.gettext / "LC_MESSAGES" / "content.po"


def translate(path: Path, language: languages.Language, entries: dict[str, str]) -> None:
    """Fill in translations by msgctxt, as a translator's editor would."""
    catalog = i18n.read_catalog(path, language.gettext, i18n.CONTENT_DOMAIN)
    for message in catalog:
        if message.context in entries:
            message.string = entries[message.context]
            message.flags.discard("fuzzy")
    path.write_bytes(i18n.render_catalog(catalog))


def entry_block(text: str, context: str) -> str:
    """Return the lines of the .po entry whose msgctxt is CONTEXT, comments included."""
    for block in text.split("\n\n"):
        if f'msgctxt "{context}"' in block:
            return block
    raise AssertionError(f"no entry {context}")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Extraction


def test_extraction_golden(site: Path, request: pytest.FixtureRequest) -> None:
    produced = (site / "locales" / "templates" / "content.pot").read_text(encoding="utf-8")
    golden = GOLDEN / "content.pot"
    if request.config.getoption("--update-goldens", default=False):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(produced, encoding="utf-8")
    assert produced == golden.read_text(encoding="utf-8")


def test_extraction_marks_audience_and_description(site: Path) -> None:
    text = (site / "locales" / "templates" / "content.pot").read_text(encoding="utf-8")
    assert entry_block(text, "desk:commitments/answer/promise") == (
        "#. Commitment.promise: The promise in plain words, as customers read it.\n"
        "#. Audience: public (customers read it on the public site)\n"
        "#: charter/desk.yml:27\n"
        'msgctxt "desk:commitments/answer/promise"\n'
        'msgid "We answer 90% of calls within 60 seconds."\n'
        'msgstr ""'
    )
    assert "#. Audience: handbook (staff only)" in entry_block(
        text, "desk:commitments/email-reply/internal_notes"
    )
    assert "#. Audience: handbook (staff only)" in entry_block(
        text, "procedures/answer:steps/read/action"
    )


def test_prose_percent_is_not_a_python_format(site: Path) -> None:
    # "90% of" would be a '% o' directive for msgfmt if the entry were flagged python-format.
    text = (site / "locales" / "templates" / "content.pot").read_text(encoding="utf-8")
    assert "python-format" not in text


def test_extract_leaves_a_template_alone_when_only_its_date_would_change(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pot = site / "locales" / "templates" / "content.pot"
    before = pot.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    checked = validated(site)
    assert i18n.extract(i18n.content_domain(checked), checked) is False
    assert pot.read_bytes() == before


def test_reordering_list_items_changes_no_msgctxt(site: Path) -> None:
    before = {(m.context, m.id) for m in read_pot(site)}
    charter = site / "charter" / "desk.yml"
    text = charter.read_text(encoding="utf-8")
    respect = "  - id: respect\n    text: You are treated with respect.\n"
    assert respect in text
    text = text.replace(respect, "")
    text = text.replace(
        "    text: Your data is used only to answer you; see https://desk.example/privacy.\n",
        "    text: Your data is used only to answer you; see https://desk.example/privacy.\n"
        + respect,
    )
    charter.write_text(text, encoding="utf-8")
    extract_and_update(site)
    assert {(m.context, m.id) for m in read_pot(site)} == before


def read_pot(root: Path) -> list[object]:
    catalog = i18n.read_catalog(
        root / "locales" / "templates" / "content.pot", None, i18n.CONTENT_DOMAIN
    )
    return [m for m in catalog if m.id]


# ---------------------------------------------------------------------------------------------
# Update


def test_update_keeps_a_rewritten_sentence_as_fuzzy_with_the_old_source(site: Path) -> None:
    context = "desk:commitments/answer/promise"
    translate(po(site, CS), CS, {context: "Přijmeme 90 % hovorů do 60 sekund."})
    replace_in(
        site / "charter" / "desk.yml",
        "promise: We answer 90% of calls within 60 seconds.",
        "promise: We answer 90% of all calls within 60 seconds.",
    )
    extract_and_update(site)
    assert entry_block(po(site, CS).read_text(encoding="utf-8"), context) == (
        "#. Commitment.promise: The promise in plain words, as customers read it.\n"
        "#. Audience: public (customers read it on the public site)\n"
        "#: charter/desk.yml:27\n"
        "#, fuzzy\n"
        '#| msgid "We answer 90% of calls within 60 seconds."\n'
        f'msgctxt "{context}"\n'
        'msgid "We answer 90% of all calls within 60 seconds."\n'
        'msgstr "Přijmeme 90 % hovorů do 60 sekund."'
    )


def test_a_new_sentence_never_borrows_another_entrys_translation(site: Path) -> None:
    translate(po(site, CS), CS, {"desk:rights/respect/text": "Jednáme s vámi s respektem."})
    replace_in(
        site / "charter" / "desk.yml",
        "  - id: privacy\n",
        "  - id: dignity\n    text: You are treated with respect and dignity.\n  - id: privacy\n",
    )
    extract_and_update(site)
    block = entry_block(po(site, CS).read_text(encoding="utf-8"), "desk:rights/dignity/text")
    assert block.endswith('msgstr ""')
    assert "fuzzy" not in block


def test_fuzzy_survives_a_second_rewrite_with_the_first_source(site: Path) -> None:
    context = "desk:vision"
    translate(po(site, CS), CS, {context: "Každý zákazník dostane jasnou odpověď."})
    path = site / "charter" / "desk.yml"
    replace_in(path, "vision: Every customer gets a clear answer.", "vision: A clear answer.")
    extract_and_update(site)
    replace_in(path, "vision: A clear answer.", "vision: A clear, quick answer.")
    extract_and_update(site)
    block = entry_block(po(site, CS).read_text(encoding="utf-8"), context)
    assert '#| msgid "Every customer gets a clear answer."' in block
    assert "#, fuzzy" in block


def test_update_creates_the_catalog_of_a_new_language(site: Path) -> None:
    config = site / "site_config.yml"
    replace_in(config, "languages: [en, cs, pt-PT]", "languages: [en, cs, pt-PT, ro]")
    extract_and_update(site)
    created = po(site, languages.BY_CODE["ro"]).read_text(encoding="utf-8")
    assert '"Language: ro\\n"' in created
    assert "nplurals=3;" in created


# ---------------------------------------------------------------------------------------------
# Status

HAND_MADE_CS = """\
msgid ""
msgstr ""
"Language: cs\\n"
"Plural-Forms: nplurals=3; plural=((n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

#. Audience: public (customers read it on the public site)
msgctxt "desk:title"
msgid "Help desk charter"
msgstr "Charta zákaznické linky"

#. Audience: public (customers read it on the public site)
#, fuzzy
msgctxt "desk:summary"
msgid "What we promise when you contact our help desk."
msgstr "Co slibujeme."

#. Audience: handbook (staff only)
msgctxt "procedures/answer:title"
msgid "Answering an e-mail"
msgstr "Odpověď na e-mail"
"""


def test_status_figures_match_a_hand_made_catalog(site: Path) -> None:
    po(site, CS).write_text(HAND_MADE_CS, encoding="utf-8")
    states, problems = i18n.status(i18n.content_domain(validated(site)))
    assert problems == []
    cs = next(s for s in states if s.language == "cs")
    assert (cs.counts.translated, cs.counts.fuzzy, cs.counts.untranslated) == (2, 1, 19)
    figures = {name: (c.translated, c.fuzzy, c.total) for name, c in cs.pages.items()}
    assert figures == {"desk": (1, 1, 14), "procedures/answer": (1, 0, 7), "site_config": (0, 0, 1)}
    audiences = {name: (c.translated, c.fuzzy, c.total) for name, c in cs.audiences.items()}
    assert audiences == {"public": (1, 1, 14), "handbook": (1, 0, 8)}
    pt = next(s for s in states if s.language == "pt-PT")
    assert (pt.counts.translated, pt.counts.untranslated) == (0, 22)


def test_status_command_prints_json(site: Path) -> None:
    po(site, CS).write_text(HAND_MADE_CS, encoding="utf-8")
    result = run_cli(
        "i18n", "status", "--site", str(site), "--domain", "content", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    cs = next(c for c in document["catalogs"] if c["language"] == "cs")
    assert (cs["translated"], cs["fuzzy"], cs["untranslated"], cs["total"]) == (2, 1, 19, 22)
    assert cs["audiences"]["public"]["translated"] == 1


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run build.py with this module's SOURCE_DATE_EPOCH."""
    return run_build_py(*args, epoch=EPOCH)


# ---------------------------------------------------------------------------------------------
# Check

PLURAL_CS = """\
msgid ""
msgstr ""
"Language: cs\\n"
"Plural-Forms: nplurals=3; plural=((n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

#, python-brace-format
msgid "{n} working day"
msgid_plural "{n} working days"
msgstr[0] "{n} pracovní den"
msgstr[1] "{n} pracovní dny"
"""


def ui_like_domain(tmp_path: Path, po_text: str) -> i18n.Domain:
    """Return a ui-style domain in TMP_PATH whose Czech catalog is PO_TEXT."""
    domain = i18n.Domain("ui", tmp_path / "locales", tmp_path, EN, (CS,))
    path = domain.po(CS)
    path.parent.mkdir(parents=True)
    path.write_text(po_text, encoding="utf-8")
    return domain


def codes_and_positions(found: list[Diagnostic]) -> list[tuple[str, str]]:
    return [(d.code, str(d.pos)) for d in found]


def test_check_catches_a_plural_count_mismatch(tmp_path: Path) -> None:
    domain = ui_like_domain(tmp_path, PLURAL_CS)
    found = i18n.check_catalog(domain, CS)
    assert codes_and_positions(found) == [("CP602", "locales/cs/LC_MESSAGES/ui.po:10:1")]
    assert found[0].message == "the entry has 2 plural forms; Czech has 3"


def test_check_catches_a_wrong_plural_forms_header(tmp_path: Path) -> None:
    text = PLURAL_CS.replace(
        "nplurals=3; plural=((n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2);", "nplurals=2; plural=(n != 1);"
    )
    found = i18n.check_catalog(ui_like_domain(tmp_path, text), CS)
    # The header is wrong, and the entry that follows it still lacks Czech's third form.
    assert codes_and_positions(found) == [
        ("CP602", "locales/cs/LC_MESSAGES/ui.po:4:1"),
        ("CP602", "locales/cs/LC_MESSAGES/ui.po:10:1"),
    ]
    assert found[0].message == "the header declares 2 plural forms; Czech has 3"


def test_check_catches_a_dropped_placeholder_a_changed_number_and_an_address(
    site: Path,
) -> None:
    translate(
        po(site, CS),
        CS,
        {
            "desk:commitments/answer/promise": "Přijmeme 80 % hovorů do 60 sekund.",
            "desk:rights/privacy/text": "Vaše údaje použijeme jen k odpovědi.",
        },
    )
    text = po(site, CS).read_text(encoding="utf-8")
    found = i18n.check_catalog(i18n.content_domain(validated(site)), CS)
    promise_line = line_of(text, 'msgstr "Přijmeme 80 % hovorů do 60 sekund."')
    privacy_line = line_of(text, 'msgstr "Vaše údaje použijeme jen k odpovědi."')
    assert codes_and_positions(found) == [
        ("CP605", f"locales/cs/LC_MESSAGES/content.po:{privacy_line}:1"),
        ("CP604", f"locales/cs/LC_MESSAGES/content.po:{promise_line}:1"),
    ]
    assert found[1].message == "numbers differ: the source has 60, 90, the translation 60, 80"


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_check_catches_a_dropped_placeholder(tmp_path: Path) -> None:
    text = PLURAL_CS.replace(
        'msgstr[1] "{n} pracovní dny"', 'msgstr[1] "pracovní dny"\nmsgstr[2] "{n} pracovních dnů"'
    )
    found = i18n.check_catalog(ui_like_domain(tmp_path, text), CS)
    assert codes_and_positions(found) == [("CP603", "locales/cs/LC_MESSAGES/ui.po:10:1")]
    assert found[0].message == ("placeholders differ: the source has {n}, the translation none")


def test_check_accepts_numbers_written_the_locales_way(site: Path) -> None:
    translate(
        po(site, CS),
        CS,
        {"desk:commitments/answer/promise": "Přijmeme 90\u00a0% hovorů do 60 sekund."},
    )
    translate(
        po(site, PT),
        PT,
        {"desk:commitments/answer/promise": "Atendemos 90% das chamadas em 60 segundos."},
    )
    checked = validated(site)
    assert i18n.check_catalog(i18n.content_domain(checked), CS) == []
    assert i18n.check_catalog(i18n.content_domain(checked), PT) == []


@pytest.mark.parametrize(
    ("source", "translation", "locale"),
    [
        ("85% of calls", "85 % hovorů", "cs"),
        ("1,234.5 EUR", "1 234,5 EUR", "cs"),
        ("1,234.5 EUR", "1.234,5 EUR", "ca"),
        ("within 2 days", "no prazo de 2 dias", "pt_PT"),
    ],
)
def test_equal_numbers_in_locale_form_match(source: str, translation: str, locale: str) -> None:
    assert i18n.compare(source, translation, "en", locale) == []


def test_check_catches_changed_markup(site: Path) -> None:
    replace_in(
        site / "charter" / "desk.yml",
        "vision: Every customer gets a clear answer.",
        "vision: Every customer gets a `clear` answer.",
    )
    extract_and_update(site)
    translate(po(site, CS), CS, {"desk:vision": "Každý zákazník dostane jasnou odpověď."})
    found = i18n.check_catalog(i18n.content_domain(validated(site)), CS)
    assert [d.code for d in found] == ["CP606"]


def test_a_malformed_catalog_is_a_diagnostic(site: Path) -> None:
    path = po(site, CS)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[30] = 'msgstr "unclosed'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = i18n.check_catalog(i18n.content_domain(validated(site)), CS)
    assert [(d.code, d.pos) for d in found] == [
        ("CP601", SourcePos("locales/cs/LC_MESSAGES/content.po", 31, 1))
    ]
    assert found[0].message == "the catalog cannot be read: a string is not closed on its line"


def test_check_command_exits_1_without_a_traceback_on_a_malformed_catalog(site: Path) -> None:
    po(site, CS).write_text('msgid "a"\nmsgstr "b\n', encoding="utf-8")
    result = run_cli("i18n", "check", "--site", str(site), "--domain", "content")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "locales/cs/LC_MESSAGES/content.po:2:1: error[CP601]" in result.stderr


BRACE_CS = """\
msgid ""
msgstr ""
"Language: cs\\n"
"Last-Translator: FULL NAME <EMAIL@ADDRESS>\\n"
"Plural-Forms: nplurals=3; plural=((n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

#, python-brace-format
msgid "From {day}"
msgstr "Od {den}"
"""


def test_msgfmt_findings_become_diagnostics(tmp_path: Path) -> None:
    require_tool("msgfmt")
    domain = ui_like_domain(tmp_path, BRACE_CS)
    found = [(d.code, str(d.pos), d.message) for d in i18n.run_msgfmt(domain, domain.po(CS))]
    where = "locales/cs/LC_MESSAGES/ui.po"
    assert (
        "CP609",
        f"{where}:2:1",
        "msgfmt: header field 'Last-Translator' still has the initial default value",
    ) in found
    assert (
        "CP607",
        f"{where}:10:1",
        "msgfmt: a format specification for argument 'day' doesn't exist in 'msgstr'",
    ) in found


def test_a_missing_msgfmt_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    domain = ui_like_domain(tmp_path, PLURAL_CS)
    monkeypatch.setattr(i18n.shutil, "which", lambda _name: None)
    found = i18n.run_msgfmt(domain, domain.po(CS))
    assert [(d.code, d.level) for d in found] == [("CP608", Level.WARNING)]


def test_msgfmt_check_passes_on_every_catalog(site: Path) -> None:
    msgfmt = require_tool("msgfmt")
    translate(po(site, CS), CS, {"desk:commitments/answer/promise": "Přijmeme 90 % hovorů."})
    catalogs = sorted((REPO / "locales").glob("*/LC_MESSAGES/*.po"))
    catalogs += sorted((site / "locales").glob("*/LC_MESSAGES/*.po"))
    assert len(catalogs) >= 6
    for path in catalogs:
        result = subprocess.run(
            [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{path}: {result.stderr}"
        assert "warning" not in result.stderr, f"{path}: {result.stderr}"


def test_the_shipped_ui_catalogs_pass_check() -> None:
    domain = i18n.ui_domain(REPO)
    assert [str(d) for d in i18n.check(domain, msgfmt=False)] == []


# ---------------------------------------------------------------------------------------------
# Resolution at build time


def test_translate_site_falls_back_for_fuzzy_and_number_broken_entries(site: Path) -> None:
    translate(
        po(site, CS),
        CS,
        {
            "desk:title": "Charta zákaznické linky",
            "desk:commitments/answer/promise": "Přijmeme 80 % hovorů do 60 sekund.",
            "desk:vision": "Každý zákazník dostane jasnou odpověď.",
            "desk:commitments/email-reply/internal_notes": "Po 1 pracovním dni předejte vedoucímu.",
        },
    )
    replace_in(po(site, CS), 'msgctxt "desk:vision"', '#, fuzzy\nmsgctxt "desk:vision"')
    checked = validated(site)
    catalogs, problems = i18n.load_content_catalogs(checked)
    assert problems == []
    translated, report = i18n.translate_site(checked, CS, catalogs)
    charter = translated.charters["desk"].charter
    assert charter.title == "Charta zákaznické linky"
    assert not isinstance(charter.title, ForeignText)
    promise = charter.commitments[0].promise
    assert isinstance(promise, ForeignText)
    assert (str(promise), promise.lang) == ("We answer 90% of calls within 60 seconds.", "en")
    assert isinstance(charter.vision, ForeignText)
    assert charter.commitments[1].internal_notes == "Po 1 pracovním dni předejte vedoucímu."
    # The source site is left as it was.
    assert checked.charters["desk"].charter.title == "Help desk charter"
    reasons = {f.context: f.reason for f in report.fallbacks}
    assert reasons["desk:vision"] == "fuzzy"
    assert reasons["desk:commitments/answer/promise"] == (
        "numbers differ: the source has 60, 90, the translation 60, 80"
    )
    assert reasons["desk:scope"] == "untranslated"
    assert "desk:title" not in reasons
    assert report.public_pages() == ["desk", "site_config"]
    handbook = [f for f in report.fallbacks if not f.public]
    assert {f.page for f in handbook} == {"procedures/answer"}
    translated_procedure = translated.procedures["answer"].procedure
    assert isinstance(translated_procedure.title, ForeignText)


def test_fallback_diagnostics_point_at_the_source_text(site: Path) -> None:
    checked = validated(site)
    catalogs, _ = i18n.load_content_catalogs(checked)
    _translated, report = i18n.translate_site(checked, CS, catalogs)
    public = {(d.code, str(d.pos)) for d in report.diagnostics()}
    assert ("CP610", "charter/desk.yml:27:14") in public
    assert {code for code, _ in public} == {"CP610"}
    everything = report.diagnostics(handbook=True)
    assert ("CP611", "charter/procedures/answer.yml:11:13") in {
        (d.code, str(d.pos)) for d in everything
    }
    assert all(d.level is Level.WARNING for d in everything)


def test_the_source_language_is_not_translated(site: Path) -> None:
    checked = validated(site)
    same, report = i18n.translate_site(checked, EN, {})
    assert same is checked
    assert report.fallbacks == []


def test_ui_translations_never_use_fuzzy_entries(tmp_path: Path) -> None:
    catalog = Catalog(locale="cs")
    catalog.add("Our commitments", "Naše závazky")
    catalog.add("Service", "Služba", flags=["fuzzy"])
    translations = i18n.translations_from_catalog(catalog)
    assert translations.gettext("Our commitments") == "Naše závazky"
    assert translations.gettext("Service") == "Service"


def test_the_commands_run_the_whole_cycle(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(ROOTS / "i18n_basic", root)
    for command in ("extract", "update", "compile"):
        result = run_cli("i18n", command, "--site", str(root), "--domain", "content")
        assert result.returncode == 0, result.stderr
    assert (root / "locales" / "cs" / "LC_MESSAGES" / "content.mo").is_file()
    assert (root / "locales" / "pt_PT" / "LC_MESSAGES" / "content.mo").is_file()
    again = run_cli("i18n", "extract", "--site", str(root), "--domain", "content")
    assert "locales/templates/content.pot: unchanged" in again.stderr
    status = run_cli("i18n", "status", "--site", str(root), "--domain", "content")
    assert status.stdout.splitlines()[0] == (
        "content cs: 0.0% translated (0 translated, 0 fuzzy, 22 untranslated) "
        "in locales/cs/LC_MESSAGES/content.po"
    )


def test_an_invalid_site_is_reported_not_extracted(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(ROOTS / "i18n_basic", root)
    replace_in(root / "charter" / "desk.yml", "      percent: 90\n", "      percent: 190\n")
    result = run_cli("i18n", "extract", "--site", str(root), "--domain", "content")
    assert result.returncode == 1
    assert "charter/desk.yml:31:16: error[CP204]" in result.stderr
    assert not (root / "locales").exists()


def test_the_ui_template_holds_every_string_of_the_templates() -> None:
    # Fails when a template string changed without `python build.py i18n extract --domain ui`
    # (then `i18n update --domain ui`, and translate the new strings). Lines may move freely.
    fresh = {(str(m.id), m.context) for m in i18n.extract_ui(REPO) if m.id}
    shipped = i18n.read_catalog(REPO / "locales" / "templates" / "ui.pot", None, "ui")
    assert fresh == {(str(m.id), m.context) for m in shipped if m.id}


def test_every_ui_string_is_translated_in_every_language() -> None:
    states, problems = i18n.status(i18n.ui_domain(REPO))
    assert problems == []
    left = {s.language: (s.counts.fuzzy, s.counts.untranslated) for s in states}
    assert left == dict.fromkeys(("pt-PT", "ca", "cs", "ro"), (0, 0))


def test_a_removed_sentence_is_kept_obsolete_and_comes_back_translated(site: Path) -> None:
    context = "desk:rights/respect/text"
    translate(po(site, CS), CS, {context: "Jednáme s vámi s respektem."})
    charter = site / "charter" / "desk.yml"
    respect = "  - id: respect\n    text: You are treated with respect.\n"
    replace_in(charter, respect, "")
    extract_and_update(site)
    text = po(site, CS).read_text(encoding="utf-8")
    assert f'#~ msgctxt "{context}"\n#~ msgid "You are treated with respect."\n' in text
    replace_in(charter, "rights:\n", "rights:\n" + respect)
    extract_and_update(site)
    block = entry_block(po(site, CS).read_text(encoding="utf-8"), context)
    assert block.endswith('msgstr "Jednáme s vámi s respektem."')
    assert "fuzzy" not in block and "#~" not in block


def test_jinja_renders_the_ui_translations_with_the_extraction_policy() -> None:
    from jinja2 import Environment

    env = Environment(extensions=["jinja2.ext.i18n"])
    i18n.install_ui_translations(env, CS)
    template = env.from_string(
        "{% trans %}\n    Our\n    commitments\n{% endtrans %}|{{ _('Not yet translated') }}"
    )
    assert template.render() == "Naše závazky|Zatím nepřeloženo"


def test_the_extractor_follows_babels_protocol() -> None:
    from babel.messages.extract import extract_from_file

    path = ROOTS / "i18n_basic" / "charter" / "desk.yml"
    found = list(extract_from_file("charterpress.i18n:extract_yaml", str(path)))
    assert found[0] == (
        1,
        "Help desk charter",
        [
            "Charter.title, in: charter/<id>.yml: one customer-service charter.",
            "Audience: public (customers read it on the public site)",
        ],
        "desk:title",
    )
    assert (27, "We answer 90% of calls within 60 seconds.") in {(f[0], f[1]) for f in found}


def test_check_warns_when_the_catalogs_lag_behind_the_sources(site: Path) -> None:
    replace_in(
        site / "charter" / "desk.yml",
        "vision: Every customer gets a clear answer.",
        "vision: Every customer gets a clear, quick answer.",
    )
    checked = validated(site)
    found = i18n.check(i18n.content_domain(checked), msgfmt=False, site=checked)
    assert [(d.code, str(d.pos), d.level) for d in found] == [
        ("CP612", "locales/templates/content.pot", Level.WARNING)
    ]
    assert found[0].message == "the template lags behind the sources (2 texts differ)"
    i18n.extract(i18n.content_domain(checked), checked)
    found = i18n.check(i18n.content_domain(checked), msgfmt=False, site=checked)
    assert [(d.code, str(d.pos)) for d in found] == [
        ("CP612", "locales/cs/LC_MESSAGES/content.po"),
        ("CP612", "locales/pt_PT/LC_MESSAGES/content.po"),
    ]
    i18n.update(i18n.content_domain(checked))
    assert i18n.check(i18n.content_domain(checked), msgfmt=False, site=checked) == []


def test_translate_languages_gives_every_published_language_in_order(site: Path) -> None:
    translate(po(site, PT), PT, {"desk:title": "Carta do serviço de apoio"})
    editions, problems = i18n.translate_languages(validated(site))
    assert [language.code for language, _, _ in editions] == ["en", "cs", "pt-PT"]
    portuguese = editions[2][1].charters["desk"].charter
    assert portuguese.title == "Carta do serviço de apoio"
    assert {d.code for d in problems} == {"CP610"}
    assert editions[0][2].fallbacks == []


def test_update_without_a_template_says_to_extract_first(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(ROOTS / "i18n_basic", root)
    result = run_cli("i18n", "update", "--site", str(root), "--domain", "content")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "locales/templates/content.pot: error[CP613]: there is no template for the domain "
        "'content'\n"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('msgid "a"\nmsgstr "b"\n', None),
        ('#~ msgid "a"\n#~| msgid "old"\n#~ msgstr "b"\n', None),
        ('msgid "a"\nmsgstr "b"\n"c\\"d"\n', None),
        ('msgid "a"\nmsgstr "b\n', (2, "a string is not closed on its line")),
        ('msgid "a"\nmsgstr b\n', (2, "a string is not closed on its line")),
        (
            'msgid "a"\nmsgtxt "b"\n',
            (2, "this line is neither a keyword with a string nor a string"),
        ),
    ],
)
def test_lint_po(text: str, problem: tuple[int, str] | None) -> None:
    assert i18n.lint_po(text) == problem


def test_check_accepts_a_number_kept_as_the_source_writes_it() -> None:
    # "2.2" reads as 22 in Catalan, where "." groups thousands; a version number kept verbatim
    # is still the same number.
    from charterpress.i18n import compare

    assert compare("We meet WCAG 2.2 AA", "Complim les WCAG 2.2 AA", "en", "ca") == []
    assert compare("We meet WCAG 2.2 AA", "Complim les WCAG 2,2 AA", "en", "ca") == []
    changed = compare("We answer 90% in 2 days", "Responem el 95 % en 2 dies", "en", "ca")
    assert [m.code for m in changed] == ["CP604"]


def test_a_long_previous_source_is_written_as_msgmerge_does_and_read_back(tmp_path: Path) -> None:
    # Babel re-wraps a long '#|' msgid as prose, breaking its quoting; ours keeps one quoted
    # string per line, which msgfmt accepts and which reads back to the same text.
    old = "We deliver 95% of orders within 3 working days. " * 3
    catalog = Catalog(locale="cs", domain="content")
    catalog.add("A new sentence.", "Nová věta.", context="x:promise", flags=["fuzzy"])
    catalog.get("A new sentence.", context="x:promise").previous_id = [old]
    path = tmp_path / "content.po"
    path.write_bytes(i18n.render_catalog(catalog))
    text = path.read_text(encoding="utf-8")
    previous = [line for line in text.splitlines() if line.startswith("#|")]
    assert previous[0] == '#| msgid ""'
    assert all(line.startswith('#| "') and line.endswith('"') for line in previous[1:])
    again = i18n.read_catalog(path, "cs", "content")
    assert again.get("A new sentence.", context="x:promise").previous_id == [old]
    msgfmt = require_tool("msgfmt")
    subprocess.run([msgfmt, "--check", "-o", os.devnull, str(path)], check=True)


def test_a_content_catalog_may_grow_with_the_sources_it_translates(site: Path) -> None:
    domain = i18n.content_domain(validated(site))
    sources = sum(p.stat().st_size for p in site.rglob("*.yml"))
    assert domain.max_bytes == i18n.MAX_CATALOG_BYTES + i18n.CATALOG_BYTES_PER_SOURCE_BYTE * sources
    assert i18n.ui_domain(REPO).max_bytes == i18n.MAX_CATALOG_BYTES
    # Over the limit: refused before it is parsed, at line 1.
    path = domain.po(languages.BY_CODE["pt-PT"])
    with pytest.raises(i18n.CatalogError) as refused:
        i18n.read_catalog(path, "pt_PT", domain.name, path.stat().st_size - 1)
    assert (refused.value.line, refused.value.code) == (1, "CP101")
