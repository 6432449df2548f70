"""The `i18n` commands: extract, update, compile, status and check the translation catalogs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .cli import (
    Problems,
    build_date,
    check_site_folder,
    format_option,
    guarded,
    report,
    site_option,
    today_option,
)
from .diagnostics import Diagnostic, error, has_errors

F = TypeVar("F", bound=Callable[..., Any])


def domain_option(command: F) -> F:
    """Add --domain ui|content|all."""
    return click.option(
        "--domain",
        "domain",
        type=click.Choice(["all", "ui", "content"]),
        default="all",
        show_default=True,
        help="ui: Charterpress's template strings; content: the site's own texts; all: both "
        "(ui only in Charterpress's own checkout).",
    )(command)


def _domains(site: Path, which: str, today: str | None = None) -> tuple[list[Any], Any]:
    """Return the domains to work on and the validated site (validating it for 'content').

    The content domain is worked on only when the site validates, and validation depends on
    the build date TODAY (a results period not over yet, the version of a charter in force).
    """
    from . import i18n
    from .load import paused_gc
    from .validate import validate_site

    check_site_folder(site)
    when = build_date(today)  # an invalid --today is refused whatever the domain
    domains: list[Any] = []
    validated = None
    # The ui catalogs belong to Charterpress: "all" includes them only in its own checkout, so
    # another site's `i18n update` never rewrites the installed package.
    own_checkout = site.resolve() == i18n.PACKAGE_LOCALES.parent
    if which == "ui" or (which == "all" and own_checkout):
        if not i18n.can_extract_ui():
            raise Problems(
                [
                    error(
                        "CP901",
                        "the ui catalogs are managed in Charterpress's own source checkout",
                        None,
                        "run the i18n commands there, or use --domain content",
                    )
                ]
            )
        domains.append(i18n.ui_domain(site))
    if which in ("all", "content"):
        # The site stays alive until the command ends: leave its objects out of the collections
        # that reading and writing the catalogs trigger (as `validate` does).
        with paused_gc(freeze=True):
            outcome = validate_site(site, when)
        if has_errors(outcome.diagnostics) or outcome.site is None:
            raise Problems(outcome.diagnostics)
        validated = outcome.site
        domains.append(i18n.content_domain(validated))
    return domains, validated


def _finish(problems: list[Diagnostic], site: Path, fmt: str, ok_line: str) -> None:
    if has_errors(problems):
        raise Problems(problems)
    report(problems, site, fmt, ok_line=ok_line)


@click.group(name="i18n")
def i18n_group() -> None:
    """Translation catalogs: extract, update, compile, status, check (see docs/translators.md)."""


@i18n_group.command()
@site_option
@domain_option
@today_option
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def extract(site: Path, domain: str, today: str | None, debug: bool = False) -> None:
    """Write locales/templates/*.pot from the templates and the site's texts."""
    from . import i18n

    domains, validated = _domains(site, domain, today)
    for each in domains:
        changed = i18n.extract(each, validated)
        state = "written" if changed else "unchanged"
        click.echo(f"{each.display(each.pot())}: {state}", err=True)


@i18n_group.command()
@site_option
@domain_option
@today_option
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def update(site: Path, domain: str, today: str | None, debug: bool = False) -> None:
    """Merge the .pot templates into every language's .po catalog (new languages get one)."""
    from . import i18n

    domains, _ = _domains(site, domain, today)
    problems: list[Diagnostic] = []
    for each in domains:
        written, found = i18n.update(each)
        problems += found
        for path in written:
            click.echo(f"{each.display(path)}: updated", err=True)
    _finish(problems, site, "text", "charterpress: catalogs up to date")


@i18n_group.command(name="compile")
@site_option
@domain_option
@click.option(
    "--out",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the .mo files under OUT/<code>/LC_MESSAGES instead of beside the .po files.",
)
@today_option
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def compile_(
    site: Path, domain: str, out: Path | None, today: str | None, debug: bool = False
) -> None:
    """Compile every .po into a .mo (fuzzy entries left out)."""
    from . import i18n

    domains, _ = _domains(site, domain, today)
    problems: list[Diagnostic] = []
    for each in domains:
        written, found = i18n.compile_catalogs(each, out)
        problems += found
        for path in written:
            click.echo(f"{each.display(path)}: compiled", err=True)
    _finish(problems, site, "text", "charterpress: catalogs compiled")


@i18n_group.command()
@site_option
@domain_option
@format_option
@today_option
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def status(site: Path, domain: str, fmt: str, today: str | None, debug: bool = False) -> None:
    """Show translated, fuzzy and untranslated entries per language, page and audience."""
    from . import i18n

    domains, _ = _domains(site, domain, today)
    states = []
    problems: list[Diagnostic] = []
    for each in domains:
        found_states, found = i18n.status(each)
        states += found_states
        problems += found
    if has_errors(problems):
        raise Problems(problems)
    if fmt == "json":
        click.echo(json.dumps({"catalogs": [s.to_json() for s in states]}, indent=2))
    else:
        click.echo(i18n.format_status(states))


@i18n_group.command()
@site_option
@domain_option
@format_option
@today_option
@click.option("--no-msgfmt", is_flag=True, help="Do not run GNU msgfmt --check.")
@click.option("--no-pofilter", is_flag=True, help="Do not run translate-toolkit's pofilter.")
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def check(
    site: Path,
    domain: str,
    fmt: str,
    today: str | None,
    no_msgfmt: bool,
    no_pofilter: bool,
    debug: bool = False,
) -> None:
    """Check plural forms, placeholders, numbers, addresses and markup; run msgfmt and pofilter."""
    from . import i18n

    domains, validated = _domains(site, domain, today)
    problems: list[Diagnostic] = []
    for each in domains:
        problems += i18n.check(each, msgfmt=not no_msgfmt, pofilter=not no_pofilter, site=validated)
    _finish(problems, site, fmt, "charterpress: catalogs checked, no problem found")
