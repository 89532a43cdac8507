"""Temporary files of a killed run: the one place where ``cpxl batch`` removes files it did not just write.

Every workbook is written by :func:`cpxl.io.atomic_write`: into a hidden
temporary file beside the output (``.<stem>.<8 random characters>.xlsx``, as
:func:`tempfile.mkstemp` names it), then moved into place in one step. A run
that is killed leaves no half-written workbook, but it may leave such
temporary files. The next run into the same folder removes them, and only
those that are certainly abandoned. A file is removed when all of these hold:

- its name is exactly the temporary name of one of *this run's* outputs
  (``.Acme.k3j_x9q2.xlsx`` for ``Acme.xlsx``), so nothing else in the folder
  is ever touched;
- it was last modified before this run started, so it is not one this run writes;
- this run holds the folder's lock (:func:`folder_lock`, a lock on the hidden
  file ``.cpxl-batch.lock`` that every ``cpxl batch`` takes while it writes
  into the folder, and that the system releases when a process dies, even by
  ``SIGKILL``). When another run holds it, nothing is removed, since its
  temporary files are in use.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["LOCK_NAME", "folder_lock", "remove_abandoned"]

#: The lock file every run takes in its output folder.
LOCK_NAME = ".cpxl-batch.lock"

_RANDOM = r"[a-z0-9_]{8}"  # tempfile's names: 8 characters of this alphabet


@contextlib.contextmanager
def folder_lock(folder: str | Path) -> Iterator[bool]:
    """Hold the folder's batch lock while the body runs; yield whether it was free (no other run holds it).

    Parameters
    ----------
    folder : str or Path
        The output folder, which exists [-]

    Yields
    ------
    alone : bool
        True when this run holds the lock; False when another run does, or the
        folder does not allow locking (then nothing should be removed) [-]

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with folder_lock(folder) as first:
    ...     with folder_lock(folder) as second:
    ...         first, second
    (True, False)
    """
    try:
        handle = os.open(Path(folder) / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        yield False
        return
    try:
        yield _try_lock(handle)
    finally:
        os.close(handle)  # closing releases the lock


def _try_lock(handle: int) -> bool:
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def remove_abandoned(folder: str | Path, stems: Iterable[str], before: float) -> list[Path]:
    """Remove the temporary files of the outputs *stems* in *folder* last modified before *before*.

    Call it only while holding :func:`folder_lock`, when it yielded True.

    Parameters
    ----------
    folder : str or Path
        The output folder [-]
    stems : iterable of str
        The names of this run's outputs without ``.xlsx`` [-]
    before : float
        The run's start, as :func:`time.time` gives it [s]

    Returns
    -------
    removed : list of Path
        The files removed [-]

    Examples
    --------
    >>> import tempfile, pathlib, time
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in (".Acme.ab_cd123.xlsx", ".Other.ab_cd123.xlsx", "Acme.xlsx"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> [p.name for p in remove_abandoned(folder, ["Acme"], time.time() + 1)]
    ['.Acme.ab_cd123.xlsx']
    """
    folder = Path(folder)
    wanted = {stem.casefold() for stem in stems}
    pattern = re.compile(rf"\.(?P<stem>.+)\.{_RANDOM}\.xlsx", re.IGNORECASE)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if not match or match["stem"].casefold() not in wanted:
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < before:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed
