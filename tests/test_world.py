"""The public site for search engines and social media: JSON-LD (schema.org) on the charter
pages, equal to what the YAML says and safe inside its <script>; Open Graph tags; the search
worker that finds words as people type them."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import html

from charterpress import languages, structured
from charterpress.mkdocs_site import SEARCH_WORKER, material_worker
from charterpress.pipeline import BuildOptions, build_site
from tests.conftest import BUILD_DATE, REPO, ROOTS

CONFIG = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
PUBLISHED = [languages.BY_CODE[code] for code in CONFIG["languages"]]
CHARTERS = sorted(p.stem for p in (REPO / "charter").glob("*.yml"))
SCHEMA_DAYS = [f"https://schema.org/{day.capitalize()}" for day in structured.WEEKDAYS]


@pytest.fixture(scope="module")
def public(example_build: Path) -> Path:
    return example_build / "public"


def json_ld(page: Path) -> list[Any]:
    """Return every JSON-LD block of a page, parsed."""
    tree = html.parse(str(page))
    return [json.loads(text) for text in tree.xpath("//script[@type='application/ld+json']/text()")]


def ranges(value: Any) -> list[tuple[str, str]]:
    """Return the time ranges of a YAML day ("09:00-18:00", or a list of them)."""
    items = value if isinstance(value, list) else [value]
    return [tuple(item.split("-")) for item in items]  # type: ignore[misc]


def weekly(channel: dict[str, Any]) -> set[tuple[str, str, str]]:
    """Return a YAML channel's weekly hours as (schema.org day, opens, closes)."""
    hours = channel.get("hours")
    if hours is None:
        return {(day, "00:00", "23:59") for day in SCHEMA_DAYS}
    return {
        (f"https://schema.org/{day.capitalize()}", opens, closes)
        for day, value in hours.items()
        for opens, closes in ranges(value)
    }


def weekly_ld(point: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (day, spec["opens"], spec["closes"])
        for spec in point["hoursAvailable"]
        for day in spec["dayOfWeek"]
    }


