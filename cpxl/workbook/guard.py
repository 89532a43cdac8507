"""Open a workbook that someone sent back: the one place where a file on disk becomes an openpyxl workbook.

Filled workbooks come back by the hundred, and some are not what their name says: a legacy ``.xls``, a
password-protected workbook, a CSV or an HTML page renamed ``.xlsx``, a Word document, a zip bomb, a file
with links to other workbooks. :func:`open_workbook` looks at the bytes before openpyxl parses anything and
refuses each of these with one line that names the file and says what to do; whatever openpyxl itself then
raises on a damaged part becomes one such line too, never a traceback.

Everything is bounded before it is parsed (the limits are the module's constants):

* the file: a regular file of at most :data:`MAX_FILE_BYTES` (50 MB), read once into memory, so that what
  is checked is what is loaded (a device such as ``/dev/zero``, a pipe or a folder is refused from its
  ``stat``, never opened for reading);
* the zip: at most :data:`MAX_PARTS` parts, declared to unpack to at most :data:`MAX_UNPACKED_BYTES`
  (200 MB) in all, no part over 1 MB compressed more than :data:`MAX_RATIO` to 1 (the threshold Apache POI
  uses), only the stored and deflate methods that spreadsheet applications write. Declared sizes can lie,
  and CPython's ``ZipExtFile`` truncates a part at its declared size but decompresses up to 1 GiB in one step
  before it cuts (``read()`` calls ``decompress(data, 1 << 30)``; the bzip2 and LZMA methods are not bounded
  at all). So every part is inflated once here, 1 MiB at a time, and refused as soon as it yields more than
  it declares: then openpyxl's own reading can expand no part past its declared size;
* the XML: no part may declare a document type (``<!DOCTYPE``, which no spreadsheet application writes and
  which entity bombs need), found in the same pass; behind that, openpyxl parses with :mod:`defusedxml`
  (a dependency for this reason), which refuses entity declarations in any encoding;
* the work: openpyxl builds an object for every XML element it parses, at 6–18 µs and, for cells, some
  400 bytes each (a million numbers took 22 s and 420 MB in full mode; 300,000 shared strings took 6 s even
  in read-only mode), so the XML parts may hold at most :data:`MAX_XML_ELEMENTS` elements in all (counted
  in the same pass): just under the limit, 2–3 s and under 200 MB. With ``read_only=True`` the worksheets,
  which openpyxl then streams, are not counted.

A cpxl workbook is about 50 KB on disk, 240 KB unpacked, 8,000 XML elements: far inside every limit, and
the checks cost a few milliseconds (``benchmarks/bench_guard.py``).

The legacy and password-protected formats are both OLE2 compound files; their directory is parsed here
(about 70 lines: header, FAT, the directory's sector chain, the entry names) rather than through a
dependency, since only the names of the streams are needed. This module imports the standard library,
openpyxl (lazily, inside :func:`open_workbook`) and :class:`~cpxl.audit.model.AuditError`.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..audit.model import AuditError

if TYPE_CHECKING:
    import openpyxl

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PACKAGE_ELEMENTS",
    "MAX_PARTS",
    "MAX_RATIO",
    "MAX_UNPACKED_BYTES",
    "MAX_XML_ELEMENTS",
    "checked_bytes",
    "open_workbook",
]

#: The largest file read, in bytes (50 MB): a cpxl workbook is about 50 KB.
MAX_FILE_BYTES = 50_000_000
#: The most the parts of a workbook may unpack to in all, in bytes (200 MB), as declared and as inflated.
MAX_UNPACKED_BYTES = 200_000_000
#: The most parts (files inside the zip) a workbook may hold; a cpxl workbook has about 30.
MAX_PARTS = 10_000
#: The largest compression ratio allowed for a part that unpacks to more than :data:`RATIO_FROM_BYTES`.
MAX_RATIO = 100
#: Parts at least this large (1 MB unpacked) must respect :data:`MAX_RATIO`; small parts may compress better.
RATIO_FROM_BYTES = 1_000_000
#: The most XML elements the parts may hold in all (a cpxl example has about 8,000); read-only mode does
#: not count the worksheets.
MAX_XML_ELEMENTS = 250_000
#: The most XML elements a workbook may hold for :func:`checked_bytes`, whose readers parse cells without an
#: object each (:mod:`cpxl.workbook.package`: a million cells in about 2 s and 300 MB); a cpxl workbook with
#: the most rows a table can be given (``MAX_ROWS``) holds about 480,000.
MAX_PACKAGE_ELEMENTS = 2_000_000

_CHUNK = 1 << 20  # inflate 1 MiB at a time
_MAX_DIRECTORY_BYTES = MAX_PARTS * 400  # the zip's central directory, read whole by zipfile
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def open_workbook(
    path: str | os.PathLike[str], *, data_only: bool = True, read_only: bool = False
) -> openpyxl.Workbook:
    """The workbook in *path*, loaded by openpyxl once the file has been checked, within bounds.

    Parameters
    ----------
    path : str or PathLike
        The workbook file; its content decides, not its extension [-]
    data_only : bool, optional
        Cells give their cached values rather than their formulas (openpyxl's ``data_only``) [-]
    read_only : bool, optional
        Load lazily (openpyxl's ``read_only``): the worksheets' cells do not count towards
        :data:`MAX_XML_ELEMENTS`. Close the workbook when done [-]

    Returns
    -------
    workbook : openpyxl.Workbook
        The loaded workbook [-]

    Raises
    ------
    AuditError
        With one problem naming what the file is and what to do: it does not exist, is a folder or a
        device, is over 50 MB, is not a zip (empty, text/CSV, HTML, PDF...), is a legacy ``.xls``, is
        password-protected, is another kind of zip (``.docx``, ``.ods``), is a binary ``.xlsb``, exceeds a
        zip-bomb limit, declares an XML document type, links to other workbooks, holds too many cells for
        full mode, or openpyxl cannot load it. A macro-enabled workbook (``.xlsm``) is read; its macros are
        never run.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cpxl.audit import Audit
    >>> from cpxl.workbook import build
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> open_workbook(build(Audit.example(), folder / "audit.xlsx")).sheetnames[0]
    '0 Guide'
    >>> _ = (folder / "notes.xlsx").write_text("site,water\\nA,12\\n")
    >>> open_workbook(folder / "notes.xlsx")
    Traceback (most recent call last):
    ...
    cpxl.audit.model.AuditError: .../notes.xlsx: 1 problem in the audit:
      - not an .xlsx workbook: the file is text (CSV or plain text): open it in Excel and save it as .xlsx
    """
    source = str(path)
    data = checked_bytes(path, full=not read_only)
    from .cells import load_workbook  # openpyxl, with cell text kept as the file spells it

    try:
        return load_workbook(io.BytesIO(data), data_only=data_only, read_only=read_only)
    except Exception as exc:  # any failure of the parser is the file's fault: one line, no traceback
        raise AuditError([f"not an .xlsx workbook that cpxl can read ({_one_line(exc)})"], source) from None


def checked_bytes(
    path: str | os.PathLike[str],
    *,
    full: bool = True,
    max_elements: int = MAX_XML_ELEMENTS,
    parts: dict[str, bytes] | None = None,
) -> bytes:
    """The bytes of a workbook file, once they pass every check of :func:`open_workbook`.

    For a reader that parses the package itself. *full* counts the worksheets'
    XML elements towards *max_elements* too (False: as for a read-only load,
    which streams them); a reader lighter than openpyxl may allow more
    (:data:`MAX_PACKAGE_ELEMENTS`). Given a dictionary *parts*, the checks fill it
    with the inflated XML of the parts a reader of cells needs (the worksheets,
    ``xl/workbook.xml``, its relationships, ``docProps/custom.xml``), so that
    they are not inflated twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cpxl.audit import Audit
    >>> from cpxl.workbook import build
    >>> checked_bytes(build(Audit.example(), pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"))[:2]
    b'PK'
    """
    source = str(path)
    data = _read_bounded(Path(path), source)
    _check(data, source, full=full, max_elements=max_elements, inflated=parts)
    return data


# --- the file -----------------------------------------------------------------------------------------


def _read_bounded(path: Path, source: str) -> bytes:
    """The file's bytes: a regular file of at most MAX_FILE_BYTES, checked by stat before it is opened."""

    def refuse(reason: str) -> AuditError:
        return AuditError([reason], source)

    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise refuse("the file does not exist") from None
    except OSError as exc:
        raise refuse(f"the file cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise refuse("the path is a folder, not a workbook file")
    if not stat.S_ISREG(info.st_mode):
        raise refuse("the path is not a regular file (a device, pipe or socket), not a workbook file")
    if info.st_size > MAX_FILE_BYTES:
        raise refuse(_too_big(info.st_size))
    try:
        # O_NONBLOCK: should the path become a pipe between stat and open, opening it does not wait
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise refuse("the path is not a regular file (a device, pipe or socket), not a workbook file")
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise refuse(f"the file cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise refuse(_too_big(len(data)))
    return data


def _too_big(size: int) -> str:
    return f"the file is {_size(size)}, over the {_size(MAX_FILE_BYTES)} limit for a workbook cpxl reads"


#: The parts whose inflated XML checked_bytes hands to a reader of cells that asks for it.
_KEPT = re.compile(r"xl/worksheets/[^/]+\.xml|xl/workbook\.xml|xl/_rels/workbook\.xml\.rels|docProps/custom\.xml")


def _size(n: int) -> str:
    if n >= 10**9:
        return f"{n / 1e9:,.1f} GB"
    return f"{n / 1e6:,.0f} MB" if n >= 10**7 else f"{n / 1e6:,.1f} MB"


# --- what the bytes are -------------------------------------------------------------------------------


def _check(
    data: bytes,
    source: str,
    *,
    full: bool,
    max_elements: int = MAX_XML_ELEMENTS,
    inflated: dict[str, bytes] | None = None,
) -> None:
    """Refuse anything but a bounded .xlsx package; see the module's docstring for the limits."""

    def refuse(reason: str) -> AuditError:
        return AuditError([reason], source)

    if data.startswith(_OLE2):
        raise refuse(_ole2_reason(data))
    end = _end_of_directory(data)
    if end is None:
        if data.startswith(b"PK\x03\x04"):
            raise refuse("not an .xlsx workbook: the zip is truncated or damaged (an incomplete download?)")
        raise refuse(f"not an .xlsx workbook: the file is {_looks_like(data)}")
    parts, directory_bytes = end
    if parts > MAX_PARTS or directory_bytes > _MAX_DIRECTORY_BYTES:
        raise refuse(f"the zip holds {parts:,} parts, over the limit of {MAX_PARTS:,}: refused as a zip bomb")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # zipfile raises several kinds on a damaged directory
        raise refuse(f"not an .xlsx workbook: the zip is damaged ({_one_line(exc)})") from None
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise refuse(f"the zip holds {len(infos):,} parts, over the limit of {MAX_PARTS:,}: refused as a zip bomb")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNPACKED_BYTES:
        raise refuse(
            f"the zip's parts would unpack to {_size(declared)}, over the {_size(MAX_UNPACKED_BYTES)} limit: "
            "refused as a zip bomb"
        )
    for info in infos:
        if info.file_size >= RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise refuse(
                f"the part {info.filename} is compressed {ratio:,.0f} to 1, over the {MAX_RATIO} to 1 limit "
                f"for parts over {_size(RATIO_FROM_BYTES)}: refused as a zip bomb"
            )
    _check_kind(data, archive, source)
    loaded = 0  # the XML elements openpyxl will build objects for
    for info in infos:
        kept: list[bytes] | None = [] if inflated is not None and _KEPT.fullmatch(info.filename) else None
        elements = _inflate_bounded(data, info, source, kept)
        if inflated is not None and kept is not None:
            inflated[info.filename] = b"".join(kept)
        if full or not info.filename.lower().startswith("xl/worksheets/"):
            loaded += elements
    if loaded > max_elements:
        raise refuse(
            f"the workbook holds {loaded:,} XML elements (cells, values, strings...), over the "
            f"{max_elements:,} cpxl loads at once: delete the sheets or rows that are not part of the audit"
        )


def _check_kind(data: bytes, archive: zipfile.ZipFile, source: str) -> None:
    """Refuse a zip that is not an .xlsx (an .xlsb, a .docx, an .ods...) and a workbook with external links."""
    names = {name.lower(): name for name in archive.namelist()}

    def refuse(reason: str) -> AuditError:
        return AuditError([reason], source)

    if "xl/workbook.bin" in names:
        raise refuse(
            "the file is a binary .xlsb workbook (its parts, such as xl/workbook.bin, are binary, not XML): "
            "open it in Excel and save it as .xlsx"
        )
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            what = "a Word document (.docx)"
        elif "ppt/presentation.xml" in names:
            what = "a PowerPoint presentation (.pptx)"
        elif "mimetype" in names and "content.xml" in names:
            mimetype = archive.getinfo(names["mimetype"])  # stored uncompressed, as OpenDocument requires
            raw = bytes(_raw_part(data, mimetype, source)[:100]) if mimetype.compress_type == 0 else b""
            what = (
                "an OpenDocument spreadsheet (.ods): open it and save it as .xlsx"
                if b"spreadsheet" in raw
                else "an OpenDocument file (.odt, .odp...), not a workbook"
            )
        else:
            what = "a zip archive without the workbook part xl/workbook.xml"
        raise refuse(f"not an .xlsx workbook: the file is {what}")
    if any(name.startswith("xl/externallinks/") for name in names):
        raise refuse(
            "the workbook links to other workbooks (external links): break the links in Excel "
            "(Data > Edit Links) and save again"
        )


def _inflate_bounded(data: bytes, info: zipfile.ZipInfo, source: str, kept: list[bytes] | None = None) -> int:
    """Inflate one part 1 MiB at a time, refusing it once it yields more than it declares; its XML elements.

    The inflated chunks are appended to *kept* when it is given.

    Also refuses a part that declares an XML document type, and encrypted or unusual compression methods.
    Returns the number of XML elements in the part (``</`` and ``/>`` counted; 0 for a part that is not XML).
    """
    name = info.filename

    def refuse(reason: str) -> AuditError:
        return AuditError([reason], source)

    if info.flag_bits & 0x1:
        raise refuse("the workbook is password-protected (its zip parts are encrypted): remove the password")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise refuse(
            f"the part {name} uses zip compression method {info.compress_type}, "
            "which spreadsheet applications never write"
        )
    raw = _raw_part(data, info, source)
    xml = name.lower().endswith(_XML_SUFFIXES)
    elements = 0
    produced = 0
    carry = b""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    pending: Any = raw
    while True:
        if inflater is None:
            chunk, pending = bytes(pending[:_CHUNK]), pending[_CHUNK:]
        else:
            before = len(pending)
            try:
                chunk = inflater.decompress(pending, _CHUNK)
            except zlib.error as exc:
                raise refuse(f"not an .xlsx workbook: the part {name} is damaged ({exc})") from None
            pending = inflater.unconsumed_tail
            if not chunk and len(pending) == before and not inflater.eof:
                break  # no progress: the input is used up
        produced += len(chunk)
        if kept is not None:
            kept.append(chunk)
        if produced > info.file_size:
            raise refuse(
                f"the part {name} unpacks to more than the {info.file_size:,} bytes its zip header declares: "
                "refused as a zip bomb"
            )
        if xml and chunk:
            if b"<!DOCTYPE" in chunk or b"<!DOCTYPE" in carry + chunk[:8]:
                raise refuse(
                    f"the part {name} declares an XML document type (<!DOCTYPE), which spreadsheet "
                    "applications never write: refused as a possible XML entity bomb"
                )
            seam = carry[-1:] + chunk[:1]  # a "</" or "/>" split between two chunks
            elements += chunk.count(b"</") + chunk.count(b"/>") + seam.count(b"</") + seam.count(b"/>")
            carry = chunk[-8:]
        if inflater is None and not pending:
            break
        if inflater is not None and inflater.eof:
            break
    if produced != info.file_size:
        raise refuse(
            f"not an .xlsx workbook: the zip is damaged (the part {name} unpacks to {produced:,} bytes, "
            f"its header declares {info.file_size:,})"
        )
    return elements


def _raw_part(data: bytes, info: zipfile.ZipInfo, source: str) -> memoryview:
    """The compressed bytes of a part, found as zipfile finds them (after its local header)."""
    start = info.header_offset
    if start < 0 or data[start : start + 4] != b"PK\x03\x04":
        raise AuditError([f"not an .xlsx workbook: the zip is damaged (no local header for {info.filename})"], source)
    name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
    start += 30 + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise AuditError([f"not an .xlsx workbook: the zip is damaged (the part {info.filename} is truncated)"], source)
    return raw


def _end_of_directory(data: bytes) -> tuple[int, int] | None:
    """The number of parts and the size of the central directory, from the zip's end record; None if none.

    Found as zipfile finds it (the last end signature within the last 64 KiB + 22 bytes), Zip64 included,
    so that zipfile never parses a directory larger than the limits allow.
    """
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if pos < 0 or len(data) - pos < 22:
        return None
    parts, directory_bytes = struct.unpack_from("<HL", data, pos + 10)
    zip64 = pos - 20 - 56
    if zip64 >= 0 and data[pos - 20 : pos - 16] == b"PK\x06\x07" and data[zip64 : zip64 + 4] == b"PK\x06\x06":
        parts, directory_bytes = struct.unpack_from("<QQ", data, zip64 + 32)
    return parts, directory_bytes


def _looks_like(data: bytes) -> str:
    """What a file that is not a zip looks like, in words, with what to do when it is a spreadsheet."""
    if not data:
        return "empty (0 bytes)"
    head = data[:4096]
    magic = {
        b"%PDF": "a PDF document",
        b"\x1f\x8b": "a gzip archive",
        b"7z\xbc\xaf": "a 7-Zip archive",
        b"Rar!": "a RAR archive",
        b"\x89PNG": "a PNG image",
        b"\xff\xd8\xff": "a JPEG image",
        b"{\\rtf": "an RTF document",
    }
    for prefix, what in magic.items():
        if head.startswith(prefix):
            return what
    text = _as_text(head)
    if text is None:
        return f"binary data of an unknown kind (it starts with {head[:8].hex(' ')})"
    lowered = text.lstrip("\ufeff").lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<table" in lowered[:2000]:
        return "an HTML page (some systems export 'Excel' files as HTML tables): open it in Excel and save it as .xlsx"
    if lowered.startswith("<?xml") or lowered.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
            return "an Excel 2003 XML spreadsheet: open it in Excel and save it as .xlsx"
        return "an XML document, not a workbook"
    return "text (CSV or plain text): open it in Excel and save it as .xlsx"


def _as_text(head: bytes) -> str | None:
    """The beginning of a file as text, if it is text (UTF-8, UTF-16 with a BOM or GB18030); else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
                continue
            text = head[: exc.start].decode(encoding)
        if not text or sum(ch.isprintable() or ch in "\r\n\t" for ch in text) / len(text) > 0.95:
            return text
        return None
    return None


# --- OLE2 compound files: legacy .xls and password-protected workbooks --------------------------------

_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_MAX_SECTOR = 0xFFFFFFFA


def _ole2_reason(data: bytes) -> str:
    """Why an OLE2 compound file is refused: what its directory's stream names say it is."""
    try:
        names = {name.casefold() for name in _ole2_names(data)}
    except (struct.error, ValueError, IndexError):
        names = None
    if names is None:
        return (
            "not an .xlsx workbook: the file is a damaged OLE2 compound file (the container of legacy .xls "
            "and of password-protected workbooks)"
        )
    if names & {"encryptioninfo", "encryptedpackage"}:
        return "the workbook is password-protected: remove the password and save again"
    if names & {"workbook", "book"}:
        return "the file is a legacy .xls workbook: open it in Excel and save as .xlsx"
    if "worddocument" in names:
        return "not an .xlsx workbook: the file is a legacy Word document (.doc)"
    if "powerpoint document" in names:
        return "not an .xlsx workbook: the file is a legacy PowerPoint presentation (.ppt)"
    return "not an .xlsx workbook: the file is an OLE2 compound file (an old Office or Windows format)"


def _ole2_names(data: bytes) -> list[str]:
    """The names of every entry in an OLE2 compound file's directory ([MS-CFB]), read within the file's bounds.

    The header gives the sector size and the first FAT sectors (the rest through the DIFAT chain); the
    directory is a chain of sectors through the FAT, each holding 128-byte entries whose first 64 bytes are
    the name in UTF-16. Sector n starts at byte (n + 1) * sector size. Chains are followed at most as many
    steps as the file has sectors, so a loop ends.
    """
    (shift,) = struct.unpack_from("<H", data, 0x1E)
    if shift not in (9, 12):
        raise ValueError("sector size")
    size = 1 << shift
    n_sectors = len(data) // size
    n_fat, first_directory, _, _, _, _, first_difat, n_difat = struct.unpack_from("<8L", data, 0x2C)

    def sector(n: int) -> int:
        if n > _MAX_SECTOR or (n + 2) * size > len(data):
            raise ValueError(f"sector {n} outside the file")
        return (n + 1) * size

    fat_sectors = [n for n in struct.unpack_from("<109L", data, 0x4C) if n != _FREE]
    difat, steps = first_difat, 0
    per = size // 4
    while difat <= _MAX_SECTOR and steps < min(n_difat, n_sectors) and len(fat_sectors) < n_fat:
        at = sector(difat)
        *entries, difat = struct.unpack_from(f"<{per}L", data, at)
        fat_sectors += [n for n in entries if n != _FREE]
        steps += 1

    def next_sector(n: int) -> int:
        return struct.unpack_from("<L", data, sector(fat_sectors[n // per]) + 4 * (n % per))[0]

    names: list[str] = []
    current, seen = first_directory, set()
    while current != _END_OF_CHAIN and current not in seen and len(seen) < n_sectors:
        seen.add(current)
        at = sector(current)
        for entry in range(at, at + size, 128):
            length, kind = struct.unpack_from("<HB", data, entry + 64)
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.append(data[entry : entry + length - 2].decode("utf-16-le", errors="replace"))
        current = next_sector(current)
    if not names:
        raise ValueError("empty directory")
    return names


def _one_line(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message, and of its cause's."""
    text = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}".rstrip(": ")
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        text += f"; {type(cause).__name__}: {(str(cause).strip().splitlines() or [''])[0]}".rstrip(": ")
    return text if len(text) <= 300 else text[:297] + "..."
