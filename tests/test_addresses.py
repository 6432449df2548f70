"""Postal addresses: parts in the model, the country's order and name per language, JSON-LD."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from charterpress import languages
from charterpress.diagnostics import Diagnostic, sort_diagnostics
from charterpress.formatting import country_name, format_address
from charterpress.model import Address
from charterpress.structured import postal_address
from charterpress.validate import validate_site

TODAY = dt.date(2025, 3, 31)  # pinned: nothing here depends on the clock
MINIMAL = Path(__file__).resolve().parent / "roots" / "minimal"
CHARTER = "charter/help.yml"
CONFIG = "site_config.yml"

SHOP = """\
  - id: shop
    kind: in_person
    name: The shop
    postal_address:
      street: Avenida do Exemplo, 200
      directions: 2nd floor
      postal_code: "1000-002"
      city: Lisboa
      country: {country}
    phone: "+351 210 000 200"
"""

# Each example country's name in each published language, as Babel (CLDR) gives it.
NAMES = {
    "PT": {"pt_PT": "Portugal", "ca": "Portugal", "cs": "Portugalsko", "ro": "Portugalia",
           "en": "Portugal"},
    "ES": {"pt_PT": "Espanha", "ca": "Espanya", "cs": "Španělsko", "ro": "Spania",
           "en": "Spain"},
    "CZ": {"pt_PT": "Chéquia", "ca": "Txèquia", "cs": "Česko", "ro": "Cehia", "en": "Czechia"},
    "RO": {"pt_PT": "Roménia", "ca": "Romania", "cs": "Rumunsko", "ro": "România",
           "en": "Romania"},
}  # fmt: skip


def site_with(tmp_path: Path, channel: str) -> Path:
    """Return a copy of the minimal site with CHANNEL added to its charter's channels."""
    site = tmp_path / "site"
    shutil.copytree(MINIMAL, site)
    charter = site / CHARTER
    text = charter.read_text(encoding="utf-8")
    charter.write_text(text.replace("commitments:\n", channel + "commitments:\n", 1), "utf-8")
    return site


def diagnostics(site: Path) -> list[Diagnostic]:
    """Validate SITE and return its diagnostics, sorted."""
    return sort_diagnostics(validate_site(site, TODAY).diagnostics)


def address(country: str, **extra: str) -> Address:
    """Return an address in COUNTRY."""
    fields = {"street": "Rua 1", "postal_code": "1000-001", "city": "Lisboa", "country": country}
    return Address.model_validate({**fields, **extra})


def test_a_shop_with_a_postal_address_and_a_phone_is_valid(tmp_path: Path) -> None:
    assert diagnostics(site_with(tmp_path, SHOP.format(country="PT"))) == []


def test_a_wrong_country_code_is_diagnosed_where_it_is_written(tmp_path: Path) -> None:
    (problem,) = diagnostics(site_with(tmp_path, SHOP.format(country="UK")))
    # The shop starts on line 16 of the charter; its 'country: UK' is line 24, value column 16.
    assert (problem.code, str(problem.pos)) == ("CP213", f"{CHARTER}:24:16")
    assert problem.message == "'UK' is not an ISO 3166-1 country code"
    assert problem.hint == (
        "did you mean 'GB' (United Kingdom)? write the ISO 3166-1 alpha-2 code of the country "
        "in capitals, e.g. PT, ES, CZ, RO"
    )


def test_a_country_code_nothing_resembles_gets_the_hint_alone(tmp_path: Path) -> None:
    (problem,) = diagnostics(site_with(tmp_path, SHOP.format(country="QQ")))
    assert (problem.code, str(problem.pos)) == ("CP213", f"{CHARTER}:24:16")
    assert problem.hint == (
        "write the ISO 3166-1 alpha-2 code of the country in capitals, e.g. PT, ES, CZ, RO"
    )


def test_a_country_written_as_its_name_suggests_its_code(tmp_path: Path) -> None:
    (problem,) = diagnostics(site_with(tmp_path, SHOP.format(country="Czechia")))
    assert (problem.code, str(problem.pos)) == ("CP213", f"{CHARTER}:24:16")
    assert problem.hint.startswith("did you mean 'CZ' (Czechia)? ")


def test_the_old_single_line_address_of_a_shop_says_how_to_write_it(tmp_path: Path) -> None:
    old = "  - id: shop\n    kind: in_person\n    name: The shop\n    address: Rua 1, Lisboa\n"
    (problem,) = diagnostics(site_with(tmp_path, old))
    assert (problem.code, str(problem.pos)) == ("CP205", f"{CHARTER}:19:14")
    assert "under 'postal_address'" in problem.message
    assert "street, postal_code, city and country" in problem.hint


def test_a_phone_channel_cannot_have_a_postal_address(tmp_path: Path) -> None:
    channel = SHOP.format(country="PT").replace("kind: in_person", "kind: phone")
    channel = channel.replace("    postal_address:\n", '    address: "+351 210 000 300"\n'
                              "    postal_address:\n")  # fmt: skip
    (problem,) = diagnostics(site_with(tmp_path, channel))
    # The position is that of the postal address (its first line, the street).
    assert (problem.code, str(problem.pos)) == ("CP206", f"{CHARTER}:21:7")
    assert problem.message == "a phone channel has no postal address"


