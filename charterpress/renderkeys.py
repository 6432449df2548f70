"""The digests that key the cached rendering of a build's pages (see render.PageStore).

Each is made once per build from the digests of the source files (YamlDocument.digest) and of
the catalogs (fingerprints.py); the templates are not among them: each page is keyed by the
texts of the templates its render loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from . import fingerprints
from .render import Edition, RenderKeys
from .validate import ValidatedSite


@dataclass(frozen=True)
class SiteInputs:
    """The digests every language's pages share: settings, sources, charters' files."""

    site: ValidatedSite
    parts: tuple[str, ...]
    sources: str
    charters: dict[str, str]
    procedures: dict[str, str]


def site_inputs(site: ValidatedSite) -> SiteInputs:
    """Digest, once per build, what the pages of every language are made from."""
    versions = []
    # Rendering runs these too (formatting, holidays, time zones, QR codes); the cache's key
    # adds Charterpress's own modules and the other tools' versions.
    for package in ("babel", "holidays", "tzdata", "segno", "pydantic", "markupsafe"):
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=none")
    by_charter: dict[str, list[str]] = {}
    for charter_id, source in site.charters.items():
        by_charter[charter_id] = [f"{source.document.file}={source.document.digest}"]
    for result in sorted(site.results, key=lambda r: r.document.file):
        by_charter.setdefault(result.charter_id, []).append(
            f"{result.document.file}={result.document.digest}"
        )
    charters = {key: fingerprints.digest(*found) for key, found in sorted(by_charter.items())}
    procedures = {
        key: fingerprints.digest(
            f"{source.document.file}={source.document.digest}",
            # A procedure's page shows the promises it keeps: the charters it delivers.
            *(f"{c}={charters.get(c, 'none')}" for c in sorted(d.charter for d in delivers)),
        )
        for key, source in sorted(site.procedures.items())
        for delivers in [source.procedure.delivers]
    }
    return SiteInputs(
        site=site,
        parts=(
            *versions,
            f"{site.config_document.file}={site.config_document.digest}",
            # --base-url replaces the configured address (with_base_url): not in the file.
            str(site.config.base_url),
        ),
        sources=fingerprints.sources_digest(site),
        charters=charters,
        procedures=procedures,
    )


def render_keys(common: SiteInputs, edition: Edition) -> RenderKeys:
    """Return the digests that key the cached pages of EDITION's language."""
    return RenderKeys(
        edition=fingerprints.digest(
            *common.parts,
            edition.language.code,
            edition.today.isoformat(),
            fingerprints.ui_catalog_digest(edition.language),
            fingerprints.content_catalog_digest(common.site, edition.language),
        ),
        site=common.sources,
        charters=common.charters,
        procedures=common.procedures,
    )
