#!/usr/bin/env bash
# Installs Debian's poppler-utils (pdftoppm, pdftotext) for the PDF tests
# when missing: they render statements to PNG and read their text back.
set -euo pipefail
command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null && exit 0
sudo=""
[ "$(id -u)" != 0 ] && sudo="sudo"
echo "ensure-poppler: installing Debian's poppler-utils for the PDF tests…"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
