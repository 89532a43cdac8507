"""Regenerate the README's pictures of the worked example (docs/images/) with LibreOffice.

Also the balance diagram (cpxl sankey) of the worked example, in English and Chinese, two of the report's figures,
and a page of its report (cpxl report) in each language: the page where the feasibility chapter begins, as
LibreOffice prints it (the report converted to PDF, the page rendered by poppler's pdftoppm). The pictures show
the values cpxl cached in the template (what Excel shows, add-in cells included); the LibreOffice tests check that
every other cell recomputes to the same value. Chinese text needs a CJK font (apt-get install fonts-wqy-microhei).

    python scripts/make_pictures.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from render_pictures import main as render  # noqa: E402

#: workbook -> the sheets pictured
PICTURES = {
    "example-en.xlsx": [
        "Dashboard",
        "3 Flowsheet",
        "3 Material balance",
        "2 Benchmark",
        "5 Feasibility",
        "3 Component balance",
    ],
    "example-zh.xlsx": ["指标总览"],
}


def main() -> None:
    out = ROOT / "docs" / "images"
    for old in out.glob("*.png"):
        old.unlink()
    for workbook, sheets in PICTURES.items():
        args = [str(ROOT / "workbook_templates" / workbook), "--cached", "--out", str(out)]
        for sheet in sheets:
            args += ["--sheet", sheet]
        if render(args):
            sys.exit(1)
    # the balance diagram of the worked example (cpxl sankey), in both languages
    from cpxl.audit import Audit
    from cpxl.report.sankey import sankey

    for lang in ("en", "zh"):
        sankey(Audit.example(lang), lang=lang).save(out / f"sankey-{lang}.png")
    report_pages(out)


def report_pages(out: Path) -> None:
    """The worked example's report in each language, with its figures; its feasibility page as a PNG."""
    import subprocess
    import tempfile

    from cpxl.audit import Audit
    from cpxl.report.document import CHAPTERS, report
    from cpxl.report.figures import pictures
    from cpxl.workbook.libreoffice import _convert

    heading = {
        lang: next(h[1 if lang == "en" else 2] for h in CHAPTERS if h[0] == "feasibility") for lang in ("en", "zh")
    }
    with tempfile.TemporaryDirectory() as folder:
        for lang in ("en", "zh"):
            audit = Audit.example(lang)
            figures = pictures(audit, lang)
            if lang == "en":
                for slot in ("waste_pareto", "portfolio"):
                    (out / f"figure-en-{slot}.png").write_bytes(figures[slot])
            docx = report(audit, Path(folder) / f"report-{lang}.docx", lang=lang, figures=figures)
            (pdf,) = _convert([docx], Path(folder), "pdf", timeout=300, recalc=False)
            page = 1
            while True:  # the first page whose text holds the chapter's heading
                text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                                      capture_output=True, text=True, check=True).stdout  # fmt: skip
                if heading[lang] in text:
                    break
                page += 1
            target = out / f"report-{lang}-feasibility"
            subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile",
                            str(pdf), str(target)], check=True)  # fmt: skip


if __name__ == "__main__":
    main()
