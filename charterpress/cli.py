"""The command line: thin wrappers that run a stage and print what it found."""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .builddate import BuildDateError, resolve_build_date
from .diagnostics import (
    Diagnostic,
    Level,
    SourceLines,
    capped,
    error,
    format_json,
    format_not_shown,
    format_summary,
    format_text,
    has_errors,
    sort_diagnostics,
    strictly,
)

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_ERRORS, EXIT_INTERNAL = 0, 1, 2


class Problems(Exception):
    """Stop a command and report these diagnostics (exit 1)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problems")
        self.diagnostics = diagnostics


def report(diagnostics: list[Diagnostic], root: Path, fmt: str, *, ok_line: str = "") -> None:
    """Print diagnostics, sorted, with source excerpts (text) or as one JSON document."""
    ordered = sort_diagnostics(diagnostics)
    if fmt == "json":
        click.echo(format_json(ordered))
        return
    sources = SourceLines(root)
    shown, not_shown = capped(ordered)
    for diagnostic in shown:
        click.echo(format_text(diagnostic, sources) + "\n", err=True)
    if not_shown:
        click.echo(format_not_shown(not_shown), err=True)
    if has_errors(ordered):
        click.echo(f"charterpress: {format_summary(ordered)}; nothing was written", err=True)
    elif ok_line:
        suffix = f" ({format_summary(ordered)})" if ordered else ""
        click.echo(ok_line + suffix, err=True)


def internal_error(exc: BaseException, *, debug: bool) -> Diagnostic:
    """Describe a bug of Charterpress itself as a CP900 diagnostic, without a traceback."""
    detail = (str(exc).strip().splitlines() or [""])[0]
    if len(detail) > 160:
        detail = detail[:157] + "..."
    what = type(exc).__name__ + (f": {detail}" if detail else "")
    return error(
        "CP900",
        f"Charterpress stopped because of a bug in its own code ({what}); "
        "your files are not the cause, and nothing was written",
        None,
        "report the traceback printed above"
        if debug
        else "rerun the same command with --debug to see the traceback, and report it",
    )


def report_internal_error(exc: BaseException, fmt: str, *, debug: bool) -> None:
    """Print a CP900 diagnostic for a bug: JSON on stdout, or a short text on stderr."""
    diagnostic = internal_error(exc, debug=debug)
    if fmt == "json":
        click.echo(format_json([diagnostic]))
    else:
        click.echo(format_text(diagnostic), err=True)


def guarded(command: F) -> F:
    """Turn diagnostics into exit 1 and any bug into a short message and exit 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_root().params.get("debug") or kwargs.get("debug"))
        try:
            return command(*args, **kwargs)
        except Problems as problems:
            site = Path(kwargs.get("site") or ".")
            report(problems.diagnostics, site, kwargs.get("fmt") or "text")
            ctx.exit(EXIT_ERRORS)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("charterpress: interrupted; nothing was written", err=True)
            ctx.exit(130)
        except Exception as exc:
            if debug:
                traceback.print_exc()
            report_internal_error(exc, kwargs.get("fmt") or "text", debug=debug)
            ctx.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def site_option(command: F) -> F:
    """Add --site DIR."""
    return click.option(
        "--site",
        "site",
        default=".",
        show_default=True,
        type=click.Path(path_type=Path),  # checked by check_site_folder, as a diagnostic
        help="The site folder: site_config.yml, charter/, templates/, locales/.",
    )(command)


