"""A site's own files override the built-in ones by name: here, the stylesheets."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from lxml import html

from charterpress.pipeline import BuildOptions, build_site
from charterpress.render import builtin_templates_dir

ROOTS = Path(__file__).resolve().parent / "roots"
TODAY = dt.date(2026, 6, 15)
OWN_CSS = "/* Minimal's own stylesheet */\n.md-typeset h1 { letter-spacing: -0.01em; }\n"


def test_a_sites_stylesheet_replaces_the_built_in_one_by_name(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site)
    own = site / "templates" / "mkdocs" / "assets"
    own.mkdir(parents=True)
    (own / "charterpress.css").write_text(OWN_CSS, encoding="utf-8")
    out = tmp_path / "out"

    result = build_site(BuildOptions(site=site, today=TODAY, out=out))

    assert result.ok, [str(d) for d in result.diagnostics]
    built_in = (builtin_templates_dir() / "mkdocs" / "assets" / "charterpress.css").read_text(
        encoding="utf-8"
    )
    for folder in ("public/en", "public/pt", "handbook/en", "handbook/pt"):
        assets = out / folder / "assets"
        assert (assets / "charterpress.css").read_text(encoding="utf-8") == OWN_CSS, folder
        # Files the site does not override stay built-in.
        assert (assets / "poster.css").is_file(), folder
        assert "--md-primary-fg-color" in (assets / "colours.css").read_text(encoding="utf-8")
    assert built_in != OWN_CSS
    page = html.parse(str(out / "public" / "en" / "index.html"))
    assert "assets/charterpress.css" in page.xpath("//link[@rel='stylesheet']/@href")
