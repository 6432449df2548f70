"""Search in each language, in a real Chromium, as people type: without diacritics, and in an
inflected form (our search worker over Material's, see mkdocs_site.search_worker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .browser import PageLog, serve_folder
from .checks import search_results

# (language folder, query as typed, what the reader means): each must find a complaints page.
QUERIES = [
    ("pt", "reclamacao", "reclamação, typed without diacritics"),
    ("pt", "reclamações", "the plural, where the text also says reclamação"),
    ("pt", "reclamacoes", "the plural without diacritics"),
    ("ro", "reclamatie", "reclamație, typed without diacritics"),
    ("ro", "reclamațiile", "an inflected form the text never uses"),
    ("cs", "stiznost", "stížnost, typed without diacritics"),
    ("cs", "stížností", "an inflected form"),
    ("ca", "reclamacio", "reclamació, typed without diacritics"),
    ("en", "complaints", "the plural (the index is stemmed)"),
]


@pytest.fixture(scope="module")
def served(example_build: Path) -> Iterator[str]:
    with serve_folder(example_build / "public") as base:
        yield base


def test_search_finds_a_word_as_people_type_it(served: str, page: tuple[Any, PageLog]) -> None:
    tab, log = page
    problems = []
    for segment, query, meaning in QUERIES:
        tab.goto(f"{served}/{segment}/", wait_until="load")
        tab.wait_for_load_state("networkidle")
        found = [urlsplit(url).path for url in search_results(tab, query)]
        if not any(
            path.startswith(f"/{segment}/") and path.endswith("/complaints/") for path in found[:3]
        ):
            problems.append(f"{segment}: {query!r} ({meaning}) finds {found[:3]}")
    problems += log.console_errors + log.failed_requests + log.foreign_requests
    assert not problems, "\n".join(problems)