def format_option(command: F) -> F:
    """Add --format text|json."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="How to print diagnostics.",
    )(command)


def today_option(command: F) -> F:
    """Add --today YYYY-MM-DD."""
    return click.option(
        "--today",
        default=None,
        metavar="YYYY-MM-DD",
        help="The build date (default: SOURCE_DATE_EPOCH, else the clock).",
    )(command)


def check_site_folder(site: Path) -> None:
    """Fail with CP901 when --site does not name a folder."""
    if site.is_dir():
        return
    problem = "is a file, not a folder" if site.exists() else "does not exist"
    raise Problems(
        [
            error(
                "CP901",
                f"the site folder '{site}' {problem}",
                None,
                "pass --site with the folder that holds site_config.yml and charter/",
            )
        ]
    )


def build_date(today: str | None) -> Any:
    """Resolve the build date, as a diagnostic when it is invalid."""
    try:
        return resolve_build_date(today)
    except BuildDateError as exc:
        hint = (
            "set SOURCE_DATE_EPOCH to a whole number of seconds since 1970-01-01, or unset it"
            if "SOURCE_DATE_EPOCH" in str(exc)
            else "write the date as YYYY-MM-DD, e.g. --today 2025-03-31"
        )
        raise Problems([error("CP901", str(exc), None, hint)]) from None


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show a traceback when Charterpress itself fails.")
@click.version_option(__version__, prog_name="charterpress")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Charterpress: publish customer-service charters from YAML.

    Without a command, build the site in the current folder.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(build)


@main.command()
@site_option
@format_option
@today_option
@click.option("--strict", is_flag=True, help="Turn warnings (an overdue review, ...) into errors.")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read and check every file again, without what SITE/.charterpress-cache/ keeps.",
)
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def validate(
    site: Path,
    fmt: str,
    today: str | None,
    strict: bool = False,
    no_cache: bool = False,
    debug: bool = False,
) -> None:
    """Check every source file of the site and report all problems at once."""
    from .cache import CACHE_DIR, BuildCache
    from .load import paused_gc
    from .validate import overdue_reviews, validate_site

    check_site_folder(site)
    date = build_date(today)
    cache = BuildCache.open(None if no_cache else site / CACHE_DIR)
    # The loaded site stays alive until the process ends: leave its millions of objects out of
    # the collections that the report's few allocations would trigger (4 s at 1,000 charters).
    with paused_gc(freeze=True):
        outcome = validate_site(site, date, cache)
    diagnostics = list(outcome.diagnostics)
    if outcome.site is not None:
        diagnostics += overdue_reviews(outcome.site, date)
    if strict:
        diagnostics = strictly(diagnostics)
    if has_errors(diagnostics):
        raise Problems(diagnostics)
    count = len(outcome.site.charters) if outcome.site else 0
    report(
        diagnostics,
        site,
        fmt,
        ok_line=f"charterpress: {site}: {count} charter{'s' * (count != 1)} valid",
    )


@main.command()
@site_option
@click.option(
    "--out",
    "out",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the schemas (default: SITE/schemas).",
)
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def schema(site: Path, out: Path | None, debug: bool = False) -> None:
    """Write the JSON Schema of every source file kind, for editors."""
    from .schema import write_schemas

    check_site_folder(site)
    written = write_schemas(out or site / "schemas")
    for path in written:
        click.echo(f"wrote {path}", err=True)


@main.command(name="codes")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
def codes(fmt: str) -> None:
    """List every diagnostic code and what it means."""
    from .diagnostics import REGISTRY, registry_markdown

    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "code": c.code,
                        "name": c.name,
                        "level": c.level.value,
                        "summary": c.summary,
                        "explanation": c.explanation,
                    }
                    for c in REGISTRY.values()
                ],
                indent=2,
            )
        )
        return
    if fmt == "markdown":
        click.echo(registry_markdown(), nl=False)
        return
    for c in REGISTRY.values():
        level = "" if c.level is Level.ERROR else f" ({c.level.value})"
        click.echo(f"{c.code}  {c.name}{level}: {c.summary}")


def run() -> None:
    """Entry point of build.py."""
    sys.exit(main.main(standalone_mode=True))


from .cli_i18n import i18n_group  # noqa: E402 (cli_i18n builds on the helpers above)

main.add_command(i18n_group)


from .cli_build import build, serve  # noqa: E402

main.add_command(build)
main.add_command(serve)


from .cli_init import init  # noqa: E402

main.add_command(init)
