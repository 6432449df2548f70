"""The example site (Casa Lumen) validates, wherever it is, and holds what it is meant to show."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import typing
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from charterpress.model import Channel, ChannelKind, Charter, Commitment, Target
from charterpress.validate import ValidatedSite, validate_site

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build.py"
TODAY = "2026-11-23"  # pinned: nothing in these tests may depend on the clock

EXAMPLE_YAML = ("site_config.yml", "charter/shops.yml", "charter/online.yml")
SVG_NS = "{http://www.w3.org/2000/svg}"


def run_validate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `build.py validate` in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, str(BUILD), "validate", "--today", TODAY, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# The example keeps one review overdue on purpose, for the handbook's dashboard: `validate`
# reports it (a warning) at the pinned date.
OVERDUE = (
    "charter/procedures/handle_complaint.yml:275:9: warning[CP430]: the review of the procedure "
    f"'handle_complaint' was due on 2026-06-15 (build date {TODAY})\n"
)


def assert_clean_run(result: subprocess.CompletedProcess[str], summary: str) -> None:
    """Check exit 0, nothing on stdout, and on stderr the overdue review and the summary."""
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(OVERDUE)
    assert result.stderr.count("warning[") == 1
    assert result.stderr.endswith(f"\n{summary} (0 errors, 1 warning)\n")


@pytest.fixture(scope="module")
def site() -> ValidatedSite:
    """Return the example site, validated in-process."""
    outcome = validate_site(REPO)
    assert outcome.diagnostics == []
    assert outcome.site is not None
    return outcome.site


def charters(site: ValidatedSite) -> list[Charter]:
    """Return the example's charters in file-name order."""
    return [site.charters[name].charter for name in sorted(site.charters)]


def all_targets(commitment: Commitment) -> list[Target]:
    """Return a commitment's target and the targets of its variants."""
    return [commitment.target, *(variant.target for variant in commitment.variants)]


def target_kinds() -> set[str]:
    """Return every kind of target the model knows, read from the model itself."""
    union = typing.get_args(Target)[0]
    return {
        typing.get_args(cls.model_fields["kind"].annotation)[0] for cls in typing.get_args(union)
    }


# ---------------------------------------------------------------------------------------------
# The command line, in a subprocess


def test_cli_validates_the_example_at_the_repository_root() -> None:
    assert_clean_run(run_validate(cwd=REPO), "charterpress: .: 2 charters valid")


