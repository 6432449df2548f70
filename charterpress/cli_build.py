"""The commands `build` and `serve`: thin wrappers around pipeline.py and serve.py."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import Problems, build_date, check_site_folder, guarded, report, site_option, today_option
from .diagnostics import has_errors


@click.command()
@site_option
@click.option(
    "--out",
    "out",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="The output folder (default: output_dir of site_config.yml, relative to the site).",
)
@click.option("--strict", is_flag=True, help="Treat every warning as an error.")
@today_option
@click.option(
    "--jobs",
    "-j",
    default=None,
    type=click.IntRange(min=1),
    help="MkDocs builds to run at once (default: one per core; 1: one after another).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Build everything again, without the results kept in SITE/.charterpress-cache/.",
)
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def build(
    site: Path,
    out: Path | None,
    strict: bool,
    today: str | None,
    jobs: int | None = None,
    no_cache: bool = False,
    debug: bool = False,
) -> None:
    """Build the public site into OUT/public/, replacing the old output only on success."""
    from .pipeline import BuildOptions, build_site

    check_site_folder(site)
    options = BuildOptions(
        site=site, today=build_date(today), out=out, strict=strict, jobs=jobs, cache=not no_cache
    )
    result = build_site(options)
    if has_errors(result.diagnostics) or result.out is None:
        raise Problems(result.diagnostics)
    report(
        result.diagnostics,
        site,
        "text",
        ok_line=f"charterpress: built {', '.join(result.languages)} into {result.out / 'public'}",
    )


@click.command()
@site_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@today_option
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def serve(site: Path, port: int, today: str | None, debug: bool = False) -> None:
    """Build and serve the site on 127.0.0.1, rebuilding and reloading on every change."""
    from .pipeline import BuildResult
    from .serve import failed, serve_site

    check_site_folder(site)

    def show(result: BuildResult) -> None:
        if failed(result):
            report(result.diagnostics, site, "text")
            click.echo("charterpress: still serving the last good build", err=True)
        else:
            report(result.diagnostics, site, "text", ok_line="charterpress: site built")

    def announce(url: str) -> None:
        click.echo(f"charterpress: serving {url} (Ctrl+C to stop)", err=True)

    serve_site(site, port=port, today=build_date(today), report=show, announce=announce)
