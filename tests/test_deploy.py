"""Deploy recipes: every workflow parses, runs the commands its README names, and publishes the
public site alone (never the handbook)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from charterpress.scaffold import STARTERS

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
STARTER_WORKFLOW = STARTERS / "common" / "dot-github" / "workflows" / "publish.yml"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def load_workflow(path: Path) -> dict[str, Any]:
    """Parse a GitHub Actions workflow (PyYAML reads the key 'on' as True)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    if True in data:
        data["on"] = data.pop(True)
    return data


def run_lines(workflow: dict[str, Any]) -> list[str]:
    """Return every line of every `run:` step of every job."""
    lines = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            lines += [line.strip() for line in str(step.get("run", "")).splitlines() if line]
    return lines


def uploads(workflow: dict[str, Any]) -> list[str]:
    """Return the paths that the workflow uploads to GitHub Pages."""
    return [
        step["with"]["path"]
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if str(step.get("uses", "")).startswith("actions/upload-pages-artifact@")
    ]


def readme_commands(text: str) -> set[str]:
    """Return the commands a README shows in its code blocks and inline code."""
    found = set()
    for _, body in FENCE.findall(text):
        for line in body.splitlines():
            command = line.split("#")[0].strip()
            if command:
                found.add(command)
    found |= set(re.findall(r"`([^`\n]+)`", text))
    return found


def test_this_repository_has_workflows() -> None:
    assert {"ci.yml", "pages.yml"} <= {p.name for p in WORKFLOWS}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_each_workflow_parses(path: Path) -> None:
    workflow = load_workflow(path)
    assert workflow["name"]
    assert workflow["on"]
    assert workflow["jobs"]
    for job in workflow["jobs"].values():
        assert job["runs-on"] == "ubuntu-latest"
        assert job["steps"]


def test_the_pages_workflow_runs_the_readme_build_command() -> None:
    workflow = load_workflow(REPO / ".github" / "workflows" / "pages.yml")
    readme = readme_commands((REPO / "README.md").read_text(encoding="utf-8"))
    assert "./dev build" in readme
    assert "./dev build" in run_lines(workflow)
    # ./dev build writes to output_dir of site_config.yml; only its public half is uploaded.
    output_dir = yaml.safe_load((REPO / "site_config.yml").read_text("utf-8"))["output_dir"]
    assert uploads(workflow) == [f"{output_dir}/public"]
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_the_ci_workflow_runs_the_readme_test_command() -> None:
    workflow = load_workflow(REPO / ".github" / "workflows" / "ci.yml")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    lines = run_lines(workflow)
    assert "bash .ci/run" in lines
    assert "bash .ci/run" in readme_commands(readme)
    assert (REPO / ".ci" / "run").read_text("utf-8").rstrip().endswith("exec ./dev test")
    assert workflow["jobs"]["test"]["env"]["CI"] == "true"
    guides = [line for line in lines if "mkdocs build" in line]
    assert guides and "--strict" in guides[0] and "-f mkdocs-guides.yml" in guides[0]


def test_the_starter_workflow_validates_and_publishes_the_public_site() -> None:
    workflow = load_workflow(STARTER_WORKFLOW)
    lines = run_lines(workflow)
    assert "charterpress validate" in lines
    builds = [line for line in lines if line.startswith("charterpress build")]
    assert builds == ["charterpress build --out site"]
    assert uploads(workflow) == ["site/public"]
    # The new site's README names the same commands.
    readme = readme_commands((STARTERS / "en" / "README.md").read_text(encoding="utf-8"))
    assert {"charterpress validate", "charterpress build"} <= readme
    assert workflow["on"]["push"] == {"branches": ["main"]}


def test_no_recipe_publishes_the_handbook() -> None:
    for path in [*WORKFLOWS, STARTER_WORKFLOW]:
        for uploaded in uploads(load_workflow(path)):
            assert uploaded.endswith("/public"), (path, uploaded)


def deploy_blocks(language: str) -> list[str]:
    text = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def test_the_gitlab_recipe_parses_and_publishes_only_the_public_site() -> None:
    gitlab = [
        yaml.safe_load(b) for b in deploy_blocks("yaml") if "pages:" in b and "artifacts" in b
    ]
    assert len(gitlab) == 1
    pages = gitlab[0]["pages"]
    assert "charterpress build --out site" in pages["script"]
    assert "mv site/public public" in pages["script"]
    assert pages["artifacts"] == {"paths": ["public"]}
    assert "charterpress validate" in gitlab[0]["validate"]["script"]


def test_every_yaml_block_of_the_deploy_guide_parses() -> None:
    blocks = deploy_blocks("yaml")
    assert len(blocks) >= 2
    for block in blocks:
        # A fragment of a workflow's steps is indented: parse it as written.
        yaml.safe_load(block)


def test_shell_recipes_copy_the_public_and_handbook_folders_apart() -> None:
    lines = [line for block in deploy_blocks("sh") for line in block.splitlines()]
    copies = [line for line in lines if line.startswith(("rsync ", "aws s3 sync "))]
    assert copies
    for line in copies:
        assert ("site/public/" in line) != ("site/handbook/" in line), line
    assert any("site/handbook/" in line and "intranet" in line for line in copies)
