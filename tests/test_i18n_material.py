"""The European Portuguese override of Material's own interface strings (its "pt" is Brazilian)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import material
from jinja2 import Environment, FileSystemLoader

from charterpress import i18n, languages

PT = languages.BY_CODE["pt-PT"]
MATERIAL_TEMPLATES = Path(material.__file__).parent / "templates"
BRAZILIAN = ("Buscar", "Compartilhar", "Digite", "Abas", "Inicializando", "Próximo", "busca")


def material_keys(language: str) -> set[str]:
    text = (MATERIAL_TEMPLATES / "partials" / "languages" / f"{language}.html").read_text("utf-8")
    return set(re.findall(r'^\s*"([^"]+)":', text, re.MULTILINE))


def install(tmp_path: Path) -> str:
    name, partial = i18n.material_language_partial(PT) or ("", "")
    target = tmp_path / "overrides" / "partials" / "languages" / f"{name}.html"
    target.parent.mkdir(parents=True)
    target.write_text(partial, encoding="utf-8")
    return name


def test_every_string_of_materials_portuguese_is_overridden() -> None:
    strings = i18n.material_strings(PT) or {}
    assert material_keys("pt") <= set(strings)
    assert not [v for v in strings.values() if any(word in v for word in BRAZILIAN)]


def test_the_partial_answers_materials_keys(tmp_path: Path) -> None:
    name = install(tmp_path)
    env = Environment(loader=FileSystemLoader([tmp_path / "overrides", MATERIAL_TEMPLATES]))
    template = env.from_string(
        f'{{% import "partials/languages/{name}.html" as lang %}}'
        '{{ lang.t("language") }}|{{ lang.t("search.placeholder") }}|{{ lang.t("search.share") }}'
        '|{{ lang.t("footer.next") }}|{{ lang.t("direction") }}'
    )
    assert template.render() == "pt-PT|Pesquisar|Partilhar|Seguinte|ltr"


def test_a_material_build_reads_as_portugal_writes(tmp_path: Path) -> None:
    name = install(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Carta\n\nOlá.\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Teste\n"
        "theme:\n"
        "  name: material\n"
        "  custom_dir: overrides\n"
        f"  language: {name}\n"
        "  font: false\n"
        "plugins: [search]\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="pt-PT"' in html
    assert 'placeholder="Pesquisar"' in html
    assert "Buscar" not in html and "Compartilhar" not in html
