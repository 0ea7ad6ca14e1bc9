"""Draw the PNG app icons from static/icon.svg with headless Chromium; run once, commit.

    .venv/bin/python scripts/make_icons.py
"""

import re
from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "static"
CHROMIUM = "/usr/bin/chromium"


def maskable(svg):
    """The same mark on a full square, shrunk into the central safe zone that maskable icons
    need (a circle of 80% of the width): launchers cut their own shape from it."""
    inner = re.sub(r"^<svg[^>]*>|</svg>$", "", svg.strip())
    inner = re.sub(r'<rect [^>]*/>', "", inner, count=1)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
        '<rect width="512" height="512" fill="#1f5f5b"/>'
        f'<g transform="translate(76.8 76.8) scale(0.7)">{inner}</g></svg>'
    )


def draw(page, svg, size, path):
    page.set_viewport_size({"width": size, "height": size})
    page.set_content(
        "<!doctype html><html><body style='margin:0;background:transparent'>"
        f"<img src='data:image/svg+xml;utf8,{svg}' width='{size}' height='{size}'"
        " style='display:block'></body></html>"
    )
    page.screenshot(path=str(path), omit_background=True)


def main():
    svg = (STATIC / "icon.svg").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        draw(page, svg.replace("#", "%23"), 192, STATIC / "icon-192.png")
        draw(page, svg.replace("#", "%23"), 512, STATIC / "icon-512.png")
        draw(page, maskable(svg).replace("#", "%23"), 512, STATIC / "icon-maskable-512.png")
        browser.close()


if __name__ == "__main__":
    main()
