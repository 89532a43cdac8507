#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian/Ubuntu machine, then run it.
#   LibreOffice (the real spreadsheet the workbook tests recalculate with, and Writer, which converts the report
#   to PDF) and poppler (pdftoppm, for pictures) from the system's packages, when they are missing; cpxl with its
#   test extras into the current Python;
#   then pytest (arguments are passed on: bash scripts/test.sh -k workbook).
set -euo pipefail
cd "$(dirname "$0")/.."

writer_missing() { command -v dpkg >/dev/null 2>&1 && ! dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 \
    && ! dpkg -s libreoffice-writer >/dev/null 2>&1; }
if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 || writer_missing; then
    if [ "$(id -u)" -eq 0 ]; then as_root=(); else as_root=(sudo); fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils
fi

python -m pip install --quiet -e ".[test]"
python -m pytest "$@"
