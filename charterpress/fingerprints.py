"""What a cached result depends on, as digests: source files, catalogs, templates.

The build cache (cache.py) keys each stage's results by the digests of exactly what the stage
reads. The sources' digests come with their documents (YamlDocument.digest, taken when a file is
read); this module adds those of the files that are not YAML sources: the gettext catalogs and
the Jinja templates, the site's own and Charterpress's built-in ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from . import i18n
from .languages import Language
from .render import SITE_TEMPLATES, builtin_templates_dir
from .validate import ValidatedSite


def digest(*parts: str) -> str:
    """Return one SHA-256 of several strings (each one's length is part of it: no ambiguity)."""
    found = hashlib.sha256()
    for part in parts:
        found.update(f"{len(part)}:{part}\0".encode())
    return found.hexdigest()


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, or 'none' when it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "none"


def tree_digest(folders: Iterable[Path]) -> str:
    """Return the SHA-256 of the names and bytes of every file under FOLDERS (missing: none)."""
    found = hashlib.sha256()
    for number, folder in enumerate(folders):
        found.update(f"folder {number}\0".encode())
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            data = path.read_bytes()
            found.update(f"{len(name)}:{name}:{len(data)}:".encode())
            found.update(data)
    return found.hexdigest()


def templates_digest(site_root: Path) -> str:
    """Return the digest of every template a page can use: the site's, then the built-in ones."""
    return tree_digest([site_root / SITE_TEMPLATES, builtin_templates_dir()])


def ui_catalog_digest(language: Language) -> str:
    """Return the digest of Charterpress's interface catalog of LANGUAGE."""
    return file_digest(i18n.po_path(i18n.PACKAGE_LOCALES, language.gettext, i18n.UI_DOMAIN))


def content_catalog_digest(site: ValidatedSite, language: Language) -> str:
    """Return the digest of the site's content catalog of LANGUAGE ('none' if it has none)."""
    return file_digest(i18n.content_domain(site).po(language))


def sources_digest(site: ValidatedSite) -> str:
    """Return the digest of every source file of SITE: its settings, charters, procedures,
    results."""
    documents = [site.config_document]
    documents += [source.document for _, source in sorted(site.charters.items())]
    documents += [source.document for _, source in sorted(site.procedures.items())]
    documents += sorted((r.document for r in site.results), key=lambda d: d.file)
    return digest(*(f"{d.file}={d.digest}" for d in documents))
