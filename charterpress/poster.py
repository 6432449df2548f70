"""The one-page poster of a charter, for shop windows and counters: key commitments, channels,
opening hours, and a QR code that opens the charter's page in the same language.

The QR code is drawn at build time by segno (pure Python) as inline SVG: the poster needs no
script, image file or other host, and prints sharp at any size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import segno
from markupsafe import Markup, escape

from .model import WEEKDAYS, Channel, Charter, Commitment
from .values import TimeRange

# A poster holds this many commitments (the first ones of the charter, in its order) so that it
# stays one A4 sheet; the QR code leads to all of them.
KEY_COMMITMENTS = 4


@dataclass(frozen=True)
class HourGroup:
    """Consecutive weekdays (0 = Monday) with the same opening hours."""

    first: int
    last: int
    ranges: tuple[TimeRange, ...]


def hour_groups(channel: Channel) -> list[HourGroup]:
    """Return a channel's weekly hours as runs of days with equal hours, closed days left out."""
    if channel.hours is None:
        return []
    groups: list[HourGroup] = []
    for index, day in enumerate(WEEKDAYS):
        ranges = tuple(sorted(getattr(channel.hours, day)))
        if not ranges:
            continue
        last = groups[-1] if groups else None
        if last is not None and last.last == index - 1 and last.ranges == ranges:
            groups[-1] = HourGroup(last.first, index, ranges)
        else:
            groups.append(HourGroup(index, index, ranges))
    return groups


def key_commitments(charter: Charter, limit: int = KEY_COMMITMENTS) -> Sequence[Commitment]:
    """Return the commitments a poster shows: the charter's first ones."""
    return charter.commitments[:limit]


def qr_svg(url: str, label: str) -> Markup:
    """Return a QR code of URL as inline SVG, labelled for screen readers."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=4, omitsize=True, svgclass="cp-qr__code")
    # segno writes '<svg viewBox=...': the role and label go into that opening tag.
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(labelled)
