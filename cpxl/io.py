"""Writing files safely: never a half-written output, never a user's file overwritten without being asked.

Every output is written by :func:`atomic_write` into a hidden temporary file beside it, named
``.<stem>.<8 random characters><suffix>`` (``.audit.k3j_x9q2.xlsx`` for ``audit.xlsx``, as
:func:`tempfile.mkstemp` names it), then moved into place in one step:

- with overwriting allowed (``--force``), by :func:`os.replace`;
- without, by a hard link (:func:`os.link`), which fails if the output exists, even when another process
  created it a moment before: of two runs writing the same new file at once, exactly one succeeds and the
  other gets the "exists already" error. Where the file system has no hard links (FAT, exFAT, some network
  shares), the name is first claimed with ``O_CREAT | O_EXCL``, which is as exclusive, and the temporary file
  then moved over the claimed, empty file; a process killed between the two steps leaves that empty file.

A run killed while writing leaves no half-written output, but may leave its temporary file. The next write of
the same output removes such files once they are :data:`STALE_AFTER` seconds old
(:func:`remove_stale_temporaries`); ``cpxl batch`` also removes them at once under its folder lock
(:mod:`cpxl.batch.cleanup`, which relies on this naming).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .core.errors import CPError

__all__ = ["STALE_AFTER", "atomic_write", "remove_stale_temporaries", "temporary_pattern"]

#: Age in seconds after which a temporary file of an output is certainly abandoned: nothing cpxl writes takes
#: this long, and a file being written is modified as it grows [s].
STALE_AFTER = 3600.0

_RANDOM = r"[a-z0-9_]{8}"  # tempfile's names: 8 characters of this alphabet


def temporary_pattern(path: str | Path) -> re.Pattern[str]:
    """The names of :func:`atomic_write`'s temporary files for *path*, as a compiled pattern.

    Examples
    --------
    >>> bool(temporary_pattern("out/audit.xlsx").fullmatch(".audit.k3j_x9q2.xlsx"))
    True
    >>> bool(temporary_pattern("out/audit.xlsx").fullmatch(".audit.backup.xlsx"))
    False
    """
    path = Path(path)
    return re.compile(rf"\.{re.escape(path.stem)}\.{_RANDOM}{re.escape(path.suffix)}")


def remove_stale_temporaries(path: str | Path, *, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove the temporary files of *path* left by a killed run, those last modified *older_than* s ago.

    Only files whose name is exactly a temporary name of *path* (:func:`temporary_pattern`) are touched.

    Parameters
    ----------
    path : str or Path
        The output [-]
    older_than : float, optional
        Minimum age of a file to remove [s]

    Returns
    -------
    removed : list of Path
        The files removed [-]

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in (".audit.ab_cd123.xlsx", ".other.ab_cd123.xlsx", "audit.xlsx"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> [p.name for p in remove_stale_temporaries(folder / "audit.xlsx", older_than=-1)]
    ['.audit.ab_cd123.xlsx']
    """
    path = Path(path)
    pattern = temporary_pattern(path)
    before = time.time() - older_than
    removed: list[Path] = []
    for name in _hidden_names(str(path.parent.resolve())):
        if not pattern.fullmatch(name):
            continue
        candidate = path.parent / name
        with contextlib.suppress(OSError):
            status = candidate.lstat()
            if stat.S_ISREG(status.st_mode) and status.st_mtime < before:
                candidate.unlink()
                removed.append(candidate)
    return removed


@functools.lru_cache(maxsize=256)
def _hidden_names(folder: str) -> tuple[str, ...]:
    """The hidden files of *folder*, listed once per process: a stale file is older than the process, and a
    run writing thousands of outputs into one folder (cpxl batch) must not list it for each."""
    try:
        return tuple(entry.name for entry in os.scandir(folder) if entry.name.startswith("."))
    except OSError:
        return ()


def _exists(path: Path) -> CPError:
    return CPError("write", str(path), "exists already: choose another name or allow overwriting (--force)")


def _place_new(tmp: Path, path: Path) -> None:
    """Move *tmp* to *path*, failing if *path* exists, even if it appears meanwhile (see the module's text)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise _exists(path) from None
    except OSError:  # no hard links here (FAT, exFAT, some shares; each system says so with its own error)
        pass
    else:
        return
    # claim the name exclusively, then move the temporary file over the claimed file
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise _exists(path) from None
    try:
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


@contextlib.contextmanager
def atomic_write(path: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside *path*; on success move it into place in one step.

    If the body raises, the temporary file is removed and *path* is untouched.
    An existing *path* is refused unless *overwrite* is true, also when another process creates it while
    the body runs (see the module's text). Temporary files of *path* left by a killed run
    (:func:`remove_stale_temporaries`) are removed first.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    >>> with atomic_write(target) as tmp:
    ...     _ = tmp.write_text("again")
    Traceback (most recent call last):
    cpxl.core.errors.CPError: write: ... exists already: choose another name or allow overwriting (--force)
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise _exists(path)
    if not path.parent.exists():
        raise CPError("write", str(path.parent), "is not an existing folder")
    remove_stale_temporaries(path)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise CPError("write", str(path), f"cannot be written ({exc.strerror})") from None
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        try:
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
            if overwrite:
                os.replace(tmp, path)
            else:
                _place_new(tmp, path)
        except OSError as exc:
            raise CPError("write", str(path), f"cannot be written ({exc.strerror})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
