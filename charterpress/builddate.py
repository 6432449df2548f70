"""The one build date: every result that depends on 'today' takes it from here."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping


class BuildDateError(ValueError):
    """An invalid --today or SOURCE_DATE_EPOCH."""


def resolve_build_date(
    today: str | None,
    environ: Mapping[str, str] | None = None,
    *,
    clock: dt.date | None = None,
) -> dt.date:
    """Return --today if given, else the date of SOURCE_DATE_EPOCH (UTC), else the clock."""
    env = os.environ if environ is None else environ
    if today:
        try:
            return dt.date.fromisoformat(today)
        except ValueError:
            raise BuildDateError(
                f"--today '{today}' is not a date; write it as YYYY-MM-DD"
            ) from None
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise BuildDateError(
                f"SOURCE_DATE_EPOCH '{epoch}' is not a number of seconds since 1970"
            ) from None
    return clock or dt.datetime.now(tz=dt.UTC).date()
