"""`init`: a new site in each of the five source languages that validates and builds at once."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from lxml import html

from charterpress.cli import main
from charterpress.languages import BY_CODE
from charterpress.publish import PUBLIC
from charterpress.scaffold import (
    COMMON,
    SOURCE_LANGUAGES,
    STARTERS,
    InitOptions,
    starter_files,
)
from charterpress.schema import SCHEMA_FOR

TODAY = "2026-11-23"
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def invoke(*args: str) -> Result:
    """Run the command line in-process with a pinned build date."""
    env = {"SOURCE_DATE_EPOCH": "", "NO_COLOR": "1"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_the_five_source_languages_have_a_starter() -> None:
    assert set(SOURCE_LANGUAGES) == set(BY_CODE)
    for code in SOURCE_LANGUAGES:
        assert (STARTERS / code / "site_config.yml").is_file(), code


@pytest.mark.parametrize("language", SOURCE_LANGUAGES)
def test_init_then_validate_then_build(tmp_path: Path, language: str) -> None:
    site = tmp_path / "new-site"
    created = invoke("init", str(site), "--lang", language, "--today", TODAY)
    assert created.exit_code == 0, created.output
    assert f"created a charter site in {site} (source language {language}" in created.stderr

    validated = invoke("validate", "--site", str(site), "--today", TODAY)
    assert validated.exit_code == 0, validated.output
    # Nothing to warn about either: a starter must not greet its author with warnings.
    assert validated.stderr == f"charterpress: {site}: 1 charter valid\n"

    built = invoke("build", "--site", str(site), "--today", TODAY)
    assert built.exit_code == 0, built.output
    segment = BY_CODE[language].segment
    public = site / "site" / PUBLIC
    charter = next((site / "charter").glob("*.yml")).stem
    assert (public / "index.html").is_file()
    assert (public / segment / "index.html").is_file()
    assert (public / segment / charter / "index.html").is_file()
    # The home page is in the chosen language: its title is the starter charter's title.
    title = yaml.safe_load((site / "charter" / f"{charter}.yml").read_text("utf-8"))["title"]
    home = html.fromstring((public / segment / "index.html").read_bytes())
    assert title in home.text_content()


def test_the_layout_of_a_new_site(tmp_path: Path) -> None:
    site = tmp_path / "s"
    created = invoke("init", str(site), "--lang", "ca", "--languages", "ca,en", "--today", TODAY)
    assert created.exit_code == 0, created.output
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert files == [
        ".github/workflows/publish.yml",
        ".gitignore",
        "README.md",
        "charter/atencio-al-client.yml",
        "charter/procedures/respondre-correu.yml",
        "charter/results/atencio-al-client/2025.yml",
        "locales/README.md",
        "schemas/charter.schema.json",
        "schemas/procedure.schema.json",
        "schemas/result.schema.json",
        "schemas/site_config.schema.json",
        "site_config.yml",
        "templates/README.md",
    ]
    config = yaml.safe_load((site / "site_config.yml").read_text("utf-8"))
    assert config["source_language"] == "ca"
    assert config["languages"] == ["ca", "en"]


@pytest.mark.parametrize("language", SOURCE_LANGUAGES)
def test_every_yaml_file_names_its_schema(tmp_path: Path, language: str) -> None:
    options = InitOptions(tmp_path, dt.date(2026, 11, 23), language)
    files = starter_files(options)
    yaml_files = [name for name in files if name.endswith(".yml") and "/workflows/" not in name]
    assert len(yaml_files) == 4
    for name in yaml_files:
        first = files[name].splitlines()[0]
        match = SCHEMA_LINE.match(first)
        assert match, f"{name}: {first}"
        expected = next(s for pattern, s in SCHEMA_FOR.items() if Path(name).match(pattern))
        schema = _normalise(f"{Path(name).parent.as_posix()}/{match.group(1)}")
        assert schema == f"schemas/{expected}", name


def _normalise(path: str) -> str:
    """Resolve '..' in a relative POSIX path without touching the disk."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


@pytest.mark.parametrize("language", SOURCE_LANGUAGES)
def test_no_placeholder_is_left(tmp_path: Path, language: str) -> None:
    files = starter_files(InitOptions(tmp_path, dt.date(2030, 1, 1), language))
    for name, text in files.items():
        assert not re.search(r"@[A-Z_0-9]+@", name + text), name
    results = [n for n in files if n.startswith("charter/results/")]
    assert [Path(n).name for n in results] == ["2029.yml"]


def test_dates_follow_the_day_of_init(tmp_path: Path) -> None:
    for year in (2027, 2031):
        site = tmp_path / str(year)
        today = f"{year}-01-01"
        assert invoke("init", str(site), "--lang", "ro", "--today", today).exit_code == 0
        validated = invoke("validate", "--site", str(site), "--today", today)
        assert validated.exit_code == 0, validated.output
        assert "warning" not in validated.stderr


def test_the_starter_texts_differ_between_languages(tmp_path: Path) -> None:
    titles = set()
    for language in SOURCE_LANGUAGES:
        files = starter_files(InitOptions(tmp_path, dt.date(2026, 11, 23), language))
        charter = next(t for n, t in files.items() if re.fullmatch(r"charter/[^/]+\.yml", n))
        titles.add(yaml.safe_load(charter)["title"])
    assert len(titles) == len(SOURCE_LANGUAGES)


def test_the_same_files_in_every_language(tmp_path: Path) -> None:
    def shape(language: str) -> list[str]:
        files = starter_files(InitOptions(tmp_path, dt.date(2026, 11, 23), language))
        # Under charter/, names are the starter's ids, in its language: compare the shape only.
        keep = {"charter", "procedures", "results"}
        return sorted(
            "/".join(p if p in keep or not n.startswith("charter/") else "*" for p in n.split("/"))
            for n in files
        )

    english = shape("en")
    for language in SOURCE_LANGUAGES:
        assert shape(language) == english, language
    assert (STARTERS / COMMON / "dot-github" / "workflows" / "publish.yml").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = invoke("init", str(tmp_path), "--today", TODAY)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{tmp_path / 'notes.txt'}: error[CP911]: the folder '{tmp_path}' is not empty: init "
        "writes only into a new or empty folder\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_init_accepts_an_empty_folder(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path), "--today", TODAY).exit_code == 0
    assert (tmp_path / "site_config.yml").is_file()


def test_init_accepts_an_empty_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    assert invoke("init", str(tmp_path), "--today", TODAY).exit_code == 0
    assert (tmp_path / "site_config.yml").is_file()
    assert (tmp_path / ".git" / "HEAD").read_text("utf-8") == "ref: refs/heads/main\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "de"], "error[CP910]: there is no starter in 'de'"),
        (["--lang", "pt"], "error[CP910]: there is no starter in 'pt'"),
        (["--languages", "en,fr"], "error[CP910]: 'fr' is not a language Charterpress publishes"),
        (
            ["--lang", "cs", "--languages", "en,ro"],
            "error[CP910]: --languages does not include the source language 'cs'",
        ),
        (["--languages", "en,en"], "error[CP910]: --languages names a language twice"),
    ],
)
def test_init_rejects_languages_it_cannot_publish(
    tmp_path: Path, args: list[str], message: str
) -> None:
    target = tmp_path / "new"
    result = invoke("init", str(target), *args, "--today", TODAY)
    assert result.exit_code == 1
    assert result.stderr.startswith(message + "\n"), result.stderr
    assert not target.exists()


def test_init_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    result = invoke("init", str(target), "--today", TODAY)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{target}: error[CP911]: '{target}' is a file, not a folder\n")
