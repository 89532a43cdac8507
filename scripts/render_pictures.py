#!/usr/bin/env python3
"""Render sheets of workbooks as PNG pictures, for the documentation, with LibreOffice and pdftoppm.

Each sheet becomes one picture, <workbook stem>-<sheet>.png, with the whole used area of the sheet on one page;
--pages uses the workbook's own page setup instead (print areas, fit-to-page), one picture per printed page.
Formulas are recalculated by LibreOffice on load unless --cached is given. Chinese text needs a CJK font,
or it shows as boxes: apt-get install fonts-noto-cjk (or the smaller fonts-wqy-microhei).

Examples:
    python scripts/render_pictures.py workbook_templates/example_en.xlsx --sheet Balance --sheet Options
    python scripts/render_pictures.py a.xlsx b.xlsx --out /tmp/pictures --dpi 150
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:
    from cpxl.workbook.libreoffice import LibreOfficeError, render_png
except ImportError:  # run from a checkout without cpxl installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from cpxl.workbook.libreoffice import LibreOfficeError, render_png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("workbooks", nargs="+", type=Path, metavar="WORKBOOK", help="the .xlsx files to picture")
    parser.add_argument(
        "-o", "--out", type=Path, default=Path("docs/images"), help="folder for the PNGs (default: docs/images)"
    )
    parser.add_argument(
        "-s",
        "--sheet",
        action="append",
        dest="sheets",
        metavar="NAME",
        help="a sheet to picture; repeat for several (default: every sheet); a workbook lacking one is an error",
    )
    parser.add_argument("--dpi", type=int, default=110, help="resolution of the pictures (default: 110)")
    parser.add_argument(
        "--pages", action="store_true", help="use the workbook's page setup: one picture per printed page"
    )
    parser.add_argument("--cached", action="store_true", help="show the cached values, do not recalculate")
    parser.add_argument("--timeout", type=float, default=180, help="seconds allowed per workbook (default: 180)")
    args = parser.parse_args(argv)

    status = 0
    for workbook in args.workbooks:
        try:
            pictures = render_png(
                workbook,
                args.out,
                args.sheets,
                single_page=not args.pages,
                dpi=args.dpi,
                recalc=not args.cached,
                timeout=args.timeout,
            )
        except (OSError, ValueError, LibreOfficeError) as error:
            print(f"{workbook}: {error}", file=sys.stderr)
            status = 1
            continue
        for picture in pictures:
            print(picture)
    return status


if __name__ == "__main__":
    sys.exit(main())
