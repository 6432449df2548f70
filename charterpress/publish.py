"""Publish stage: build into a fresh folder beside the output, then swap it in atomically.

A build killed at any moment leaves the output folder complete, old or new: never a mix and
never none. On Linux, renameat2(RENAME_EXCHANGE) swaps the two folders in one step; elsewhere the
old folder is renamed aside first, which leaves a moment without an output folder (the old one
is then beside it, under a name starting with '.', and the next build cleans it up).

Only a folder that carries Charterpress's marker file is ever replaced, so a mistyped --out can
never wipe a folder of the user's.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .diagnostics import Diagnostic, error
from .lock import OutputLock

MARKER = ".charterpress-output"
MARKER_TEXT = (
    "This folder was written by Charterpress, which deletes and rewrites it on every build.\n"
    "Do not keep anything of your own in it.\n"
)
PUBLIC = "public"
HANDBOOK = "handbook"
_STAGING_INFIX = ".charterpress-new-"
_RETIRED_INFIX = ".charterpress-old-"
# The crash tests stop a build at a named stage: "STAGE:FLAG" writes FLAG there, then waits to be
# killed. Unset (always, outside the tests), checkpoint() does nothing.
PAUSE_ENV = "CHARTERPRESS_TEST_PAUSE_AT"
STAGES = ("validated", "rendered", "mkdocs", "staged", "swapped", "cleanup")
# The lock of each staging folder's output, held until discard(): one build at a time per output.
_LOCKS: dict[Path, OutputLock] = {}


def checkpoint(stage: str) -> None:
    """Stop here, for a crash test, when CHARTERPRESS_TEST_PAUSE_AT names STAGE."""
    wanted, _, flag = os.environ.get(PAUSE_ENV, "").partition(":")
    if wanted != stage or not flag:
        return
    # Written aside, then renamed: the test sees the flag only once it is complete.
    pending = Path(flag + ".tmp")
    pending.write_text(stage, encoding="utf-8")
    pending.replace(flag)
    while True:
        time.sleep(3600)


def is_ours(folder: Path) -> bool:
    """Return whether FOLDER carries Charterpress's marker file."""
    return (folder / MARKER).is_file()


def check_output(out: Path) -> Diagnostic | None:
    """Refuse an output folder that is not Charterpress's own (CP410), or not a folder (CP411)."""
    if out.is_symlink():
        return error(
            "CP411",
            f"the output folder '{out}' is a symbolic link",
            None,
            "pass --out with the real folder; Charterpress replaces the folder itself",
        )
    if not out.exists():
        return None
    if not out.is_dir():
        return error(
            "CP411",
            f"the output '{out}' exists and is not a folder",
            None,
            "pass --out with a folder name",
        )
    if is_ours(out) or not any(out.iterdir()):
        return None
    return error(
        "CP410",
        f"the output folder '{out}' exists and was not written by Charterpress (it has no "
        f"{MARKER} file); it was left untouched",
        None,
        "choose a new or empty folder with --out, or delete this one yourself if it holds "
        "nothing you need",
    )


def make_staging(out: Path) -> Path:
    """Lock OUT, then create the fresh folder beside it into which the new output is built.

    Raises lock.OutputBusy if another build keeps OUT locked; discard() releases the lock.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    held = OutputLock(out)
    held.acquire()
    try:
        # Under the lock: the leftovers are a killed build's, never a running build's.
        remove_leftovers(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}{_STAGING_INFIX}", dir=out.parent))
        # mkdtemp makes a private folder (0700); the output is published: give the usual mode.
        staging.chmod(0o777 & ~_umask())
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    except BaseException:
        held.release()
        raise
    _LOCKS[staging] = held
    return staging


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_leftovers(out: Path) -> None:
    """Delete folders left beside OUT by a build that was killed (only ours, by the marker)."""
    if not out.parent.is_dir():
        return
    for prefix in (f".{out.name}{_STAGING_INFIX}", f".{out.name}{_RETIRED_INFIX}"):
        for leftover in sorted(out.parent.glob(prefix + "*")):
            if leftover.is_dir() and not leftover.is_symlink() and is_ours(leftover):
                shutil.rmtree(leftover, ignore_errors=True)


def output_lock(staging: Path) -> OutputLock | None:
    """Return the lock this build holds on the output of STAGING (make_staging took it)."""
    return _LOCKS.get(staging)


def discard(staging: Path) -> None:
    """Delete a staging folder after a failed build; release the output's lock."""
    try:
        if staging.is_dir() and is_ours(staging):
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        held = _LOCKS.pop(staging, None)
        if held is not None:
            held.release()


def swap_in(staging: Path, out: Path) -> None:
    """Make STAGING the new OUT in one step, then have the old output deleted.

    The deletion runs in a process of its own (remove_later), which holds the output's lock
    until it is done: the build returns as soon as the new output is in place.
    """
    if not out.exists():
        # rename() of a folder onto a missing name is atomic everywhere.
        staging.rename(out)
        return
    retired = _retired_name(out)
    if _exchange(staging, out):
        # STAGING now holds the old output: renamed aside, so that discard() leaves it alone.
        checkpoint("swapped")
        staging.rename(retired)
    else:
        out.rename(retired)
        staging.rename(out)
        checkpoint("swapped")
    checkpoint("cleanup")
    remove_later([retired], output_lock(staging))


def _retired_name(out: Path) -> Path:
    """Return a free name beside OUT for its old version (remove_leftovers knows the prefix)."""
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}{_RETIRED_INFIX}", dir=out.parent))
    retired.rmdir()
    return retired


# The remover: a bare interpreter (no import of ours) that forks, so that the build neither
# waits for it nor leaves a zombie behind, and whose child deletes the folders it is given.
_REMOVER = """\
import os, shutil, sys
if os.fork():
    os._exit(0)
for folder in sys.argv[1:]:
    shutil.rmtree(folder, True)
"""


def remove_later(folders: list[Path], lock: OutputLock | None = None) -> None:
    """Delete FOLDERS in a detached process, holding LOCK (the output's) until it is done.

    Deleting an old output of ten thousand pages (a folder per page) took 8 s here, after
    everything else of a rebuild was done. The remover shares the lock's open file (a flock
    belongs to it, not to a process), so the next build into the same output waits for it, and
    the leftovers that build cleans up are only ever a killed process's. Where a process
    cannot be started, the folders are deleted here and now.
    """
    if not folders:
        return
    fds = (lock.fileno,) if lock is not None and lock.fileno is not None else ()
    try:
        subprocess.run(
            [sys.executable, "-I", "-S", "-c", _REMOVER, *map(str, folders)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=fds,
            start_new_session=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def temporary_folder(prefix: str) -> Iterator[Path]:
    """Yield a new folder in the system's temporary folder, deleted afterwards by remove_later.

    For a build's MkDocs projects, written as each language is rendered, before the build has a
    staging folder: thousands of files, 1.7 s to delete at 200 charters.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        remove_later([folder])


def wait_until_free(out: Path, wait: float | None = None) -> None:
    """Return once no build (nor the removal of an old output) holds OUT's lock."""
    held = OutputLock(out)
    held.acquire(wait, notify=lambda _message: None)
    held.release()


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically with renameat2(RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    # Not supported by this kernel or file system: use the portable way.
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP
        return False
    raise OSError(errno, os.strerror(errno), str(b))