def test_cli_validates_a_copy_in_another_folder(example_copy: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_validate("--site", str(example_copy), cwd=elsewhere)
    assert_clean_run(result, f"charterpress: {example_copy}: 2 charters valid")


def test_cli_json_report_of_the_copy_holds_only_the_overdue_review(
    example_copy: Path, tmp_path: Path
) -> None:
    result = run_validate("--site", str(example_copy), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["errors"], document["warnings"]) == (0, 1)
    assert [(d["code"], d["level"]) for d in document["diagnostics"]] == [("CP430", "warning")]
    assert result.stderr == ""


def test_cli_reads_the_copy_not_the_repository(example_copy: Path, tmp_path: Path) -> None:
    """A mistake made in the copy only is reported at its position in the copy."""
    shops = example_copy / "charter" / "shops.yml"
    lines = shops.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip() == "at_most: 10 minutes")
    lines[index] = lines[index].replace("10 minutes", "-10 minutes")
    shops.write_text("".join(lines), encoding="utf-8")
    column = lines[index].index("-10") + 1
    result = run_validate("--site", str(example_copy), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.startswith(f"charter/shops.yml:{index + 1}:{column}: error[CP204]: ")
    assert result.stderr.endswith("charterpress: 1 error, 0 warnings; nothing was written\n")


# ---------------------------------------------------------------------------------------------
# In-process validation


def test_validate_site_accepts_a_copy(example_copy: Path) -> None:
    outcome = validate_site(example_copy)
    assert outcome.diagnostics == []
    assert outcome.site is not None
    assert outcome.site.root == example_copy
    assert sorted(outcome.site.charters) == ["online", "shops"]


def test_site_settings(site: ValidatedSite) -> None:
    config = site.config
    assert config.source_language == "en"
    assert config.languages == ["en", "pt-PT", "ca", "cs", "ro"]
    assert (config.time_zone, str(config.holidays)) == ("Europe/Lisbon", "PT")
    assert config.branding.logo == "assets/logo.svg"
    assert config.branding.favicon == "assets/favicon.svg"
    legal = config.footer.legal
    assert None not in (legal.imprint, legal.privacy, legal.accessibility)
    assert config.footer.links


def test_two_charters(site: ValidatedSite) -> None:
    assert sorted(site.charters) == ["online", "shops"]


def test_every_target_kind_is_used(site: ValidatedSite) -> None:
    used = {
        target.kind
        for charter in charters(site)
        for commitment in charter.commitments
        for target in all_targets(commitment)
    }
    assert used == target_kinds()


def test_variants_by_segment_region_and_priority(site: ValidatedSite) -> None:
    applies = [
        variant.applies_to
        for charter in charters(site)
        for commitment in charter.commitments
        for variant in commitment.variants
    ]
    assert any(a.segment is not None for a in applies)
    assert any(a.region is not None for a in applies)
    assert any(a.priority is not None for a in applies)


def test_every_channel_has_an_existing_response_commitment(site: ValidatedSite) -> None:
    """Each channel names a commitment of its own charter, and that commitment covers it."""
    for charter in charters(site):
        by_id = {commitment.id: commitment for commitment in charter.commitments}
        for channel in charter.channels:
            assert channel.response_commitment in by_id, channel.id
            assert channel.id in by_id[channel.response_commitment].channels, channel.id


def test_every_kind_of_channel_is_shown(site: ValidatedSite) -> None:
    kinds = {channel.kind for charter in charters(site) for channel in charter.channels}
    assert kinds >= {
        ChannelKind.PHONE,
        ChannelKind.EMAIL,
        ChannelKind.CHAT,
        ChannelKind.WEB_FORM,
        ChannelKind.IN_PERSON,
        ChannelKind.POST,
    }


def test_shops_keep_their_own_clock_and_calendar(site: ValidatedSite) -> None:
    shops = site.charters["shops"].charter
    in_person = {
        channel.id: (channel.time_zone, str(channel.holidays))
        for channel in shops.channels
        if channel.kind is ChannelKind.IN_PERSON
    }
    assert in_person == {
        "shop-lisboa": ("Europe/Lisbon", "PT-11"),
        "shop-barcelona": ("Europe/Madrid", "ES-CT"),
        "shop-praha": ("Europe/Prague", "CZ"),
        "shop-bucuresti": ("Europe/Bucharest", "RO"),
    }
    assert all(channel.exceptions for channel in shops.channels if channel.id in in_person)


def test_value_sets_come_with_their_source(site: ValidatedSite) -> None:
    sets = {value_set.id: value_set for charter in charters(site) for value_set in charter.values}
    assert all(value_set.source for value_set in sets.values())
    members = {
        set_id: [value.id for value in value_set.values] for set_id, value_set in sets.items()
    }
    assert members["four-standards"] == [
        "friendliness",
        "knowledge",
        "responsiveness",
        "professionalism",
    ]
    assert members["seven-standards"] == [
        "available",
        "responsive",
        "knowledgeable",
        "helpful",
        "professional",
        "proactive",
        "flexible",
    ]
    assert members["seven-behaviours"] == [
        "thank",
        "show-interest",
        "be-polite",
        "be-patient",
        "help",
        "follow-up",
        "keep-informed",
    ]
    assert members["three-essentials"] == ["communication", "promptness", "empathy"]


def test_segments_rights_and_responsibilities(site: ValidatedSite) -> None:
    for charter in charters(site):
        assert [segment.id for segment in charter.segments] == ["first-time", "repeat", "long-term"]
        assert all(segment.needs for segment in charter.segments)
        assert charter.rights
        assert charter.responsibilities


# ---------------------------------------------------------------------------------------------
# The files themselves: editor hints, invented contact details, accessible images


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("site_config.yml", "schemas/site_config.schema.json"),
        ("charter/shops.yml", "../schemas/charter.schema.json"),
        ("charter/online.yml", "../schemas/charter.schema.json"),
    ],
)
def test_files_start_with_their_schema_line(name: str, schema: str) -> None:
    first = (REPO / name).read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={schema}"


_URL_HOST = re.compile(r"https?://([^/\s\"']+)")
_EMAIL_HOST = re.compile(r"[\w.+-]+@([\w.-]+\w)")


def _reserved(host: str) -> bool:
    """Return whether HOST is under a domain reserved for examples (RFC 2606)."""
    host = host.lower()
    return host.endswith(".example") or any(
        host == domain or host.endswith("." + domain)
        for domain in ("example.com", "example.net", "example.org")
    )


@pytest.mark.parametrize("name", EXAMPLE_YAML)
def test_contact_details_are_invented(name: str) -> None:
    """No web or e-mail address of the example can reach a real company."""
    text = (REPO / name).read_text(encoding="utf-8")
    hosts = _URL_HOST.findall(text) + _EMAIL_HOST.findall(text)
    assert hosts
    assert [host for host in hosts if not _reserved(host)] == []
    assert "$config" not in text  # the scraped junk at the end of a seed article


def test_telephone_numbers_are_invented(site: ValidatedSite) -> None:
    """Every number is a country code and an area code followed by seven zeros."""
    phones: list[Channel] = [
        channel
        for charter in charters(site)
        for channel in charter.channels
        if channel.kind is ChannelKind.PHONE
    ]
    assert len(phones) == 4
    for channel in phones:
        country_code, _, rest = channel.address.partition(" ")
        assert re.fullmatch(r"\+\d{2,3}", country_code), channel.address
        assert re.fullmatch(r"[1-9]\d?0{7}", rest.replace(" ", "")), channel.address


@pytest.mark.parametrize("name", ["assets/logo.svg", "assets/favicon.svg"])
def test_images_are_accessible_svg(name: str) -> None:
    root = ET.parse(REPO / name).getroot()
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox")
    title = root.find(f"{SVG_NS}title")
    assert title is not None
    assert title.text == "Casa Lumen"
    assert root.get("aria-labelledby") == title.get("id")
