"""One build at a time per output folder: an advisory lock on a file beside the output.

Two builds into the same output would otherwise delete each other's staging folder (each build
clears the leftovers of killed builds before it starts) and race on the swap. The lock is an
fcntl.flock on `.charterpress-<out>.lock` beside `<out>`: a second build waits for the first one
to finish, and gives up with CP412 after WAIT_SECONDS. The kernel releases a flock when its
process dies, however it dies, so a build killed with SIGKILL never leaves a stale lock behind.
The lock file itself stays: deleting it while another build waits on it would let a third build
lock a new file with the same name and run beside the second.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .diagnostics import Diagnostic, error

LOCK_PREFIX = ".charterpress-"
# Long enough for any real build ahead of us; short enough that a hung build is noticed.
WAIT_SECONDS = 600.0
_POLL_SECONDS = 0.05

Notify = Callable[[str], None]


class OutputBusy(Exception):
    """Another build kept the output folder locked for longer than the wait allows."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def lock_path(out: Path) -> Path:
    """Return the lock file of the output folder OUT (beside it, hidden)."""
    return out.parent / f"{LOCK_PREFIX}{out.name}.lock"


def _tell(message: str) -> None:
    print(f"charterpress: {message}", file=sys.stderr, flush=True)


class OutputLock:
    """An exclusive lock on one output folder, held from staging to swap."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = lock_path(out)
        self._fd: int | None = None

    @property
    def fileno(self) -> int | None:
        """Return the locked file's descriptor (a child given it holds the lock too), or None."""
        return self._fd

    @property
    def held(self) -> bool:
        """Return whether this object holds the lock now."""
        return self._fd is not None

    def acquire(self, wait: float | None = None, notify: Notify = _tell) -> None:
        """Take the lock, waiting for another build; raise OutputBusy after WAIT seconds."""
        import fcntl

        limit = WAIT_SECONDS if wait is None else wait
        self.out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + limit
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pass
            else:
                self._fd = fd
                return
            if not told:
                notify(
                    f"waiting for another build into '{self.out}' to finish "
                    "(or the deletion of its old output)"
                )
                told = True
            if time.monotonic() >= deadline:
                os.close(fd)
                raise OutputBusy(busy_diagnostic(self.out, self.path, limit))
            # Polling rather than a blocking flock keeps the wait bounded without signals.
            time.sleep(_POLL_SECONDS)

    def release(self) -> None:
        """Let the next build in (closing the file releases the flock)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


def busy_diagnostic(out: Path, path: Path, waited: float) -> Diagnostic:
    """Return CP412: another build held the output's lock for the whole wait."""
    return error(
        "CP412",
        f"another build is writing to '{out}' and did not finish within {waited:g} seconds; "
        "nothing was written",
        None,
        f"wait for the other build (it holds {path}) or stop it, then build again; a build that "
        "was killed releases the lock by itself",
    )
