"""Output names: the one place where what a table or a file calls an enterprise becomes a safe, unique file name.

A name comes from anyone (a company's name in a table, a file's stem), so it is
made safe on Windows and POSIX alike before it names a file, and it can never
name a file outside the output folder:

- path separators (``/``, ``\\``), the characters Windows refuses in names
  (``< > : " | ? *``), control and format characters and line separators are
  each replaced by ``_``; runs of white space become one space;
- leading and trailing dots, spaces and underscores are removed (Windows
  drops trailing dots and spaces; a leading dot would hide the file and could
  look like a temporary file of :func:`cpxl.io.atomic_write`; underscores are
  what is left of ``../``), and a leading ``-`` becomes ``_`` (it would
  read as an option in a shell), so ``..`` and ``../../etc/passwd`` become
  plain names inside the folder;
- a name that Windows reserves for a device (``CON``, ``PRN``, ``AUX``,
  ``NUL``, ``COM1``-``COM9``, ``LPT1``-``LPT9``, with any ending) gets a
  trailing ``_``;
- a name is cut to :data:`MAX_NAME_BYTES` bytes of UTF-8 (whole characters),
  leaving room for a ``-N`` suffix, the ``.xlsx`` ending and the temporary
  file's name within the 255 bytes every file system allows;
- an empty name becomes the fallback given (``audit``).

:func:`unique_names` then numbers repeats ``-2``, ``-3``, ... in input order,
comparing names without regard to case (Windows and macOS folders do not), so
the same inputs always get the same names and ``--skip-existing`` resumes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["MAX_NAME_BYTES", "safe_name", "unique_names"]

#: The longest name made, in bytes of UTF-8 (40 Chinese characters), before ``-N`` and ``.xlsx``.
MAX_NAME_BYTES = 120

_WINDOWS_BAD = set('<>:"/\\|?*')
_BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{device}{n}" for device in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]
}
_SPACES = re.compile(r"\s+")


def safe_name(text: object, fallback: str = "audit") -> str:
    """*text* made into a file name (without ending) that is safe on Windows and POSIX.

    Parameters
    ----------
    text : object
        The name wanted: a company's name, a file's stem; None or blank gives *fallback* [-]
    fallback : str
        The name used when nothing of *text* is left [-]

    Returns
    -------
    name : str
        A name with no path separator, control character or reserved device
        name, not starting with a dot, of at most :data:`MAX_NAME_BYTES` bytes [-]

    Examples
    --------
    >>> safe_name("Acme Chemicals Co., Ltd."), safe_name("../../etc/passwd"), safe_name("con"), safe_name(" .. ")
    ('Acme Chemicals Co., Ltd', 'etc_passwd', 'con_', 'audit')
    >>> safe_name('a/b\\\\c:d*e\\x00f\\nend'), safe_name("江苏某化工有限公司")
    ('a_b_c_d_e_f end', '江苏某化工有限公司')
    """
    raw = "" if text is None else unicodedata.normalize("NFC", str(text))
    chars = []
    for ch in raw:
        if ch in "\t\n\r\x0b\x0c":
            chars.append(" ")
        elif ch in _WINDOWS_BAD or unicodedata.category(ch) in _BAD_CATEGORIES:
            chars.append("_")
        else:
            chars.append(ch)
    name = _tidy(_SPACES.sub(" ", "".join(chars)))
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = _tidy(name[:-1])
    if not name:
        return fallback
    if name.split(".")[0].rstrip(" ").upper() in _RESERVED:
        name += "_"
    return name


def _tidy(name: str) -> str:
    """Without leading and trailing dots, spaces and underscores (what is left of ``../``); no leading dash."""
    name = name.strip(" ._")
    return "_" + name[1:] if name.startswith("-") else name


def unique_names(names: Iterable[str]) -> list[str]:
    """*names* with repeats numbered ``-2``, ``-3``, ... in order, compared without regard to case.

    Parameters
    ----------
    names : iterable of str
        Safe names (:func:`safe_name`), in input order [-]

    Returns
    -------
    names : list of str
        As many names, no two alike ignoring case; the same input gives the same output [-]

    Examples
    --------
    >>> unique_names(["Acme", "acme", "Beta", "Acme", "Acme-2"])
    ['Acme', 'acme-2', 'Beta', 'Acme-3', 'Acme-2-2']
    """
    taken: set[str] = set()
    unique = []
    for name in names:
        candidate, k = name, 2
        while candidate.casefold() in taken:
            candidate, k = f"{name}-{k}", k + 1
        taken.add(candidate.casefold())
        unique.append(candidate)
    return unique
