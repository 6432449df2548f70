#!/usr/bin/env python3
"""Generate a realistic charter site of N charters, translated into all five languages.

    python bench/generate.py DIR --charters 50 [--seed 1]

The site is made from the example site (Casa Lumen), which exercises the whole model: channels
with hours, holiday calendars and exceptions, commitments of every target kind with variants,
clocks, fallbacks, compensation and indicators, objectives, versions, complaints, listening,
procedures and results. Charters come in pairs (a shops charter and an online charter, as in
the example) under a brand of their own; each pair has its own three procedures and its own
results. Every text gets the pair's brand, so no two charters share a text.

The content catalogs of pt_PT, ca, cs and ro are extracted with Charterpress's own i18n
functions and translated completely with a pseudo-translation: letters are replaced by accented
letters of the language, while numbers, placeholders, web and e-mail addresses, markup and code
spans are kept as they are, so that `i18n check` accepts every entry. The same seed gives the
same site, byte for byte (SOURCE_DATE_EPOCH pins the catalogs' dates).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# The example's sources, copied under new names: (file in the example, its charter id).
BASES = ("shops", "online")
PROCEDURES = ("handle_complaint", "handle_inquiry", "solve_problem")
BUILD_DATE = "2026-06-01"  # after the example's last results period; pass it to --today
EPOCH = "1780272000"  # 2026-06-01T00:00:00Z, for deterministic catalog headers

# Syllables of the generated brand names: enough for thousands of distinct names.
_ONSETS = ("b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "z")
_VOWELS = ("a", "e", "i", "o", "u")
_CODAS = ("", "n", "r", "s", "l")

# Pseudo-translation: each language's letters, so that the text looks like the language's and
# takes as many bytes (accented letters are two bytes in UTF-8).
_LETTERS = {
    "pt_PT": str.maketrans("aeiouAEIOUc", "ãéíóúÃÉÍÓÚç"),
    "ca": str.maketrans("aeiouAEIOUl", "àèíòúÀÈÍÒÚŀ"),
    "cs": str.maketrans("aeiouyAEIOUYcrsz", "áéíóůýÁÉÍÓŮÝčřšž"),
    "ro": str.maketrans("aistAIST", "ăîșțĂÎȘȚ"),
}


@dataclass(frozen=True)
class Pair:
    """One brand: a shops charter and an online charter, with their procedures and results."""

    index: int
    brand: str

    def charter_id(self, base: str) -> str:
        """Return the id of this pair's copy of BASE."""
        return f"{base}-{self.index:04d}"

    def procedure_id(self, base: str) -> str:
        """Return the id of this pair's copy of the procedure BASE."""
        return f"{base}_{self.index:04d}"


def brand_names(count: int, rng: random.Random) -> list[str]:
    """Return COUNT distinct pronounceable brand names."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        syllables = rng.choice((2, 2, 3))
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        name = "Casa " + word.capitalize()
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def rewrite(text: str, pair: Pair, brand_slug: str) -> str:
    """Return an example source rewritten for PAIR: its brand, its charter and procedure ids."""
    text = text.replace("Casa Lumen", pair.brand).replace("casalumen", brand_slug)
    for base in BASES:
        text = re.sub(rf"(charter: ){base}\b", rf"\g<1>{pair.charter_id(base)}", text)
    return text


def write_pair(site: Path, pair: Pair, charters: list[str]) -> None:
    """Write the charters in CHARTERS of PAIR, with their results and the pair's procedures."""
    slug = pair.brand.lower().replace(" ", "")
    for base in charters:
        source = (REPO / "charter" / f"{base}.yml").read_text(encoding="utf-8")
        charter_id = pair.charter_id(base)
        (site / "charter" / f"{charter_id}.yml").write_text(
            rewrite(source, pair, slug), encoding="utf-8"
        )
        results = site / "charter" / "results" / charter_id
        results.mkdir(parents=True, exist_ok=True)
        for period in sorted((REPO / "charter" / "results" / base).glob("*.yml")):
            (results / period.name).write_text(
                rewrite(period.read_text(encoding="utf-8"), pair, slug), encoding="utf-8"
            )
    if len(charters) < len(BASES):
        return  # a procedure of the example delivers commitments of both charters
    for base in PROCEDURES:
        source = (REPO / "charter" / "procedures" / f"{base}.yml").read_text(encoding="utf-8")
        (site / "charter" / "procedures" / f"{pair.procedure_id(base)}.yml").write_text(
            rewrite(source, pair, slug), encoding="utf-8"
        )


# Everything in a text that a translation must keep as it is (see i18n.compare).
_KEEP = re.compile(
    r"https?://[^\s<>\"')\]]+"  # web addresses
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|</?[A-Za-z][A-Za-z0-9]*\b[^>]*>"  # HTML tags
    r"|\]\([^)]*\)"  # link targets
    r"|`[^`]+`"  # code spans
    r"|\{[A-Za-z_][A-Za-z0-9_]*\}"  # placeholders
    r"|%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"
)


def pseudo_translate(text: str, gettext_code: str) -> str:
    """Return TEXT with its letters replaced by LANGUAGE's, keeping what must not change."""
    table = _LETTERS[gettext_code]
    pieces: list[str] = []
    last = 0
    for match in _KEEP.finditer(text):
        pieces.append(text[last : match.start()].translate(table))
        pieces.append(match.group())
        last = match.end()
    pieces.append(text[last:].translate(table))
    return "".join(pieces)


def translate_catalogs(site: Path) -> int:
    """Extract the content catalog and write every language's, fully translated; return its size."""
    from charterpress import i18n
    from charterpress.validate import validate_site

    outcome = validate_site(site)
    if outcome.site is None:
        raise SystemExit("generate: the generated site does not validate")
    domain = i18n.content_domain(outcome.site)
    i18n.extract(domain, outcome.site)
    template = i18n.read_catalog(domain.pot(), None, domain.name, domain.max_bytes)
    for language in domain.languages:
        catalog = i18n.merge_catalog(template, None, language.gettext, domain.name)
        for message in catalog:
            if message.id:
                message.string = pseudo_translate(str(message.id), language.gettext)
        i18n.write_if_changed(domain.po(language), i18n.render_catalog(catalog))
    return sum(1 for message in template if message.id)


def generate(site: Path, charters: int, seed: int = 1) -> int:
    """Write a site of CHARTERS charters into the empty or missing folder SITE; return its texts."""
    if charters < 1:
        raise ValueError("a site needs at least one charter")
    if site.exists() and any(site.iterdir()):
        raise FileExistsError(f"{site} is not empty")
    rng = random.Random(seed)
    pairs = [
        Pair(index, brand)
        for index, brand in enumerate(brand_names((charters + 1) // len(BASES), rng))
    ]
    for folder in ("charter/procedures", "charter/results", "locales"):
        (site / folder).mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "assets", site / "assets")
    shutil.copyfile(REPO / "site_config.yml", site / "site_config.yml")
    remaining = charters
    for pair in pairs:
        take = list(BASES[: min(remaining, len(BASES))])
        write_pair(site, pair, take)
        remaining -= len(take)
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        return translate_catalogs(site)
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def main() -> None:
    """Parse the command line and write the site."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="an empty or missing folder")
    parser.add_argument("--charters", "-n", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    texts = generate(args.site, args.charters, args.seed)
    print(f"generate: {args.charters} charters, {texts} texts in 5 languages in {args.site}")
    print(f"build it with: python build.py build --site {args.site} --today {BUILD_DATE}")


if __name__ == "__main__":
    main()
