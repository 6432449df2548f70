"""Digests that cache keys are made of: they change exactly when what they cover changes."""

from __future__ import annotations

from pathlib import Path

from charterpress.fingerprints import digest, file_digest, tree_digest


def test_parts_cannot_run_into_each_other() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("a") == digest("a")


def test_a_missing_file_has_a_digest_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "content.po"
    assert file_digest(path) == "none"
    path.write_text("", encoding="utf-8")
    assert file_digest(path) not in {"none", file_digest(tmp_path / "other.po")}


def test_a_tree_digest_sees_names_bytes_and_the_folders_order(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    (one / "public").mkdir(parents=True)
    (one / "public" / "home.md.j2").write_text("A", encoding="utf-8")
    first = tree_digest([one, two])
    assert tree_digest([one, two]) == first
    assert tree_digest([two, one]) != first  # the site's templates win over the built-in ones
    (one / "public" / "home.md.j2").write_text("B", encoding="utf-8")
    assert tree_digest([one, two]) != first
    (one / "public" / "home.md.j2").rename(one / "public" / "about.md.j2")
    assert tree_digest([one, two]) not in {first, digest()}
