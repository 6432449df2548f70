"""Web and e-mail addresses that escaping would make harmless are refused anyway (CP205).

Each test copies tests/roots/minimal, writes one address, and asserts the exact diagnostic: code,
file:line:column, message and hint.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from charterpress.diagnostics import Diagnostic
from charterpress.validate import validate_site
from tests.fullsite import replace

TODAY = dt.date(2025, 3, 31)
MINIMAL = Path(__file__).resolve().parent / "roots" / "minimal"
CHARTER = "charter/help.yml"
CONFIG = "site_config.yml"
BASE_URL = "base_url: https://charter.example.com/\n"
OWNER = "owner:\n  role: Head of Customer Service\n"


def only(tmp_path: Path, file: str, old: str, new: str) -> Diagnostic:
    """Copy the minimal site, replace OLD by NEW in FILE, and return its one diagnostic."""
    site = tmp_path / "site"
    shutil.copytree(MINIMAL, site)
    replace(site, file, old, new)
    found = validate_site(site, TODAY).diagnostics
    assert len(found) == 1, [str(d) for d in found]
    return found[0]


@pytest.mark.parametrize(
    ("url", "char", "encoded"),
    [
        ('https://x.example/"onmouseover="alert(1)', '"', "%22"),
        ("https://x.example/<script>", "<", "%3C"),
        ("https://x.example/a>b", ">", "%3E"),
        ("https://x.example/`a`", "`", "%60"),
        ("https://good.example\\@evil.example/", "\\", "%5C"),
    ],
)
def test_a_web_address_with_a_character_no_address_holds(
    tmp_path: Path, url: str, char: str, encoded: str
) -> None:
    quoted = "'" + url + "'"
    problem = only(tmp_path, CONFIG, BASE_URL, f"base_url: {quoted}\n")
    assert (problem.code, str(problem.pos)) == ("CP205", f"{CONFIG}:5:11")
    assert problem.message == (
        f"the web address '{url}' holds {char}, which no web address holds as it is"
    )
    assert problem.hint == (
        f"end the address where it should end; a {char} that belongs in it is written "
        f"percent-encoded, as {encoded}"
    )


def test_a_percent_encoded_quote_is_a_web_address(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINIMAL, site)
    replace(site, CONFIG, BASE_URL, "base_url: https://x.example/a%22b/?q=1&r=%3C#top\n")
    assert validate_site(site, TODAY).diagnostics == []


def test_a_channel_web_address_with_a_quote(tmp_path: Path) -> None:
    channel = (
        "  - id: form\n    kind: web_form\n    name: Form\n"
        "    address: 'https://x.example/\"><img/src=x>'\ncommitments:\n"
    )
    problem = only(tmp_path, CHARTER, "commitments:\n", channel)
    assert (problem.code, str(problem.pos)) == ("CP205", f"{CHARTER}:19:14")
    assert 'holds "' in problem.message


@pytest.mark.parametrize(
    ("address", "scheme"),
    [("javascript:alert(1)//@x.example", "javascript:"), ("mailto:help@x.example", "mailto:")],
)
def test_an_email_address_with_a_scheme(tmp_path: Path, address: str, scheme: str) -> None:
    problem = only(tmp_path, CHARTER, OWNER, f"{OWNER}  email: '{address}'\n")
    assert (problem.code, str(problem.pos)) == ("CP205", f"{CHARTER}:7:10")
    assert problem.message == f"'{address}' is not an e-mail address: it starts with '{scheme}'"
    assert problem.hint == (
        "write the address alone, such as help@example.com; the site makes the mailto: link itself"
    )


def test_an_email_channel_address_with_javascript(tmp_path: Path) -> None:
    channel = (
        "  - id: mail\n    kind: email\n    name: E-mail\n"
        "    address: javascript:alert(1)//@x.example\ncommitments:\n"
    )
    problem = only(tmp_path, CHARTER, "commitments:\n", channel)
    assert (problem.code, str(problem.pos)) == ("CP205", f"{CHARTER}:19:14")
    assert problem.message.endswith("it starts with 'javascript:'")


@pytest.mark.parametrize(
    "address", ["a@b", "a@b..example", "a@-b.example", "a@b_c.example", "a b@c.example"]
)
def test_a_malformed_email_address(tmp_path: Path, address: str) -> None:
    problem = only(tmp_path, CHARTER, OWNER, f"{OWNER}  email: '{address}'\n")
    assert (problem.code, str(problem.pos)) == ("CP205", f"{CHARTER}:7:10")
    assert problem.message == f"'{address}' is not an e-mail address"
    assert problem.hint == "write an address such as help@example.com"


@pytest.mark.parametrize(
    "address", ["help@example.com", "ana.silva+lisboa@casa-lumen.pt", "josé@exemplo.pt"]
)
def test_email_addresses_that_are_fine(tmp_path: Path, address: str) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINIMAL, site)
    replace(site, CHARTER, OWNER, f"{OWNER}  email: {address}\n")
    assert validate_site(site, TODAY).diagnostics == []