def test_a_letter_address_has_no_phone(tmp_path: Path) -> None:
    channel = SHOP.format(country="PT").replace("kind: in_person", "kind: post")
    (problem,) = diagnostics(site_with(tmp_path, channel))
    assert (problem.code, str(problem.pos)) == ("CP206", f"{CHARTER}:25:12")
    assert problem.message == "'phone' belongs to a shop (in_person channel), not to a post channel"


@pytest.mark.parametrize("country", sorted(NAMES))
@pytest.mark.parametrize("language", languages.LANGUAGES, ids=lambda lang: lang.code)
def test_each_country_is_named_in_each_language(country: str, language: languages.Language) -> None:
    wanted = NAMES[country][language.gettext]
    assert country_name(country, language.gettext) == wanted
    assert format_address(address(country), language.gettext)[-1] == wanted


def test_the_postal_code_comes_before_the_locality_where_the_country_says_so() -> None:
    assert format_address(address("PT", street_2="Bloco B"), "en") == [
        "Rua 1",
        "Bloco B",
        "1000-001 Lisboa",
        "Portugal",
    ]
    london = address("GB", postal_code="SW1A 1AA", city="London", recipient="Customer Relations")
    assert format_address(london, "cs") == [
        "Customer Relations",
        "Rua 1",
        "London",
        "SW1A 1AA",
        "Spojené království",
    ]
    boston = address("US", postal_code="02108", city="Boston", region="MA")
    assert format_address(boston, "ro")[-2:] == ["Boston, MA 02108", "Statele Unite ale Americii"]


def test_json_ld_postal_address_has_every_part_and_the_country_code() -> None:
    bucharest = address("RO", street_2="Sector 1", postal_code="010000", city="București",
                        region="București")  # fmt: skip
    assert postal_address(bucharest) == {
        "streetAddress": "Rua 1, Sector 1",
        "postalCode": "010000",
        "addressLocality": "București",
        "addressRegion": "București",
        "addressCountry": "RO",
    }


# ---------------------------------------------------------------------------------------------
# On the built example (the session's one build): the shops in PT, ES, CZ and RO


def _text(page: Path) -> str:
    """Return the visible text of a built page, spaces normalised."""
    from lxml import html

    return " ".join(html.parse(str(page)).getroot().text_content().split())


@pytest.mark.parametrize("language", languages.LANGUAGES, ids=lambda lang: lang.code)
def test_the_shops_pages_name_each_country_in_the_pages_language(
    example_build: Path, language: languages.Language
) -> None:
    folder = example_build / "public" / language.segment / "shops"
    channels = _text(folder / "channels" / "index.html")
    poster = _text(folder / "poster" / "index.html")
    for country, names in NAMES.items():
        name = names[language.gettext]
        assert name in channels, (country, language.code)
        assert name in poster, (country, language.code)
    # The Prague shop in the Czech convention: postal code, then the locality.
    assert "Ulice Příkladu 400/1, 110 00 Praha 1, " + NAMES["CZ"][language.gettext] in channels
    # The footer names the head office's country in the page's language, never its code.
    footer = _text(folder / "index.html")
    assert "Rua do Exemplo, 100, 1000-001 Lisboa, " + NAMES["PT"][language.gettext] in footer
    assert "1000-001 Lisboa, PT" not in footer


def test_the_shops_json_ld_holds_each_shops_postal_address(example_build: Path) -> None:
    import json

    from lxml import html

    page = example_build / "public" / "ca" / "shops" / "channels" / "index.html"
    (script,) = html.parse(str(page)).xpath("//script[@type='application/ld+json']/text()")
    points = {p["name"]: p for p in json.loads(script)["contactPoint"]}
    barcelona = points["Casa Lumen Barcelona"]
    assert {k: v for k, v in barcelona.items() if k.startswith(("@", "street", "postal", "address",
                                                                 "tele"))} == {
        "@type": "PostalAddress",
        "streetAddress": "Carrer de l'Exemple, 300",
        "postalCode": "08001",
        "addressLocality": "Barcelona",
        "addressCountry": "ES",
        "telephone": "+34 930 000 300",
    }  # fmt: skip
    assert points["Casa Lumen București"]["streetAddress"] == "Strada Exemplului 500, Sector 1"


def test_the_translated_parts_of_an_address_reach_the_content_catalog() -> None:
    from charterpress.i18n import document_texts
    from charterpress.yamlsource import load_yaml_text

    config = (Path(__file__).resolve().parent.parent / CONFIG).read_text(encoding="utf-8")
    directions = "    city: Lisboa\n    directions: Third floor.\n"
    config = config.replace("    city: Lisboa\n", directions)
    document, problems = load_yaml_text(config, CONFIG)
    assert document is not None and problems == []
    found = {e.context: e.text for e in document_texts(document) if "address" in e.context}
    assert found == {"site_config:organisation/address/directions": "Third floor."}
