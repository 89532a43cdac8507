"""Regenerate the README's pictures of the worked example (docs/images/) with LibreOffice.

Also the balance diagram (cpxl sankey) of the worked example, in English and Chinese. The pictures show the values
cpxl cached in the template (what Excel shows, add-in cells included); the LibreOffice tests check that every other
cell recomputes to the same value. Chinese text needs a CJK font (apt-get install fonts-wqy-microhei).

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

if __name__ == "__main__":
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
