"""Texts that carry their language: the seam between translation and rendering."""

from __future__ import annotations


class ForeignText(str):
    """A text shown on a page of another language (a fallback to the source language).

    The renderer marks it with ``lang`` so screen readers pronounce it right, and pages that hold
    one show a notice; the translation stage produces it.
    """

    lang: str

    def __new__(cls, value: str, lang: str) -> ForeignText:
        """Make a text in language LANG (a BCP 47 tag)."""
        text = super().__new__(cls, value)
        text.lang = lang
        return text

    def __reduce__(self) -> tuple[type[ForeignText], tuple[str, str]]:
        return (ForeignText, (str(self), self.lang))
