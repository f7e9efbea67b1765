"""Make docs/screenshot.png: build the examples, open graph.html in headless Chromium
(Debian's /usr/bin/chromium driven by Playwright, as tests/test_browser.py does), search
a name so its side panel shows, and save a screenshot.

Usage: python scripts/screenshot.py [--name 许昌市] [--out docs/screenshot.png]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="许昌市", help="the entity to search and show")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--examples", type=Path, default=ROOT / "examples")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from kg.build import build
    from kg.view import CHROMIUM, CHROMIUM_FLAGS

    with tempfile.TemporaryDirectory() as tmp:
        build([args.examples], out_dir=tmp, store="memory")
        page_file = Path(tmp) / "graph.html"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            page.goto(page_file.as_uri())
            page.wait_for_function("window.kg !== undefined")
            page.fill("#kg-search", args.name)
            page.press("#kg-search", "Enter")
            page.click("#kg-ego")  # the ego view around it, labels readable
            page.evaluate("network.fit({animation: false})")
            page.wait_for_timeout(300)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