def exceptions(channel: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    """Return a YAML channel's exceptions as (first day, last day, opens, closes)."""
    found = set()
    for exception in channel.get("exceptions", []):
        start = str(exception["date"])
        end = str(exception.get("until", exception["date"]))
        hours = exception.get("hours")
        for opens, closes in ranges(hours) if hours else [("00:00", "00:00")]:
            found.add((start, end, opens, closes))
    return found


def test_charter_pages_carry_the_organisation_and_its_channels_as_in_the_yaml(
    public: Path,
) -> None:
    build_date = dt.date.fromisoformat(BUILD_DATE)
    organisation = CONFIG["organisation"]
    checked = 0
    for name in CHARTERS:
        charter = yaml.safe_load((REPO / "charter" / f"{name}.yml").read_text(encoding="utf-8"))
        for language in PUBLISHED:
            for page in ("index.html", "channels/index.html"):
                (data,) = json_ld(public / language.segment / name / page)
                assert data["@context"] == "https://schema.org"
                assert data["@type"] == "Organization"
                assert data["name"] == organisation["name"]
                assert data["legalName"] == organisation["legal_name"]
                assert data["url"] == organisation["website"]
                assert data["address"]["postalCode"] == organisation["address"]["postal_code"]
                assert data["address"]["addressCountry"] == organisation["address"]["country"]
                points = data["contactPoint"]
                assert len(points) == len(charter["channels"])
                for channel, point in zip(charter["channels"], points, strict=True):
                    if language.code == CONFIG["source_language"]:
                        assert point["name"] == channel["name"]
                    kind, address = channel["kind"], channel.get("address")
                    if kind in ("in_person", "post"):
                        assert point["@type"] == "PostalAddress"
                        parts = channel["postal_address"]
                        assert point["postalCode"] == parts["postal_code"]
                        assert point["addressLocality"] == parts["city"]
                        assert point["addressCountry"] == parts["country"]
                        assert point.get("telephone") == channel.get("phone")
                    elif kind == "phone":
                        assert point["telephone"] == address
                    elif kind == "email":
                        assert point["email"] == address
                    else:
                        assert point["url"] == address
                    wanted = [languages.BY_CODE[c].bcp47 for c in channel.get("languages", [])]
                    assert point.get("availableLanguage", []) == wanted
                    assert weekly_ld(point) == weekly(channel)
                    special = point.get("specialOpeningHoursSpecification", [])
                    written = {
                        (s["validFrom"], s["validThrough"], s["opens"], s["closes"])
                        for s in special
                    }
                    assert exceptions(channel) <= written
                    # The rest are public holidays of the coming twelve months: closed all day.
                    for start, end, opens, closes in written - exceptions(channel):
                        assert start == end and (opens, closes) == ("00:00", "00:00")
                        day = dt.date.fromisoformat(start)
                        assert build_date <= day < build_date.replace(year=build_date.year + 1)
                    checked += 1
    assert checked > 20


def test_other_pages_carry_no_json_ld(public: Path) -> None:
    assert json_ld(public / "en" / "index.html") == []
    assert json_ld(public / "cs" / CHARTERS[0] / "commitments" / "index.html") == []


@pytest.mark.parametrize(
    "name",
    [
        "</script><script>alert(1)</script>",
        "<!-- a comment -->",
        "Tom & Jerry > 1 \u2028 line",
    ],
)
def test_json_ld_text_cannot_leave_its_script(name: str) -> None:
    text = structured.script_json({"name": name})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"name": name}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a small site whose channel name tries to close the JSON-LD script."""
    site = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(ROOTS / "minimal", site)
    charter = site / "charter" / "help.yml"
    text = charter.read_text(encoding="utf-8")
    assert text.count("    name: Telephone\n") == 1
    text = text.replace("    name: Telephone\n", '    name: "</script><b>x</b> & <!--"\n')
    charter.write_text(text, encoding="utf-8")
    out = site.parent / "out"
    result = build_site(BuildOptions(site=site, today=dt.date(2026, 6, 15), out=out))
    assert result.ok, [str(d) for d in result.diagnostics]
    return out / "public"


def test_a_hostile_name_stays_inside_the_json_ld(hostile: Path) -> None:
    page = hostile / "en" / "help" / "index.html"
    (data,) = json_ld(page)
    assert data["contactPoint"][0]["name"] == "</script><b>x</b> & <!--"
    assert data["contactPoint"][0]["telephone"] == "+351 210 000 000"
    assert (
        "<b>x</b>"
        not in page.read_text(encoding="utf-8").split("</main>")[0].split("application/ld+json")[1]
    )


def test_every_page_has_open_graph_tags(public: Path) -> None:
    for language in PUBLISHED:
        others = [other.gettext for other in PUBLISHED if other != language]
        for page in sorted((public / language.segment).rglob("index.html")):
            if "search" in page.parts or "poster" in page.parts:
                continue  # a poster is for printing, and is not indexed (noindex)
            tree = html.parse(str(page))

            def og(name: str, tree: Any = tree) -> list[str]:
                return [str(v) for v in tree.xpath(f"//meta[@property='og:{name}']/@content")]

            assert og("url") == tree.xpath("//link[@rel='canonical']/@href"), page
            assert og("type") == ["website"]
            assert og("site_name") == [CONFIG["organisation"]["name"]]
            assert og("locale") == [language.gettext]
            assert og("locale:alternate") == others
            (title,) = og("title")
            assert title and tree.xpath("string(//title)").startswith(title)


def test_the_search_worker_loads_materials_own(public: Path) -> None:
    worker = material_worker()
    for language in PUBLISHED:
        folder = public / language.segment
        ours = (folder / SEARCH_WORKER).read_text(encoding="utf-8")
        assert f'importScripts("{worker}");' in ours
        assert (folder / SEARCH_WORKER).parent.joinpath(worker).is_file()
        config = json.loads(
            html.parse(str(folder / "index.html")).xpath("string(//script[@id='__config'])")
        )
        assert config["search"].endswith(SEARCH_WORKER)
        index = json.loads((folder / "search" / "search_index.json").read_text("utf-8"))
        stems = language.code in ("pt-PT", "ro", "en")
        assert ("stemmer" in index["config"]["pipeline"]) is stems
        assert index["config"]["lang"] == [{"pt-PT": "pt", "ro": "ro"}.get(language.code, "en")]


# ---------------------------------------------------------------------------------------------
# The poster of each charter in each language (its print and QR code: tests/e2e)


def test_each_charter_has_a_poster_in_each_language(public: Path) -> None:
    from charterpress.poster import KEY_COMMITMENTS

    for name in CHARTERS:
        charter = yaml.safe_load((REPO / "charter" / f"{name}.yml").read_text(encoding="utf-8"))
        for language in PUBLISHED:
            url = f"{CONFIG['base_url']}{language.segment}/{name}/"
            tree = html.parse(str(public / language.segment / name / "poster" / "index.html"))
            assert tree.xpath("/html/@lang") == [language.bcp47]
            assert tree.xpath("//meta[@name='robots']/@content") == ["noindex"]
            (svg,) = tree.xpath("//aside[@class='cp-poster__qr']/*[local-name()='svg']")
            assert svg.get("role") == "img" and svg.get("aria-label")
            assert tree.xpath("//aside[@class='cp-poster__qr']//a/@href") == [url]
            commitments = tree.xpath("//section[@class='cp-poster__commitments']//li")
            assert len(commitments) == min(KEY_COMMITMENTS, len(charter["commitments"]))
            channels = tree.xpath("//section[@class='cp-poster__channels']//li/strong/text()")
            assert len(channels) == len(charter["channels"])
            if language.code == CONFIG["source_language"]:
                assert tree.xpath("string(//h1)") == charter["title"]
                titles = [li.xpath("string(strong)") for li in commitments]
                assert titles == [c["title"] for c in charter["commitments"][:KEY_COMMITMENTS]]
                assert channels == [c["name"] for c in charter["channels"]]
            # The charter's overview links to its poster.
            overview = html.parse(str(public / language.segment / name / "index.html"))
            assert overview.xpath("//article//a[@class='cp-poster-link']/@href") == ["poster/"]


def test_poster_hours_group_days_with_the_same_hours() -> None:
    from charterpress.model import Channel
    from charterpress.poster import hour_groups

    channel = Channel.model_validate(
        {
            "id": "desk",
            "kind": "phone",
            "name": "Desk",
            "address": "+351 210 000 000",
            "hours": {
                "monday": "09:00-18:00",
                "tuesday": "09:00-18:00",
                "wednesday": "09:00-18:00",
                "thursday": ["09:00-13:00", "14:00-18:00"],
                "saturday": "10:00-13:00",
                "sunday": "10:00-13:00",
            },
        }
    )
    groups = [(g.first, g.last, [str(r) for r in g.ranges]) for g in hour_groups(channel)]
    assert groups == [
        (0, 2, ["09:00-18:00"]),
        (3, 3, ["09:00-13:00", "14:00-18:00"]),
        (5, 6, ["10:00-13:00"]),
    ]
