"""SVG written by the standard library, and turned into PNG by LibreOffice: what every picture of cpxl shares.

The balance diagram (:mod:`cpxl.report.sankey`) and the report's charts (:mod:`cpxl.report.charts`) are SVG
documents built with :mod:`xml.etree.ElementTree`, which escapes every text (a stream called ``<b>&`` stays a
name). Word and WPS take pictures as PNG, so :func:`svgs_to_png` has LibreOffice Draw (headless, a private
profile, its process group killed afterwards) convert any number of SVGs in one run: LibreOffice starts once,
in about a second, for all the pictures of one size (a PNG export has one pixel size per run: pictures of other
sizes take a run each, so the report's charts share one size).

Examples
--------
>>> root = document(200, 100, "A & B")
>>> _ = text(root, 10, 20, "<&>")
>>> serialise(root)[:40]
'<svg xmlns="http://www.w3.org/2000/svg" '
>>> "&lt;&amp;&gt;" in serialise(root)
True
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree

from ..core.errors import CPError

__all__ = ["FONTS", "PNG_ZOOM", "document", "serialise", "svg_to_png", "svgs_to_png", "text"]

#: Fonts: Latin first, then CJK fallbacks, so that Chinese labels render wherever one of them is installed.
FONTS = "'DejaVu Sans', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif"
#: Pixels of a PNG per px of the SVG.
PNG_ZOOM = 2.0
#: The colour of text.
INK = "#222222"


def document(width: float, height: float, title: str) -> ElementTree.Element:
    """An empty SVG picture of *width* × *height* px on white, with its *title* (what a screen reader says)."""
    root = ElementTree.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": f"{width:.0f}",
            "height": f"{height:.0f}",
            "viewBox": f"0 0 {width:.0f} {height:.0f}",
            "font-family": FONTS,
            "font-size": "12",
            "fill": INK,
        },
    )
    ElementTree.SubElement(root, "title").text = title
    ElementTree.SubElement(root, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    return root


def text(parent: ElementTree.Element, x: float, y: float, content: str, **attributes: str) -> ElementTree.Element:
    """A ``<text>`` at (*x*, *y*) px under *parent*; keyword arguments are its attributes (``text-anchor``...)."""
    element = ElementTree.SubElement(parent, "text", {"x": f"{x:.2f}", "y": f"{y:.2f}", **attributes})
    element.text = content
    return element


#: The characters XML 1.0 cannot hold (C0 controls but tab, newline and return; lone surrogates; U+FFFE, U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def serialise(root: ElementTree.Element) -> str:
    """The SVG document as UTF-8 text, with no XML declaration.

    A character that XML cannot hold (a control character in a name typed into a cell) becomes U+FFFD, so the
    document always parses.

    Examples
    --------
    >>> root = document(10, 10, "a\x01b")
    >>> ElementTree.fromstring(serialise(root)).find("{http://www.w3.org/2000/svg}title").text
    'a\ufffdb'
    """
    for element in root.iter():
        if element.text and _NOT_XML.search(element.text):
            element.text = _NOT_XML.sub("\ufffd", element.text)
        for key, value in element.attrib.items():
            if _NOT_XML.search(value):
                element.set(key, _NOT_XML.sub("\ufffd", value))
    return ElementTree.tostring(root, encoding="unicode")


def svg_to_png(svg: str, *, zoom: float = PNG_ZOOM, timeout: float = 120) -> bytes:
    """The PNG of one SVG document (:func:`svgs_to_png`)."""
    return svgs_to_png([svg], zoom=zoom, timeout=timeout)[0]


def svgs_to_png(svgs: Sequence[str], *, zoom: float = PNG_ZOOM, timeout: float = 120) -> list[bytes]:
    """The PNGs of SVG documents, drawn by LibreOffice Draw in one run, in order.

    Parameters
    ----------
    svgs : sequence of str
        SVG documents; the root's ``width`` and ``height`` (px) give each picture's size [-]
    zoom : float
        Pixels of the PNG per px of the SVG (2 draws a 1,000 px wide SVG 2,000 pixels wide) [-]
    timeout : float
        Time LibreOffice may take before it is killed [s]

    Returns
    -------
    pngs : list of bytes
        One PNG per SVG [-]

    Raises :class:`~cpxl.core.errors.CPError` when LibreOffice (with Draw) is missing or fails.

    Examples
    --------
    >>> from cpxl.workbook.libreoffice import find_soffice
    >>> svg = serialise(document(120, 60, "a box"))
    >>> pngs = svgs_to_png([svg, svg]) if find_soffice() else [b"\\x89PNG"] * 2
    >>> [png[:4] for png in pngs]
    [b'\\x89PNG', b'\\x89PNG']
    """
    from ..workbook.libreoffice import LibreOfficeError, _convert

    sizes: dict[tuple[int, int], list[int]] = {}  # pixel size -> the pictures of that size
    for i, svg in enumerate(svgs):
        root = ElementTree.fromstring(svg)
        size = tuple(round(float(root.get(key, "800")) * zoom) for key in ("width", "height"))
        sizes.setdefault(size, []).append(i)  # type: ignore[arg-type]
    pngs: list[bytes] = [b""] * len(svgs)
    with tempfile.TemporaryDirectory(prefix="cpxl-svg-") as folder:
        for (width, height), group in sizes.items():
            sources = []
            for i in group:
                sources.append(Path(folder) / f"picture-{i}.svg")
                sources[-1].write_text(svgs[i], encoding="utf-8")
            options = (
                f'"PixelWidth":{{"type":"long","value":"{width}"}},"PixelHeight":{{"type":"long","value":"{height}"}}'
            )
            try:
                made = _convert(
                    sources, Path(folder) / "out", f"png:draw_png_Export:{{{options}}}", timeout=timeout, recalc=False
                )
            except LibreOfficeError as exc:
                first = str(exc).splitlines()[0]
                raise CPError(
                    "picture",
                    "PNG",
                    f"could not be drawn: {first}; LibreOffice Draw converts SVG to PNG "
                    "(apt-get install libreoffice-draw-nogui), or write .svg",
                ) from None
            for i, png in zip(group, made, strict=True):
                pngs[i] = png.read_bytes()
    return pngs
