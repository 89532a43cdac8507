"""Regenerate workbook_templates/ with the cpxl command itself.

Run after any change to the workbook or the example; tests/test_templates.py
fails while a committed template differs from what the code builds.

    python scripts/make_templates.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: file name -> arguments of ``cpxl new``
TEMPLATES = {
    "blank-en.xlsx": ["--lang", "en"],
    "blank-zh.xlsx": ["--lang", "zh"],
    "example-en.xlsx": ["--lang", "en", "--example"],
    "example-zh.xlsx": ["--lang", "zh", "--example"],
    "example.yaml": ["--lang", "en", "--example"],
}


def main(folder: Path) -> None:
    """Write every template into *folder* with ``cpxl new``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, args in TEMPLATES.items():
        command = [sys.executable, "-m", "cpxl", "new", *args, "-o", str(folder / name), "--force"]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "workbook_templates")
