#!/usr/bin/env bash
# Install what the tests need and run the whole suite (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -e ".[test]"
# The browser tests drive Debian's Chromium (Playwright's own browser download cannot
# work offline); CJK fonts so Chinese labels render. Installed only when missing.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk
fi
python3 -m pytest -q "$@"
