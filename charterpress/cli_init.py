"""The command `init`: a thin wrapper around scaffold.py."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import Problems, build_date, guarded
from .scaffold import SOURCE_LANGUAGES, InitOptions, check_options, init_site


def _split_languages(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--lang",
    "language",
    default="en",
    show_default=True,
    metavar="CODE",
    help=f"The source language of the starter texts: {', '.join(SOURCE_LANGUAGES)}.",
)
@click.option(
    "--languages",
    "published",
    default=None,
    metavar="CODES",
    help="The published languages, comma-separated (default: the source language only).",
)
@click.option(
    "--today",
    default=None,
    metavar="YYYY-MM-DD",
    help="The day the starter's dates follow (default: SOURCE_DATE_EPOCH, else the clock).",
)
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def init(
    folder: Path, language: str, published: str | None, today: str | None, debug: bool = False
) -> None:
    """Create a new charter site in FOLDER (new or empty), ready to validate and build."""
    options = InitOptions(folder, build_date(today), language, _split_languages(published))
    problems = check_options(options)
    if problems:
        raise Problems(problems)
    written = init_site(options)
    click.echo(
        f"charterpress: created a charter site in {folder} (source language {language}, "
        f"{len(written)} files); next: cd {folder} && charterpress validate",
        err=True,
    )
