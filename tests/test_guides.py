"""The guides: built with `mkdocs build --strict`, a YAML reference generated from the model and
kept up to date, and a walkthrough that runs the commands the getting-started guide quotes."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from lxml import html

from charterpress import reference
from charterpress.diagnostics import REGISTRY
from charterpress.languages import BY_CODE

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
GUIDES_CONFIG = REPO / "mkdocs-guides.yml"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
# 2026-11-23T00:00:00Z: the walkthrough's init and build dates never depend on the clock.
PINNED = {"SOURCE_DATE_EPOCH": "1795392000", "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}


def nav_files(nav: list[object]) -> list[str]:
    """Return every page of an MkDocs nav, in order."""
    found: list[str] = []
    for item in nav:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                found += nav_files(value) if isinstance(value, list) else [str(value)]
    return found


def test_the_reference_is_up_to_date() -> None:
    current = (DOCS / "reference.md").read_text(encoding="utf-8")
    assert current == reference.render_reference(REPO), (
        f"docs/reference.md is out of date: run {reference.COMMAND}"
    )
    assert reference.main(["--check"]) == 0


def test_every_field_of_the_model_is_described() -> None:
    missing = [
        f"{doc.model.__name__}.{f.name}"
        for _, sections in reference.model_docs({})
        for doc in sections
        for f in doc.fields
        if not f.description
    ]
    assert missing == [], "describe these fields in the model or in reference.FIELD_NOTES"
    fields = {
        f"{doc.model.__name__}.{f.name}"
        for _, sections in reference.model_docs({})
        for doc in sections
        for f in doc.fields
    }
    assert set(reference.FIELD_NOTES) <= fields, "FIELD_NOTES names a field that is gone"


def test_the_reference_has_a_row_per_field_with_type_and_requirement() -> None:
    text = reference.render_reference(REPO)
    for _, sections in reference.model_docs({}):
        for doc in sections:
            section = text.split(f"\n### {doc.model.__name__}\n", 1)[1].split("\n### ", 1)[0]
            for f in doc.model.model_fields:
                row = next(line for line in section.splitlines() if line.startswith(f"| `{f}` |"))
                cells = [c.strip() for c in row.strip("|").split(" | ")]
                assert cells[1], row  # a type
                assert cells[2] in ("yes", "no"), row
    # Required and optional as the model says.
    assert "| `title` | text | yes | The charter's title" in text
    assert "| `output_dir` | plain text | no |" in text
    # Nested models link to their own section; internal fields say so.
    assert "list of [Channel](#channel)" in text
    assert "*Staff only.*" in text


def test_examples_are_taken_from_the_example_site() -> None:
    config = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
    examples = reference.example_values(REPO)
    assert examples[("SiteConfig", "base_url")] == config["base_url"]
    assert examples[("SiteConfig", "source_language")] == config["source_language"]
    online = yaml.safe_load((REPO / "charter" / "online.yml").read_text(encoding="utf-8"))
    assert examples[("Channel", "address")] == online["channels"][0]["address"]
    # Each kind of target gets its own example, chosen by its `kind`.
    assert examples[("EveryCase", "kind")] == "every_case"
    assert examples[("PercentWithin", "kind")] == "percent_within"
    text = reference.render_reference(REPO)
    assert f"| `{config['base_url']}` |" in text


def test_the_guides_explain_every_diagnostic_code() -> None:
    # docs/diagnostics.md is generated from the registry (tests/test_registry.py keeps it so);
    # the guides publish it and send authors to it.
    codes = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    assert "### CP201 missing-field" in codes
    assert len(REGISTRY) > 50
    for page in ("getting-started.md", "reference.md", "index.md"):
        assert "(diagnostics.md)" in (DOCS / page).read_text(encoding="utf-8"), page


def test_every_page_of_docs_is_in_the_guides() -> None:
    config = yaml.safe_load(GUIDES_CONFIG.read_text(encoding="utf-8"))
    assert config["docs_dir"] == "docs"
    listed = nav_files(config["nav"])
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert sorted(listed) == pages
    for audience in ("For authors", "For translators", "For web people", "For staff"):
        assert any(isinstance(i, dict) and audience in i for i in config["nav"]), audience


def test_the_guides_build_with_strict(tmp_path: Path) -> None:
    out = tmp_path / "guides"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(GUIDES_CONFIG), "-d", out],
        cwd=REPO,
        env={**os.environ, **PINNED},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    for page in ("getting-started", "reference", "deploy", "handbook", "overrides", "exports"):
        assert (out / page / "index.html").is_file(), page
    ref = html.fromstring((out / "reference" / "index.html").read_bytes())
    assert ref.xpath("//h3[@id='channel']")
    # The guides make no request to another host: no Google Fonts.
    assert "fonts.googleapis.com" not in (out / "index.html").read_text(encoding="utf-8")


def walkthrough_commands() -> list[str]:
    """Return the commands the getting-started guide quotes, in order, after installation."""
    text = (DOCS / "getting-started.md").read_text(encoding="utf-8")
    commands = []
    for language, body in FENCE.findall(text):
        if language != "sh":
            continue
        for line in body.splitlines():
            command = line.split("#")[0].strip()
            if command.startswith(("charterpress ", "cd ")):
                commands.append(command)
    return commands


def test_the_walkthrough_of_the_getting_started_guide(tmp_path: Path) -> None:
    commands = walkthrough_commands()
    assert [c.split()[:2] for c in commands] == [
        ["charterpress", "init"],
        ["cd", "my-charter"],
        ["charterpress", "validate"],
        ["charterpress", "build"],
    ]
    cwd = tmp_path
    for command in commands:
        words = shlex.split(command)
        if words[0] == "cd":
            cwd = cwd / words[1]
            continue
        # `charterpress X` is `python build.py X` from a checkout.
        result = subprocess.run(
            [sys.executable, str(REPO / "build.py"), *words[1:]],
            cwd=cwd,
            env={**os.environ, **PINNED},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{command}\n{result.stderr}"
        if words[1] == "validate":
            assert result.stderr.endswith("1 charter valid\n")
    init = shlex.split(commands[0])
    languages = init[init.index("--languages") + 1].split(",")
    assert len(languages) == 2
    public = cwd / "site" / "public"
    assert (public / "index.html").is_file()
    for code in languages:
        segment = BY_CODE[code].segment
        page = html.fromstring((public / segment / "index.html").read_bytes())
        assert page.get("lang") == BY_CODE[code].bcp47


def doc_blocks(page: str, language: str) -> list[str]:
    """Return the fenced blocks of one language in a page of the guides."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def test_the_documented_overrides_change_the_output(tmp_path: Path) -> None:
    """Follow the web people's guide: a page template and main.html, overridden by name."""
    from charterpress.render import builtin_templates_dir

    site = tmp_path / "site"
    run = [sys.executable, str(REPO / "build.py")]
    env = {**os.environ, **PINNED}
    subprocess.run([*run, "init", str(site), "--lang", "cs"], env=env, check=True)
    builtin = builtin_templates_dir()

    # The home page: the guide's lines go under the title of a copy of the built-in template.
    home_lines = doc_blocks("overrides.md", "jinja")[0]
    assert home_lines.startswith("# {{ title }}\n")
    home = (builtin / "public" / "home.md.j2").read_text(encoding="utf-8")
    assert "# {{ title }}\n" in home
    own = site / "templates" / "public" / "home.md.j2"
    own.parent.mkdir(parents=True)
    own.write_text(home.replace("# {{ title }}\n", home_lines, 1), encoding="utf-8")

    # The CSS: the guide's styles block, added to a copy of the built-in main.html.
    styles = doc_blocks("overrides.md", "jinja")[1]
    block = styles[styles.index("{% block styles %}") :]
    main_html = (builtin / "mkdocs" / "overrides" / "main.html").read_text(encoding="utf-8")
    frame = site / "templates" / "mkdocs" / "overrides" / "main.html"
    frame.parent.mkdir(parents=True)
    frame.write_text(main_html + "\n" + block, encoding="utf-8")

    # The stylesheet: the guide's rule, added to a copy of the built-in charterpress.css.
    rule = doc_blocks("overrides.md", "css")[0]
    css = (builtin / "mkdocs" / "assets" / "charterpress.css").read_text(encoding="utf-8")
    own_css = site / "templates" / "mkdocs" / "assets" / "charterpress.css"
    own_css.parent.mkdir(parents=True)
    own_css.write_text(css + "\n" + rule, encoding="utf-8")

    built = subprocess.run(
        [*run, "build", "--site", str(site)], env=env, capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    page = html.fromstring((site / "site" / "public" / "cs" / "index.html").read_bytes())
    title = page.xpath("//article//h1")[0]
    following = title.xpath("following-sibling::*[1]")[0]
    assert following.text_content() == "Ukázková firma s.r.o."
    assert any(".md-typeset h1 { letter-spacing" in s.text_content() for s in page.xpath("//style"))
    built_css = site / "site" / "public" / "cs" / "assets" / "charterpress.css"
    assert built_css.read_text(encoding="utf-8") == css + "\n" + rule
