"""The translators' workflow of docs/translators.md, run as a translator would run it."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from lxml import html

from charterpress import i18n
from charterpress.cli import main
from tests.conftest import ROOTS

OLD = "We reply to every e-mail within 2 working days."
NEW = "We reply to every e-mail within 2 working days, with a full answer."
CONTEXT = "desk:commitments/email-reply/promise"
CZECH_OLD = "Na každý e-mail odpovíme do 2 pracovních dnů."
CZECH_NEW = "Na každý e-mail odpovíme do 2 pracovních dnů, a to úplnou odpovědí."


def run(site: Path, *args: str) -> str:
    """Run a command as `python build.py ...` would; return what it printed."""
    result = CliRunner().invoke(main, [*args, "--site", str(site)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def build(site: Path) -> Path:
    """Build the site with a pinned date; return the Czech commitments page."""
    out = site / "out"
    run(site, "build", "--out", str(out), "--today", "2026-06-15")
    return out / "public" / "cs" / "desk" / "commitments" / "index.html"


def translate(site: Path, msgid: str, translation: str) -> None:
    """Do what a translator does in Poedit: write the translation, clear the fuzzy mark."""
    path = site / "locales" / "cs" / "LC_MESSAGES" / "content.po"
    catalog = i18n.read_catalog(path, "cs", "content")
    message = catalog.get(msgid, context=CONTEXT)
    assert message is not None
    message.string = translation
    message.flags.discard("fuzzy")
    message.previous_id = []
    path.write_bytes(i18n.render_catalog(catalog))


def shown_as(page: Path, text: str) -> str | None:
    """Return the language the page marks TEXT with, or None if TEXT is not on the page."""
    tree = html.parse(str(page))
    for element in tree.iter():
        if isinstance(element.tag, str) and text in (element.text or ""):
            marked = element.xpath("ancestor-or-self::*[@lang][1]/@lang")
            return str(marked[0]) if marked else ""
    return None


def test_a_changed_sentence_goes_fuzzy_falls_back_marked_then_reads_in_czech(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "i18n_basic", site)
    run(site, "i18n", "extract")
    run(site, "i18n", "update")
    translate(site, OLD, CZECH_OLD)
    page = build(site)
    assert shown_as(page, CZECH_OLD) == "cs"

    # The author rewrites the sentence; the translator's catalog keeps the old translation fuzzy.
    charter = site / "charter" / "desk.yml"
    charter.write_text(charter.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    run(site, "i18n", "extract")
    run(site, "i18n", "update")
    catalog = (site / "locales" / "cs" / "LC_MESSAGES" / "content.po").read_text("utf-8")
    (entry,) = [block for block in catalog.split("\n\n") if f'msgctxt "{CONTEXT}"' in block]
    assert "#, fuzzy" in entry
    assert f'#| msgid "{OLD}"' in entry
    assert "fuzzy" in run(site, "i18n", "status")

    # A fuzzy translation is never published: the Czech page shows the English, marked as such.
    page = build(site)
    assert shown_as(page, CZECH_OLD) is None
    assert shown_as(page, NEW) == "en"
    assert "cp-fallback" in page.read_text(encoding="utf-8")

    # The translator translates it; the next build shows it in Czech.
    translate(site, NEW, CZECH_NEW)
    page = build(site)
    assert shown_as(page, CZECH_NEW) == "cs"
    assert shown_as(page, NEW) is None
