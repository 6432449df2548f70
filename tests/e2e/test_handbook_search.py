"""Searching the handbook for a word of one step opens its procedure at that step, in Chromium.

Each step of a procedure is a section of its own (an h3 with the id step-<id>), so Material's
search index has an entry for it. The words are chosen so that each occurs in one step only; the
test checks that in the built search index first, with the search worker's own rules (a query
matches the start of a word, with or without diacritics), so that a change of the example's
texts fails here with a clear message rather than with a wrong page.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .browser import PageLog, serve_folder
from .checks import search_results

PROCEDURE = "procedures/handle_complaint/"
# (language folder, what a reader types, the step it must open). "upozornete" is typed without
# its diacritics ("upozorněte"), as a reader on a keyboard without Czech letters would.
SEARCHES = [
    ("cs", "fotografiemi", "step-log"),
    ("cs", "upozornete", "step-make-safe"),
    ("en", "mistake", "step-respond"),
]
# The links of the first result in Material's list, each with the score of its section.
_FIRST_RESULT = """() => Array.from(document.querySelectorAll(
    '.md-search-result__list > .md-search-result__item:first-child > .md-search-result__link'
)).map((link) => [link.href, Number(link.querySelector('article').dataset.mdScore)])"""
_IN_VIEW = """(id) => {
    const box = document.getElementById(id).getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def fold(text: str) -> str:
    """Return TEXT in lower case without diacritics, as the search worker indexes it."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sections_matching(index: dict[str, Any], query: str) -> list[str]:
    """Return the locations of the index's sections that have a word starting with QUERY."""
    wanted = fold(query)
    found = []
    for doc in index["docs"]:
        text = re.sub(r"<[^>]+>", " ", f"{doc['title']} {doc['text']}")
        if any(word.startswith(wanted) for word in re.findall(r"\w+", fold(text))):
            found.append(doc["location"])
    return found


@pytest.fixture(scope="module")
def served_handbook(example_build: Path) -> Iterator[str]:
    """Serve the session build's handbook on 127.0.0.1; yield its base URL."""
    with serve_folder(example_build / "handbook") as base:
        yield base


def best_result(page: Any, query: str) -> str:
    """Search for QUERY; return the address of the best section of the first result.

    Material heads each result with its page, shown even when only a section of it matches
    (score 0); the reader clicks the matching section under it, the one with the best score.
    """
    assert search_results(page, query), f"searching {query!r} finds nothing"
    links = page.evaluate(_FIRST_RESULT)
    return str(max(links, key=lambda link: link[1])[0])


@pytest.mark.parametrize(("language", "query", "step"), SEARCHES)
def test_searching_a_word_of_a_step_opens_the_procedure_at_that_step(
    example_build: Path,
    served_handbook: str,
    page: tuple[Any, PageLog],
    language: str,
    query: str,
    step: str,
) -> None:
    index_file = example_build / "handbook" / language / "search" / "search_index.json"
    index = json.loads(index_file.read_text(encoding="utf-8"))
    assert sections_matching(index, query) == [f"{PROCEDURE}#{step}"]

    tab, log = page
    tab.goto(f"{served_handbook}/{language}/", wait_until="load")
    tab.wait_for_load_state("networkidle")
    best = best_result(tab, query)
    assert urlsplit(best).path == f"/{language}/{PROCEDURE}"
    assert urlsplit(best).fragment == step

    with tab.expect_navigation():
        tab.click(f".md-search-result__link[href='{best}']")
    assert urlsplit(tab.url).fragment == step
    # The reader lands on the step: its heading is on the screen.
    assert tab.evaluate(_IN_VIEW, step), f"{step} is not on the screen after opening {tab.url}"
    assert (log.console_errors, log.foreign_requests, log.bad_responses) == ([], [], [])
