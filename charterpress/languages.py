"""The one table of published languages and every form of their codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """A published language and the code each tool needs for it."""

    code: str  # as written in site_config.yml and the charters
    segment: str  # URL path segment: /pt/...
    bcp47: str  # <html lang>, hreflang
    gettext: str  # Babel locale and locales/<gettext>/LC_MESSAGES
    material: str  # mkdocs-material theme.language
    name: str  # the language's own name, for the language selector
    english_name: str


LANGUAGES: tuple[Language, ...] = (
    Language("pt-PT", "pt", "pt-PT", "pt_PT", "pt", "Português", "Portuguese (Portugal)"),
    Language("ca", "ca", "ca", "ca", "ca", "Català", "Catalan"),
    Language("cs", "cs", "cs", "cs", "cs", "Čeština", "Czech"),
    Language("ro", "ro", "ro", "ro", "ro", "Română", "Romanian"),
    Language("en", "en", "en", "en", "en", "English", "English"),
)

BY_CODE: dict[str, Language] = {lang.code: lang for lang in LANGUAGES}

# Accepted with a warning (CP209): Babel's bare "pt" is Brazilian, so "pt" must be made explicit.
ALIASES: dict[str, str] = {"pt": "pt-PT", "pt_PT": "pt-PT", "pt-pt": "pt-PT"}


def lookup(code: str) -> Language | None:
    """Return the language for a canonical code or an alias, or None."""
    return BY_CODE.get(ALIASES.get(code, code))


def is_alias(code: str) -> bool:
    """Return whether CODE is an accepted alias rather than the canonical code."""
    return code in ALIASES and code not in BY_CODE
