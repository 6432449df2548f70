"""Load stage: find a site's source files and read them as positioned YAML documents."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, SourcePos, error
from .sourcecache import SourceMemo, entry_name
from .yamlsource import YamlDocument, load_yaml_file, load_yaml_text, read_source_text, text_digest

CONFIG_FILE = "site_config.yml"
CHARTER_DIR = "charter"
PROCEDURE_DIR = "charter/procedures"
RESULTS_DIR = "charter/results"
YAML_SUFFIXES = (".yml", ".yaml")


@dataclass
class SourceSet:
    """The YAML documents of one site, read but not yet checked against the model."""

    root: Path
    config: YamlDocument | None = None
    charters: list[YamlDocument] = field(default_factory=list)
    # Every charter file found, read or not: a charter whose file cannot be read still exists,
    # so what names it is not reported as naming an unknown charter.
    charter_ids: list[str] = field(default_factory=list)
    procedures: list[YamlDocument] = field(default_factory=list)
    results: list[YamlDocument] = field(default_factory=list)
    # What the previous run read and checked, when the build cache is used.
    memo: SourceMemo | None = None


def relative_name(root: Path, path: Path) -> str:
    """Name PATH relative to the site folder, with forward slashes, for diagnostics."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


@contextmanager
def paused_gc(*, freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of the block.

    With FREEZE, what is alive at the end of the block is moved out of the collector's reach
    (gc.freeze) before it runs again: for what stays alive until the process ends.
    """
    # Loading and checking a site allocates millions of small objects that all stay alive, so
    # each automatic collection walks everything allocated so far: half the CPU time of
    # `validate` at 200 charters. The YAML node graph and the models hold no reference cycles
    # worth collecting; reference counting still frees everything else at once.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            # Before enabling: the first collection after it would walk every object (1 s).
            gc.freeze()
        if was_enabled:
            gc.enable()


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES and not p.name.startswith(".")
    )


def _resolved(path: Path, folders: dict[Path, Path]) -> Path:
    """Return path.resolve(), resolving each folder once (FOLDERS) for files that are no links."""
    if path.is_symlink():
        return path.resolve()
    folder = folders.get(path.parent)
    if folder is None:
        folder = folders[path.parent] = path.parent.resolve()
    return folder / path.name


def _read_all(
    root: Path, paths: list[Path], diagnostics: list[Diagnostic], memo: SourceMemo | None
) -> list[YamlDocument]:
    documents = []
    inside = root.resolve()
    folders: dict[Path, Path] = {}
    for path in paths:
        if not _resolved(path, folders).is_relative_to(inside):
            diagnostics.append(
                error(
                    "CP212",
                    "the file is a symbolic link that leads outside the site folder",
                    SourcePos(relative_name(root, path)),
                    "copy the file into the site folder instead of linking to it",
                )
            )
            continue
        file = relative_name(root, path)
        document, problems = (
            load_yaml_file(path, file) if memo is None else _load_remembered(path, file, memo)
        )
        diagnostics.extend(problems)
        if document is not None:
            documents.append(document)
    return documents


def _load_remembered(
    path: Path, file: str, memo: SourceMemo
) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Load one YAML file as load_yaml_file does, reusing its data if MEMO has its text's."""
    text, diagnostics = read_source_text(path, file)
    if text is None:
        return None, diagnostics
    source, digest = text_digest(text)
    name = entry_name(file, digest)
    pickled = memo.data(name)
    if pickled is not None:
        return YamlDocument(
            file, None, digest=digest, source=source, pickled_data=pickled
        ), diagnostics
    document, problems = load_yaml_text(text, file)
    if document is not None and not problems:
        memo.read(name, document.data)
    return document, diagnostics + problems


def load_sources(root: Path, memo: SourceMemo | None = None) -> tuple[SourceSet, list[Diagnostic]]:
    """Read site_config.yml and every charter, procedure and result file of the site at ROOT.

    With MEMO, files whose text was read in the previous run are not parsed again.
    """
    diagnostics: list[Diagnostic] = []
    sources = SourceSet(root, memo=memo)
    config_path = root / CONFIG_FILE
    if not config_path.exists():
        diagnostics.append(
            error(
                "CP112",
                f"the site folder has no {CONFIG_FILE}",
                SourcePos(CONFIG_FILE),
                f"run Charterpress in a site folder, pass --site DIR, or create {CONFIG_FILE}",
            )
        )
    else:
        configs = _read_all(root, [config_path], diagnostics, memo)
        sources.config = configs[0] if configs else None
    charter_paths = _yaml_files(root / CHARTER_DIR)
    if not charter_paths and not any(
        d.pos and d.pos.file == CONFIG_FILE for d in diagnostics if d.code == "CP112"
    ):
        diagnostics.append(
            error(
                "CP112",
                f"the site has no charter: {CHARTER_DIR}/ holds no .yml file",
                SourcePos(f"{CHARTER_DIR}/"),
                f"write a charter as {CHARTER_DIR}/<id>.yml",
            )
        )
    sources.charters = _read_all(root, charter_paths, diagnostics, memo)
    sources.charter_ids = [p.stem for p in charter_paths]
    sources.procedures = _read_all(root, _yaml_files(root / PROCEDURE_DIR), diagnostics, memo)
    result_paths = sorted(
        p
        for folder in sorted((root / RESULTS_DIR).glob("*"))
        if folder.is_dir()
        for p in _yaml_files(folder)
    )
    # A results file outside a charter's folder would be silently ignored: say so instead.
    for stray in _yaml_files(root / RESULTS_DIR):
        diagnostics.append(
            error(
                "CP304",
                f"'{relative_name(root, stray)}' is not in a charter's results folder",
                SourcePos(relative_name(root, stray), 1, 1),
                f"move it to {RESULTS_DIR}/<charter id>/{stray.name}",
            )
        )
    sources.results = _read_all(root, result_paths, diagnostics, memo)
    return sources, diagnostics
