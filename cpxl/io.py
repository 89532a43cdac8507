"""Writing files safely: never a half-written output, never a user's file overwritten without being asked."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .core.errors import CPError

__all__ = ["atomic_write"]


@contextlib.contextmanager
def atomic_write(path: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside *path*; on success move it into place in one step.

    If the body raises, the temporary file is removed and *path* is untouched.
    An existing *path* is refused unless *overwrite* is true.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise CPError("write", str(path), "exists already: choose another name or allow overwriting (--force)")
    if not path.parent.exists():
        raise CPError("write", str(path.parent), "is not an existing folder")
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
            os.replace(tmp, path)
        except OSError as exc:
            raise CPError("write", str(path), f"cannot be written ({exc.strerror})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
