#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian/Ubuntu machine, then run it.
#   LibreOffice (the real spreadsheet the workbook tests recalculate with; Draw, which turns SVG into PNG; Writer,
#   which converts the report to PDF), poppler (pdftoppm, for pictures) and a CJK font (the Chinese pictures)
#   from the system's packages, when they are missing; cpxl with its test extras into the current Python;
#   then pytest (arguments are passed on: bash scripts/test.sh -k workbook).
set -euo pipefail
cd "$(dirname "$0")/.."

# LibreOffice Draw (libreoffice-draw-nogui) converts the balance diagram's SVG to PNG (cpxl sankey -o FILE.png);
# Writer (libreoffice-writer-nogui) converts the report to PDF in the tests.
draw=/usr/lib/libreoffice/share/.registry/draw.xcd
writer=/usr/lib/libreoffice/share/.registry/writer.xcd
cjk() { fc-list 2>/dev/null | grep -qi -e "WenQuanYi" -e "Noto Sans CJK"; }
if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 || ! [ -e "$draw" ] \
    || ! [ -e "$writer" ] || ! cjk; then
    if [ "$(id -u)" -eq 0 ]; then as_root=(); else as_root=(sudo); fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends libreoffice-calc-nogui libreoffice-draw-nogui \
        libreoffice-writer-nogui poppler-utils fonts-wqy-microhei
fi

python -m pip install --quiet -e ".[test]"
python -m pytest "$@"
