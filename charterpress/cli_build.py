"""The commands `build` and `serve`: thin wrappers around pipeline.py and serve.py."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click

from .cli import Problems, build_date, check_site_folder, guarded, report, site_option, today_option
from .diagnostics import Level, error, has_errors
from .progress import Verbosity


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
    "--base-url",
    "base_url",
    default=None,
    metavar="URL",
    help="Publish at this address instead of base_url of site_config.yml (a preview).",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print only problems: no stage lines, no summary."
)
@click.option(
    "--verbose", "-v", is_flag=True, help="Also print each MkDocs build and the files written."
)
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
    base_url: str | None = None,
    quiet: bool = False,
    verbose: bool = False,
    jobs: int | None = None,
    no_cache: bool = False,
    debug: bool = False,
) -> None:
    """Build the public site into OUT/public/, replacing the old output only on success."""
    from .pipeline import BuildOptions, build_site
    from .progress import TerminalReporter

    check_site_folder(site)
    reporter = TerminalReporter(verbosity(quiet, verbose))
    try:
        result = build_site(
            BuildOptions(
                site=site,
                today=build_date(today),
                out=out,
                strict=strict,
                base_url=checked_base_url(base_url),
                jobs=jobs,
                cache=not no_cache,
            ),
            reporter,
        )
    finally:
        reporter.close()  # before any diagnostic or error is printed
    if has_errors(result.diagnostics) or result.out is None:
        raise Problems(result.diagnostics)
    report(result.diagnostics, site, "text")
    warnings = sum(1 for d in result.diagnostics if d.level is Level.WARNING)
    reporter.summary(result.out, result.languages, warnings, result.cache)


def checked_base_url(value: str | None) -> str | None:
    """Return --base-url ending in "/", or fail with CP901 unless it is a full web address."""
    if value is None:
        return None
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or any(c.isspace() or c in "\"'<>\\" for c in value)
    ):
        raise Problems(
            [
                error(
                    "CP901",
                    f"--base-url '{value}' is not the address of a site",
                    None,
                    "write a full address, e.g. --base-url https://preview.example.com/pr-12/",
                )
            ]
        )
    return value if value.endswith("/") else value + "/"


def verbosity(quiet: bool, verbose: bool) -> Verbosity:
    """Return the verbosity --quiet and --verbose ask for (CP901 for both at once)."""
    if quiet and verbose:
        raise Problems(
            [error("CP901", "--quiet and --verbose contradict each other", None, "choose one")]
        )
    return Verbosity.QUIET if quiet else Verbosity.VERBOSE if verbose else Verbosity.NORMAL


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
