"""Internal stays internal: a marker in every internal field and every procedure text of a copy
of the example reaches the handbook and nothing under <out>/public/ (HTML, JSON, search index,
sitemap, assets, compressed files); and a public template that tries to print an internal field
stops the build (CP402) instead of publishing it."""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from charterpress.diagnostics import SourcePos
from charterpress.model import (
    Charter,
    Procedure,
    ResultSet,
    SiteConfig,
    internal_fields,
    text_fields,
)
from charterpress.pipeline import BuildOptions, build_site, resolve_languages
from charterpress.render import Renderer
from charterpress.validate import validate_site
from charterpress.yamlsource import load_yaml_file

FieldPath = tuple[str, ...]


class Markers:
    """Hand out unique markers, remembering which field path each went into."""

    def __init__(self) -> None:
        self.placed: dict[str, FieldPath] = {}

    def new(self, path: FieldPath) -> str:
        number = len(self.placed) + 1
        marker = f"zqleak{number:04d}q"
        if path[-1] == "email":
            marker += "@example.org"
        self.placed[marker] = path
        return marker


def _targets(data: Any, path: FieldPath) -> Iterator[tuple[dict[str, Any], str]]:
    """Yield (mapping, key) for every place PATH ('*' = every list item) reaches in DATA."""
    head, rest = path[0], path[1:]
    if head == "*":
        for item in data if isinstance(data, list) else []:
            yield from _targets(item, rest)
        return
    if not isinstance(data, dict):
        return
    if not rest:
        yield data, head
    elif head in data:
        yield from _targets(data[head], rest)


def _mark(file: Path, paths: list[FieldPath], markers: Markers) -> set[FieldPath]:
    """Put a marker in every field of FILE that PATHS reach; return the paths that got one."""
    document, problems = load_yaml_file(file, file.name)
    assert document is not None, problems
    data = document.data
    done: set[FieldPath] = set()
    for path in paths:
        for mapping, key in _targets(data, path):
            mapping[key] = markers.new(path)
            done.add(path)
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return done


def _all_files(folder: Path) -> Iterator[tuple[Path, bytes]]:
    """Yield every file under FOLDER with its content, decompressed when it is gzip."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            content = path.read_bytes()
            if path.suffix == ".gz":
                content = gzip.decompress(content)
            yield path, content


def test_internal_fields_and_procedures_reach_only_the_handbook(
    example_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = Markers()
    marked_internal: set[FieldPath] = set()
    charter_paths = internal_fields(Charter)
    result_paths = internal_fields(ResultSet)
    for file in sorted((example_copy / "charter").glob("*.yml")):
        marked_internal |= _mark(file, charter_paths, markers)
    for file in sorted((example_copy / "charter" / "results").rglob("*.yml")):
        marked_internal |= {("results", *p) for p in _mark(file, result_paths, markers)}
    # Every text of a procedure, its owner's name and address (every field is internal; the
    # others are ids, dates, durations and amounts, which the text fields refer to).
    procedure_paths = [*text_fields(Procedure), ("owner", "name"), ("owner", "email")]
    assert set(procedure_paths) <= set(internal_fields(Procedure))
    marked_procedure: set[FieldPath] = set()
    for file in sorted((example_copy / "charter" / "procedures").glob("*.yml")):
        marked_procedure |= _mark(file, procedure_paths, markers)

    # Every field the model marks internal got a marker, in at least one file.
    model_internal = {
        *charter_paths,
        *(("results", *p) for p in result_paths),
        *internal_fields(SiteConfig),
    }
    assert marked_internal == model_internal
    assert len(marked_internal) >= len(model_internal) >= 7
    assert marked_procedure == set(procedure_paths)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    out = tmp_path / "out"
    result = build_site(BuildOptions(site=example_copy, today=dt.date(2026, 11, 23), out=out))
    assert result.ok, [str(d) for d in result.diagnostics]

    handbook = b"\n".join(content for _path, content in _all_files(out / "handbook"))
    missing = sorted(m for m in markers.placed if m.encode() not in handbook)
    assert missing == [], [markers.placed[m] for m in missing]

    public_files = list(_all_files(out / "public"))
    kinds = {path.suffix for path, _content in public_files}
    assert {".html", ".json", ".xml", ".css", ".js"} <= kinds
    leaks = [
        (path.relative_to(out).as_posix(), markers.placed[marker])
        for path, content in public_files
        for marker in markers.placed
        if marker.encode() in content
    ]
    assert leaks == []


# ---------------------------------------------------------------------------------------------
# The other way round: a public template that tries to print an internal field


def _append(template: Path, text: str) -> int:
    """Append TEXT as the last line of a site template; return its line number."""
    source = template.read_text(encoding="utf-8").rstrip("\n") + "\n"
    template.write_text(source + text + "\n", encoding="utf-8")
    return source.count("\n") + 1


@pytest.mark.parametrize(
    ("template", "line", "code", "message"),
    [
        (
            "about.md.j2",
            "{{ charter.owner.email }}",
            "CP402",
            "the template prints 'Owner.email', which is for staff only and never appears on the "
            "public site (while rendering public/about.md.j2)",
        ),
        (
            "results.md.j2",
            "{% for source in results %}{{ source.results.internal_notes }}{% endfor %}",
            "CP402",
            "the template prints 'ResultSet.internal_notes', which is for staff only and never "
            "appears on the public site (while rendering public/results.md.j2)",
        ),
        (
            # The procedures (and the source files) are not within a public template's reach.
            "about.md.j2",
            "{{ extra.site.procedures }}",
            "CP401",
            "the template uses a value that does not exist: 'extra' is undefined "
            "(while rendering public/about.md.j2)",
        ),
    ],
)
def test_a_public_template_printing_an_internal_field_stops_the_build(
    example_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    template: str,
    line: str,
    code: str,
    message: str,
) -> None:
    # A site's own template, under the site's templates/, overriding the built-in one by name.
    override = example_copy / "templates" / "public" / template
    number = _append(override, line)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    out = tmp_path / "out"
    result = build_site(BuildOptions(site=example_copy, today=dt.date(2026, 11, 23), out=out))
    assert not result.ok
    found = {(d.code, d.level.value, d.pos, d.message) for d in result.diagnostics}
    where = SourcePos(f"templates/public/{template}", number, 1)
    # The same failure in each of the five languages, and nothing else.
    assert found == {(code, "error", where, message)}
    assert not out.exists()


def test_a_public_template_may_test_an_internal_field_and_gets_false(example_copy: Path) -> None:
    override = example_copy / "templates" / "public" / "about.md.j2"
    _append(override, "{% if charter.owner.email %}zqleak-email{% else %}zqwithheld{% endif %}")
    outcome = validate_site(example_copy, dt.date(2026, 11, 23))
    assert outcome.site is not None
    editions, _problems = resolve_languages(outcome.site, dt.date(2026, 11, 23))
    rendered, diagnostics = Renderer(example_copy).render_edition(editions[0])
    assert diagnostics == [] and rendered is not None
    about = [page.markdown for page in rendered.pages if page.path.endswith("/about.md")]
    assert len(about) == 2
    assert all("zqwithheld" in text and "zqleak" not in text for text in about)
